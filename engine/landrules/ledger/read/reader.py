"""Reading a ledger (contract §3): CSV in UTF-8 / UTF-8 BOM / GB18030, XLSX, XLS/ET/ODS, Parquet.

Files are read by their content (`sniff`), whatever their extension says; headers are mapped
by `headers` (synonyms, units, the column map); .xls/.et/.ods go through `calamine`.

`read_ledger` returns a DataFrame whose known columns carry the canonical English field names
(English or Chinese headers accepted, Chinese with full-width or ASCII parentheses) and whose
unknown columns keep their header; every cell is left raw (CSV cells as text, Excel date cells
as datetime objects), empty cells as None. Parsing cells into typed facts is `parcel`'s job.

Attached to the result:

- `df.attrs["original_headers"]`: the header of each column as written (whitespace and BOM
  stripped), aligned with `df.columns`;
- `df.attrs["header_map"]`: original header -> column name;
- `df.attrs["row_numbers"]`: each row's number as a person sees it in the file (header row 1,
  first data row 2 — or later when a title row stands above the header); fully blank rows are
  left out, so the numbers may skip;
- `df.attrs["row_errors"]`: file row -> what the reader could not read in it (a formula
  cell without a saved value, a cell outside the header); such rows are invalid;
- `df.attrs["source"]`: the path.
"""

from __future__ import annotations

import csv
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.ledger.arrow_buffers import filled_cells
from landrules.ledger.columns.headers import DEFAULT, HeaderResolver, canonical_header
from landrules.ledger.errors import LedgerError, clip
from landrules.ledger.read import csv_dialect as csv_read
from landrules.ledger.read import merged
from landrules.ledger.read import sniff as content
from landrules.ledger.read.charset import detect, first_bad_line
from landrules.ledger.read.csv_chunks import NotForArrow, arrow_grids
from landrules.ledger.read.limits import InputLimits
from landrules.ledger.read.sheet_choice import HEADER_SEARCH_ROWS, SheetInfo, pick_sheet, xlsx_active
from landrules.ledger.validate.parcel import ParcelRecord, is_empty, validate_rows

__all__ = ["LedgerError", "Ledger", "Chunk", "open_ledger", "read_ledger", "load_records", "canonical_header", "SUFFIXES"]

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CALAMINE_SUFFIXES = (".xls", ".et", ".ods")
PARQUET_SUFFIXES = (".parquet",)
SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES + CALAMINE_SUFFIXES + PARQUET_SUFFIXES
_HEADER_SEARCH_ROWS = HEADER_SEARCH_ROWS
CHUNK_ROWS = 50_000


# --- headers ---------------------------------------------------------------------------------


def _clean_header(value: Any) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\ufeff", "").strip()


# --- header mapping --------------------------------------------------------------------------


def map_headers(
    path: Path, header_row: list[Any], columns_data: list[list[Any]] | None, resolver: HeaderResolver = DEFAULT
) -> tuple[list[str], list[str], list[int], list[str]]:
    """(original headers, column names, kept column positions, notices): see HeaderResolver."""
    return resolver.map_headers(path, header_row, columns_data, _clean_header, is_empty)


def _header_index(path: Path, rows: list[list[Any]], resolver: HeaderResolver = DEFAULT) -> int:
    """Which of the first rows is the header: the one naming parcel_id, else the first non-blank."""
    if not rows or all(all(is_empty(v) for v in row) for row in rows):
        raise LedgerError(path, "文件为空")
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if any(resolver.is_parcel_id(_clean_header(v)) for v in row):
            return i
    return next(i for i, row in enumerate(rows) if not all(is_empty(v) for v in row))


# --- chunks ----------------------------------------------------------------------------------


@dataclass
class Chunk:
    """Consecutive data rows: `frame` has the ledger's column names, `rows` the file row numbers.

    Cells are raw (CSV text, Excel objects); an empty cell may be None or ""."""

    frame: pd.DataFrame
    rows: list[int]
    errors: dict[int, list[str]] = field(default_factory=dict)  # file row -> what the reader could not read


@dataclass
class Ledger:
    """An opened ledger: its headers now, its rows chunk by chunk (read once)."""

    path: Path
    headers: list[str]  # as written (cleaned, made unique), aligned with names
    names: list[str]  # field name for known columns, the header for unknown ones
    chunks: Iterator[Chunk]
    small: bool = False  # the whole ledger fits in one chunk (known after peeking ahead)
    notices: list[str] = field(default_factory=list)  # what reading set aside or chose (Chinese)


def _nonblank(frame: pd.DataFrame) -> np.ndarray:
    if frame.empty:
        return np.zeros(len(frame), dtype=bool)
    counts = np.zeros(len(frame), dtype=np.int64)  # filled cells a row
    for j in range(frame.shape[1]):
        counts += filled_cells(frame.iloc[:, j])
    keep = counts > 0
    # rows whose only content is whitespace are blank too: check just those with few filled cells,
    # a column at a time (a row at a time took 70 µs a row: 9 s for a narrow 120 000-row ledger)
    suspects = np.flatnonzero(keep & (counts <= 2))
    if len(suspects):
        blank = np.ones(len(suspects), dtype=bool)
        for j in range(frame.shape[1]):
            blank &= np.fromiter(map(is_empty, frame.iloc[suspects, j].tolist()), dtype=bool, count=len(suspects))
        keep[suspects[blank]] = False
    return keep


Grid = tuple  # (positional frame, file row of its first row[, {file row: [errors]}])


def _chunks_from_grid(grids: Iterator[Grid], kept: list[int], names: list[str]) -> Iterator[Chunk]:
    """Positional grids -> Chunks without blank rows (a row with a reader error is kept)."""
    for grid, first_row, *rest in grids:
        errors = rest[0] if rest else {}
        frame = grid.iloc[:, kept] if len(kept) != grid.shape[1] else grid
        frame = frame.set_axis(names, axis=1)
        rows = np.arange(first_row, first_row + len(frame))
        keep = _nonblank(frame)
        if errors:
            keep = keep | np.isin(rows, list(errors))
        if not keep.all():
            frame, rows = frame[keep], rows[keep]
        if len(frame):
            yield Chunk(frame.reset_index(drop=True), rows.tolist(), errors)


def _open_grid(
    path: Path, head: list[list[Any]], grids: Iterator[Grid], header_at: int,
    resolver: HeaderResolver = DEFAULT, notices: list[str] | None = None,
) -> Ledger:
    """Map the header, peek one chunk ahead so unnamed empty columns of small ledgers go."""
    width = max(len(r) for r in head)
    header_row = list(head[header_at]) + [None] * (width - len(head[header_at]))
    first = next(grids, None)
    second = next(grids, None) if first is not None else None
    columns_data = None
    if second is None:  # the whole ledger is in hand
        frame = first[0] if first is not None else pd.DataFrame(columns=range(width))
        columns_data = [frame.iloc[:, j].tolist() if j < frame.shape[1] else [] for j in range(width)]
    originals, names, kept, found = map_headers(path, header_row, columns_data, resolver)

    def all_grids():
        for grid in (first, second):
            if grid is not None:
                yield grid
        yield from grids

    return Ledger(path, originals, names, _chunks_from_grid(all_grids(), kept, names), small=second is None,
                  notices=[*(notices or []), *found])


def _is_header(row: list[Any]) -> bool:
    return any(canonical_header(_clean_header(v)) == "parcel_id" for v in row)


def _open_csv(path: Path, chunk_rows: int, resolver: HeaderResolver = DEFAULT) -> Ledger:
    encoding, text = detect(path)
    if not text.replace("\ufeff", "").strip():
        raise LedgerError(path, "文件为空")
    sep = csv_read.sniff_separator(text, _HEADER_SEARCH_ROWS, _is_header)
    options = dict(sep=sep, header=None, dtype=str, keep_default_na=False, na_filter=False,
                   skip_blank_lines=False, index_col=False, engine="c")
    try:  # csv, not pandas: a title row above the header may have fewer fields
        head = csv_read.head_rows(text, sep, _HEADER_SEARCH_ROWS)
    except csv.Error as exc:
        raise LedgerError(path, f"CSV 格式错误: {clip(exc)}") from None
    header_at = _header_index(path, head, resolver)
    width = len(head[header_at])
    headers = [_clean_header(v) for v in head[header_at]]
    id_at = next((j for j, h in enumerate(headers) if resolver.is_parcel_id(h)), None)

    def grids():
        # pyarrow's streaming reader first; what it will not read as pandas does goes to pandas
        # from the row on that is still to come (csv_arrow.py)
        state: dict = {}
        try:
            # detect read a file it calls UTF-8 whole (or checked every byte of it): Arrow need not check again
            for grid, offset in arrow_grids(path, encoding, sep, header_at + 1, width, chunk_rows, state,
                                            whole_utf8=encoding == "utf-8-sig"):
                swallowed = csv_read.swallowed_rows(grid, sep, width, offset, headers, id_at)
                if swallowed:
                    raise LedgerError(path, f"CSV 格式错误: {swallowed}")
                yield grid, offset
        except NotForArrow:
            yield from pandas_grids(state.get("next", header_at + 2))

    def pandas_grids(start: int):
        offset = header_at + 2  # file row of the first data row
        try:
            # one column more than the header: a row with extra fields fills it, and is refused
            # here (some pandas versions would otherwise cut such a row short without a word)
            reader = pd.read_csv(
                path, encoding=encoding, skiprows=header_at + 1, names=list(range(width + 1)),
                chunksize=chunk_rows, **options,
            )
            for grid in reader:
                swallowed = csv_read.swallowed_rows(grid, sep, width, offset, headers, id_at)
                if swallowed:  # first: a swallow often leaves a row with too many fields too
                    raise LedgerError(path, f"CSV 格式错误: {swallowed}")
                row = csv_read.overflow_row(grid, width, offset)
                if row is not None:
                    raise LedgerError(path, f"CSV 格式错误: 第{row}行的字段多于表头（{width} 列）")
                grid = grid.drop(columns=width)
                if offset + len(grid) > start:  # rows before `start` were handed out already
                    yield (grid.iloc[start - offset:].reset_index(drop=True), start) if offset < start else (grid, offset)
                offset += len(grid)
        except pd.errors.EmptyDataError:
            return
        except UnicodeDecodeError as exc:  # a ValueError too: catch it first
            line = first_bad_line(path, encoding)
            where = f"第 {line} 行" if line else f"约第 {offset} 行之后"
            raise LedgerError(path, f"编码错误（按 {encoding} 读取）: {where}起无法解码（{exc.reason}）；"
                                    f"一个文件只能用一种编码，请把该行起的内容按同一编码重新保存") from None
        except (pd.errors.ParserError, ValueError) as exc:
            def open_quote(row: int):
                return csv_read.open_quote_cell(path, encoding, sep, row, headers)

            raise LedgerError(path, f"CSV 格式错误: {csv_read.restate(exc, width, header_at + 2, open_quote)}") from None

    return _open_grid(path, [head[header_at]], grids(), 0, resolver)


def _open_xlsx(path: Path, sheet: str | int | None, chunk_rows: int, resolver: HeaderResolver = DEFAULT) -> Ledger:
    from landrules.ledger.read import xlsx_openpyxl as xlsx_read  # openpyxl: imported only for a workbook

    limits = InputLimits.from_env()
    try:
        book = xlsx_read.open_book(path, limits)
    except LedgerError:
        raise
    except Exception as exc:  # BadZipFile, InvalidFileException, KeyError, ParseError, ...
        if path.stat().st_size == 0:
            raise LedgerError(path, "文件为空") from None
        if isinstance(exc, zipfile.BadZipFile):
            raise LedgerError(path, "XLSX 工作簿文件已损坏或不完整（压缩结构缺失，可能下载或复制未完成）；请从原处重新取得该文件") from None
        raise LedgerError(path, f"不是有效的 XLSX 文件（文件损坏或格式不符）: {type(exc).__name__}") from None

    def head_of(name: str) -> list[list[Any]]:
        rows = xlsx_read.head_rows(xlsx_read.dense_rows(xlsx_read.sheet_rows(path, book, book[name], limits)), _HEADER_SEARCH_ROWS)
        return [[None if v is xlsx_read.UNCACHED else v for v in r] for r in rows]

    sheets = [SheetInfo(w.title, getattr(w, "sheet_state", "visible") == "visible") for w in book.worksheets]
    sheet, notices = pick_sheet(path, sheets, sheet if sheet is None or isinstance(sheet, int) else clip(sheet), head_of,
                                resolver, _clean_header, xlsx_active(path, [s.name for s in sheets]))
    rows = xlsx_read.dense_rows(xlsx_read.sheet_rows(path, book, book[sheet], limits))
    head = xlsx_read.head_rows(rows, _HEADER_SEARCH_ROWS)
    shown = [[None if v is xlsx_read.UNCACHED else v for v in r] for r in head]
    header_at = _header_index(path, shown, resolver)
    headers = [_clean_header(v) for v in shown[header_at]]
    width = max(len(r) for r in head)
    spans = merged.below(filter(None, map(merged.from_ref, xlsx_read.merged_refs(book, book[sheet]))), header_at + 1)
    notices += merged.notice(spans)

    def grids():
        try:
            numbered = merged.fill(itertools.chain(enumerate(head[header_at + 1:], header_at + 2), rows), spans, width)
            yield from xlsx_read.sheet_grids(numbered, width, chunk_rows, header_at + 2,
                                             lambda number, row: xlsx_read.uncached_errors(number, row, headers))
        finally:
            book.close()

    return _open_grid(path, shown, grids(), header_at, resolver, notices)


def _open_calamine(path: Path, kind: str, sheet: str | int | None, chunk_rows: int, resolver: HeaderResolver) -> Ledger:
    from landrules.ledger.read.calamine import open_calamine

    head, grids, notices = open_calamine(path, kind, sheet, chunk_rows, resolver, _clean_header)
    header_at = _header_index(path, head, resolver)
    notices = notices + merged.notice(grids.spans(header_at + 1))
    if kind == content.XLSX:  # calamine's rows are as wide as the sheet: take the header rows' own width, as openpyxl gives it
        width = max(max((j + 1 for j, v in enumerate(r) if not is_empty(v)), default=0) for r in head)
        head = [r[:width] for r in head]
    else:
        width = max(len(r) for r in head)
    return _open_grid(path, head, grids(header_at, width), header_at, resolver, notices)


def _open_parquet(path: Path, chunk_rows: int, resolver: HeaderResolver = DEFAULT) -> Ledger:
    import pyarrow.parquet as pq  # only for a Parquet ledger: not loaded at start-up

    if path.stat().st_size == 0:
        raise LedgerError(path, "文件为空")
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow.ArrowInvalid and friends
        raise LedgerError(path, f"不是有效的 Parquet 文件: {type(exc).__name__}: {clip(exc)}") from None
    header = list(parquet.schema_arrow.names)
    # list, struct and map columns arrive as arrays and dicts: carry them as their text
    nested = [i for i, f in enumerate(parquet.schema_arrow) if pa.types.is_nested(f.type)]
    # binary columns arrive as bytes: a cell is text, so they are read as UTF-8, a cell that is
    # not UTF-8 an error of its row
    binary = [i for i, f in enumerate(parquet.schema_arrow)
              if pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type) or pa.types.is_fixed_size_binary(f.type)]

    def grids():
        offset = 2
        batches = parquet.iter_batches(batch_size=chunk_rows)
        while True:
            try:  # a file corrupt in the middle fails here: blame the input, not the output
                batch = next(batches)
            except StopIteration:
                return
            except (pa.ArrowException, OSError) as exc:
                raise LedgerError(path, f"Parquet 文件已损坏（约在第 {offset} 行之后）: {clip(exc)}") from None
            grid = batch.to_pandas().astype(object)
            grid = grid.where(grid.notna(), None).set_axis(range(grid.shape[1]), axis=1)
            for i in nested:
                grid[i] = grid[i].map(lambda v: None if v is None else str(v.tolist() if hasattr(v, "tolist") else v))
            errors: dict[int, list[str]] = {}
            for i in binary:
                grid[i] = [_utf8_cell(v, offset + k, header[i], errors) for k, v in enumerate(grid[i].tolist())]
            yield grid, offset, errors
            offset += len(grid)

    return _open_grid(path, [header], grids(), 0, resolver)


def _utf8_cell(value: Any, row: int, header: str, errors: dict[int, list[str]]) -> Any:
    """A Parquet binary cell as text; one that is not UTF-8 is empty, its row given an error."""
    if not isinstance(value, (bytes, bytearray)):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        errors.setdefault(row, []).append(f'第{row}行 {clip(header)}: 二进制内容不是 UTF-8 文字（"{clip(bytes(value))}"），无法读取')
        return None


def _open_workbook(path: Path, kind: str, sheet, chunk_rows: int, resolver: HeaderResolver) -> Ledger:
    """An .xlsx: calamine when a scan clears it (16× faster, same cells), openpyxl otherwise."""
    from landrules.ledger.read.xlsx_scan import calamine_safe

    if path.suffix.lower() in XLSX_SUFFIXES and calamine_safe(path, InputLimits.from_env()):
        try:
            return _open_calamine(path, kind, sheet, chunk_rows, resolver)
        except LedgerError:
            pass  # openpyxl reads it, or says in its words what is wrong
    # openpyxl: bounded parts, every row and column, formulas without values named
    return _open_xlsx(path, sheet, chunk_rows, resolver)


# The readers by the kind `sniff` finds in a file's bytes: (path, kind, sheet, chunk rows, header
# resolver) -> Ledger. A new format is a reader function (or module) and one entry here, and its
# kind and extensions in sniff.py.
READERS: dict[str, Callable[[Path, str, Any, int, HeaderResolver], Ledger]] = {
    content.TEXT: lambda path, kind, sheet, rows, resolver: _open_csv(path, rows, resolver),
    content.XLSX: _open_workbook,
    content.OLE2: _open_calamine,
    content.ODS: _open_calamine,
    content.PARQUET: lambda path, kind, sheet, rows, resolver: _open_parquet(path, rows, resolver),
}


def _open_by_kind(path: Path, kind: str, sheet, chunk_rows: int, resolver: HeaderResolver) -> Ledger:
    return READERS[kind](path, kind, sheet, chunk_rows, resolver)


def open_ledger(
    path: str | Path, sheet: str | int | None = None, chunk_rows: int = CHUNK_ROWS, resolver: HeaderResolver | None = None
) -> Ledger:
    """Open a ledger for reading chunk by chunk; raises LedgerError for a missing, empty, corrupt
    or unsupported file, a ledger without a parcel_id column, or two columns for one field.

    The file is read by its content: a .xls that is really a CSV is read as CSV (with a notice);
    one whose content is no table (PDF, a web page) is refused naming what it is."""
    resolver = resolver or DEFAULT
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise LedgerError(path, "文件不存在")
    if path.is_dir():
        raise LedgerError(path, "是目录，不是文件")
    if suffix not in SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise LedgerError(path, f"不支持的文件类型 {clip(shown)}（支持 {'、'.join(SUFFIXES)}）")
    try:
        kind = content.sniff(path)
        expected = content.EXPECTED[suffix]
        if kind == content.EMPTY:
            raise LedgerError(path, "文件为空")
        if kind == content.ENCRYPTED:
            raise LedgerError(path, content.PROTECTED)
        if kind not in content.READABLE:
            raise LedgerError(path, f"文件内容是{kind}，不是台账表格（扩展名 {suffix}）；请用 Excel 或 WPS 打开后另存为 .xlsx")
        notices = []
        if kind != expected:
            notices.append(f"文件扩展名为 {suffix}，内容却是{content.NAMES[kind]}，已按内容读取")
        try:
            ledger = _open_by_kind(path, kind, sheet, chunk_rows, resolver)
        except LedgerError as exc:
            if kind == expected:
                raise
            # the officer named it by its extension: say what its bytes were read as
            raise LedgerError(path, f"{exc.reason}（{notices[0]}）") from None
        ledger.notices[:0] = notices
        return ledger
    except PermissionError:
        raise LedgerError(path, "无权读取该文件") from None
    except OSError as exc:
        raise LedgerError(path, f"无法打开文件: {exc.strerror or exc}") from None


def read_ledger(path: str | Path, sheet: str | int | None = None, resolver: HeaderResolver | None = None) -> pd.DataFrame:
    """A whole ledger as one DataFrame (for explain and small jobs; `decide` streams chunks).

    Columns carry the field names of known headers; empty cells are None; `attrs` hold
    `original_headers`, `header_map`, `row_numbers` and `source` (see the module docstring).
    """
    ledger = open_ledger(path, sheet, resolver=resolver)
    chunks = list(ledger.chunks)
    frame = pd.concat([c.frame for c in chunks], ignore_index=True) if chunks else pd.DataFrame(columns=ledger.names)
    frame = frame.astype(object)
    frame = frame.where(~frame.map(is_empty), None) if len(frame) else frame
    frame.attrs["original_headers"] = ledger.headers
    frame.attrs["header_map"] = dict(zip(ledger.headers, ledger.names))
    frame.attrs["row_numbers"] = [r for c in chunks for r in c.rows]
    frame.attrs["row_errors"] = {r: e for c in chunks for r, e in c.errors.items()}
    frame.attrs["source"] = str(ledger.path)
    frame.attrs["notices"] = list(ledger.notices)
    return frame


def load_records(path: str | Path, sheet: str | int | None = None) -> list[ParcelRecord]:
    """Read and validate a ledger: one ParcelRecord per data row, in order."""
    return validate_rows(read_ledger(path, sheet), str(path))
