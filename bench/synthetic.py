"""Synthetic parcels covering every category and missing-fact pattern, reproducibly."""

from __future__ import annotations

import datetime as dt
import random

from landrules import fields
from landrules.fields import FieldType

_DATES = [dt.date(2016, 1, 1) + dt.timedelta(days=d) for d in range(0, 2200, 37)]
_NUMBERS = [0.0, 2.0, 4.0, 6.0, 50.0, 99.0, 100.0, 150.0, 200.0, 320.0]
_RATIOS = [0.0, 0.1, 0.25, 1 / 3, 0.5, 1.0]


def _value(spec: fields.FieldSpec, rng: random.Random):
    t = spec.type
    if t is FieldType.DATE:
        return rng.choice(_DATES)
    if t is FieldType.BOOL:
        return rng.random() < 0.6
    if t is FieldType.ENUM:
        return rng.choice(sorted(spec.vocabulary))
    if t is FieldType.RATIO:
        return rng.choice(_RATIOS)
    if t is FieldType.NUMBER:
        return rng.choice(_NUMBERS) + (1.0 if spec.positive else 0.0)
    return f"{spec.zh}{rng.randrange(1000)}"


def parcels(n: int, seed: int = 7) -> list[dict]:
    """`n` fact dicts (typed values, missing fields absent), each field missing ~25 % of the time."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        facts = {"parcel_id": f"SYN-{i:07d}"}
        for spec in fields.FIELDS[1:]:
            if rng.random() < 0.75:
                facts[spec.name] = _value(spec, rng)
        out.append(facts)
    return out
