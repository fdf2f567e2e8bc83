"""Write one sheet's cells column-wise as SpreadsheetML, inside a workbook openpyxl writes.

openpyxl writes every part of the workbook — styles, the other sheets and their charts, and the
big sheet's own setup: column widths and hidden groups, frozen panes, header row, autofilter,
conditional formats, print setup, and the rows below the data (合计, signature, notes) — with the
big sheet's data rows left out. `SheetCells.splice`
then rewrites the saved file once, putting into that sheet's part the rows this module
generated, and adds the shared-strings table they index.

Cells are prepared a column at a time: each column's distinct values become one XML fragment
each (a text its shared-string index, a number its digits, a date its serial and date style),
the cells are those fragments picked by the column's codes, and the rows are joined from the
columns — no Python object per cell, and the XML is ASCII (all text is in the shared strings),
deflated at zlib level 1 in a second thread while the next rows are generated.

Values (what `xlsx_cells` prepares): None (empty), str (text; `Text` with quotePrefix),
bool, int, float (`Percent` in the 0% format), date / datetime / time (as openpyxl writes them:
a serial number with a date format). A pyarrow string array is a text column (its empty strings
empty cells, its formula-like texts with quotePrefix, as `clean_text` marks them). Each row may have
a height (points); a `Coded` column (coded.py) is taken as its codes, without a pass over its
cells; a tall row's cells take the `tall` look of their column (e.g. wrapped, top).
Memory: the appended columns are kept as codes (1–4 bytes a cell) until `splice`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import stat
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TIME_FORMATS
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from landrules.ledger.arrow_buffers import data_bytes
from landrules.ledger.write.base import CONTROL, RISKY, show_controls, temp_file
from landrules.ledger.write.coded import Coded, arrow_codes
from landrules.ledger.write.xlsx_cells import Percent, Text
from landrules.ledger.write.xlsx_zip import FixedTimeZip, write_stream

LEVEL = 1  # zlib level of the spliced sheets: 5× faster than 6 for a file ~25 % larger
CHUNK_ROWS = 16_384  # rows generated (and handed to the deflating thread) at a time
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


class SharedStrings:
    """The workbook's shared-strings table: each distinct text once, in first-seen order."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def ids(self, texts: Sequence[str]) -> list[int]:
        index = self.index
        return [index.setdefault(t, len(index)) for t in texts]

    def xml(self) -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN}" uniqueCount="{len(self.index)}">'.encode()
        texts = list(self.index)
        for start in range(0, len(texts), SST_BLOCK):
            yield _string_items(texts[start:start + SST_BLOCK])
        yield b"</sst>"


SST_BLOCK = 65_536  # shared strings put together at a time
# a text starting or ending with what Python's str.strip() removes (but the control characters
# above) keeps its spaces: xml:space="preserve"
_SPACE = "[\\t\\n\\r \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
_EDGE_SPACE = f"^{_SPACE}|{_SPACE}$"


def _string_item(text: str) -> str:
    """One text as a shared-strings item `<si>`, one by one (the rare text `_string_items` does not take)."""
    if ILLEGAL_CHARACTERS_RE.search(text):  # as clean_text shows them: escapes
        text = show_controls(text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<si><t{space}>{escape(text)}</t></si>"


def _string_items(texts: list[str]) -> bytes:
    """`_string_item` of each text, joined, as UTF-8: escaped and wrapped by Arrow, but for a text
    with a control character (made one by one)."""
    try:
        array = pa.array(texts, type=pa.string())
    except (pa.ArrowException, UnicodeEncodeError):  # a lone surrogate: one by one (and it fails to encode, as before)
        return "".join(map(_string_item, texts)).encode()
    escaped = array
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        escaped = pc.replace_substring(escaped, char, entity)
    space = pc.if_else(pc.match_substring_regex(array, _EDGE_SPACE), ' xml:space="preserve"', "")
    items = pc.binary_join_element_wise("<si><t", space, ">", escaped, "</t></si>", "")
    illegal = np.flatnonzero(pc.match_substring_regex(array, CONTROL.pattern).to_numpy(zero_copy_only=False))
    if len(illegal):
        items = items.to_pylist()
        for i in illegal.tolist():
            items[i] = _string_item(texts[i])
        return "".join(items).encode()
    return data_bytes(items).tobytes()


class Styles:
    """Cell formats (xf ids) registered in the openpyxl workbook, so that its styles.xml has them."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.cache: dict[tuple, int] = {}

    def id(self, look: dict | None = None, number_format: str | None = None, quote: bool = False) -> int:
        key = (tuple(sorted((look or {}).items(), key=lambda kv: kv[0])), number_format, quote)
        found = self.cache.get(key)
        if found is None:
            if not look and number_format is None and not quote:
                found = 0
            else:
                cell = WriteOnlyCell(self.sheet)
                for name, value in (look or {}).items():
                    setattr(cell, name, value)
                if number_format is not None:
                    cell.number_format = number_format
                if quote:
                    cell.quotePrefix = True
                found = cell.style_id
            self.cache[key] = found
        return found


def _codes(values: Any) -> tuple[np.ndarray, list[Any]]:
    """(codes with -1 for empty, distinct values) of a column: a list of cell values or an Arrow
    string array (empty strings are empty cells) or a `Coded` column."""
    if isinstance(values, Coded):
        return values.first_seen()
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        codes, uniques = arrow_codes(values)
        uniques = [Text(u) if u.startswith(RISKY) else u for u in uniques]
        empty = [k for k, u in enumerate(uniques) if u == ""]
        if empty:
            codes[codes == empty[0]] = -1
        return codes, uniques
    array = np.empty(len(values), dtype=object)
    array[:] = values
    codes, uniques = pd.factorize(array, use_na_sentinel=True)
    uniques = list(uniques)
    # factorize takes equal values as one: True == 1, Percent(0.5) == 0.5; keep them apart
    numbers = set(map(type, array)) & {bool, int, float, Percent} if any(isinstance(u, (int, float)) for u in uniques) else ()
    if len(numbers) > 1 and numbers & {bool, Percent}:  # 3 and 3.0 may merge: both are written "3"
        seen: dict[tuple, int] = {}
        codes = np.fromiter((-1 if v is None else seen.setdefault((type(v), v), len(seen)) for v in array),
                            dtype=np.int32, count=len(array))
        uniques = [v for _, v in seen]
    codes = codes.astype(np.int32)
    if "" in uniques:  # an empty text is an empty cell, as openpyxl writes it
        codes[codes == uniques.index("")] = -1
    return codes, uniques


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()  # openpyxl's WINDOWS_EPOCH: serial 0


def _number(value: float) -> str:
    return format(value, ".16g")  # as openpyxl writes numbers (so "1" for 1.0, read back as an int)


@dataclass
class _Chunk:
    columns: list[tuple[np.ndarray, pa.StringArray]]  # per column: codes, fragments (plain, empty, tall, empty)
    heights: np.ndarray | None


EMPTY = '"/>'  # the fragment of an empty cell: `<c r="B7"/>`
_EMPTY_ONE = pa.array([EMPTY], type=pa.string())


def _between(head: str, numbers: Sequence[int] | np.ndarray, tail: str) -> pa.StringArray:
    """head + each whole number's digits + tail, as Arrow strings (not one Python string each)."""
    digits = pc.cast(pa.array(numbers, type=pa.int64()), pa.string())
    return pc.binary_join_element_wise(head, digits, tail, "")


@dataclass
class SheetBody:
    """The data rows of one sheet, from `first_row` on. openpyxl writes the rows above them and
    may append rows after them, numbered as if the body were not there (the first one
    `first_row`): the splice moves those down past the body."""

    sheet: Any
    cells: SheetCells
    first_row: int
    looks: dict[int, dict] = field(default_factory=dict)
    tall: dict[int, dict] = field(default_factory=dict)
    chunks: list[_Chunk] = field(default_factory=list)
    rows: int = 0
    width: int = 0

    def append(self, columns: Sequence[Any], heights: Sequence[float] | np.ndarray | None = None,
               looks: dict[int, dict] | None = None) -> None:
        """Add rows given as columns (each a list of cell values or an Arrow string array, all of
        one length); `heights`: each row's height in points, 0 or NaN for the default; `looks`:
        the columns' looks for these rows instead of the body's (notes under a list, say)."""
        looks = self.looks if looks is None else looks
        if not columns:
            return
        n = len(columns[0])
        if any(len(c) != n for c in columns):
            raise ValueError("columns of different lengths")
        if heights is not None:
            heights = np.asarray(heights, dtype=float)
            if len(heights) != n:
                raise ValueError("heights and columns of different lengths")
            heights = np.where(np.isfinite(heights) & (heights > 0), heights, 0.0)
            if not heights.any():
                heights = None
        prepared = []
        for j, values in enumerate(columns):
            codes, uniques = _codes(values)
            if j in self.tall and heights is not None:
                plain, tall = self._fragments(uniques, [looks.get(j), self.tall[j]])
            else:
                (plain,) = self._fragments(uniques, [looks.get(j)])
                tall = plain
            table = pa.concat_arrays([plain, _EMPTY_ONE, tall, _EMPTY_ONE])
            codes = np.where(codes < 0, len(uniques), codes)
            if heights is not None and tall is not plain:
                codes = codes + (heights > 0) * (len(uniques) + 1)
            prepared.append((codes.astype(np.min_scalar_type(len(table))), table))
        self.chunks.append(_Chunk(prepared, heights))
        self.rows += n
        self.width = max(self.width, len(columns))

    def _fragments(self, uniques: list[Any], looks: list[dict | None]) -> list[pa.StringArray]:
        """Each distinct value's cell, less its opening `<c r="A1`, in each of `looks` (the
        column's look in ordinary rows, and in tall rows): the usual text and number columns
        made once by Arrow and given each look's style, the others value by value."""
        kinds_seen, number_format = set(map(type, uniques)), None
        if kinds_seen <= {str} and uniques != [""]:  # the usual text column (a `Text` is another type)
            at = uniques.index("") if "" in uniques else None  # an Arrow column's empty cells: never picked
            texts = uniques if at is None else uniques[:at] + uniques[at + 1:]
            body = _between(' t="s"><v>', self.cells.strings.ids(texts), "</v></c>")  # one a value (a Coded column's may repeat)
            if at is not None:
                body = pa.concat_arrays([body[:at], pa.array([""], type=pa.string()), body[at:]])
        elif kinds_seen == {int} and max(map(abs, uniques)) < 10**15:  # 序号: the usual number column
            body = _between(' t="n"><v>', uniques, "</v></c>")
        elif kinds_seen and kinds_seen <= {int, float} and all(map(math.isfinite, uniques)):  # a typed number column
            body = pa.array([f' t="n"><v>{_number(u)}</v></c>' for u in uniques], type=pa.string())
        elif kinds_seen == {dt.date}:  # a typed date column: serial numbers as openpyxl's to_excel gives them
            days = np.fromiter(map(dt.date.toordinal, uniques), dtype=np.int64, count=len(uniques)) - _EPOCH_ORDINAL
            days[(days > 0) & (days <= 60)] -= 1  # Excel's 1900-02-29
            body, number_format = _between(' t="n"><v>', days, "</v></c>"), TIME_FORMATS[dt.date]
        else:
            return [self._by_value(uniques, look) for look in looks]
        styles = self.cells.styles_of(self.sheet)
        return [pc.binary_join_element_wise(f'"{_s(styles.id(look, number_format))}', body, "") for look in looks]

    def _by_value(self, uniques: list[Any], look: dict | None) -> pa.StringArray:
        """Each distinct value's cell in `look`, value by value (a column of mixed kinds)."""
        styles, sst = self.cells.styles_of(self.sheet), self.cells.strings
        kinds: dict[Any, str] = {}  # kind of value -> ' s="N"' (its style in this look), once a call

        def style(kind: Any = None) -> str:
            found = kinds.get(kind)
            if found is None:
                if kind is Text:
                    found = _s(styles.id(look, quote=True))
                elif kind is None:
                    found = _s(styles.id(look))
                else:
                    found = _s(styles.id(look, kind))
                kinds[kind] = found
            return found

        texts = [u for u in uniques if isinstance(u, str) and u]
        numbers = sst.ids(texts)
        ids = dict(zip(texts, numbers))
        out = []
        for value in uniques:
            if value == "":
                out.append("")  # never picked: empty cells have no code
            elif isinstance(value, str):
                out.append(f'"{style(Text if isinstance(value, Text) else None)} t="s"><v>{ids[value]}</v></c>')
            elif isinstance(value, bool):
                out.append(f'"{style()} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float, np.integer, np.floating)):
                if isinstance(value, (float, np.floating)) and not math.isfinite(value):
                    out.append(f'"{style()} t="s"><v>{sst.ids([str(value)])[0]}</v></c>')
                elif isinstance(value, Percent):
                    out.append(f'"{style("0%")} t="n"><v>{_number(float(value))}</v></c>')
                else:
                    out.append(f'"{style()} t="n"><v>{_number(value.item() if isinstance(value, np.generic) else value)}</v></c>')
            elif isinstance(value, (dt.date, dt.time, dt.timedelta)):
                number_format = TIME_FORMATS[type(value) if type(value) in TIME_FORMATS else dt.date]
                out.append(f'"{style(number_format)} t="n"><v>{_number(to_excel(value))}</v></c>')
            else:
                raise TypeError(f"no XLSX cell for {type(value).__name__}: {value!r}")
        return pa.array(out, type=pa.string())

    def xml(self) -> Iterator[bytes]:
        """The rows as `<row>` elements, a block of rows at a time. Every piece of a row is a
        string of one pool (an Arrow string array) and a block is the pool taken in row order:
        the taken array's bytes are the block's XML, put together by Arrow, not cell by cell in
        Python. A row is `<row r="` N `"` (its height) `><c r="A` N, then for each cell its
        fragment followed by the next cell's `<c r="B` (the last: `</row>`) and, but for the
        last, N again — two pieces a cell. An empty cell is written as a blank one
        (`<c r="B7"/>`), which costs less than leaving it out."""
        row = self.first_row
        for chunk in self.chunks:
            n, width = len(chunk.columns[0][0]), len(chunk.columns)
            tall, height_at = [""], None
            if chunk.heights is not None:
                distinct, height_at = np.unique(chunk.heights, return_inverse=True)
                tall = ["" if h == 0 else f' ht="{h:g}" customHeight="1"' for h in distinct.tolist()]
            after = [f'<c r="{get_column_letter(j + 2)}' for j in range(width - 1)] + ["</row>"]
            numbers = pc.cast(pa.array(np.arange(row, row + n, dtype=np.int64)), pa.string())
            # the pool: the row's opening pieces, the heights, each column's fragments with what follows them, the numbers
            parts = [pa.array(['<row r="', '"', '><c r="A', *tall], type=pa.string()),
                     *(pc.binary_join_element_wise(table, follows, "") for (_, table), follows in zip(chunk.columns, after)),
                     numbers]
            bases = np.cumsum([0, *map(len, parts)])
            pool = pa.concat_arrays(parts)
            for start in range(0, n, CHUNK_ROWS):
                stop = min(n, start + CHUNK_ROWS)
                number = np.arange(bases[-2] + start, bases[-2] + stop, dtype=np.int64)
                picks = np.empty((stop - start, 5 + 2 * width), dtype=np.int64)
                picks[:, 0], picks[:, 1], picks[:, 2] = 0, number, 1
                picks[:, 3] = 3 + (height_at[start:stop] if height_at is not None else 0)
                picks[:, 4] = 2
                for j, (codes, _) in enumerate(chunk.columns):
                    picks[:, 5 + 2 * j] = number
                    picks[:, 6 + 2 * j] = codes[start:stop]
                    picks[:, 6 + 2 * j] += bases[1 + j]
                yield data_bytes(pool.take(pa.array(picks.ravel()))).tobytes()
            row += n


class SheetCells:
    """The column-wise sheets of one workbook and the shared strings they use."""

    def __init__(self) -> None:
        self.strings = SharedStrings()
        self.bodies: dict[str, SheetBody] = {}
        self._styles: dict[int, Styles] = {}

    def styles_of(self, sheet) -> Styles:
        return self._styles.setdefault(id(sheet.parent), Styles(sheet))

    def body(self, sheet, first_row: int, looks: dict[int, dict] | None = None,
             tall: dict[int, dict] | None = None) -> SheetBody:
        """The rows of `sheet` (an openpyxl write-only sheet, set up and given its header rows)
        from `first_row` on; `looks` / `tall`: style keywords (font, fill, alignment, …) of a
        column's cells in ordinary and in tall rows."""
        found = self.bodies[sheet.title] = SheetBody(sheet, self, first_row, dict(looks or {}), dict(tall or {}))
        return found

    def splice(self, path: Path, date_time: tuple[int, ...], level: int = LEVEL) -> None:
        """Put the bodies into the workbook openpyxl saved at `path` (rewritten in place)."""
        path = Path(path)
        with zipfile.ZipFile(path) as src:
            parts = _sheet_parts(src)
            missing = [t for t in self.bodies if t not in parts]
            if missing:
                raise KeyError(f"no sheet named {missing[0]!r} in {path}")
            targets = {parts[title]: body for title, body in self.bodies.items()}
            fd, tmp = temp_file(path, ".splice.part")
            os.close(fd)
            try:
                with FixedTimeZip(tmp, date_time) as out:
                    names = src.namelist()
                    for name in names:
                        data = src.read(name)
                        if name in targets:
                            write_stream(out, name, _spliced(data, targets[name]), date_time, level,
                                          zip64=targets[name].rows * targets[name].width * 40 > 2**31)
                        elif name == "[Content_Types].xml":
                            out.writestr(name, _with_sst_type(data))
                        elif name == "xl/_rels/workbook.xml.rels":
                            out.writestr(name, _with_sst_rel(data))
                        elif name == "xl/sharedStrings.xml":
                            raise ValueError("the workbook already has shared strings")
                        else:
                            out.writestr(name, data)
                    write_stream(out, "xl/sharedStrings.xml", self.strings.xml(), date_time, 6, zip64=False)
                os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))  # the mode the saved file had
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                raise


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part's name in the zip."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    out = {}
    for sheet in workbook.iter(f"{{{MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{REL_NS}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def _spliced(placeholder: bytes, body: SheetBody) -> Iterator[bytes]:
    """The sheet part: openpyxl's rows above `first_row`, the body's rows, then the rows openpyxl
    wrote from `first_row` on (the 合计 and signature rows, notes under a list), moved down past
    the body: openpyxl numbers its rows one after another, as if the body were not there."""
    start = placeholder.find(b"<sheetData>")
    if start < 0:
        at = placeholder.find(b"<sheetData/>")
        if at < 0:
            raise ValueError(f"no sheetData in the part of sheet {body.sheet.title!r}")
        placeholder = placeholder[:at] + b"<sheetData></sheetData>" + placeholder[at + len(b"<sheetData/>"):]
        start = at
    end = placeholder.index(b"</sheetData>", start)
    after = end  # where openpyxl's rows from `first_row` on begin
    for found in _ROW.finditer(placeholder, start, end):
        if int(found.group(1)) >= body.first_row:
            after = found.start()
            break
    yield placeholder[:after]
    yield from body.xml()
    yield _moved_down(placeholder[after:end], body.rows)
    yield placeholder[end:]


_ROW = re.compile(rb'<row r="(\d+)"')
_ROW_OR_CELL = re.compile(rb'(<(?:row|c) r=")([A-Z]*)(\d+)"')


def _moved_down(rows: bytes, by: int) -> bytes:
    """`<row r="N">` and `<c r="AN">` of `rows` renumbered N + by."""
    if not by or not rows:
        return rows
    return _ROW_OR_CELL.sub(lambda m: m.group(1) + m.group(2) + str(int(m.group(3)) + by).encode() + b'"', rows)


def _with_sst_type(data: bytes) -> bytes:
    if b"/xl/sharedStrings.xml" in data:
        return data
    return data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_CONTENT}"/></Types>'.encode())


def _with_sst_rel(data: bytes) -> bytes:
    if SST_TYPE.encode() in data:
        return data
    taken = set(re.findall(rb'Id="([^"]+)"', data))
    k = len(taken) + 1
    while f"rId{k}".encode() in taken:
        k += 1
    rel = f'<Relationship Type="{SST_TYPE}" Target="sharedStrings.xml" Id="rId{k}"/>'
    return data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
