"""A decided ledger as a table the pages can filter and page through without holding it.

`decide_table` decides a ledger with decide's pipeline into the session's folder as Parquet,
and writes beside it, from the same chunks, a small index (one row per input row: file row,
宗地编号, 面积（亩）, the flattened decision) that `query` filters and pages with pyarrow compute
— a 200 000-row ledger is never turned into Python objects beyond the page shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from landrules.core import fields
from landrules.core.decision import SEP
from landrules.core.fields import FieldType
from landrules.core.summary import Summary, by_size, in_catalogue_order
from landrules.core.values import decode
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger, totals_line
from landrules.rulebook.model import Rulebook

INDEX = "index.parquet"
FACTS = "facts.parquet"  # every row's facts as decide saw them on the date, encoded: one parcel opens at once
DECIDED = "decided.parquet"
SHOWN = ("categories", "outcome_codes", "outcome_labels", "deadline", "responsible", "needs", "errors", "overdue",
         "citations", "notes")  # every column `diff` compares (decide.diff.COMPARED), for the what-if
FILTERS = ("category", "outcome", "responsible", "overdue", "needs")
PAGE = 50


@dataclass
class Figures:
    """The summary's figures: 宗数 and 面积 by category, outcome, 责任单位 and overdue."""

    rows: int = 0
    decided: int = 0
    invalid: int = 0
    engine: str = ""
    seconds: float = 0.0
    by_category: list[tuple[str, str, int, float]] = field(default_factory=list)  # code, label, n, area
    by_outcome: list[tuple[str, str, int, float]] = field(default_factory=list)
    by_responsible: list[tuple[str, str, int, float]] = field(default_factory=list)
    overdue: list[tuple[str, str, int, float]] = field(default_factory=list)
    by_needs: list[tuple[str, str, int, float]] = field(default_factory=list)  # field, label, n, area
    by_deadline_month: list[tuple[str, str, int, float]] = field(default_factory=list)  # "2022-12", label, n, area
    overdue_by_responsible: list[tuple[str, str, int, float]] = field(default_factory=list)
    summary: Summary | None = None  # decide's own (亩均税收, 合计 rows, notices)
    totals: str | None = None  # the 合计 rows left out, as decide says it


def decide_table(ledger_path: Path, folder: Path, options: RunOptions,
                 progress: Callable[[str, int], None] | None = None) -> Figures:
    """Decide `ledger_path` as `options` say into `folder` (DECIDED, and INDEX and FACTS built
    from the same chunks as they are decided: the ledger is read once) and return the summary
    figures."""
    if progress:
        progress("读取台账并逐宗决策（每 5 万宗报告一次）", 0)
    decided_rows = [0]

    def step(n: int) -> None:  # decide reports each chunk's rows
        decided_rows[0] += n
        progress("逐宗决策", decided_rows[0])

    index = _Index(folder)
    try:
        result = decide_ledger(ledger_path, folder / DECIDED, options, progress=step if progress else None,
                               on_chunk=index)
    finally:
        index.close()
    return figures(folder, options.rulebook, result)


class _Index:
    """INDEX and FACTS, a chunk at a time (decide_ledger's `on_chunk`): each row's file row,
    宗地编号 (an invalid one as written), 面积（亩）, the decision columns the pages show and
    filter on, and its facts as decide saw them on the date (`DecidedChunk.parsed`)."""

    wants_json = False  # decide_ledger need not make JSON lines for it

    def __init__(self, folder: Path):
        self.folder = folder
        self.writer = self.facts_writer = None
        self.schema = pa.schema([pa.field(f.name, pa.string() if f.type is FieldType.TEXT else pa.float64())
                                 for f in fields.FIELDS])

    def __call__(self, frame, decided, headers) -> None:
        parsed = decided.parsed
        ids = [None if p is None else str(p) for p in parsed.parcel_ids]
        if "parcel_id" in frame and parsed.errors:  # an invalid id still shows as written
            raw = frame["parcel_id"].tolist()
            ids = [i if i is not None or k not in parsed.errors else (None if r is None else str(r))
                   for k, (i, r) in enumerate(zip(ids, raw))]
        area = np.asarray(parsed.columns["area_mu"], dtype=float)
        flat = decided.columns
        shown = {name: _texts(flat, name) for name in SHOWN}
        columns = {
            "row": pa.array(parsed.rows, pa.int64()),
            "parcel_id": pa.array(ids, pa.string()),
            "area_mu": pa.array(area, pa.float64(), from_pandas=True),
            **shown,
        }
        for name, source in (("k_cat", "categories"), ("k_out", "outcome_codes"),
                             ("k_resp", "responsible"), ("k_needs", "needs")):
            columns[name] = _keyed(shown[source])
        columns["is_overdue"] = pc.match_substring(pc.fill_null(shown["overdue"], ""), ":是")
        table = pa.table(columns)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.folder / INDEX, table.schema)
        self.writer.write_table(table)
        if self.facts_writer is None:
            self.facts_writer = pq.ParquetWriter(self.folder / FACTS, self.schema)
        self.facts_writer.write_table(pa.table({f.name: pa.array(parsed.columns[f.name], f.type, from_pandas=True)
                                                for f in self.schema}, schema=self.schema))

    def close(self) -> None:
        for w in (self.writer, self.facts_writer):
            if w is not None:
                w.close()
        if self.writer is None:  # an empty ledger
            pq.write_table(pa.table({"row": pa.array([], pa.int64())}), self.folder / INDEX)


def _texts(flat, name: str) -> pa.Array:
    """Decision column `name` of a chunk as text, empty as null (as decide's Parquet holds it)."""
    column = flat.arrow(name)
    return column.dictionary.take(column.indices)


def _keyed(column) -> pa.Array:
    """"a; b" -> ";a;b;" so that a filter on one code is a substring test on ";code;"."""
    text = pc.fill_null(column, "")
    return pc.binary_join_element_wise(";", pc.replace_substring(text, SEP, ";"), ";", "")


def read_index(folder: Path, columns: list[str] | None = None) -> pa.Table:
    return pq.read_table(folder / INDEX, columns=columns)


def query(folder: Path, filters: dict[str, str], page: int, size: int = PAGE) -> tuple[list[dict], int]:
    """One page of the parcels matching the filters, and how many match."""
    table = read_index(folder)
    mask = None
    for name, key in (("category", "k_cat"), ("outcome", "k_out"), ("responsible", "k_resp"), ("needs", "k_needs")):
        value = filters.get(name)
        if value:
            m = pc.match_substring(table.column(key), f";{value};")
            mask = m if mask is None else pc.and_(mask, m)
    if filters.get("overdue") in ("yes", "no"):
        m = table.column("is_overdue")
        if filters["overdue"] == "no":
            m = pc.invert(m)
        mask = m if mask is None else pc.and_(mask, m)
    if mask is not None:
        table = table.filter(mask)
    total = table.num_rows
    start = max(page - 1, 0) * size
    return table.slice(start, size).to_pylist(), total


def lookup(folder: Path, parcel_id: str | None, row: int | None = None) -> tuple[int, list[str], dict | None] | None:
    """(file row, decide's errors, facts) of the first row with this 宗地编号, or of the file
    row `row` (a parcel without an id is addressed by its row); None if absent. Facts are None
    for an invalid row."""
    table = read_index(folder, ["row", "parcel_id", "errors"])
    if row is not None:
        hits = np.flatnonzero(pc.equal(table.column("row"), row).to_numpy(zero_copy_only=False))
    else:
        hits = np.flatnonzero(pc.fill_null(pc.equal(table.column("parcel_id"), parcel_id), False).to_numpy(zero_copy_only=False))
    if not len(hits):
        return None
    i = int(hits[0])
    errors = table.column("errors")[i].as_py()
    if errors:
        return table.column("row")[i].as_py(), errors.split(SEP), None
    return table.column("row")[i].as_py(), [], _facts_at(folder, i)


def _facts_at(folder: Path, position: int) -> dict:
    """Row `position`'s facts, decoded as ParsedFrame.facts decodes them."""
    facts = pq.ParquetFile(folder / FACTS)
    start = 0
    for group in range(facts.num_row_groups):
        n = facts.metadata.row_group(group).num_rows
        if position < start + n:
            row = facts.read_row_group(group).slice(position - start, 1).to_pylist()[0]
            break
        start += n
    else:
        raise LookupError(f"row {position} is not in {folder / FACTS}")
    return {name: decode(fields.BY_NAME[name], value) for name, value in row.items()
            if value is not None and value == value}


def figures(folder: Path, rulebook: Rulebook, result) -> Figures:
    """The summary page's figures: decide's own tallies (`summary.Summary`), and overdue / not
    overdue from the index (the summary counts only the overdue)."""
    s = result.summary
    out = Figures(s.rows, s.decided, s.invalid, result.engine, result.seconds, summary=s, totals=totals_line(s))
    out.by_category = [(c, rulebook.categories.get(c, c), t.count, t.area_mu)
                       for c, t in in_catalogue_order(s.by_category, rulebook.categories)]
    out.by_outcome = [(c, rulebook.outcomes.get(c, c), t.count, t.area_mu)
                      for c, t in in_catalogue_order(s.by_outcome, rulebook.outcomes)]
    out.by_responsible = [(u, u, t.count, t.area_mu) for u, t in by_size(s.by_responsible)]
    out.overdue_by_responsible = [(u, u, t.count, t.area_mu) for u, t in by_size(s.overdue_by_responsible)]
    order = {f.name: i for i, f in enumerate(fields.FIELDS)}
    out.by_needs = [(name, fields.BY_NAME[name].zh if name in fields.BY_NAME else name, t.count, t.area_mu)
                    for name, t in sorted(s.needs_by_field.items(), key=lambda kv: (-kv[1].count, order.get(kv[0], 99)))]
    out.by_deadline_month = [(m, m.replace("-", " 年 ", 1) + " 月" if m else "无完成时限", t.count, t.area_mu)
                             for m, t in sorted(s.by_deadline_month.items(), key=lambda kv: (not kv[0], kv[0]))]
    table = read_index(folder, ["area_mu", "is_overdue", "errors"]) if s.rows else None
    if table is not None and table.num_rows:
        area = np.nan_to_num(table.column("area_mu").to_numpy(zero_copy_only=False).astype(float))
        overdue = table.column("is_overdue").to_numpy(zero_copy_only=False).astype(bool)
        invalid = np.array([bool(e) for e in table.column("errors").to_pylist()])
        for code, label, m in (("yes", "已逾期", overdue), ("no", "未逾期（含无时限）", ~overdue & ~invalid)):
            out.overdue.append((code, label, int(m.sum()), float(area[m].sum())))
    return out
