"""What reading a CSV needs beyond pandas: the separator, the head rows, and the checks and
messages that keep a broken file from losing rows without a word.

- **Separator**: sniffed from the header row (the row naming 宗地编号), not the first line, so
  a TAB in a title row above the header does not make the file tab-separated.
- **Line endings**: `\\n`, `\\r\\n` and a bare `\\r` (old Mac / some exports) alike.
- **A stray quote** makes the rest of the file, up to the next quote, one cell: rows vanish
  into it. A cell holding a line break and, on a following line, as many separators as a whole
  row of the ledger has (at least two), or a line that begins with an id shaped as its row's,
  is such a swallow, and the file is refused naming the row where the quote opened and the line
  where a second stray quote closed it; a quote left open to the end of the file is named too
  (and a closing quote written doubled, `"西街""`, which CSV reads as a quote character). A
  genuine line break inside a cell (an address on two lines, Alt+Enter in Excel) has no such
  run and is kept.
- **pandas' messages** ("Expected 36 fields in line 7, saw 37") are restated in the ledger's
  own terms: the row as a person counts it and the header's width.
"""

from __future__ import annotations

import csv
import io
import itertools
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.ledger.errors import clip

SEPARATORS = (",", "\t", ";")


def head_rows(text: str, sep: str, n: int) -> list[list[str]]:
    """The first `n` rows of a CSV text, any line ending (csv.Error propagates)."""
    return list(itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=sep), n))


def sniff_separator(text: str, n: int, is_header) -> str:
    """The separator under which one of the first `n` rows is a header (`is_header(row)`), the
    widest such reading winning; else "\\t" when the first line has tabs and no comma, else ","."""
    best: tuple[int, str] | None = None
    for sep in SEPARATORS:
        try:
            rows = head_rows(text, sep, n)
        except csv.Error:
            continue
        widths = [len(row) for row in rows if len(row) > 1 and is_header(row)]
        if widths and (best is None or max(widths) > best[0]):
            best = (max(widths), sep)
    if best is not None:
        return best[1]
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    return "\t" if "\t" in first and "," not in first else ","


def swallowed_rows(grid: pd.DataFrame, sep: str, width: int, first_row: int, headers: list[str],
                   id_at: int | None = None) -> str | None:
    """The message for the first cell of `grid` (its first `width` columns) that swallowed rows
    through a stray quote, or None.

    A cell swallowed rows when, after a line break, it holds a line with a whole row's
    separators, or a line that begins like a row of this ledger — its field in the parcel-id
    column (`id_at`) shaped as the row's own id (`SL-008` beside `SL-007`). The quote that opened
    the cell was closed, only lines later (by another stray quote): the message says where, so
    an officer sees both quotes to mend — and, when the cell was meant to hold those lines,
    which separators to change."""
    threshold = max(2, width - 1)
    own_ids = None  # the ids as Python strings, made only for a column that holds a line break
    for j in range(min(width, grid.shape[1])):
        if not _has_line_break(grid.iloc[:, j]):
            continue
        if own_ids is None and id_at is not None and id_at < grid.shape[1]:
            own_ids = grid.iloc[:, id_at].tolist()
        values = grid.iloc[:, j].to_numpy(dtype=object)
        for i, value in enumerate(values):
            if not isinstance(value, str) or ("\n" not in value and "\r" not in value):
                continue
            lines = value.splitlines()
            own = own_ids[i] if own_ids is not None and j != id_at else None
            rows = [line for line in lines[1:] if line.count(sep) >= threshold or _starts_a_row(line, sep, id_at, own)]
            if rows:
                row = first_row + i
                header = headers[j] if j < len(headers) else f"第 {j + 1} 列"
                later = len(lines) - 1
                return (f"第{row}行 {clip(header)}: 第{row}行的引号（\"）到往下第 {later} 行的 \"{clip(lines[-1], 40)}\" 处才闭合，"
                        f"其间的数据行（如 \"{clip(rows[0], 40)}\"）都被并进了这一个单元格；请改正这两处引号"
                        f"（若确是该单元格的内容，请把其中的 {_shown(sep)} 改为中文标点）")
    return None


def _shown(sep: str) -> str:
    return {"\t": "Tab", ",": "“,”", ";": "“;”"}.get(sep, repr(sep))


def _shape(value: str) -> str:
    return re.sub(r"\d", "9", value.strip())


def _starts_a_row(line: str, sep: str, id_at: int | None, own: object) -> bool:
    """Whether a line inside a cell begins like a data row: its field in the parcel-id column
    is shaped as the row's own id (digits for digits) without being it."""
    if id_at is None or not isinstance(own, str) or not own.strip() or sep not in line:
        return False
    fields = next(csv.reader([line], delimiter=sep), [])
    if id_at >= len(fields) or not fields[id_at].strip():
        return False
    return fields[id_at].strip() != own.strip() and _shape(fields[id_at]) == _shape(own) and any(c.isdigit() for c in own)


def _has_line_break(column: pd.Series) -> bool:
    """Whether a text column may hold CR or LF: a byte search over Arrow's data buffers (a
    superset when the array is a slice; the caller checks the cells it flags)."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        cells = column.array._pa_array  # the column's own Arrow data (string or large_string), not a copy
    else:
        try:
            cells = pa.array(column, type=pa.string(), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in column.tolist())
    for chunk in getattr(cells, "chunks", [cells]):
        data = chunk.buffers()[2]
        if data is not None and data.size:
            raw = np.frombuffer(data, dtype=np.uint8)
            if raw.min() <= 13 and ((raw == 10).any() or (raw == 13).any()):  # min: one pass, nothing allocated
                return True
    return False


_EXPECTED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def restate(exc: Exception, width: int, first_row: int, open_quote=None) -> str:
    """pandas' parser error in our terms (`first_row`: the file row of the first data row;
    `open_quote(row)`: the (header, text) of the cell whose quote opens on that file row, or None)."""
    text = str(exc)
    m = _EXPECTED.search(text)
    if m:
        return f"第{m.group(2)}行的字段多于表头（表头 {width} 列，该行 {m.group(3)} 个字段）"
    m = _EOF_QUOTE.search(text)
    if m:
        row = int(m.group(1)) + 1  # pandas counts the file's records from 0, title and header rows included
        header, cell = (open_quote(row) if open_quote else None) or ("", "")
        where = f"第{row}行 {clip(header)}: " if header else f"第{row}行: "
        first = cell.splitlines()[0] if cell else ""
        if '"' in first:  # "西街"",2 — a doubled quote is a quote character, not the closing one
            written = '"' + first.split('"')[0] + '""'
            return (f"{where}单元格 {clip(written)} 末尾的两个连续引号（\"\"）在 CSV 里表示一个引号字符，不算闭合，"
                    f"于是从该处到文件末尾都被读成了一个单元格；请删去多余的一个引号")
        return (f"{where}引号未闭合：从第{row}行的引号（\"）起到文件末尾都被读成了一个单元格；"
                f"请在第{row}行补上闭合的引号，或去掉多余的引号")
    return clip(text.replace("Error tokenizing data. C error: ", ""), 200)


def open_quote_cell(path, encoding: str, sep: str, row: int, headers: list[str]) -> tuple[str, str] | None:
    """(header, text) of the cell whose quote opens on file row `row` (a record, as pandas counts
    them) and runs to the end of the file: the last field of that record's first line."""
    try:
        with open(path, encoding=encoding, errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=sep)
            for _ in range(row - 1):
                next(reader)
            line = next(handle, "")  # the record's first physical line, as written
    except (csv.Error, OSError, StopIteration, LookupError):
        return None
    fields = next(csv.reader([line.rstrip("\r\n")], delimiter=sep), [])
    if not fields:
        return None
    j = len(fields) - 1
    return (headers[j] if j < len(headers) else f"第 {j + 1} 列"), fields[j]


def overflow_row(grid: pd.DataFrame, width: int, offset: int) -> int | None:
    """The file row of the first row with a field beyond the header's width (in column `width`)."""
    overflow = grid[width].notna() & (grid[width] != "")
    if overflow.any():
        return offset + int(np.flatnonzero(overflow.to_numpy())[0])
    return None

