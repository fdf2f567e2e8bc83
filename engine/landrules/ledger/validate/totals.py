"""Total rows (合计 / 小计 / 总计) are not parcels (contract §3, "Real ledgers"): a row whose
leading cells (the first three columns) read one of those words is left out of the decisions
and counted (a longer form such as 合计（40宗） where it stands in the 宗地编号 cell or that
cell is empty)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from landrules.ledger.validate.spellings import PLACEHOLDERS

LEADING = 3
_TOTAL = re.compile(r"(?:总合计|合计|小计|总计|共计)(?:[:(（：].*)?")


_TOTAL_FORMS = {"合计", "小计", "总计", "合 计", "小 计", "总 计", "合计：", "合计:", "总合计", "共计", "合计（亩）"}
_FIRST_CHARS = {"合", "小", "总", "共"}
_BLANK_IDS = {"", " ", *PLACEHOLDERS, "合计", "小计", "总计", "合 计", "小 计", "总 计", "合计：", "合计:", "总合计", "共计"}


def _is_total(value) -> bool:
    if not isinstance(value, str):
        return False
    text = "".join(unicodedata.normalize("NFKC", value).split())
    return bool(_TOTAL.fullmatch(text))


def _begins_like_total(ids: pd.Series) -> pd.Series:
    """Which ids begin (after leading spaces) with the first character of a total word: the
    first character is looked at column-wise; only ids that begin with a space or are not text
    are looked at one by one."""
    arrow = isinstance(ids.dtype, pd.StringDtype) and ids.dtype.storage == "pyarrow"
    first = (ids if arrow else ids.astype(object)).str[:1]
    named = first.isin(_FIRST_CHARS).to_numpy(dtype=bool, copy=True)
    odd = first.isna().to_numpy() | first.fillna("").str.isspace().to_numpy(dtype=bool)
    for i in np.flatnonzero(odd):
        v = ids.iat[int(i)]
        named[i] = isinstance(v, str) and v.lstrip()[:1] in _FIRST_CHARS
    return pd.Series(named, index=ids.index)


def total_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of `frame` whose leading cells read 合计, 小计 or 总计.

    The usual spellings are found by a hash lookup in the leading columns; other forms
    (合计（40宗）) only on rows without a parcel id of their own (宗地编号 empty, a placeholder
    or beginning like a total word), so a long ledger costs no regex per row."""
    mask = np.zeros(len(frame), dtype=bool)
    if not len(frame):
        return mask
    if "parcel_id" in frame.columns:
        ids = frame["parcel_id"]
        blank = ids.isna().to_numpy() | ids.isin(_BLANK_IDS).to_numpy()
        texts = ids[~blank]
        named = _begins_like_total(texts)
        blank[np.flatnonzero(~blank)[named.to_numpy(dtype=bool)]] = True
        candidates = np.flatnonzero(blank)
    else:
        candidates = np.arange(len(frame))
    leading = min(LEADING, frame.shape[1])
    for j in range(leading):  # the usual spellings anywhere in the leading cells, whatever the id says
        mask |= frame.iloc[:, j].isin(_TOTAL_FORMS).to_numpy()
    for i in candidates:
        if any(_is_total(frame.iat[int(i), j]) for j in range(leading)):
            mask[i] = True
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


def footer_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of `frame` whose leading cells (the first three columns) begin with a
    footer word: 填表人：…, 审核人：…, 制表日期：…, 联系电话：…, 填报说明：…. The first character of
    each leading cell is looked at column-wise; only cells that begin like a footer word are
    matched one by one, so a long ledger costs no regex per row."""
    mask = np.zeros(len(frame), dtype=bool)
    for j in range(min(LEADING, frame.shape[1])):
        column = frame.iloc[:, j]
        try:
            first = column.astype(object).str.strip().str[:1]
        except AttributeError:  # no text in the column
            continue
        maybe = np.flatnonzero(first.isin(_FOOTER_FIRST).to_numpy(dtype=bool))
        for i in maybe.tolist():
            if not mask[i] and _is_footer(column.iat[i]):
                mask[i] = True
    return mask
