"""Cells of the XLSX outputs: text as written (never a formula), input cells typed by their field.

- Text that a spreadsheet would run as a formula (beginning with = + - @ TAB CR) is written as
  it is, as a string cell with the quotePrefix style: Excel and LibreOffice show it as text, the
  officer's input keeps its exact value, and no cell is ever a formula. (The CSV, which has no
  cell types, prefixes "'" instead; see output.defuse.)
- A text cell shows what XML cannot carry (control characters) as escapes, `\\x00`, as the CSV
  and the messages do; CR becomes LF (XML would read it so anyway); text is cut at Excel's
  32 767 characters.
- An input column that holds a numeric field (面积, 亩均税收, 占比, …) is written as numbers and a
  date field as date cells, parsed by the ledger's own cell parsers; a cell they cannot read
  (an invalid row) stays the text it was. Other columns keep the values they were read with.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from copy import copy
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.ledger.validate.cells import PARSERS, CellError, float_text
from landrules.ledger.write.base import CONTROL, RISKY, RISKY_START, is_missing, show_controls
from landrules.ledger.write.coded import Coded, factorize

MAX_TEXT = 32_767  # Excel's limit per cell
_TYPED = (FieldType.NUMBER, FieldType.RATIO, FieldType.DATE)


class Text(str):
    """Text that must be written as a string cell with quotePrefix (it looks like a formula)."""


def clean_text(text: str) -> str | None:
    """A text cell as written: XML-illegal characters as escapes, CR as LF, at most MAX_TEXT long;
    a `Text` when it would look like a formula."""
    if not text:
        return None
    risky = text.startswith(RISKY)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = show_controls(text)
    if "\r" in text:  # XML reads a bare CR as LF; Excel's line break in a cell is LF
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    return Text(text) if risky or text.startswith(RISKY) else text


# a text clean_text would change: formula-like start, a control character or CR (RE2 syntax)
_NEEDS_CLEANING = f"{RISKY_START}|{CONTROL.pattern}|\r"


def clean_texts(values: Sequence[Any]) -> list[Any]:
    """`clean_text` of each text among `values` (anything else as it is). The usual text (not
    empty, short, no control character or CR, not formula-like) is left as it is, found by
    Arrow for the whole list rather than tested in Python one by one."""
    out = list(values)
    if not all(type(v) is str for v in out):  # mixed, or `Text`s: one by one
        return [clean_text(v) if isinstance(v, str) else v for v in out]
    try:
        texts = pa.array(out, type=pa.string())
    except (pa.ArrowException, UnicodeEncodeError):  # a lone surrogate: one by one
        return [clean_text(v) for v in out]
    lengths = pc.utf8_length(texts)
    attention = pc.or_(pc.match_substring_regex(texts, _NEEDS_CLEANING),
                       pc.or_(pc.equal(lengths, 0), pc.greater(lengths, MAX_TEXT)))
    for i in np.flatnonzero(attention.to_numpy(zero_copy_only=False)).tolist():
        out[i] = clean_text(out[i])
    return out


def _each(convert: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """`convert` of each value; texts cleaned together when that is all `convert` does to them."""
    if convert is clean_text or (convert is cell_value and all(type(v) is str for v in values)):
        return clean_texts(values)
    return [convert(v) for v in values]


def cell_value(value: Any) -> Any:
    """A raw input cell as an XLSX value: numbers, booleans and dates stay typed, text as written."""
    if isinstance(value, str):
        return clean_text(value)
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**15 else clean_text(str(value))  # Excel keeps 15 digits
    if isinstance(value, float):  # Excel keeps 15 digits: a longer whole number as its digits, as text
        return value if math.isfinite(value) and abs(value) < 1e15 else clean_text(float_text(value))
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return clean_text(value.isoformat(sep=" "))
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.time)):
        return value
    return clean_text(str(value))


class Percent(float):
    """A ratio the officer wrote as a percentage ("25%"): shown with a percent format."""


def _typed(name: str, shortcut: bool = True) -> Callable[[Any], Any]:
    """A cell of field `name` as its XLSX value: parsed as the field is, or as written when it
    cannot be; with `shortcut`, plain digits of a number field go the short way (same values)."""
    parse = PARSERS[name]
    kind = fields.BY_NAME[name].type

    def convert(value: Any) -> Any:
        try:
            typed = parse(value)
        except (CellError, ValueError, TypeError):  # out of range or unreadable: as written,
            if kind is not FieldType.DATE and isinstance(value, str):  # a number still a number
                try:
                    number = float(value)
                except ValueError:
                    return cell_value(value)
                if math.isfinite(number):
                    return int(number) if number.is_integer() and abs(number) < 10**15 else number
            return cell_value(value)
        if typed is None:
            return cell_value(value)
        if kind is FieldType.DATE:
            return typed
        if kind is FieldType.RATIO and isinstance(value, str) and value.strip().endswith(("%", "％")):
            return Percent(typed)
        number = float(typed)
        return int(number) if number.is_integer() and abs(number) < 10**15 else number

    if kind is FieldType.DATE and shortcut:
        def convert_date(value: Any) -> Any:
            """`convert`, with a shortcut for the usual cell: a date as 2021-10-01 (the field's
            parser reads it as the same date, and refuses the same impossible ones)."""
            if type(value) is str and _ISO_DATE.fullmatch(value):
                try:
                    return dt.date.fromisoformat(value)
                except ValueError:
                    pass
            return convert(value)

        return convert_date
    if kind is not FieldType.NUMBER or not shortcut:
        return convert

    def convert_number(value: Any) -> Any:
        """`convert`, with a shortcut for the usual cell: digits as Python writes a number
        ("12.5", "300", "1e3"). Parsed or not (out of range), such a cell is the number float()
        reads, a whole one as an int."""
        if type(value) is str and _PLAIN_DECIMAL.fullmatch(value):
            number = float(value)
            if math.isfinite(number):
                return int(number) if number.is_integer() and abs(number) < 10**15 else number
        return convert(value)

    return convert_number


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def input_column(name: str | None, series: pd.Series) -> Coded | list[Any]:
    """One input column as XLSX values: typed by its field when `name` is a numeric or date
    field, else each cell as read. Each distinct value is converted once (a `Coded` column)."""
    if name == "area_ha":  # 面积（公顷）: read as an area (a number), like 面积（亩）
        name = "area_mu"
    spec = fields.BY_NAME.get(name) if name else None
    convert = _typed(spec.name) if spec is not None and spec.type in _TYPED else cell_value
    try:
        codes, uniques = factorize(series)
    except TypeError:  # unhashable cells (nested Parquet values): one by one
        return [convert(v) for v in series.to_numpy(dtype=object)]
    return Coded(codes, _each(convert, uniques))


def map_unique(series: pd.Series, convert: Callable[[str], Any]) -> Coded:
    """`convert` applied once per distinct value of a text column ("" for empty)."""
    codes, uniques = factorize(series.fillna(""))
    return Coded(codes, _each(convert, uniques))


def styled(sheet, value: Any, *, number_format: str | None = None, font=None, fill=None, alignment=None) -> Any:
    """`value` as the cell object the write-only sheet needs: plain values stay plain (fast);
    `Text` becomes a string cell with quotePrefix, `Percent` a percent-formatted number."""
    if isinstance(value, Text):
        cell = WriteOnlyCell(sheet, value=None)
        cell._value, cell.data_type = str(value), "s"  # never inferred as a formula
        cell.quotePrefix = True
    elif isinstance(value, Percent):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = "0%"
    elif number_format is None and font is None and fill is None and alignment is None:
        return value
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def like(sheet, template, value: Any) -> Any:
    """`value` as a cell styled like `template` (a copy of its style array: far cheaper than
    styling each cell anew); text is placed directly, other values bound as usual."""
    cell = WriteOnlyCell(sheet)
    if type(value) is str or isinstance(value, Text):
        cell._value, cell.data_type = str(value), "s"
        cell._style = copy(template._style)
        if isinstance(value, Text):
            cell.quotePrefix = True
        return cell
    if isinstance(value, Percent):
        return styled(sheet, value)
    cell.value = value
    style = copy(template._style)
    if cell.has_style:  # a date's number format
        style.numFmtId = cell._style.numFmtId
    cell._style = style
    return cell


def row_cells(sheet, values: tuple, templates: dict[int, Any] | None = None) -> tuple:
    """A row for `sheet.append`: only the special values become cell objects; `templates` maps
    column positions to the cell whose style their non-empty cells take (see `like`)."""
    if templates:
        values = list(values)
        for i, template in templates.items():
            if values[i] is not None:
                values[i] = like(sheet, template, values[i])
    elif not any(isinstance(v, (Text, Percent)) for v in values):
        return values
    return tuple(styled(sheet, v) if isinstance(v, (Text, Percent)) else v for v in values)


@lru_cache(maxsize=8192)  # the same texts come back chunk after chunk (widths_for)
def display_width(text: str) -> int:
    """A text's width in digits: a wide or full-width character (Chinese) counts two."""
    if text.isascii():
        return len(text)
    return int(display_widths([text])[0])


# each code point: 1 wide or full-width (East Asian Width W or F), 0 not, -1 not looked up yet;
# filled as characters are first seen (a few thousand in a Chinese workbook)
_WIDE = np.full(0x110000, -1, dtype=np.int8)
_WIDE[:0x80] = 0


def display_widths(texts: Sequence[str]) -> np.ndarray:
    """`display_width` of each text, as one array: the texts' code points looked up in one
    table, not character by character in Python."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    wide = _WIDE[points]
    unknown = wide < 0
    if unknown.any():
        new = np.unique(points[unknown])
        _WIDE[new] = [unicodedata.east_asian_width(chr(c)) in ("W", "F") for c in new.tolist()]
        wide = _WIDE[points]
    total = np.concatenate([[0], np.cumsum(wide, dtype=np.int64)])
    ends = np.cumsum(lengths)
    return lengths + total[ends] - total[ends - lengths]
