"""Column-wise validation of ledger rows: raw cells in, encoded columns and row errors out.

The same cell parsers as `parcel` (one parser per field type), applied once per distinct cell
value instead of once per cell: a column is factorised, its distinct values parsed, and the
results taken back to the rows. Numbers skip even that: pandas converts the clean ones in C,
and only cells it cannot read (thousands separators, percentages, junk) go through the parser,
which also words the error. Values are kept in the engines' encoding (`encoding.py`), so a
chunk of 50 000 rows is a handful of numpy arrays, not 50 000 objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.core.values import decode, encode
from landrules.ledger.errors import clip
from landrules.ledger.validate.cell_arrays import factorize, fast_parse, narrow_codes, python_values
from landrules.ledger.validate.cells import (
    AREA_MISSING,
    PARSERS,
    CellError,
    MonthDate,
    derive_area_mu,
    number_bound,
    remark_note,
    split_remark,
)
from landrules.ledger.validate.row_notes import RowNotes
from landrules.ledger.validate.seen_ids import SeenIds, id_hashes, lookalike_notes

_LABELS = {f.name: f.label() for f in fields.FIELDS}
_ORDER = {f.name: i for i, f in enumerate(fields.FIELDS)}
_FAST_NUMBERS = 64  # below this many distinct values the parser is as fast as pandas


@dataclass(frozen=True)
class CodedColumn:
    """A field's cells as `parse_frame` factorised them: each row's code into the distinct cells
    as the reader gave them in Arrow, and what each distinct cell reads as."""

    source: Any  # the cells' array as read (the frame column's `.array`): is a column still these cells?
    column: np.ndarray  # the field's column these made: is the field still it? (`ParsedFrame.coded_column`)
    indices: pa.Array  # each row's distinct cell (null: a null cell), as narrow an integer as their count allows
    cells: pa.Array  # the distinct cells
    values: np.ndarray  # each distinct cell's encoded value (None or NaN: unknown, blank or unreadable)
    as_is: bool  # a text field whose every known value is its cell as read


@dataclass
class ParsedFrame:
    """Validated rows: encoded columns for every catalogue field, errors by row position."""

    n: int
    rows: list[int]
    columns: dict[str, np.ndarray]  # float64 (NaN = unknown) or object for text fields
    errors: dict[int, list[str]] = field(default_factory=dict)
    notes: RowNotes = field(default_factory=RowNotes)  # row position -> notes (contract §4); a dict is taken as one
    # dates given only to the month (cells.MonthDate): field -> each row's last day of the month
    # (an ordinal, NaN where the date is a day); the column itself holds the first day. Empty on
    # the common path: only fields with such a date are here.
    spans: dict[str, np.ndarray] = field(default_factory=dict)
    # the fields whose cells the reader gave in Arrow, as validation factorised them (`CodedColumn`):
    # the record of runs stores them from these (`text_arrow`, `coded_column`), a repeated cell
    # once, rather than a value a row
    coded: dict[str, CodedColumn] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.notes, RowNotes):
            self.notes = RowNotes(self.notes)

    @property
    def parcel_ids(self) -> np.ndarray:
        return self.columns["parcel_id"]

    def coded_column(self, name: str) -> CodedColumn | None:
        """Field `name` as its distinct cells, if its column is still what they read as (not
        replaced since validation: a later event set aside, an area derived, the map's value)."""
        coded = self.coded.get(name)
        return coded if coded is not None and coded.column is self.columns.get(name) else None

    def text_arrow(self, name: str, dictionary: bool = False) -> pa.Array | None:
        """Text field `name` as Arrow strings taken from the cells as read, if it still is them;
        `dictionary`: as a dictionary array over its distinct cells (nothing copied per row)."""
        coded = self.coded_column(name)
        if coded is None or not coded.as_is:
            return None
        indices = coded.indices
        blank = np.flatnonzero(pd.isna(coded.values))  # in C: the ids have as many distinct cells as rows
        if len(blank):  # blank cells read as unknown: null there too
            codes = indices.fill_null(-1).to_numpy(zero_copy_only=False)
            indices = pa.array(codes, mask=(codes < 0) | np.isin(codes, blank), type=indices.type)
        if dictionary:
            return pa.DictionaryArray.from_arrays(indices, coded.cells)
        if len(coded.cells) == len(indices) and not indices.null_count:  # every cell distinct (ids): codes in order, no take
            return coded.cells
        return coded.cells.take(indices)

    @property
    def valid(self) -> np.ndarray:
        mask = np.ones(self.n, dtype=bool)
        mask[list(self.errors)] = False
        return mask

    def facts(self, i: int) -> dict[str, Any]:
        """Row i's known values, decoded to their Python types."""
        out = {}
        for name, col in self.columns.items():
            value = col[i]
            if not _unknown(value):
                out[name] = decode(fields.BY_NAME[name], value)
        return out

    def decoded(self, name: str, positions: np.ndarray) -> list[Any]:
        """Field `name` at `positions` as `facts` gives it (None when unknown), each distinct
        value decoded once."""
        codes, uniques = pd.factorize(self.columns[name][positions], use_na_sentinel=True)
        spec = fields.BY_NAME[name]
        table = [None if _unknown(u) else decode(spec, u) for u in uniques] + [None]
        return [table[c] for c in codes]


def _unknown(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _parse_uniques(name: str, uniques: np.ndarray | pa.Array, notes: dict[int, str] | None = None,
                   spans: dict[int, float] | None = None) -> tuple[np.ndarray, dict[int, str], bool]:
    """Encoded value of each distinct cell, the error detail of the unreadable ones, and whether
    every value is its own Arrow cell or unknown (a text field: the fast path read all but its
    blanks); a coded cell with a remark (政府原因（规划调整）) is read as its code and its note put in `notes`;
    a date given only to the month reads as its first day, its last day put in `spans`.

    `uniques` is an object array, or an Arrow string array (an Arrow-backed column); the plain
    spellings are read in C (`columns.fast_parse`), the rest by the cell parser."""
    spec = fields.BY_NAME[name]
    text = spec.type is FieldType.TEXT
    out = np.empty(len(uniques), dtype=object) if text else np.full(len(uniques), np.nan)
    errors: dict[int, str] = {}
    if isinstance(uniques, np.ndarray) and spec.type in (FieldType.NUMBER, FieldType.RATIO):
        todo = _fast_numbers(spec, uniques, out) if len(uniques) > _FAST_NUMBERS else np.arange(len(uniques))
    else:
        todo = fast_parse(spec, uniques, out)
    parse = PARSERS[name]
    for j, raw in zip(todo.tolist(), python_values(uniques, todo)):
        try:
            value = parse(raw)
        except CellError as exc:
            remarked = split_remark(name, raw)
            if remarked is None:
                errors[j] = exc.detail
                continue
            value, remark = remarked
            if notes is not None:
                notes[j] = remark_note(name, value, remark)
        if isinstance(value, MonthDate) and spans is not None:
            spans[j] = float(value.last.toordinal())
        if value is not None:
            out[j] = value if text else encode(spec, value)
    # the column is its Arrow cells when the fast path read every value but blanks (read as unknown)
    as_is = text and isinstance(uniques, pa.Array) and not errors and all(out[j] is None for j in todo.tolist())
    return out, errors, as_is


def _fast_numbers(spec: fields.FieldSpec, uniques: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Convert plain numbers in C; return the positions the cell parser must still see."""
    plain = np.array([type(u) in (str, float, int) for u in uniques], dtype=bool)
    numbers = pd.to_numeric(pd.Series(uniques, dtype=object).where(plain), errors="coerce").to_numpy(dtype=float)
    ok = plain & np.isfinite(numbers)
    if spec.type is FieldType.RATIO:
        ok &= (numbers >= 0) & (numbers <= 1)
    elif spec.positive:
        ok &= numbers > 0
    else:
        ok &= numbers >= 0
    if spec.type is FieldType.NUMBER:
        ok &= numbers <= number_bound(spec.name)
    out[ok] = numbers[ok]
    return np.flatnonzero(~ok)


def parse_frame(
    frame: pd.DataFrame, rows: list[int], first_seen: SeenIds | None = None,
    reader_errors: dict[int, list[str]] | None = None,
) -> ParsedFrame:
    """Validate raw rows whose known columns carry field names (unknown columns are ignored).

    `first_seen` (the ids of earlier chunks and their rows) carries duplicate detection across chunks of one ledger;
    `reader_errors` (file row → messages) are what the reader could not read in a row (e.g. a
    formula without a saved value): they come first among the row's errors.
    """
    n = len(frame)
    first_seen = SeenIds() if first_seen is None else first_seen
    columns: dict[str, np.ndarray] = {}
    cell_errors: dict[int, list[tuple[int, str]]] = {}
    cell_notes: dict[int, list[str]] = {}  # remarks of coded cells
    spans: dict[str, np.ndarray] = {}
    coded: dict[str, CodedColumn] = {}
    maybe_wide: np.ndarray | None = None  # every id is looked at unless the Arrow column says which
    for spec in fields.FIELDS:
        if spec.name not in frame.columns:
            columns[spec.name] = np.full(n, None, dtype=object) if spec.type is FieldType.TEXT else np.full(n, np.nan)
            continue
        cells = frame[spec.name]
        codes, uniques = factorize(cells)
        if spec.name == "parcel_id" and isinstance(uniques, pa.Array):  # the ids not ASCII, for lookalike_notes
            wide = np.flatnonzero(~pc.string_is_ascii(uniques).fill_null(True).to_numpy(zero_copy_only=False))
            maybe_wide = np.flatnonzero(np.isin(codes, wide)) if len(wide) else np.zeros(0, dtype=np.int64)
        remarks: dict[int, str] = {}
        months: dict[int, float] = {}
        encoded, errors, as_is = _parse_uniques(spec.name, uniques, remarks, months)
        if months:
            last = np.full(len(encoded), np.nan)
            last[list(months)] = list(months.values())
            spans[spec.name] = np.where(codes >= 0, last[np.maximum(codes, 0)], np.nan)
        if remarks:
            for i in np.flatnonzero(np.isin(codes, list(remarks))).tolist():
                cell_notes.setdefault(i, []).append(remarks[codes[i]])
        if spec.type is FieldType.TEXT:
            col = np.empty(n, dtype=object)
            col[:] = None
            has = codes >= 0
            col[has] = encoded[codes[has]]
        else:
            col = np.where(codes >= 0, encoded[np.maximum(codes, 0)] if len(encoded) else np.nan, np.nan)
        columns[spec.name] = col
        if isinstance(uniques, pa.Array):
            coded[spec.name] = CodedColumn(cells.array, col, narrow_codes(codes, len(uniques)), uniques, encoded, as_is)
        if errors:
            bad = np.flatnonzero(np.isin(codes, list(errors)))
            for i in bad:
                cell_errors.setdefault(int(i), []).append((_ORDER[spec.name], f"第{rows[i]}行 {_LABELS[spec.name]}: {errors[codes[i]]}"))

    row_errors: dict[int, list[str]] = {i: [m for _, m in sorted(errs)] for i, errs in cell_errors.items()}
    lookalikes = lookalike_notes(columns["parcel_id"], rows, first_seen, _LABELS["parcel_id"], maybe_wide)
    _check_ids(columns["parcel_id"], rows, row_errors, first_seen)
    _derive_area(columns, rows, row_errors)
    if reader_errors:
        for i, row in enumerate(rows):
            if row in reader_errors:
                row_errors[i] = list(reader_errors[row]) + row_errors.get(i, [])
    for i, note in lookalikes.items():
        cell_notes.setdefault(i, []).insert(0, note)
    return ParsedFrame(n=n, rows=list(rows), columns=columns, errors=dict(sorted(row_errors.items())),
                       notes={i: tuple(v) for i, v in sorted(cell_notes.items())}, spans=spans,
                       coded=coded)


def _check_ids(ids: np.ndarray, rows: list[int], row_errors: dict[int, list[str]], seen: SeenIds) -> None:
    """Repeated 宗地编号 (the first row of an id wins, earlier chunks included); the chunk's
    new ids are recorded in `seen`. A row without an id is no error (contract §3, "Officers'
    ledgers as they are": land not yet supplied has no 电子监管号): it is named by its row
    (`row_names`), and two such rows are not duplicates."""
    label = _LABELS["parcel_id"]
    present = ~pd.isna(ids)
    at = np.flatnonzero(present)
    given = ids[at]
    hashes = id_hashes(given)
    order = np.argsort(hashes, kind="stable")  # sorted once: for the look-up, the repeat check and the set
    earlier = seen.first_rows(given, hashes, order)
    row_numbers = np.asarray(rows, dtype=np.int64)
    ordered = hashes[order]
    if present.all() and (earlier < 0).all() and not (ordered[1:] == ordered[:-1]).any():
        seen.add(given, row_numbers, hashes, order)  # the usual chunk: every id given, none seen before, none twice
        return
    codes, _ = pd.factorize(given)
    first = np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # the first position of each distinct id
    repeated = (earlier >= 0) | (first[codes] != np.arange(len(codes)))
    for j in np.flatnonzero(repeated).tolist():
        i = int(at[j])
        was = int(earlier[j]) if earlier[j] >= 0 else rows[int(at[first[codes[j]]])]
        row_errors.setdefault(i, []).insert(0, f'第{rows[i]}行 {label}: 重复的宗地编号 "{clip(given[j])}"（首次出现在第{was}行）')
    new = ~repeated
    seen.add(given[new], row_numbers[at[new]], hashes[new])


def _derive_area(columns: dict[str, np.ndarray], rows: list[int], row_errors: dict[int, list[str]]) -> None:
    mu, m2 = columns["area_mu"], columns["area_m2"]
    derive = np.isnan(mu) & ~np.isnan(m2)
    if derive.any():
        mu = mu.copy()
        values, inverse = np.unique(m2[derive], return_inverse=True)  # each distinct area once (round is slow)
        mu[derive] = np.array([derive_area_mu(v) for v in values.tolist()], dtype=float)[inverse]
        columns["area_mu"] = mu
    label = _LABELS["area_mu"]
    for i in np.flatnonzero(np.isnan(mu) & np.isnan(m2)):
        messages = row_errors.get(int(i), ())
        if not any(m.startswith(f"第{rows[i]}行 {label}") or m.startswith(f"第{rows[i]}行 {_LABELS['area_m2']}") for m in messages):
            row_errors.setdefault(int(i), []).append(f"第{rows[i]}行 {label}: {AREA_MISSING}")
