"""Parameters: thresholds with a description, unit, citation and dated values (OpenFisca-style)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DatedValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    since: dt.date = Field(alias="from", description="the date this value takes effect")
    value: float | dt.date


class Parameter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    unit: str = Field(description="e.g. 万元/亩, 比例, 日期")
    cites: list[str] = Field(min_length=1, description='clauses it rests on, "DOC CLAUSE"')
    provisional: bool = Field(
        False, description="a default awaiting the district's own figure (二、(二)1.)"
    )
    note: str | None = None
    values: list[DatedValue] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _ascending(cls, values: list[DatedValue]) -> list[DatedValue]:
        dates = [v.since for v in values]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("values must be listed by strictly increasing `from` date")
        return values

    def value_at(self, when: dt.date) -> DatedValue | None:
        """The value in force on `when`, or None before the first value takes effect."""
        current = None
        for dated in self.values:
            if dated.since <= when:
                current = dated
        return current
