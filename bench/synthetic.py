"""Synthetic parcels covering every category and missing-fact pattern, reproducibly."""

from __future__ import annotations

import datetime as dt
import random

from landrules.core import fields
from landrules.core.fields import FieldType

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


D = dt.date
# Typical situations of the plan; each synthetic parcel starts from one (or from nothing) and is
# then perturbed, so every category, outcome and missing-fact pattern turns up.
ARCHETYPES: list[dict] = [
    {"approved_on": D(2019, 3, 1), "land_use": "industrial"},
    {"approved_on": D(2016, 3, 1), "land_status_unchanged": True, "expropriation_infeasible": True},
    {"approved_on": D(2017, 5, 1), "construction_started_on": D(2018, 6, 1), "land_use": "industrial",
     "project_source": "investment_attraction", "filed_with_province": True, "conforms_spatial_plan": True,
     "conforms_industry_policy": True, "operating_well": True, "output_per_mu": 320.0, "contract_performance": "good"},
    {"approved_on": D(2017, 5, 1), "construction_started_on": D(2019, 6, 1), "land_use": "public_service"},
    {"supplied_on": D(2018, 3, 1), "agreed_start_on": D(2019, 3, 1), "idle_cause": "enterprise", "land_use": "industrial"},
    {"supplied_on": D(2018, 3, 1), "idle_identified": True, "idle_cause": "shared_fault", "recovery_agreed": True},
    {"supplied_on": D(2017, 3, 1), "construction_started_on": D(2017, 9, 1), "suspended_since": D(2019, 5, 1),
     "developed_ratio": 0.2, "idle_cause": "government"},
    {"supplied_on": D(2018, 1, 1), "construction_started_on": D(2018, 4, 1), "land_use": "industrial",
     "output_per_mu": 40.0, "tax_per_mu": 2.0},
    {"supplied_on": D(2021, 3, 1), "construction_started_on": D(2021, 4, 1), "land_use": "industrial",
     "standard_land": True, "investment_per_mu": 200.0, "committed_investment_per_mu": 250.0,
     "tax_per_mu": 6.0, "committed_tax_per_mu": 5.0, "plot_ratio": 1.2, "committed_plot_ratio": 1.0,
     "output_per_mu": 300.0},
    {"supplied_on": D(2021, 2, 1), "land_use": "industrial", "standard_land": False},
    {},
]


def parcels(n: int, seed: int = 7) -> list[dict]:
    """`n` fact dicts (typed values, missing fields absent), reproducible for a seed."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        facts = {"parcel_id": f"SYN-{i:07d}", "area_mu": _value(fields.BY_NAME["area_mu"], rng)}
        facts.update(rng.choice(ARCHETYPES))
        for spec in fields.FIELDS[2:]:
            roll = rng.random()
            if roll < 0.08:
                facts.pop(spec.name, None)
            elif roll < 0.16 or (spec.type is FieldType.TEXT and roll < 0.9):
                facts[spec.name] = _value(spec, rng)
        out.append(facts)
    return out


def ledger_frame(n: int, seed: int = 7, start: int = 0):
    """`n` synthetic parcels as a ledger table: Chinese headers, every cell text ("" = unknown),
    ids SYN-<start+i>; for tests and benchmarks that need a file rather than facts."""
    import pandas as pd

    def cell(spec, value):
        if value is None:
            return ""
        if spec.type is FieldType.BOOL:
            return "是" if value else "否"
        if spec.type is FieldType.DATE:
            return value.isoformat()
        return str(value)

    rows = parcels(n, seed)
    columns = {}
    for spec in fields.FIELDS:
        columns[spec.zh] = [cell(spec, p.get(spec.name)) for p in rows]
    columns[fields.BY_NAME["parcel_id"].zh] = [f"SYN-{start + i:07d}" for i in range(n)]
    return pd.DataFrame(columns)
