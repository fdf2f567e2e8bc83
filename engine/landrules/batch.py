"""Deciding a whole ledger: every row in, one decision out, in order; and the 宗数/面积 summary."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .decision import Decision
from .evaluate import Evaluator
from .parcel import ParcelRecord

CHUNK = 2000


def decide_records(
    records: Sequence[ParcelRecord],
    evaluator: Evaluator,
    as_of: dt.date,
    advance: Callable[[int], None] | None = None,
) -> list[Decision]:
    decisions: list[Decision] = []
    for start in range(0, len(records), CHUNK):
        chunk = records[start:start + CHUNK]
        valid = [(r.parcel_id, r.parcel.facts()) for r in chunk if r.parcel is not None]
        decided = iter(evaluator.decide_many(valid, as_of))
        for record in chunk:
            if record.parcel is None:
                decisions.append(evaluator.invalid(record.parcel_id, record.errors, as_of))
            else:
                decisions.append(next(decided))
        if advance:
            advance(len(chunk))
    return decisions


@dataclass
class Tally:
    count: int = 0
    area_mu: float = 0.0

    def add(self, area: float | None) -> None:
        self.count += 1
        self.area_mu += area or 0.0


@dataclass
class Summary:
    rows: int = 0
    decided: int = 0
    invalid: int = 0
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_outcome: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def summarize(records: Sequence[ParcelRecord], decisions: Sequence[Decision]) -> Summary:
    """宗数 and 面积（亩） by category and by outcome; a parcel counts once per code it carries."""
    summary = Summary(rows=len(records))
    for record, decision in zip(records, decisions):
        area = record.parcel.area_mu if record.parcel is not None else None
        if decision.errors:
            summary.invalid += 1
        else:
            summary.decided += 1
        for code in decision.categories:
            summary.by_category[code].add(area)
        for code in dict.fromkeys(o.code for o in decision.outcomes):
            summary.by_outcome[code].add(area)
    return summary
