"""The decision record (contract §4)."""

from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel, Field


class Citation(BaseModel):
    doc: str = Field(description="document number as printed, e.g. 平龙政办〔2021〕36号")
    clause: str = Field(description="clause id, e.g. 2.3.2.2 or 2.3.2.1#p2")
    text: str = Field(description="the cited clause's own text")


class Outcome(BaseModel):
    code: str
    label: str
    rule: str | None = Field(description="id of the rule that concluded it")
    citations: list[Citation] = Field(default_factory=list)
    deadline: dt.date | None = None
    overdue: bool | None = None
    responsible: list[str] = Field(default_factory=list)
    needs: list[str] | None = Field(
        None, description="needs_information only: the fields this rule lacked"
    )


class Decision(BaseModel):
    parcel_id: str | None
    as_of: dt.date
    rulebook: str = Field(description="sha256 of the rulebook's files")
    categories: list[str] = Field(default_factory=list)
    outcomes: list[Outcome]
    needs: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready dict; an outcome's `needs` appears only on needs_information."""
        data = self.model_dump(mode="json")
        for outcome in data["outcomes"]:
            if outcome["needs"] is None:
                del outcome["needs"]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @property
    def outcome_codes(self) -> list[str]:
        return [o.code for o in self.outcomes]
