"""The parcel model (one ledger row as typed facts) and row validation (contract §3).

Cells arrive in many spellings: Chinese labels or English codes for vocabularies, 是/否 or Y/N
for yes/no, four written date forms or real Excel date cells, numbers with thousands separators.
One parser per field type turns a cell into its typed value or into a Chinese message naming
what is wrong; the pydantic model `Parcel` and the ledger-wide `validate_rows` share those
parsers, so a parcel typed in a test and a parcel read from a ledger are parsed alike.

An empty cell (None, NaN, NaT, pd.NA, "" or only whitespace) always means "not known" (None),
never "no" or 0.

Row numbers (`ParcelRecord.row`) are the row as a person sees it in the file: the header is
line/row 1, so the first data row is row 2. A reader that skips fully blank rows passes the
file's own row numbers in `df.attrs["row_numbers"]`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Optional

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from . import fields
from .fields import FieldSpec, FieldType

__all__ = [
    "Parcel", "ParcelRecord", "CellError", "parse_cell", "validate_rows", "records_from_dicts",
    "error_messages", "is_empty",
]


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
    """A cell as it should be quoted back to the officer."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def _norm(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; surrounding whitespace removed."""
    return unicodedata.normalize("NFKC", text).strip()


def _parse_text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isfinite(value) and float(value).is_integer():
            return str(int(value))  # a numeric id read from Excel: 1001.0 -> "1001"
        return repr(float(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


_NUMBER_DROP = str.maketrans("", "", ", \t\u00a0\u202f\u2009")


def _to_float(value: Any) -> float:
    """A finite float from a numeric or text cell (thousands separators and spaces dropped)."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        raise CellError(f'无法识别的数值 "{_show(value)}"')
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)):
        number = float(value)
    elif isinstance(value, str):
        text = _norm(value).translate(_NUMBER_DROP)
        try:
            number = float(text)
        except ValueError:
            raise CellError(f'无法识别的数值 "{_show(value)}"') from None
    else:
        raise CellError(f'无法识别的数值 "{_show(value)}"')
    if not math.isfinite(number):
        raise CellError(f'无法识别的数值 "{_show(value)}"')
    return number


def _number_parser(positive: bool) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        if is_empty(value):
            return None
        number = _to_float(value)
        if positive and not number > 0:
            raise CellError(f"应大于 0，实为 {_show(value)}")
        if number < 0:
            raise CellError(f"应不小于 0，实为 {_show(value)}")
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


def _enum_parser(spec: FieldSpec) -> Callable[[Any], str | None]:
    lookup: dict[str, str] = {}
    for code, label in spec.vocabulary.items():
        lookup[code.lower()] = code
        lookup[_norm(label)] = code
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
    if spec.type is FieldType.TEXT:
        return lambda v: None if is_empty(v) else _parse_text(v)
    if spec.type is FieldType.NUMBER:
        return _number_parser(spec.positive)
    if spec.type is FieldType.RATIO:
        return _parse_ratio
    if spec.type is FieldType.DATE:
        return _parse_date
    if spec.type is FieldType.BOOL:
        return _parse_bool
    if spec.type is FieldType.ENUM:
        return _enum_parser(spec)
    raise AssertionError(f"no parser for {spec.type}")  # pragma: no cover


PARSERS: dict[str, Callable[[Any], Any]] = {f.name: _parser_for(f) for f in fields.FIELDS}


def parse_cell(name: str, value: Any) -> Any:
    """One cell of field `name` as its typed value (None when empty); raises CellError."""
    return PARSERS[name](value)


# Cross-field checks, shared by the model and by validate_rows.
MISSING = "缺失"
AREA_MISSING = "缺失，须填写面积（亩）或面积（平方米）"


def derive_area_mu(area_m2: float) -> float:
    """亩 from 平方米 (1 亩 = 10000/15 m²), rounded to 1e-6 亩 to drop float noise."""
    return round(area_m2 * fields.MU_PER_M2, 6)


# ---------------------------------------------------------------------------------------------
# The model.


class Parcel(BaseModel):
    """A parcel's facts, every field of `fields.FIELDS`; None means "not known".

    Construct it from raw cells in any accepted spelling, e.g.
    `Parcel(parcel_id="SL-001", area_m2="2,000", land_use="工业", supplied_on="2018年1月5日")`.
    `area_mu` is derived from `area_m2` when only the latter is given; parcel_id and one of the
    two areas are required.
    """

    model_config = ConfigDict(extra="forbid")

    parcel_id: Optional[str] = Field(default=None, validate_default=True)
    location: Optional[str] = None
    holder: Optional[str] = None
    project: Optional[str] = None
    area_mu: Optional[float] = None
    area_m2: Optional[float] = None
    land_use: Optional[str] = None
    project_source: Optional[str] = None
    approved_on: Optional[dt.date] = None
    supplied_on: Optional[dt.date] = None
    supply_method: Optional[str] = None
    construction_started_on: Optional[dt.date] = None
    agreed_start_on: Optional[dt.date] = None
    developed_ratio: Optional[float] = None
    invested_ratio: Optional[float] = None
    suspended_since: Optional[dt.date] = None
    idle_identified: Optional[bool] = None
    idle_cause: Optional[str] = None
    recovery_agreed: Optional[bool] = None
    land_status_unchanged: Optional[bool] = None
    expropriation_infeasible: Optional[bool] = None
    filed_with_province: Optional[bool] = None
    conforms_spatial_plan: Optional[bool] = None
    conforms_industry_policy: Optional[bool] = None
    operating_well: Optional[bool] = None
    contract_performance: Optional[str] = None
    output_per_mu: Optional[float] = None
    tax_per_mu: Optional[float] = None
    investment_per_mu: Optional[float] = None
    plot_ratio: Optional[float] = None
    standard_land: Optional[bool] = None
    committed_investment_per_mu: Optional[float] = None
    committed_tax_per_mu: Optional[float] = None
    committed_plot_ratio: Optional[float] = None

    @field_validator("*", mode="before")
    @classmethod
    def _parse(cls, value: Any, info: ValidationInfo) -> Any:
        try:
            parsed = PARSERS[info.field_name](value)
        except CellError as exc:
            raise PydanticCustomError("landrules_cell", "{detail}", {"detail": exc.detail}) from None
        if parsed is None and info.field_name == "parcel_id":
            raise PydanticCustomError("landrules_missing", MISSING)
        return parsed

    @model_validator(mode="after")
    def _area(self) -> "Parcel":
        if self.area_mu is None:
            if self.area_m2 is None:
                raise PydanticCustomError("landrules_area_missing", AREA_MISSING)
            self.area_mu = derive_area_mu(self.area_m2)
        return self

    def facts(self) -> dict[str, object]:
        """The known fields only, as typed values."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


# Parcel lists fields.FIELDS in order (tests/test_parcel.py checks it); a field added to the
# catalogue but not yet here is ignored by validate_rows rather than smuggled into the model.
_MODEL_FIELDS = frozenset(Parcel.model_fields)


def error_messages(exc: Exception, row: int) -> list[str]:
    """A pydantic ValidationError from `Parcel(...)` as the ledger's Chinese messages."""
    out = []
    for err in getattr(exc, "errors", lambda: [])():
        name = err["loc"][0] if err["loc"] else "area_mu"
        spec = fields.BY_NAME.get(name)
        label = spec.label() if spec else str(name)
        out.append(f"第{row}行 {label}: {err['msg']}")
    return out


# ---------------------------------------------------------------------------------------------
# Validating a ledger.


@dataclass(slots=True)
class ParcelRecord:
    """One ledger row after validation.

    `row` is the 1-based row number as a person sees it in the file: the header is row 1, so
    the first data row is row 2. `parcel` is None when the row is invalid; `errors` then holds
    one Chinese message per bad field. `extra` holds the raw cells of unknown columns, `raw` all
    raw input cells by original header (empty cells as None), for writing the input back out.
    """

    row: int
    parcel_id: str | None
    parcel: Parcel | None
    errors: list[str] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.parcel is not None


_BLANK = Parcel.model_construct()
_UNHASHABLE = object()


def _parse_column(name: str, cells: list[Any]) -> tuple[list[Any], list[str | None]]:
    """Parse one column; repeated cells (dates, 是/否, labels) are parsed once."""
    parse = PARSERS[name]
    cache: dict[Any, tuple[Any, str | None]] = {}
    values: list[Any] = []
    errors: list[str | None] = []
    for cell in cells:
        if type(cell) is str or cell is None:  # CSV cells: the text is its own key
            key: Any = cell
        else:
            key = (type(cell), cell)  # keep 1, 1.0 and True apart
            try:
                hash(key)
            except TypeError:  # an unhashable cell
                key = _UNHASHABLE
        hit = cache.get(key) if key is not _UNHASHABLE else None
        if hit is None:
            try:
                hit = (parse(cell), None)
            except CellError as exc:
                hit = (None, exc.detail)
            if key is not _UNHASHABLE:
                cache[key] = hit
        values.append(hit[0])
        errors.append(hit[1])
    return values, errors


def _raw_cell(value: Any) -> Any:
    return None if is_empty(value) else value


def validate_rows(df: pd.DataFrame, source: str) -> list[ParcelRecord]:
    """Validate every row of a ledger whose known columns already carry canonical field names.

    Returns one ParcelRecord per row, in order; nothing is dropped. `source` names the ledger
    (for callers' messages; row messages name the row, field and value).
    """
    columns = [str(c) for c in df.columns]
    headers = list(df.attrs.get("original_headers") or columns)
    if len(headers) != len(columns):
        headers = columns
    n = len(df)
    row_numbers = list(df.attrs.get("row_numbers") or range(2, n + 2))
    if len(row_numbers) != n:
        row_numbers = list(range(2, n + 2))

    cells = [df.iloc[:, i].tolist() for i in range(len(columns))]
    known = {c: i for i, c in enumerate(columns) if c in _MODEL_FIELDS}
    unknown = [i for i, c in enumerate(columns) if c not in fields.BY_NAME]

    parsed: dict[str, tuple[list[Any], list[str | None]]] = {
        name: _parse_column(name, cells[i]) for name, i in known.items()
    }
    order = [f.name for f in fields.FIELDS if f.name in parsed]  # messages in catalogue order
    labels = {f.name: f.label() for f in fields.FIELDS}
    none_column = [None] * n
    ids = parsed.get("parcel_id", (none_column, none_column))
    mu = parsed.get("area_mu", (none_column, none_column))
    m2 = parsed.get("area_m2", (none_column, none_column))

    raw_rows = [[v if type(v) is str and v.strip() else _raw_cell(v) for v in col] for col in cells]
    first_seen: dict[str, int] = {}
    records: list[ParcelRecord] = []
    blank = _BLANK  # model_copy(update=...) of an all-None parcel: values are parsed already
    for k in range(n):
        row = row_numbers[k]
        errors: list[str] = []
        values: dict[str, Any] = {}
        for name in order:
            col_values, col_errors = parsed[name]
            detail = col_errors[k]
            if detail is not None:
                errors.append(f"第{row}行 {labels[name]}: {detail}")
            else:
                value = col_values[k]
                if value is not None:
                    values[name] = value

        pid = ids[0][k]
        if pid is None:
            if ids[1][k] is None:
                errors.insert(0, f"第{row}行 {labels['parcel_id']}: {MISSING}")
        elif pid in first_seen:
            errors.insert(0, f'第{row}行 {labels["parcel_id"]}: 重复的宗地编号 "{pid}"（首次出现在第{first_seen[pid]}行）')
        else:
            first_seen[pid] = row

        if "area_mu" not in values:
            if "area_m2" in values:
                values["area_mu"] = derive_area_mu(values["area_m2"])
            elif mu[1][k] is None and m2[1][k] is None:
                errors.append(f"第{row}行 {labels['area_mu']}: {AREA_MISSING}")

        raw = {h: raw_rows[i][k] for i, h in enumerate(headers)}
        extra = {headers[i]: raw_rows[i][k] for i in unknown}
        parcel = None if errors else blank.model_copy(update=values)
        records.append(ParcelRecord(row=row, parcel_id=pid, parcel=parcel, errors=errors, extra=extra, raw=raw))
    return records


def records_from_dicts(rows: Iterable[dict[str, Any]], source: str = "<rows>") -> list[ParcelRecord]:
    """Convenience for tests and scenarios: validate rows given as dicts of field → cell."""
    return validate_rows(pd.DataFrame(list(rows), dtype=object), source)
