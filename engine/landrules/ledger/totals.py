"""Total rows (合计 / 小计 / 总计) are not parcels (contract §3, "Real ledgers"): a row whose
leading cells (the first three columns) read one of those words, and whose 宗地编号 is empty,
a placeholder or that word, is left out of the decisions and counted."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from landrules.ledger.spellings import PLACEHOLDERS

TOTAL_WORDS = ("合计", "小计", "总计")
LEADING = 3
_TOTAL = re.compile(r"(?:总合计|合计|小计|总计|共计)(?:[:(（：].*)?")


_BLANK_IDS = {"", " ", *PLACEHOLDERS, "合计", "小计", "总计", "合 计", "小 计", "总 计", "合计：", "合计:", "总合计", "共计"}


def _is_total(value) -> bool:
    if not isinstance(value, str):
        return False
    text = "".join(unicodedata.normalize("NFKC", value).split())
    return bool(_TOTAL.fullmatch(text))


def total_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of `frame` whose leading cells read 合计, 小计 or 总计.

    A total row has no parcel id of its own (its 宗地编号 cell is empty, a placeholder, or the
    total word itself): only those rows are looked at, so a long ledger costs a hash lookup."""
    mask = np.zeros(len(frame), dtype=bool)
    if not len(frame):
        return mask
    if "parcel_id" in frame.columns:
        ids = frame["parcel_id"]
        blank = ids.isna().to_numpy() | ids.isin(_BLANK_IDS).to_numpy()
        candidates = np.flatnonzero(blank)
    else:
        candidates = np.arange(len(frame))
    leading = min(LEADING, frame.shape[1])
    for i in candidates:
        if any(_is_total(frame.iat[int(i), j]) for j in range(leading)):
            mask[i] = True
    return mask
