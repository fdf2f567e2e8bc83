"""The parcels that need action, collected while decisions stream past: the 一宗一策 台账
(二、(三)1.: 地块基本信息、形成原因、处置措施、完成时限、责任单位), the overdue items and the
公布清单 (四、(四)) of the workbook and of the 季度通报.

Only parcels whose outcomes ask for something (anything but 无需处置 and 记录无效) are kept: their
own values as columns, what their pattern of decisions gives once per pattern (`Pattern`); an
`ActionRow` is made only when `rows()` asks (the bulletin's pages). Past `limit` parcels
(ACTION_ROWS_MAX) the rest are counted, not kept, and the sheets say so. Sorted by 责任单位 (the first unit named), then 完成时限 (earliest first,
none last), then ledger order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landrules.core import fields
from landrules.core.decision import SEP
from landrules.decide.workbook.reasons import reason, uses_facts
from landrules.ledger.validate.cells import PARSERS, CellError, derive_area_mu
from landrules.ledger.validate.row_names import row_name
from landrules.ledger.write.base import Labels

ACTION_ROWS_MAX = 200_000  # parcels kept for 一宗一策 (about 100 MiB at most)
NO_ACTION = frozenset({"no_action", "invalid_record"})
_FACTS = ("location", "holder", "project", "area_mu", "area_m2", "land_use", "approved_on", "supplied_on",
          "construction_started_on", "agreed_start_on", "suspended_since", "idle_identified", "idle_cause",
          "output_per_mu", "tax_per_mu", "investment_per_mu", "plot_ratio",
          "committed_investment_per_mu", "committed_tax_per_mu", "committed_plot_ratio")


@dataclass(frozen=True)
class ActionRow:
    order: int  # position in the ledger (0-based, data rows)
    parcel_id: str | None
    location: str | None
    holder: str | None
    project: str | None
    area_mu: float | None
    land_use: str | None  # 中文
    categories: str  # 中文, "; "-joined
    reason: str  # 形成原因
    measures: str  # 处置措施, "; "-joined labels
    deadline: dt.date | None  # the earliest 完成时限
    overdue: bool
    responsible: str  # "; "-joined
    citations: str  # as printed, each with its heading
    public: str  # 公布清单 kinds (批而未供、闲置、低效), "" when not published
    fee: float | None = None  # 土地闲置费（万元）, when idle_fee has its amount
    fee_pending: bool = False  # idle_fee given, its amount waiting for the land price
    clauses: str = ""  # the citations as printed, without headings ("; "-joined)


_FLAT = ("categories", "outcome_codes", "needs", "deadline", "overdue", "responsible", "citations", "idle_fee_amount")


def _parse(name: str, value: Any) -> Any:
    try:
        return PARSERS[name](value)
    except (CellError, ValueError, TypeError):
        return None


def _parsed(name: str, values: np.ndarray) -> list[Any]:
    """Each cell of a column parsed as field `name` (None when empty or unreadable), each
    distinct value once."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        return [_parse(name, v) for v in values]
    table = [_parse(name, u) for u in uniques] + [None]
    return [table[c] for c in codes]


def _area(inputs: pd.DataFrame, names: Sequence[str], parsed) -> float:
    """The chunk's area in 亩: as decided (公顷 and 平方米 converted), else parsed from the cells."""
    if parsed is not None and "area_mu" in parsed.columns:
        values = np.asarray(parsed.columns["area_mu"], dtype=float)
        return float(np.nansum(values[np.isfinite(values)]))
    where = {name: i for i, name in enumerate(names)}
    total = 0.0
    for name, factor in (("area_mu", 1.0), ("area_ha", 15.0)):
        if name in where:
            parsed_name = "area_mu"
            for value in _parsed(parsed_name, inputs.iloc[:, where[name]].to_numpy(dtype=object)):
                if isinstance(value, (int, float)) and np.isfinite(value):
                    total += float(value) * factor
            return total
    return total


def amount(text: str | None) -> float | None:
    """The idle fee cell (万元, `flatten`'s two decimals) as a number; None when empty or not one."""
    try:
        return float(text) if text else None
    except ValueError:
        return None


def published_kinds(categories: Sequence[str], published: dict[str, tuple[str, tuple[str, ...]]]) -> list[str]:
    """The 公布清单 kinds a parcel of `categories` is listed under, in the catalogue's order, each
    once (outcomes.yaml `published`, `published_unless`)."""
    cats = set(categories)
    kinds = [kind for code, (kind, unless) in published.items() if code in cats and not cats & set(unless)]
    return list(dict.fromkeys(kinds))


def earliest(text: str) -> dt.date | None:
    """The earliest of "; "-joined ISO dates ("" -> None)."""
    dates = []
    for part in text.split(SEP) if text else ():
        try:
            dates.append(dt.date.fromisoformat(part.strip()))
        except ValueError:
            continue
    return min(dates) if dates else None


def any_overdue(text: str) -> bool:
    """`code:是; code:否` (the flat `overdue` column) -> some outcome is overdue."""
    return any(item.rpartition(":")[2].strip() in ("是", "true", "True") for item in text.split(SEP)) if text else False


@dataclass(frozen=True)
class Pattern:
    """What a pattern of flat cells (_FLAT's columns) gives every parcel that has it."""

    categories: list[str]  # codes
    outcomes: list[str]
    needs: list[str]
    shown: dict[str, Any]  # ActionRow's fields that the pattern decides
    lead: str  # the first 责任单位 ("\uffff" when none: last)
    reason: str | None  # 形成原因 when it does not depend on the parcel's facts


_ROW_FIELDS = ("order", "parcel_id", "location", "holder", "project", "area_mu", "land_use", "reason")


class ActionList:
    """Collects the parcels that need action from (inputs, flat) chunks, in ledger order, as
    columns: each kept parcel's own values (id, 坐落, area, 形成原因, …) and the id of its pattern
    of flat cells, whose meaning (categories, measures, deadline, units, clauses) is worked out
    once per distinct pattern."""

    def __init__(self, labels: Labels | None = None, limit: int = ACTION_ROWS_MAX):
        self.labels = labels if labels is not None else Labels()
        self.limit = limit
        self.kept = 0  # parcels kept
        self.total = 0  # parcels that need action, kept or not
        self.area_mu = 0.0  # the area of every row seen (亩), for the bulletin's 本期共排查 … 亩
        self._seen = 0  # rows seen so far
        self._ids: dict[tuple[str, ...], int] = {}  # flat cells and as_of -> pattern id
        self.patterns: list[Pattern] = []
        self._chunks: list[dict[str, np.ndarray]] = []  # _ROW_FIELDS and "pattern", per chunk

    @property
    def left_out(self) -> int:
        return self.total - self.kept

    def add(self, inputs: pd.DataFrame, names: Sequence[str], flat: pd.DataFrame, parsed=None) -> None:
        """Keep the rows of a chunk that need action. `parsed` (the chunk as decided: areas in 亩
        whatever the ledger's unit, later events set aside) gives their facts; without it the
        input cells are parsed here."""
        n = len(flat)
        start, self._seen = self._seen, self._seen + n
        self.area_mu += _area(inputs, names, parsed)
        codes = flat["outcome_codes"].fillna("").to_numpy(dtype=object)
        needed = {c: bool(set(c.split(SEP)) - NO_ACTION) if c else False for c in pd.unique(codes)}
        positions = np.flatnonzero([needed[c] for c in codes])
        self.total += len(positions)
        room = max(self.limit - self.kept, 0)
        if not len(positions) or not room:
            return
        positions = positions[:room]
        self.kept += len(positions)
        where = {name: i for i, name in enumerate(names)}
        as_of = earliest(next((v for v in flat["as_of"] if v), "")) or dt.date.today()
        if parsed is not None:
            facts = {name: parsed.decoded(name, positions) for name in _FACTS if name in parsed.columns}
        else:
            facts = {name: _parsed(name, inputs.iloc[:, where[name]].to_numpy(dtype=object)[positions])
                     for name in _FACTS if name in where}
        ids = inputs.iloc[:, where["parcel_id"]].to_numpy(dtype=object)[positions] if "parcel_id" in where else None
        if parsed is not None:  # a row without an id (empty or `/`) is named by its row
            ids = [pid if pid is not None else f"（无编号）{row_name(parsed.rows[int(i)])}"
                   for pid, i in zip(parsed.parcel_ids[positions], positions)]
        pattern = self._pattern_ids(flat, positions, as_of)
        count = len(positions)
        none = [None] * count
        area = list(facts.get("area_mu", none))
        for k, m2 in enumerate(facts.get("area_m2", none)):
            if area[k] is None and m2 is not None:
                area[k] = derive_area_mu(m2)
        land_use = [fields.LAND_USE.get(u) if u else None for u in facts.get("land_use", none)]
        reasons = [self.patterns[p].reason for p in pattern.tolist()]
        own = [k for k, r in enumerate(reasons) if r is None]  # 形成原因 from the parcel's own facts
        if own:
            known = list(facts.items())
            labels, wording = self.labels.categories, self.labels.reasons
            for k in own:
                found = self.patterns[pattern[k]]
                parcel = {name: values[k] for name, values in known if values[k] is not None}
                reasons[k] = reason(found.categories, found.outcomes, found.needs, parcel, as_of, labels, wording)
        self._chunks.append(dict(
            order=start + positions, pattern=pattern,
            parcel_id=_objects([None if pid is None else str(pid) for pid in ids] if ids is not None else none),
            location=_objects(facts.get("location", none)), holder=_objects(facts.get("holder", none)),
            project=_objects(facts.get("project", none)), area_mu=_objects(area), land_use=_objects(land_use),
            reason=_objects(reasons)))

    def _pattern_ids(self, flat: pd.DataFrame, positions: np.ndarray, as_of: dt.date) -> np.ndarray:
        """Each kept row's pattern id: its flat cells combined into one code per distinct
        pattern, each new pattern worked out once."""
        cells = [flat[c].fillna("").to_numpy(dtype=object)[positions] if c in flat.columns else None for c in _FLAT]
        local = np.zeros(len(positions), dtype=np.int64)  # codes 0 … k-1 of the patterns seen so far
        for values in cells:
            if values is not None:
                codes, uniques = pd.factorize(values)
                local, _ = pd.factorize(local * len(uniques) + codes)
        _, firsts = np.unique(local, return_index=True)  # each pattern's first row, by code
        table = np.empty(len(firsts), dtype=np.int64)
        for j, row in enumerate(firsts.tolist()):
            key = (*("" if values is None else values[row] for values in cells), as_of)
            found = self._ids.get(key)
            if found is None:
                found = self._ids[key] = len(self.patterns)
                self.patterns.append(self._pattern(*key))
            table[j] = found
        return table[local]

    def _pattern(self, categories: str, outcome_codes: str, needs_cell: str, deadline: str, overdue: str,
                 responsible: str, citations: str, fee: str, as_of: dt.date) -> Pattern:
        cats = [c for c in categories.split(SEP) if c]
        outs = [c for c in outcome_codes.split(SEP) if c]
        needs = [c for c in needs_cell.split(SEP) if c]
        measured = any(c not in self.labels.unpublished for c in outs)  # not 需补充信息 alone (outcomes.yaml)
        public = published_kinds(cats, self.labels.published) if measured else []
        refs = [ref for ref in citations.split(SEP) if ref]
        shown = dict(
            categories=SEP.join(self.labels.categories.get(c, c) for c in cats),
            measures=SEP.join(self.labels.outcomes.get(c, c) for c in outs),
            deadline=earliest(deadline),
            overdue=any_overdue(overdue),
            responsible=responsible,
            citations=SEP.join(self.labels.cite(ref) for ref in refs),
            public="、".join(public),
            clauses=SEP.join(self.labels.printed.get(ref, ref) for ref in refs),
            fee=amount(fee),
            fee_pending="idle_fee" in outs and not fee,
        )
        own = None if uses_facts(cats, outs, self.labels.reasons) else \
            reason(cats, outs, needs, {}, as_of, self.labels.categories, self.labels.reasons)
        return Pattern(cats, outs, needs, shown, responsible.split(SEP)[0] if responsible else "\uffff", own)

    def columns(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(sorted positions, the kept parcels' own columns and `pattern`, in ledger order): sorted
        by 责任单位 (the first unit named), then 完成时限 (none last), then ledger order."""
        joined = {name: np.concatenate([c[name] for c in self._chunks]) if self._chunks else np.empty(0, dtype=object)
                  for name in (*_ROW_FIELDS, "pattern")}
        pattern = joined["pattern"].astype(np.int64)
        leads = sorted({p.lead for p in self.patterns})
        rank = {lead: k for k, lead in enumerate(leads)}
        lead = np.array([rank[p.lead] for p in self.patterns] + [0], dtype=np.int64)[pattern]
        late = np.array([(p.shown["deadline"] or dt.date.max).toordinal() for p in self.patterns] + [0],
                        dtype=np.int64)[pattern]
        order = joined["order"].astype(np.int64)
        return np.lexsort((order, late, lead)), {**joined, "order": order, "pattern": pattern}

    def rows(self) -> list[ActionRow]:
        """The kept parcels, by 责任单位, then 完成时限, then ledger order."""
        ordered, columns = self.columns()
        own = [columns[name][ordered].tolist() for name in _ROW_FIELDS]
        return [ActionRow(**dict(zip(_ROW_FIELDS, values)), **self.patterns[p].shown)
                for p, *values in zip(columns["pattern"][ordered].tolist(), *own)]


def _objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
