"""Date offsets from the evaluation date (`as_of: -1y`), counted by 民法典 第二百零二条.

One function, `offset_date`, gives the date an offset names; the condition resolver (and so
both backends, durable and vectorised, and `explain`) and lint's satisfiability check all use it.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta

from landrules.rulebook.messages import say

OFFSET_RE = re.compile(r"^([+-]?\d+)\s*([ymd])$")


def parse_offset(text: str) -> relativedelta:
    match = OFFSET_RE.match(str(text).strip())
    if not match:
        raise ValueError(say("offset_form", offset=text))
    n, unit = int(match.group(1)), match.group(2)
    if abs(n) > {"y": 200, "m": 2400, "d": 73000}[unit]:  # beyond any date an engine can hold
        raise ValueError(say("offset_far", offset=text))
    return relativedelta(**{{"y": "years", "m": "months", "d": "days"}[unit]: n})


_UNITS_ZH = {"y": "年", "m": "个月", "d": "天"}


def offset_words(text: str) -> str:
    """An `as_of:` offset in words: -1y -> 前推1年, +6m -> 后推6个月, 0d -> "" (the day itself)."""
    match = OFFSET_RE.match(str(text).strip())
    if not match:
        return str(text)
    n, unit = int(match.group(1)), match.group(2)
    return f"{'前推' if n < 0 else '后推'}{abs(n)}{_UNITS_ZH[unit]}" if n else ""


def offset_date(as_of: dt.date, offset: str) -> dt.date:
    """The date an `as_of:` offset names, by 民法典 第二百零二条 (one function for every backend).

    A period counted in years or months ends on the corresponding day of the last month, or on
    that month's last day where there is none (a year from 2020-02-29 ends on 2021-02-28), and a
    period that ends on the evaluation date is full. So a negative offset (`-1y`) names the
    latest start date whose period of that length is full on `as_of`: `field le as_of: -1y`
    holds exactly when a year counted from the field's date has run by `as_of` (on 2021-02-28,
    -1y is 2020-02-29). A positive offset (`+6m`) names the last day of a period of that length
    counted from `as_of`.
    """
    delta = parse_offset(offset)
    shifted = as_of + delta
    if shifted >= as_of:
        return shifted
    one = dt.timedelta(days=1)
    while shifted + one - delta <= as_of:  # later start dates whose period has also run
        shifted += one
    return shifted
