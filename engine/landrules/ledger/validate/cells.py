"""Cell parsers, one per field type: a raw ledger cell in, its typed value (or None) out.

Cells arrive in many spellings: Chinese labels or English codes for vocabularies (and the
plan's own wording where it differs from the labels, SYNONYMS), 是/否 or Y/N for yes/no, four
written date forms or real Excel date cells, numbers with thousands separators.
A cell that cannot be read raises CellError with a Chinese reason naming the value.

An empty cell (None, NaN, NaT, pd.NA, "" or only whitespace) always means "not known" (None),
never "no" or 0.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from landrules.core import fields
from landrules.core.fields import FieldSpec, FieldType
from landrules.ledger.errors import clip
from landrules.ledger.read.limits import MAX_AREA_MU
from landrules.ledger.validate import spellings


class CellError(ValueError):
    """A cell that cannot be read as its field's type; `detail` is the Chinese reason."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


# ---------------------------------------------------------------------------------------------
# Cell parsers, one per field type. Each takes a raw cell and returns the typed value, or None
# for an empty cell, or raises CellError.


def is_empty(value: Any) -> bool:
    """True for the cells that mean "not known"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return value != value  # NaN (also numpy.float64)
    if value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, np.floating):
        return bool(np.isnan(value))
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def _show(value: Any) -> str:
    """A cell as it should be quoted back to the officer (cut and escaped to fit one line)."""
    if isinstance(value, str):
        return clip(value.strip())
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return clip(value)


def _norm(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; surrounding whitespace removed."""
    return unicodedata.normalize("NFKC", text).strip()


WHOLE_DIGITS_MAX = 1e21  # whole numbers below this are written out in digits, as a person writes an id


def float_text(value: float) -> str:
    """A number cell as text, one way for every reader and writer: a whole number in digits
    (a numeric id read from Excel: 1001.0 -> "1001", 1.2345678901234567e19 ->
    "12345678901234567168", never "1.23e+19"), anything else as Python writes it."""
    if math.isfinite(value) and value.is_integer() and abs(value) < WHOLE_DIGITS_MAX:
        return str(int(value))
    return repr(value)


# control characters (C0 with TAB, LF, CR; DEL; C1): no output carries them alike (XLSX drops
# them, JSON escapes them, CSV keeps them), so an id holding one is refused
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _parse_id(value: Any) -> str | None:
    text = None if is_empty(value) else _parse_text(value)
    if text is not None:
        bad = _CONTROL.search(text)
        if bad:
            raise CellError(f'含控制字符 {bad.group().encode("unicode_escape").decode("ascii")}（"{_show(text)}"），'
                            "不能作宗地编号；请删去该字符")
    return text


def _parse_text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return float_text(float(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


_SPACES = str.maketrans(" \t\u00a0\u202f\u2009", ",,,,,")  # inside a number: a thousands separator
# a decimal number: digits, an optional fraction, an optional exponent (no "_", no "nan"/"inf")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# thousands separators group exactly three digits: 1,234,567.5 (never 2,50 or 1,2,3)
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def number_text(text: str) -> float:
    """A number written as text: a comma (or a space) only as a thousands separator;
    ValueError for anything else ("2,50", "1 5", "1_000", "nan")."""
    text = _norm(text).translate(_SPACES)
    if "," in text:
        if not _GROUPED_NUMBER.fullmatch(text):
            raise ValueError(text)
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError(text)
    return float(text)


def _to_float(value: Any) -> float:
    """A finite float from a numeric or text cell (see `number_text` for the text forms)."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        raise CellError(f'无法识别的数值 "{_show(value)}"')
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)):
        try:
            number = float(value)
        except OverflowError:  # an int beyond float's range
            number = math.inf
    elif isinstance(value, str):
        try:
            number = number_text(value)
        except ValueError:
            if "," in value or "，" in value:
                raise CellError(f'无法识别的数值 "{_show(value)}"（千位分隔符须每三位一组，如 1,234,567.5；小数点须用 "."）') from None
            raise CellError(f'无法识别的数值 "{_show(value)}"') from None
    else:
        raise CellError(f'无法识别的数值 "{_show(value)}"')
    if not math.isfinite(number):
        raise CellError(f'无法识别的数值 "{_show(value)}"')
    return number


def number_bound(name: str) -> float:
    """The largest value a number field accepts (areas: MAX_AREA_MU; others: any finite)."""
    if name == "area_mu":
        return MAX_AREA_MU
    if name == "area_m2":
        return MAX_AREA_MU / fields.MU_PER_M2
    return math.inf


def _number_parser(positive: bool, bound: float = math.inf) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        if is_empty(value):
            return None
        number = _to_float(value)
        if positive and not number > 0:
            raise CellError(f"应大于 0，实为 {_show(value)}")
        if number < 0:
            raise CellError(f"应不小于 0，实为 {_show(value)}")
        if number > bound:
            raise CellError(f"超出合理范围（不应大于 {bound:,.0f}），实为 {_show(value)}，请检查数值和单位")
        return number

    return parse


def _parse_ratio(value: Any) -> float | None:
    if is_empty(value):
        return None
    if isinstance(value, str) and _norm(value).endswith("%"):
        number = _to_float(_norm(value)[:-1]) / 100  # "30%" -> 0.3
    else:
        number = _to_float(value)
    if not 0 <= number <= 1:
        raise CellError(f"应在 0 到 1 之间，实为 {_show(value)}")
    return number


_DATE_DASHED = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DATE_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# a date written out by a program that stringified a datetime: "2018-12-31 00:00:00"
_MIDNIGHT = re.compile(r"(.*?)(?:[ T]0?0:00(?::00(?:\.0+)?)?)")
DATE_FORMS = "2018-12-31、2018/12/31、2018.12.31 或 2018年12月31日"


# a date given only to the month (contract §3, "Officers' ledgers as they are"): 2019年7月, 2019.7, 2019-07
_MONTH_ONLY = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月(?:份)?|[-/.](\d{1,2}))")


class MonthDate(dt.date):
    """A date the ledger gives only to the month: a span of days, from this first day of the
    month to `last`. It reads as its first day wherever one day is needed; `decide.month_spans`
    decides its conditions on both ends of the span."""

    @property
    def last(self) -> dt.date:
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    def month_text(self) -> str:
        return f"{self.year}年{self.month}月"


def month_date(year: int, month: int, value: Any) -> MonthDate:
    if not 1 <= month <= 12 or year < 1:
        raise CellError(f'日期无效 "{_show(value)}"')
    return MonthDate(year, month, 1)


def _month_from_number(value: float) -> MonthDate:
    """2019.7 typed into a spreadsheet arrives as the number 2019.7: a month where that is
    unambiguous (2019.2 … 2019.9, 2019.11, 2019.12); 2019.1 may be January or October."""
    text = repr(float(value))
    m = re.fullmatch(r"(\d{4})\.(\d{1,2})", text)
    if not m or m.group(2) in ("1", "0"):
        raise CellError(f'无法识别的日期 "{_show(value)}"，应为 {DATE_FORMS} 格式（只有年月时写成 2019年7月）')
    return month_date(int(m.group(1)), int(m.group(2)), value)


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        text = _norm(value)
        if not text:
            return None
        midnight = _MIDNIGHT.fullmatch(text)
        if midnight:
            text = midnight.group(1)
        m = _DATE_DASHED.fullmatch(text)
        if m:
            y, mo, d = m.group(1), m.group(3), m.group(4)
        else:
            m = _DATE_CHINESE.fullmatch(text)
            if not m:
                month = _MONTH_ONLY.fullmatch(text)
                if month:
                    return month_date(int(month.group(1)), int(month.group(2) or month.group(3)), value)
                raise CellError(f'无法识别的日期 "{_show(value)}"，应为 {DATE_FORMS} 格式')
            y, mo, d = m.groups()
        try:
            return dt.date(int(y), int(mo), int(d))
        except ValueError:
            raise CellError(f'日期无效 "{_show(value)}"') from None
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, (float, np.floating)) and 1000 < value < 10000 and not float(value).is_integer():
        return _month_from_number(float(value))
    raise CellError(f'无法识别的日期 "{_show(value)}"，应为 {DATE_FORMS} 格式')


_TRUE = {"是", "y", "yes", "true", "1", "1.0", "t"}
_FALSE = {"否", "n", "no", "false", "0", "0.0", "f"}
BOOL_FORMS = "是/否、Y/N、yes/no、true/false 或 1/0"


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        text = _norm(value).lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    elif is_empty(value):
        return None
    elif isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value == 1)
    raise CellError(f'无法识别的是/否值 "{_show(value)}"，应为 {BOOL_FORMS}')


# Other spellings officers write for a vocabulary value: chiefly the plan's own words, where the
# contract's label differs from them (平龙政办〔2021〕36号 二、(三)2.(1) "履约情况较好", 2.(2)
# "因政府与企业互有瑕疵"). Only unambiguous ones: each maps to exactly one code.
SYNONYMS: dict[str, dict[str, str]] = {
    "contract_performance": {"较好": "good"},
    "idle_cause": {
        "政府与企业互有瑕疵": "shared_fault",
        "政府和企业互有瑕疵": "shared_fault",
        "互有瑕疵": "shared_fault",
        "因政府与企业互有瑕疵": "shared_fault",
        "政府": "government",
        "因政府原因": "government",
        "企业": "enterprise",
        "因企业原因": "enterprise",
    },
}


def _enum_parser(spec: FieldSpec) -> Callable[[Any], str | None]:
    lookup: dict[str, str] = {}
    for code, label in spec.vocabulary.items():
        lookup[code.lower()] = code
        lookup[_norm(label)] = code
    for text, code in SYNONYMS.get(spec.name, {}).items():
        assert code in spec.vocabulary, (spec.name, text, code)
        lookup.setdefault(_norm(text), code)
    expected = "/".join(spec.vocabulary.values())

    def parse(value: Any) -> str | None:
        if is_empty(value):
            return None
        if isinstance(value, str):
            text = _norm(value)
            code = lookup.get(text) or lookup.get(text.lower())
            if code is None and text.endswith("用地"):  # "工业用地" for 工业
                code = lookup.get(text[:-2])
            if code is not None:
                return code
        raise CellError(f'无法识别的值 "{_show(value)}"，应为 {expected}')

    return parse


def _parser_for(spec: FieldSpec) -> Callable[[Any], Any]:
    if spec.name == "parcel_id":
        return _parse_id
    if spec.type is FieldType.TEXT:
        return lambda v: None if is_empty(v) else _parse_text(v)
    if spec.type is FieldType.NUMBER:
        return _number_parser(spec.positive, number_bound(spec.name))
    if spec.type is FieldType.RATIO:
        return _parse_ratio
    if spec.type is FieldType.DATE:
        return _parse_date
    if spec.type is FieldType.BOOL:
        return _parse_bool
    if spec.type is FieldType.ENUM:
        return _enum_parser(spec)
    raise AssertionError(f"no parser for {spec.type}")  # pragma: no cover


# placeholders (/ 无 不详 …) and fractions (1/4) in front of every parser: ledger/spellings.py
PARSERS: dict[str, Callable[[Any], Any]] = {f.name: spellings.wrap(f, _parser_for(f)) for f in fields.FIELDS}


# A coded cell with a remark (contract §3, "Officers' ledgers as they are"): 政府原因（规划调整）,
# 是（已下发通知书）, 企业原因：资金不足 — the code first, the remark in brackets or after a colon.
_REMARK = re.compile(r"(?P<head>[^（(:：]+?)\s*(?:[（(](?P<bracketed>.*)[）)]|[:：]\s*(?P<after>.+))")
CODED = (FieldType.ENUM, FieldType.BOOL)


def split_remark(name: str, value: Any) -> tuple[Any, str] | None:
    """(typed value, remark) of a coded cell written as a code and a remark; None when the
    cell is not so written or its first part is no code either."""
    if not isinstance(value, str) or fields.BY_NAME[name].type not in CODED:
        return None
    m = _REMARK.fullmatch(_norm(value))
    if not m:
        return None
    remark = (m.group("bracketed") if m.group("bracketed") is not None else m.group("after") or "").strip()
    try:
        code = PARSERS[name](m.group("head"))
    except CellError:
        return None
    if code is None or not remark:
        return None
    return code, remark


def remark_note(name: str, code: Any, remark: str) -> str:
    """The note of a coded cell read as its code, keeping its remark."""
    spec = fields.BY_NAME[name]
    shown = ("是" if code else "否") if spec.type is FieldType.BOOL else spec.vocabulary.get(code, code)
    return f"{spec.zh} 按“{shown}”读取（备注：{_show(remark)}）"


def parse_cell(name: str, value: Any) -> Any:
    """One cell of field `name` as its typed value (None when empty); raises CellError."""
    return PARSERS[name](value)


# Cross-field checks, shared by the model and by validate_rows.
MISSING = "缺失"
AREA_MISSING = "缺失，须填写面积（亩）或面积（平方米）"


def derive_area_mu(area_m2: float) -> float:
    """亩 from 平方米 (1 亩 = 10000/15 m²), rounded to 1e-6 亩 to drop float noise."""
    return round(area_m2 * fields.MU_PER_M2, 6)


EARLIEST_AS_OF = dt.date(1900, 1, 1)  # periods are counted back from it: year 1 has no years before it
# periods are counted forward from it too, up to 200 years (rulebook/periods.py's longest
# offset): the period's end must still be a date (Python's last is 9999-12-31)
LATEST_AS_OF = dt.date(9799, 12, 31)


def evaluation_date(value: str) -> dt.date:
    """An evaluation date (`--as-of`, the API's `as_of`) in any spelling a date cell accepts
    (2021-10-01, 2021/10/01, 2021.10.1, 2021年10月1日); ValueError with the reason in Chinese."""
    try:
        when = dt.date.fromisoformat(str(value))
    except ValueError:
        try:
            when = parse_cell("approved_on", value)
        except CellError:
            when = None
    if isinstance(when, MonthDate):
        raise ValueError(f"{str(value)!r} 只有年月，评估日须写到日（如 2021-10-01）")
    if when is None:
        raise ValueError(f"{str(value)!r} 不是日期（可写 2021-10-01、2021/10/01、2021.10.01 或 2021年10月1日）")
    if when < EARLIEST_AS_OF:
        raise ValueError(f"{value} 太早：评估日应不早于 {EARLIEST_AS_OF.isoformat()}")
    if when > LATEST_AS_OF:
        raise ValueError(f"{value} 太晚：评估日应不晚于 {LATEST_AS_OF.isoformat()}（期限从评估日起算，须仍是有效日期）")
    return when
