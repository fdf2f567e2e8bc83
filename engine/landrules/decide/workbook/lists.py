"""The lists of the parcels that need action — 一宗一策, 按责任单位, 公布清单, 逾期事项 — as
tables of `Coded` columns: each attribute of the kept parcels is coded once (`ParcelColumns`),
and a list is those codes picked, repeated or reordered by integer positions. The workbook
writes the columns as they are (a million-row 按责任单位 costs a few arrays); the bulletin's
pages take `rows()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from landrules.decide.workbook.actions import ActionList, ActionRow
from landrules.ledger.write.coded import Coded

ACTION_HEADER = ["序号", "宗地编号", "坐落", "用地单位", "项目名称", "面积（亩）", "土地用途", "类别",
                 "形成原因", "处置措施", "闲置费（万元）", "完成时限", "是否逾期", "责任单位", "依据条款"]
PUBLIC_HEADER = ["序号", "宗地编号", "坐落", "用地单位", "项目名称", "面积（亩）", "土地用途", "类型",
                 "处置措施", "完成时限", "责任单位"]
OVERDUE_HEADER = ["序号", "宗地编号", "坐落", "用地单位", "处置措施", "完成时限", "责任单位"]
BY_UNIT_HEADER = ["序号", "责任单位", "宗地编号", "坐落", "用地单位", "项目名称", "面积（亩）", "类别", "处置措施",
                  "完成时限", "是否逾期", "同时负责的单位"]
PUBLIC_ORDER = ("批而未供", "闲置", "低效")  # as 四、(四) names them
NO_UNIT = "（未列责任单位）"


@dataclass(frozen=True)
class ListTable:
    header: list[str]
    columns: list[Coded]  # one per header name, 序号 first

    def __len__(self) -> int:
        return len(self.columns[0])

    def head(self, count: int) -> ListTable:
        keep = np.arange(min(count, len(self)))
        return ListTable(self.header, [c.take(keep) for c in self.columns])

    def column(self, name: str) -> Coded:
        return self.columns[self.header.index(name)]

    def rows(self) -> list[list[Any]]:
        return [list(row) for row in zip(*self.columns)]


def fee_cell(fee: float | None, pending: bool) -> Any:
    """The idle fee (万元) of a 一宗一策 row, 待补充土地价款 while it waits for the price, else empty."""
    if fee is not None:
        return fee
    return "待补充土地价款" if pending else None


@lru_cache(maxsize=4096)
def measure_names(measures: str) -> str:
    """处置措施 by their names, the words before each label's parenthesis or colon (the full
    wording is in 一宗一策 and 决策): 完善用地手续; 协商选择处置方式."""
    return "; ".join(m.split("（")[0].split("：")[0] for m in measures.split("; ") if m)


@lru_cache(maxsize=4096)
def units_of(responsible: str) -> tuple[tuple[str, str], ...]:
    """Each 责任单位 of a "; "-joined cell with the others beside it."""
    units = [u for u in responsible.split("; ") if u] or [NO_UNIT]
    return tuple((unit, "、".join(u for u in units if u != unit)) for unit in units)


class ParcelColumns:
    """The attributes of the parcels of a list, in the list's order, each coded once, on demand."""

    def __init__(self, size: int, coders: Mapping[str, Callable[[], Coded]], order: np.ndarray, overdue: np.ndarray):
        self.size, self._coders, self.order, self.overdue = size, coders, order, overdue
        self._coded: dict[str, Coded] = {}

    @classmethod
    def of_rows(cls, rows: Sequence[ActionRow]) -> ParcelColumns:
        def coder(name: str) -> Callable[[], Coded]:
            return lambda: Coded.of([getattr(r, name) for r in rows])

        coders = {name: coder(name) for name in _OWN + _SHARED}
        coders["fee_cell"] = lambda: Coded.of([fee_cell(r.fee, r.fee_pending) for r in rows])
        order = np.fromiter((r.order for r in rows), dtype=np.int64, count=len(rows))
        overdue = np.fromiter((r.overdue for r in rows), dtype=bool, count=len(rows))
        return cls(len(rows), coders, order, overdue)

    @classmethod
    def of_list(cls, actions: ActionList) -> ParcelColumns:
        """The kept parcels of `actions` in its order: their own values coded here, what their
        pattern of decisions gives taken from the patterns, without a row object per parcel."""
        ordered, columns = actions.columns()
        pattern = columns["pattern"][ordered]
        shown = [p.shown for p in actions.patterns]

        def own(name: str) -> Callable[[], Coded]:
            return lambda: Coded.of(columns[name][ordered])

        def shared(name: str) -> Callable[[], Coded]:
            return lambda: Coded.indexed(pattern, [s[name] for s in shown])

        coders = {**{name: own(name) for name in _OWN}, **{name: shared(name) for name in _SHARED},
                  "fee_cell": lambda: Coded.indexed(pattern, [fee_cell(s["fee"], s["fee_pending"]) for s in shown])}
        overdue = np.array([s["overdue"] for s in shown] + [False], dtype=bool)[pattern]
        return cls(len(ordered), coders, columns["order"][ordered], overdue)

    def __len__(self) -> int:
        return self.size

    def column(self, name: str) -> Coded:
        found = self._coded.get(name)
        if found is None:
            found = self._coded[name] = self._code(name)
        return found

    def _code(self, name: str) -> Coded:
        if name == "area":
            return self.column("area_mu").map(lambda a: round(a, 4))
        if name == "late":
            return Coded.indexed(self.overdue.astype(np.int32), ["否", "是"])
        if name == "measure_names":
            return self.column("measures").map(measure_names)
        return self._coders[name]()

    def area_total(self) -> float:
        """The parcels' area (亩), summed in the list's order."""
        return sum(a or 0.0 for a in self.column("area_mu"))

    def picked(self, positions: np.ndarray, header: list[str], names: Sequence[str]) -> ListTable:
        """The rows at `positions`, columns `names` (after 序号) under `header`."""
        return ListTable(header, [Coded.numbers(1, len(positions)), *(self.column(n).take(positions) for n in names)])


_OWN = ("parcel_id", "location", "holder", "project", "area_mu", "land_use", "reason")  # each parcel's own
_SHARED = ("categories", "measures", "deadline", "responsible", "citations", "public")  # and fee_cell


def action_table(parcels: ParcelColumns) -> ListTable:
    return parcels.picked(np.arange(len(parcels)), ACTION_HEADER,
                          ("parcel_id", "location", "holder", "project", "area", "land_use", "categories", "reason",
                           "measures", "fee_cell", "deadline", "late", "responsible", "citations"))


def public_table(parcels: ParcelColumns) -> ListTable:
    """The published parcels by kind (the first one named, in 四、(四)'s order), then ledger order."""
    public = parcels.column("public")
    rank = public.table(lambda kinds: _rank(kinds.split("、")[0]), len(PUBLIC_ORDER), dtype=np.int64)
    chosen = np.flatnonzero(public.table(bool, False, dtype=bool))
    positions = chosen[np.lexsort((parcels.order[chosen], rank[chosen]))]
    return parcels.picked(positions, PUBLIC_HEADER,
                          ("parcel_id", "location", "holder", "project", "area", "land_use", "public", "measures",
                           "deadline", "responsible"))


def _rank(kind: str) -> int:
    return PUBLIC_ORDER.index(kind) if kind in PUBLIC_ORDER else len(PUBLIC_ORDER)


def overdue_table(parcels: ParcelColumns) -> ListTable:
    return parcels.picked(np.flatnonzero(parcels.overdue), OVERDUE_HEADER,
                          ("parcel_id", "location", "holder", "measures", "deadline", "responsible"))


def by_unit_table(parcels: ParcelColumns) -> ListTable:
    """One row per parcel and 责任单位, by unit (in order of first appearance), then 完成时限, then
    ledger order: each unit finds all its parcels with the ordinary filter on one column."""
    responsible = parcels.column("responsible")
    pairs = [units_of(v) for v in responsible.values] + [units_of("")]  # the last: an empty cell
    codes = np.where(responsible.codes < 0, len(responsible.values), responsible.codes)
    counts = np.array([len(p) for p in pairs], dtype=np.int64)[codes]
    starts = np.concatenate([[0], np.cumsum([len(p) for p in pairs])])[:-1]
    parcel = np.repeat(np.arange(len(parcels)), counts)
    within = np.arange(len(parcel)) - np.repeat(np.cumsum(counts) - counts, counts)
    pair = starts[codes][parcel] + within  # into the flat list of (unit, others) pairs
    flat = [p for units in pairs for p in units]
    unit = Coded.of([u for u, _ in flat]).take(pair)
    others = Coded.of([o for _, o in flat]).take(pair)
    _, present = pd.factorize(unit.codes)  # the units in the order they first appear
    rank = np.empty(len(unit.values), dtype=np.int64)
    rank[present] = np.arange(len(present))
    deadline = parcels.column("deadline").table(lambda d: d.toordinal(), dt.date.max.toordinal(), dtype=np.int64)
    ordered = np.lexsort((parcels.order[parcel], deadline[parcel], rank[unit.codes]))
    parcel = parcel[ordered]
    columns = [Coded.numbers(1, len(parcel)), unit.take(ordered),
               *(parcels.column(n).take(parcel) for n in ("parcel_id", "location", "holder", "project", "area",
                                                             "categories", "measure_names", "deadline", "late")),
               others.take(ordered)]
    return ListTable(BY_UNIT_HEADER, columns)

