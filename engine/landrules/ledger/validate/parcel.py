"""The parcel model (one ledger row as typed facts) and row records (contract §3).

The pydantic model `Parcel` and the ledger-wide `validate_rows` share the cell parsers of
`cells` (through `frame.parse_frame`), so a parcel typed in a test and a parcel read from a
ledger are parsed alike. An empty cell always means "not known" (None), never "no" or 0.

Row numbers (`ParcelRecord.row`) are the row as a person sees it in the file: the header is
line/row 1, so the first data row is row 2. A reader that skips fully blank rows passes the
file's own row numbers in `df.attrs["row_numbers"]`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from landrules.core import fields
from landrules.ledger.validate.cells import (
    AREA_MISSING,
    MISSING,
    PARSERS,
    CellError,
    derive_area_mu,
    is_empty,
    parse_cell,
)
from landrules.ledger.validate.prepare import prepare_chunk

__all__ = [
    "Parcel", "ParcelRecord", "CellError", "parse_cell", "validate_rows", "records_from_dicts",
    "error_messages", "is_empty",
]


# ---------------------------------------------------------------------------------------------
# The model.


class _ParcelBase(BaseModel):
    """A parcel's facts, every field of `fields.FIELDS`; None means "not known".

    Construct it from raw cells in any accepted spelling, e.g.
    `Parcel(parcel_id="SL-001", area_m2="2,000", land_use="工业", supplied_on="2018年1月5日")`.
    `area_mu` is derived from `area_m2` when only the latter is given; parcel_id and one of the
    two areas are required.
    """

    model_config = ConfigDict(extra="forbid")

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
    def _area(self) -> "_ParcelBase":
        if self.area_mu is None:
            if self.area_m2 is None:
                raise PydanticCustomError("landrules_area_missing", AREA_MISSING)
            self.area_mu = derive_area_mu(self.area_m2)
        return self

    def facts(self) -> dict[str, object]:
        """The known fields only, as typed values."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


_PYTHON_TYPES = {
    fields.FieldType.TEXT: str, fields.FieldType.ENUM: str, fields.FieldType.NUMBER: float,
    fields.FieldType.RATIO: float, fields.FieldType.DATE: dt.date, fields.FieldType.BOOL: bool,
}
# One field of the model per field of the catalogue, in its order: a field added to
# `fields.FIELDS` is a field of Parcel too.
Parcel = create_model(
    "Parcel",
    __base__=_ParcelBase,
    __module__=__name__,
    **{spec.name: (Optional[_PYTHON_TYPES[spec.type]],
                   Field(default=None, validate_default=True) if spec.name == "parcel_id" else None)
       for spec in fields.FIELDS},
)
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
    rows = list(df.attrs.get("row_numbers") or range(2, n + 2))
    if len(rows) != n:
        rows = list(range(2, n + 2))
    known = [c for c in columns if c in _MODEL_FIELDS or c == "area_ha"]  # area_ha: converted to area_mu
    parsed = prepare_chunk(df[known] if known else pd.DataFrame(index=df.index), rows, drop_totals=False,
                           reader_errors=df.attrs.get("row_errors")).parsed
    unknown = [i for i, c in enumerate(columns) if c not in fields.BY_NAME]
    raw_columns = [[None if is_empty(v) else v for v in df.iloc[:, i].tolist()] for i in range(len(columns))]
    records: list[ParcelRecord] = []
    for k in range(n):
        errors = parsed.errors.get(k, [])
        raw = {h: raw_columns[i][k] for i, h in enumerate(headers)}
        extra = {headers[i]: raw_columns[i][k] for i in unknown}
        parcel = None if errors else _BLANK.model_copy(update=parsed.facts(k))
        records.append(ParcelRecord(
            row=rows[k], parcel_id=parsed.parcel_ids[k], parcel=parcel, errors=list(errors), extra=extra, raw=raw,
        ))
    return records


def records_from_dicts(rows: Iterable[dict[str, Any]], source: str = "<rows>") -> list[ParcelRecord]:
    """Convenience for tests and scenarios: validate rows given as dicts of field → cell."""
    return validate_rows(pd.DataFrame(list(rows), dtype=object), source)
