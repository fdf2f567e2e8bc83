"""Total rows (合计 / 小计 / 总计) are not parcels (contract §3, "Real ledgers"); they are left out
of the decisions and counted.

A row is a total row when all three hold:

1. it has **no parcel id of its own**: its 宗地编号 cell is empty, a placeholder, a total word
   (合计, 合计（40宗）) or a count of parcels (40宗);
2. one of its **leading cells** (the first three columns, 宗地编号 among them wherever it
   stands) reads a total word: 合计, 小计, 总计, 共计, 总合计, spaced (合 计), with a colon or a
   bracketed remark (合计：, 合计（40宗）);
3. every **other filled cell is a figure** (a sum or a count: 3.5, 1,234.5, 25%, 40宗, 12亩)
   or a placeholder.

So a real parcel whose 坐落 reads 合计 (it has an id) is a parcel, and a row without an id
that holds text besides the total word (a company, a use) is a parcel row missing its id — an
invalid record that the officer sees, never dropped silently.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landrules.ledger.arrow_buffers import data_bytes, offsets, one_string_array, validity
from landrules.ledger.validate.cells import is_empty, number_text
from landrules.ledger.validate.spellings import PLACEHOLDERS, is_placeholder

LEADING = 3
_TOTAL = re.compile(r"(?:总合计|合计|小计|总计|共计)(?:[:(（：].*)?")
_COUNT = re.compile(r"共?\d+宗")  # a count of parcels where an id would stand
_FIGURE = re.compile(r"(.*?)(?:宗|亩|公顷|平方米|m2|㎡|万元|元|%)?")  # a number, maybe with its unit

_FIRST_CHARS = {"合", "小", "总", "共"}
_BLANK_IDS = {"", " ", *PLACEHOLDERS, "合计", "小计", "总计", "合 计", "小 计", "总 计", "合计：", "合计:", "总合计", "共计"}


def _text(value) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split())


def is_total_word(value) -> bool:
    """A cell reading 合计, 小计, 总计 (spaced, with a colon or a bracketed remark)."""
    return isinstance(value, str) and bool(_TOTAL.fullmatch(_text(value)))


def _is_figure(value) -> bool:
    """A filled cell a total row may hold besides its total word: a number (a sum, a count)."""
    if is_empty(value) or is_placeholder(value):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    if not isinstance(value, str):
        return False
    text = _FIGURE.fullmatch(_text(value)).group(1)
    try:
        number_text(text)
    except ValueError:
        return False
    return True


def _no_id_of_its_own(value) -> bool:
    if is_empty(value) or is_placeholder(value) or is_total_word(value):
        return True
    return isinstance(value, str) and bool(_COUNT.fullmatch(_text(value)))


def _begins_like_total(ids: pd.Series) -> pd.Series:
    """Which ids may be a total word or a count (so need a closer look): those beginning (after
    leading spaces) with the first character of a total word, and those holding 宗. Looked at
    column-wise; only ids that begin with a space or are not text are looked at one by one."""
    arrow = isinstance(ids.dtype, pd.StringDtype) and ids.dtype.storage == "pyarrow"
    if arrow:
        text = ids
    else:  # ids of any type (a Parquet int64 column, Excel numbers): only text can read like a total
        text = ids.astype(object)
        text = text.where(text.map(lambda v: isinstance(v, str)).astype(bool), None)
        if text.isna().all():
            return pd.Series(np.zeros(len(ids), dtype=bool), index=ids.index)
    first = text.str[:1]
    named = first.isin(_FIRST_CHARS).to_numpy(dtype=bool, copy=True)
    named |= text.str.contains("宗", regex=False).fillna(False).to_numpy(dtype=bool)
    odd = first.isna().to_numpy() | first.fillna("").str.isspace().to_numpy(dtype=bool)
    for i in np.flatnonzero(odd):
        v = ids.iat[int(i)]
        named[i] = isinstance(v, str) and (v.lstrip()[:1] in _FIRST_CHARS or "宗" in v)
    return pd.Series(named, index=ids.index)


def is_total_row(cells: list, id_at: int | None) -> bool:
    """Whether one row (its cells in column order; the 宗地编号 cell at `id_at`) is a total row."""
    if id_at is not None and not _no_id_of_its_own(cells[id_at]):
        return False
    words = [j for j in range(min(LEADING, len(cells))) if is_total_word(cells[j])]
    if not words:
        return False
    return all(_is_figure(v) for j, v in enumerate(cells) if j not in words and j != id_at)


def total_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of `frame` that are total rows (see the module docstring).

    Only rows without an id of their own (empty, a placeholder, or beginning like a total word
    or a count) are looked at cell by cell, so a long ledger costs no regex per row."""
    mask = np.zeros(len(frame), dtype=bool)
    if not len(frame):
        return mask
    id_at = frame.columns.get_loc("parcel_id") if "parcel_id" in frame.columns else None
    if id_at is not None and isinstance(id_at, int):
        ids = frame.iloc[:, id_at]
        blank = ids.isna().to_numpy() | ids.isin(_BLANK_IDS).to_numpy()
        texts = ids[~blank]
        named = _begins_like_total(texts)
        blank[np.flatnonzero(~blank)[named.to_numpy(dtype=bool)]] = True
        candidates = np.flatnonzero(blank)
    else:
        id_at = None
        candidates = np.arange(len(frame))
    for i in candidates:
        mask[i] = is_total_row(frame.iloc[int(i)].tolist(), id_at)
    return mask


# Footer rows (contract §3, "Officers' ledgers as they are"): the lines an office writes below its
# parcels — who filled the form in and who checked it, the date, a telephone, notes on filling it
# in. A leading cell that begins with one of these words, followed by a colon, a space or nothing.
FOOTER_WORDS = ("填表人", "填报人", "制表人", "审核人", "审批人", "负责人", "单位负责人", "分管领导", "经办人",
                "制表日期", "填表日期", "填报日期", "制表时间", "填报时间", "联系电话", "联系人", "电话",
                "填报说明", "填表说明", "说明", "备注", "注")
_FOOTER = re.compile("(?:" + "|".join(sorted(FOOTER_WORDS, key=len, reverse=True)) + r")(?:\s*[:：].*|\s+\S.*|\s*)")
_NEEDS_COLON = {"说明", "备注", "注", "电话", "联系人"}  # short words: a footer only when a colon follows
_FOOTER_FIRST = {w[0] for w in FOOTER_WORDS}


def _is_footer(value) -> bool:
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).strip()
    if not text or text[0] not in _FOOTER_FIRST or not _FOOTER.fullmatch(text):
        return False
    word = next(w for w in sorted(FOOTER_WORDS, key=len, reverse=True) if text.startswith(w))
    rest = text[len(word):].lstrip()
    return not (word in _NEEDS_COLON and not rest.startswith(":"))


# what str.strip() takes away (the characters whose isspace() is true), for Arrow's regex
STRIPPED = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_FOOTER_START = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in STRIPPED) + "]*[" + "".join(sorted(_FOOTER_FIRST)) + "]"


# each footer word's first character as the 24-bit number of its three UTF-8 bytes
_FOOTER_CODES = np.array(sorted(int.from_bytes(c.encode(), "big") for c in _FOOTER_FIRST), dtype=np.int64)
assert all(len(c.encode()) == 3 for c in _FOOTER_FIRST)
_SPACE_LEAD = np.zeros(256, dtype=bool)  # a first byte that may begin a character of STRIPPED
_SPACE_LEAD[[c.encode()[0] for c in STRIPPED]] = True


def _maybe_footers(column: pd.Series) -> np.ndarray | None:
    """Positions of the cells whose first character after white space begins a footer word
    (None: no text in the column). An Arrow column is looked at by its bytes: a cell whose
    first three bytes are a footer word's first character is one; Arrow's regex looks only at
    the cells whose first byte may begin white space."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        arr = one_string_array(column.array._pa_array)
        data = data_bytes(arr)
        if not len(data):  # every cell empty (or null)
            return np.zeros(0, dtype=np.int64)
        bounds = offsets(arr).astype(np.int64)
        starts, lengths = bounds[:-1] - bounds[0], np.diff(bounds)
        first = np.take(data, starts, mode="clip").astype(np.int64)  # (the clip: an empty cell's is never read)
        code = (first << 16) | (np.take(data, starts + 1, mode="clip").astype(np.int64) << 8) | np.take(data, starts + 2, mode="clip")
        valid = validity(arr)
        if valid is not None:  # a null cell is no footer, whatever its slot holds
            lengths = np.where(valid, lengths, 0)
        found = (lengths >= 3) & np.isin(code, _FOOTER_CODES)
        spaced = np.flatnonzero((lengths > 0) & _SPACE_LEAD[first] & ~found)
        if len(spaced):
            matched = pc.match_substring_regex(arr.take(pa.array(spaced)), _FOOTER_START)
            found[spaced[matched.fill_null(False).to_numpy(zero_copy_only=False)]] = True
        return np.flatnonzero(found)
    try:
        first = column.astype(object).str.strip().str[:1]
    except AttributeError:  # no text in the column
        return None
    return np.flatnonzero(first.isin(_FOOTER_FIRST).to_numpy(dtype=bool))


def footer_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of `frame` whose leading cells (the first three columns) begin with a
    footer word: 填表人：…, 审核人：…, 制表日期：…, 联系电话：…, 填报说明：…. The first character of
    each leading cell is looked at column-wise; only cells that begin like a footer word are
    matched one by one, so a long ledger costs no regex per row in Python."""
    mask = np.zeros(len(frame), dtype=bool)
    for j in range(min(LEADING, frame.shape[1])):
        column = frame.iloc[:, j]
        maybe = _maybe_footers(column)
        if maybe is None:
            continue
        for i in maybe.tolist():
            if not mask[i] and _is_footer(column.iat[i]):
                mask[i] = True
    return mask
