"""What reading a CSV needs beyond pandas: the separator, the head rows, and the checks and
messages that keep a broken file from losing rows without a word.

- **Separator**: sniffed from the header row (the row naming 宗地编号), not the first line, so
  a TAB in a title row above the header does not make the file tab-separated.
- **Line endings**: `\\n`, `\\r\\n` and a bare `\\r` (old Mac / some exports) alike.
- **An unclosed quote** makes the rest of the file, up to the next quote, one cell: rows vanish
  into it. A cell holding a line break and, on a following line, as many separators as a whole
  row of the ledger has (at least two) is such a swallow, and the file is refused naming the row where the quote
  opened; so is a quote left open at the end of the file. A genuine line break inside a cell
  (an address on two lines, Alt+Enter in Excel) has no such run and is kept.
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


def swallowed_rows(grid: pd.DataFrame, sep: str, width: int, first_row: int, headers: list[str]) -> str | None:
    """The message for the first cell of `grid` (its first `width` columns) that swallowed rows
    through an open quote, or None."""
    threshold = max(2, width - 1)
    for j in range(min(width, grid.shape[1])):
        if not _has_line_break(grid.iloc[:, j]):
            continue
        values = grid.iloc[:, j].to_numpy(dtype=object)
        for i, value in enumerate(values):
            if not isinstance(value, str) or ("\n" not in value and "\r" not in value):
                continue
            lines = value.splitlines()
            full = [line for line in lines[1:] if line.count(sep) >= threshold]
            if full:
                row = first_row + i
                header = headers[j] if j < len(headers) else f"第 {j + 1} 列"
                return (f"第{row}行 {clip(header)}: 引号未闭合——该单元格从第{row}行的引号（\"）起跨了 {len(lines)} 行，"
                        f"吞进了看似完整的数据行（如 \"{clip(full[0])}\"）；"
                        f"请在第{row}行补上闭合的引号，或去掉多余的引号")
    return None


def _has_line_break(column: pd.Series) -> bool:
    """Whether a text column may hold CR or LF: a byte search over Arrow's data buffers (a
    superset when the array is a slice; the caller checks the cells it flags)."""
    try:
        cells = pa.array(column, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in column.tolist())
    for chunk in getattr(cells, "chunks", [cells]):
        data = chunk.buffers()[2]
        if data is not None and data.size:
            raw = np.frombuffer(data, dtype=np.uint8)
            if (raw == 10).any() or (raw == 13).any():
                return True
    return False


_EXPECTED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def restate(exc: Exception, width: int, first_row: int) -> str:
    """pandas' parser error in our terms (`first_row`: the file row of the first data row)."""
    text = str(exc)
    m = _EXPECTED.search(text)
    if m:
        return f"第{m.group(2)}行的字段多于表头（表头 {width} 列，该行 {m.group(3)} 个字段）"
    m = _EOF_QUOTE.search(text)
    if m:
        row = first_row + int(m.group(1)) - 1
        return (f"第{row}行起引号未闭合：从该处的引号（\"）到文件末尾都被读成了一个单元格；"
                f"请在第{row}行补上闭合的引号，或去掉多余的引号")
    return clip(text.replace("Error tokenizing data. C error: ", ""), 200)


def overflow_row(grid: pd.DataFrame, width: int, offset: int) -> int | None:
    """The file row of the first row with a field beyond the header's width (in column `width`)."""
    overflow = grid[width].notna() & (grid[width] != "")
    if overflow.any():
        return offset + int(np.flatnonzero(overflow.to_numpy())[0])
    return None

