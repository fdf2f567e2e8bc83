"""Fast paths of the cell parsers over whole arrays of distinct cell values, in C.

`frame.parse_frame` factorises a column and parses each distinct value once. Most distinct
values of a large ledger are spelled the plain way — `2018-12-31`, `38.25`, `SL-0001` — and those
are read here with pyarrow.compute and numpy, without a Python object per value; every value
the fast path is not sure of (full-width digits, surrounding spaces, placeholders, units,
impossible dates, anything unusual) is left to the cell parser of `cells.py`, which also words
the error. A fast path accepts only spellings on which it gives the cell parser's own result,
so the outcome is the same value for value (tests/test_columns.py checks that with hypothesis).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landrules.core.fields import FieldSpec, FieldType
from landrules.ledger.arrow_buffers import data_bytes, offsets
from landrules.ledger.validate.cells import number_bound
from landrules.ledger.validate.spellings import PLACEHOLDER_LENGTH, is_placeholder

# the written date forms of contract §3, ASCII digits only (anything else: the cell parser):
# 2018-12-31, 2018/12/31, 2018.12.31, 2018年12月31日 (months and days of one or two digits)
_DATE_FORM = r"^[0-9]{4}(?:-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}|\.[0-9]{1,2}\.[0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日)$"
# a plain decimal number, ASCII, no sign, no separators, no exponent
_NUMBER = r"^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
# text that is its own value: no control character (cells.py refuses them in ids) and nothing
# str.strip() would take off its ends (Python's white space: ASCII and control ones, NBSP, the
# Ogham space, U+2000–U+200A, the line and paragraph separators, U+202F, U+205F, U+3000)
_TEXT_END = r"[^ \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x00-\x1f\x7f-\x9f]"
_PLAIN_TEXT = rf"^{_TEXT_END}(?:[^\x00-\x1f\x7f-\x9f]*{_TEXT_END})?$"
_EPOCH = np.datetime64("0001-01-01", "D")
FAST_MIN = 64  # below this many distinct values the cell parser is as fast


def factorize(series: pd.Series) -> tuple[np.ndarray, pa.Array | np.ndarray]:
    """(codes, distinct values) of a column; code -1 for a null cell.

    An Arrow-backed text column is dictionary-encoded in Arrow (its distinct values stay an
    Arrow string array); any other column is factorised by pandas over its Python objects."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        encoded = pc.dictionary_encode(pa.array(series.array))
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, encoded.dictionary
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def narrow_codes(codes: np.ndarray, count: int) -> pa.Array:
    """Codes into `count` distinct values (-1: none) as an Arrow integer array, null where -1,
    of the narrowest type that holds them: the indices of a dictionary over those values."""
    dtype = np.int8 if count <= np.iinfo(np.int8).max else np.int16 if count <= np.iinfo(np.int16).max else np.int32
    missing = codes < 0
    return pa.array(codes.astype(dtype), mask=missing if missing.any() else None)


def python_values(uniques: pa.Array | np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The distinct values at `positions` as Python objects."""
    if isinstance(uniques, np.ndarray):
        return uniques[positions]
    return np.asarray(uniques.take(pa.array(positions, type=pa.int64())).to_pylist(), dtype=object)


def _strings(uniques: pa.Array | np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """The text values among `uniques` as an Arrow array, and their positions."""
    if not isinstance(uniques, np.ndarray):
        return uniques, np.arange(len(uniques))
    where = np.flatnonzero(np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques)))
    return pa.array(uniques[where].tolist(), type=pa.string()), where


def _mask(arr: pa.Array) -> np.ndarray:
    return arr.fill_null(False).to_numpy(zero_copy_only=False)


def fast_dates(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(read, ordinals): which values are plain dates, and their proleptic ordinals."""
    n = len(text)
    ordinals = np.full(n, np.nan)
    if not n:
        return np.zeros(0, dtype=bool), ordinals
    form = _mask(pc.match_substring_regex(text, _DATE_FORM))
    where = np.flatnonzero(form)
    if not len(where):
        return form, ordinals
    y, m, d = _date_parts(text.take(pa.array(where)))
    month = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    valid = (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= length)
    days = (first - _EPOCH).astype(np.int64) + d  # toordinal(): 0001-01-01 is day 1
    read = np.zeros(n, dtype=bool)
    read[where[valid]] = True
    ordinals[where[valid]] = days[valid].astype(float)
    return read, ordinals


def _date_parts(dates: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of cells spelled as _DATE_FORM, read off their bytes: four digits, a
    separator (one byte, or 年: three), one or two digits, a separator (one byte, or 月), one or
    two digits, and 日 (three bytes) after the day where 年 came first."""
    bounds = offsets(dates).astype(np.int64)
    bounds -= bounds[0]  # data_bytes starts at the first cell
    starts, ends = bounds[:-1], bounds[1:]
    raw = data_bytes(dates)
    digit = raw.astype(np.int64) - ord("0")
    multi = raw >= 0x80  # a byte of 年, 月 or 日
    y = digit[starts] * 1000 + digit[starts + 1] * 100 + digit[starts + 2] * 10 + digit[starts + 3]
    at = starts + 4
    at += np.where(multi[at], 3, 1)
    two = (raw[at + 1] >= ord("0")) & (raw[at + 1] <= ord("9"))  # a separator follows the month
    m = np.where(two, digit[at] * 10 + digit[at + 1], digit[at])
    at += 1 + two
    at += np.where(multi[at], 3, 1)
    last = ends - np.where(multi[ends - 1], 3, 0)  # the day ends before 日
    second = np.minimum(at + 1, len(raw) - 1)  # (read only where the day has two digits)
    d = np.where(last - at == 2, digit[at] * 10 + digit[second], digit[at])
    return y, m, d


def fast_numbers(text: pa.Array, spec: FieldSpec) -> tuple[np.ndarray, np.ndarray]:
    """(read, numbers): which values are plain numbers within the field's range, and them."""
    n = len(text)
    numbers = np.full(n, np.nan)
    plain = _mask(pc.match_substring_regex(text, _NUMBER)) if n else np.zeros(0, dtype=bool)
    where = np.flatnonzero(plain)
    if not len(where):
        return plain, numbers
    values = text.take(pa.array(where)).cast(pa.float64()).to_numpy()
    if spec.type is FieldType.RATIO:
        ok = (values >= 0) & (values <= 1)
    elif spec.positive:
        ok = values > 0
    else:
        ok = values >= 0
    if spec.type is FieldType.NUMBER:
        ok &= values <= number_bound(spec.name)
    ok &= np.isfinite(values)
    read = np.zeros(n, dtype=bool)
    read[where[ok]] = True
    numbers[where[ok]] = values[ok]
    return read, numbers


def fast_text(text: pa.Array) -> np.ndarray:
    """Which values are their own text value: nothing to strip, no control character, and no
    placeholder for "not known" (/ 无 不详 …: short, so only the short ones are looked at, by
    the function every parser uses)."""
    if not len(text):
        return np.zeros(0, dtype=bool)
    plain = _mask(pc.match_substring_regex(text, _PLAIN_TEXT))
    short = np.flatnonzero(plain & (pc.utf8_length(text).to_numpy(zero_copy_only=False) <= PLACEHOLDER_LENGTH))
    if len(short):
        values = text.take(pa.array(short)).to_pylist()
        plain[short[[is_placeholder(v) for v in values]]] = False
    return plain


def fast_parse(spec: FieldSpec, uniques: pa.Array | np.ndarray, out: np.ndarray) -> np.ndarray:
    """Fill `out` (encoded values, aligned with `uniques`) where a fast path reads the value;
    return the positions still to be read by the cell parser."""
    kind = spec.type
    if kind not in (FieldType.DATE, FieldType.NUMBER, FieldType.RATIO, FieldType.TEXT) or len(uniques) < FAST_MIN:
        return np.arange(len(uniques))
    text, where = _strings(uniques)
    if kind is FieldType.DATE:
        read, values = fast_dates(text)
    elif kind is FieldType.TEXT:
        read = fast_text(text)
        values = text.filter(pa.array(read)).to_pylist()
    else:
        read, values = fast_numbers(text, spec)
    done = where[read]
    out[done] = values if kind is FieldType.TEXT else values[read]
    left = np.ones(len(uniques), dtype=bool)
    left[done] = False
    return np.flatnonzero(left)
