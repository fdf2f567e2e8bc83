"""Total rows (合计 / 小计 / 总计) are not parcels (contract §3, "Real ledgers"): a row whose
leading cells (the first three columns) read one of those words is left out of the decisions
and counted."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

TOTAL_WORDS = ("合计", "小计", "总计")
LEADING = 3
_TOTAL = re.compile(r"(?:总合计|合计|小计|总计|共计)(?:[:(（：].*)?")


def _is_total(value) -> bool:
    if not isinstance(value, str):
        return False
    text = "".join(unicodedata.normalize("NFKC", value).split())
    return bool(_TOTAL.fullmatch(text))


def total_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of `frame` whose leading cells read 合计, 小计 or 总计."""
    mask = np.zeros(len(frame), dtype=bool)
    for j in range(min(LEADING, frame.shape[1])):
        codes, uniques = pd.factorize(frame.iloc[:, j].astype(object), use_na_sentinel=True)
        hits = [k for k, u in enumerate(uniques) if _is_total(u)]
        if hits:
            mask |= np.isin(codes, hits)
    return mask
