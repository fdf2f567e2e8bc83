"""The parcels that need action, collected while decisions stream past: the 一宗一策 台账
(二、(三)1.: 地块基本信息、形成原因、处置措施、完成时限、责任单位), the overdue items and the
公布清单 (四、(四)) of the workbook and of the 季度通报.

Only parcels whose outcomes ask for something (anything but 无需处置 and 记录无效) are kept, as
one small record each; past `limit` records (ACTION_ROWS_MAX) the rest are counted, not kept,
and the sheets say so. Sorted by 责任单位 (the first unit named), then 完成时限 (earliest first,
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
from landrules.decide.workbook.reasons import reason
from landrules.ledger.validate.cells import PARSERS, CellError, derive_area_mu
from landrules.ledger.validate.row_names import row_name
from landrules.ledger.write.base import Labels

ACTION_ROWS_MAX = 200_000  # parcels kept for 一宗一策 (about 100 MiB at most)
PATTERNS_MAX = 20_000  # distinct flat patterns remembered (each a few hundred bytes)
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

    @property
    def sort_key(self) -> tuple:
        lead = self.responsible.split(SEP)[0] if self.responsible else "\uffff"
        return (lead, self.deadline or dt.date.max, self.order)


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


class ActionList:
    """Collects the parcels that need action from (inputs, flat) chunks, in ledger order."""

    def __init__(self, labels: Labels | None = None, limit: int = ACTION_ROWS_MAX):
        self.labels = labels if labels is not None else Labels()
        self.limit = limit
        self.kept: list[ActionRow] = []
        self.total = 0  # parcels that need action, kept or not
        self.area_mu = 0.0  # the area of every row seen (亩), for the bulletin's 本期共排查 … 亩
        self._seen = 0  # rows seen so far
        self._patterns: dict[tuple[str, ...], tuple] = {}  # flat cells -> what they give (_pattern)

    @property
    def left_out(self) -> int:
        return self.total - len(self.kept)

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
        room = max(self.limit - len(self.kept), 0)
        if not len(positions) or not room:
            return
        positions = positions[:room]
        where = {name: i for i, name in enumerate(names)}
        as_of = earliest(next((v for v in flat["as_of"] if v), "")) or dt.date.today()
        if parsed is not None:
            facts_by_column = {name: parsed.decoded(name, positions)
                               for name in _FACTS if name in parsed.columns}
        else:
            facts_by_column = {name: _parsed(name, inputs.iloc[:, where[name]].to_numpy(dtype=object)[positions])
                               for name in _FACTS if name in where}
        ids = inputs.iloc[:, where["parcel_id"]].to_numpy(dtype=object)[positions] if "parcel_id" in where else None
        if parsed is not None:  # a row without an id (empty or `/`) is named by its row
            ids = [pid if pid is not None else f"（无编号）{row_name(parsed.rows[int(i)])}"
                   for pid, i in zip(parsed.parcel_ids[positions], positions)]
        empty = np.full(len(positions), "", dtype=object)
        cells = [flat[c].fillna("").to_numpy(dtype=object)[positions] if c in flat.columns else empty for c in _FLAT]
        names = list(facts_by_column)
        facts_rows = zip(*facts_by_column.values()) if names else ((),) * len(positions)
        orders = (start + positions).tolist()
        for k, (pattern, values) in enumerate(zip(zip(*cells), facts_rows)):
            facts = {name: value for name, value in zip(names, values) if value is not None}
            self.kept.append(self._row(orders[k], ids[k] if ids is not None else None, facts, pattern, as_of))

    def _row(self, order: int, pid: Any, facts: dict, pattern: tuple[str, ...], as_of: dt.date) -> ActionRow:
        """The parcel's row: what its flat cells say (`pattern`, the _FLAT columns; worked out
        once per distinct pattern) with its own facts (area, land use, 形成原因)."""
        known = self._patterns.get(pattern)
        if known is None:
            if len(self._patterns) >= PATTERNS_MAX:  # deadlines from each parcel's own dates: few repeats
                self._patterns.clear()
            known = self._patterns[pattern] = self._pattern(*pattern)
        cats, outs, needs, common = known
        area = facts.get("area_mu")
        if area is None and facts.get("area_m2") is not None:
            area = derive_area_mu(facts["area_m2"])
        land_use = facts.get("land_use")
        return ActionRow(
            order=order,
            parcel_id=None if pid is None else str(pid),
            location=facts.get("location"),
            holder=facts.get("holder"),
            project=facts.get("project"),
            area_mu=area,
            land_use=fields.LAND_USE.get(land_use) if land_use else None,
            reason=reason(cats, outs, needs, facts, as_of, self.labels.categories, self.labels.reasons),
            **common,
        )

    def _pattern(self, categories: str, outcome_codes: str, needs_cell: str, deadline: str, overdue: str,
                 responsible: str, citations: str, fee: str) -> tuple[list[str], list[str], list[str], dict]:
        """What a pattern of flat cells (_FLAT's order) gives every parcel that has it."""
        cats = [c for c in categories.split(SEP) if c]
        outs = [c for c in outcome_codes.split(SEP) if c]
        needs = [c for c in needs_cell.split(SEP) if c]
        measured = any(c not in self.labels.unpublished for c in outs)  # not 需补充信息 alone (outcomes.yaml)
        public = published_kinds(cats, self.labels.published) if measured else []
        refs = [ref for ref in citations.split(SEP) if ref]
        return cats, outs, needs, dict(
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

    def rows(self) -> list[ActionRow]:
        """The kept parcels, by 责任单位, then 完成时限, then ledger order."""
        return sorted(self.kept, key=lambda r: r.sort_key)
