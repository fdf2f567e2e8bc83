"""The summary of a decided ledger: 宗数 and 面积 by category, outcome, 责任单位 and deadline month,
overdue parcels by 责任单位, missing facts by field, and the area-weighted 亩均税收 of supplied
industrial land (against the plan's target, 一、(二)2.).

A parcel with several categories, outcomes, units or months counts once in each of them.
`batch.py` feeds it one decision pattern at a time (`add_pattern`, with how many rows and how
much area share it) and the tax figures column-wise (`add_tax`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from landrules.core import fields

_INDUSTRIAL = float(list(fields.LAND_USE).index("industrial"))


@dataclass
class Tally:
    count: int = 0
    area_mu: float = 0.0

    def add(self, count: int, area: float) -> None:
        self.count += count
        self.area_mu += area


def _tallies() -> dict[str, Tally]:
    return defaultdict(Tally)


@dataclass
class TaxTally:
    """亩均税收 of supplied industrial land, weighted by area: sum(tax × area) / sum(area) over
    the parcels whose 亩均税收 is known; `area_mu`/`count` cover all supplied industrial land."""

    count: int = 0  # supplied industrial parcels (valid rows)
    area_mu: float = 0.0
    known_count: int = 0  # of which with 亩均税收
    known_area_mu: float = 0.0
    tax_area: float = 0.0  # sum of 亩均税收 × 面积 (万元)
    below_target_count: int = 0  # parcels under the target (when a target is set)
    below_target_area_mu: float = 0.0

    @property
    def weighted_mean(self) -> float | None:
        return self.tax_area / self.known_area_mu if self.known_area_mu > 0 else None


@dataclass
class Summary:
    rows: int = 0
    decided: int = 0
    invalid: int = 0
    by_category: dict[str, Tally] = field(default_factory=_tallies)
    by_outcome: dict[str, Tally] = field(default_factory=_tallies)
    by_responsible: dict[str, Tally] = field(default_factory=_tallies)
    by_deadline_month: dict[str, Tally] = field(default_factory=_tallies)  # "2022-12"; "" = none
    overdue: Tally = field(default_factory=Tally)  # parcels with some overdue outcome
    overdue_by_responsible: dict[str, Tally] = field(default_factory=_tallies)
    needs_by_field: dict[str, Tally] = field(default_factory=_tallies)
    tax: TaxTally = field(default_factory=TaxTally)
    tax_target: float | None = None
    total_rows: list[int] = field(default_factory=list)  # file rows of 合计/小计/总计 rows, not decided
    footer_rows: list[int] = field(default_factory=list)  # file rows of 填表人/审核人 … rows, not decided
    no_id_rows: list[int] = field(default_factory=list)  # file rows decided without a 宗地编号
    notices: list[str] = field(default_factory=list)  # what reading set aside or chose, for every output

    @property
    def totals(self) -> int:
        return len(self.total_rows)

    def add_pattern(self, pattern: PatternFacts, count: int, area: float) -> None:
        """Count `count` parcels of `area` 亩 that share one decision."""
        if not count:
            return
        for tally in self._pattern_tallies(pattern):
            tally.add(count, area)

    def _pattern_tallies(self, pattern: PatternFacts) -> list[Tally]:
        """The tallies `add_pattern` adds one pattern to, in the order it adds to them (made
        where missing, as it makes them)."""
        out = [tallies[code] for tallies, codes in (
            (self.by_category, pattern.categories),
            (self.by_outcome, pattern.outcomes),
            (self.by_responsible, pattern.responsible),
            (self.by_deadline_month, pattern.months),
            (self.overdue_by_responsible, pattern.overdue_units),
            (self.needs_by_field, pattern.needs),
        ) for code in codes]
        if pattern.overdue:
            out.append(self.overdue)
        return out

    def add_tax(self, columns: dict[str, np.ndarray], valid: np.ndarray, as_of: dt.date) -> None:
        """Fold one chunk's supplied industrial land (valid rows, supplied by `as_of`) into `tax`."""
        supplied = columns["supplied_on"]
        mask = valid & (columns["land_use"] == _INDUSTRIAL) & ~np.isnan(supplied)
        mask &= np.nan_to_num(supplied, nan=np.inf) <= as_of.toordinal()
        if not mask.any():
            return
        area = np.nan_to_num(columns["area_mu"][mask], nan=0.0)
        tax = columns["tax_per_mu"][mask]
        known = ~np.isnan(tax)
        t = self.tax
        t.count += int(mask.sum())
        t.area_mu += float(area.sum())
        t.known_count += int(known.sum())
        t.known_area_mu += float(area[known].sum())
        t.tax_area += float((tax[known] * area[known]).sum())
        if self.tax_target is not None:
            below = known & (np.nan_to_num(tax, nan=np.inf) < self.tax_target)
            t.below_target_count += int(below.sum())
            t.below_target_area_mu += float(area[below].sum())

    def merge(self, other: Summary) -> None:
        """Add another part's summary to this one (parts of one ledger decided apart, e.g. the
        files of a Dask dataset): counts, areas and tallies add up, lists are joined."""
        for name in self.__dataclass_fields__:
            setattr(self, name, _combined(getattr(self, name), getattr(other, name)))


class PatternCounter:
    """`Summary.add_pattern` for a chunk's patterns at once: the same tallies, made in the same
    order, and the same sums to the last bit — each tally's area is added to in the order the
    patterns come, starting from its running total, by one `np.bincount` (which adds its
    weights one after another), instead of one Python call a pattern and a tally.

    The tallies of each pattern (the LedgerDecider's, kept between chunks) are looked up once."""

    CACHE = 50_000  # patterns whose tallies are kept (a large rulebook: bounded)

    def __init__(self, summary: Summary):
        self.summary = summary
        self._tallies: list[Tally] = []  # slot -> tally
        self._slot: dict[int, int] = {}  # id(tally) -> slot
        self._slots: dict[int, tuple[PatternFacts, np.ndarray]] = {}  # id(pattern) -> (it, its slots)

    def _slots_of(self, pattern: PatternFacts) -> np.ndarray:
        known = self._slots.get(id(pattern))
        if known is not None:
            return known[1]
        slots = []
        for tally in self.summary._pattern_tallies(pattern):
            slot = self._slot.get(id(tally))
            if slot is None:
                slot = self._slot[id(tally)] = len(self._tallies)
                self._tallies.append(tally)
            slots.append(slot)
        if len(self._slots) >= self.CACHE:
            self._slots.clear()
        found = np.array(slots, dtype=np.int64)
        self._slots[id(pattern)] = (pattern, found)  # the pattern kept: its id stays its own
        return found

    def add(self, patterns: list[PatternFacts], counts: np.ndarray, areas: np.ndarray) -> None:
        """`add_pattern(patterns[j], counts[j], areas[j])` for each j in order."""
        kept = [j for j, count in enumerate(counts.tolist()) if count]
        if not kept:
            return
        per = [self._slots_of(patterns[j]) for j in kept]  # in order: new tallies made as add_pattern makes them
        lengths = np.fromiter(map(len, per), dtype=np.int64, count=len(per))
        slots = np.concatenate(per)
        if not len(slots):
            return
        touched = np.unique(slots)
        start = np.array([self._tallies[t].area_mu for t in touched.tolist()], dtype=float)
        size = len(self._tallies)
        # each touched tally's running total first, then the areas in order: bincount adds them one after another
        sums = np.bincount(np.concatenate([touched, slots]),
                           weights=np.concatenate([start, np.repeat(np.asarray(areas, dtype=float)[kept], lengths)]),
                           minlength=size)
        added = np.bincount(slots, weights=np.repeat(np.asarray(counts)[kept], lengths).astype(float), minlength=size)
        for t, area, count in zip(touched.tolist(), sums[touched].tolist(), added[touched].tolist()):
            tally = self._tallies[t]
            tally.count += int(count)
            tally.area_mu = area


def _combined(mine, theirs):
    """`mine` and `theirs` added up: numbers sum, lists join, dicts and dataclasses field by
    field; a setting (None or equal on both sides, e.g. a target) is kept."""
    if theirs is None or mine is None:
        return mine if theirs is None else theirs
    if isinstance(mine, bool) or isinstance(mine, str):
        return mine
    if isinstance(mine, (int, float)):
        return mine + theirs
    if isinstance(mine, list):
        return mine + list(theirs)
    if isinstance(mine, dict):
        for key, value in theirs.items():
            mine[key] = _combined(mine[key], value) if key in mine else value
        return mine
    if hasattr(mine, "__dataclass_fields__"):
        for name in mine.__dataclass_fields__:
            setattr(mine, name, _combined(getattr(mine, name), getattr(theirs, name)))
        return mine
    return mine


@dataclass(frozen=True)
class PatternFacts:
    """What the summary counts of one decision."""

    categories: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    overdue: bool = False
    overdue_units: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    @classmethod
    def of(cls, decision) -> PatternFacts:
        outcomes = decision.outcomes
        late = [o for o in outcomes if o.overdue]
        return cls(
            categories=tuple(decision.categories),
            outcomes=_unique(o.code for o in outcomes),
            responsible=_unique(u for o in outcomes for u in o.responsible),
            months=_unique(o.deadline.strftime("%Y-%m") for o in outcomes if o.deadline),
            overdue=bool(late),
            overdue_units=_unique(u for o in late for u in o.responsible),
            needs=tuple(decision.needs),
        )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def in_catalogue_order(tallies: dict[str, Tally], labels: dict[str, str]) -> list[tuple[str, Tally]]:
    """Tallies by code in the catalogue's order (`labels` order); unknown codes last, by code."""
    order = {code: i for i, code in enumerate(labels)}
    return [(code, tallies[code]) for code in sorted(tallies, key=lambda c: (order.get(c, len(order)), c))]


def by_size(tallies: dict[str, Tally]) -> list[tuple[str, Tally]]:
    """Tallies by decreasing 宗数, then by name (责任单位, fields)."""
    return sorted(tallies.items(), key=lambda item: (-item[1].count, item[0]))
