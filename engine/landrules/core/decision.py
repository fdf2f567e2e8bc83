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
    amount: float | None = Field(
        None, description="idle_fee only (added, wave 3): the fee in 万元, 20 % of land_price, two decimals"
    )


class Decision(BaseModel):
    parcel_id: str | None
    as_of: dt.date
    rulebook: str = Field(description="sha256 of the rulebook's files")
    categories: list[str] = Field(default_factory=list)
    outcomes: list[Outcome]
    needs: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list,
        description="facts the decision set aside or converted, in Chinese (contract §4, added)",
    )

    def to_dict(self) -> dict:
        """JSON-ready dict; an outcome's `needs` appears only on needs_information, its `amount`
        only on an idle_fee whose land price is known."""
        data = self.model_dump(mode="json")
        for outcome in data["outcomes"]:
            if outcome["needs"] is None:
                del outcome["needs"]
            if outcome["amount"] is None:
                del outcome["amount"]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @property
    def outcome_codes(self) -> list[str]:
        return [o.code for o in self.outcomes]


# The flattened record of CSV/XLSX/Parquet (contract §4): the input columns, then these.
DECISION_COLUMNS = (
    "categories", "outcome_codes", "outcome_labels", "citations",
    "deadline", "responsible", "needs", "errors", "notes",
)
EXTRA_COLUMNS = ("overdue", "as_of", "rulebook", "idle_fee_amount")  # an extension, after the contract's columns
SEP = "; "


def _join(items) -> str:
    return SEP.join(dict.fromkeys(str(i) for i in items))


def flatten(decision: Decision) -> dict[str, str]:
    """The decision as text cells, multi-valued ones joined with "; " (duplicates dropped)."""
    outcomes = decision.outcomes
    return {
        "categories": _join(decision.categories),
        "outcome_codes": _join(o.code for o in outcomes),
        "outcome_labels": _join(o.label for o in outcomes),
        "citations": _join(f"{c.doc} {c.clause}" for o in outcomes for c in o.citations),
        "deadline": _join(o.deadline.isoformat() for o in outcomes if o.deadline),
        "responsible": _join(u for o in outcomes for u in o.responsible),
        "needs": _join(decision.needs),
        "errors": _join(decision.errors),
        "notes": _join(decision.notes),
        "overdue": _join(f"{o.code}:{'是' if o.overdue else '否'}" for o in outcomes if o.overdue is not None),
        "as_of": decision.as_of.isoformat(),
        "rulebook": decision.rulebook,
        "idle_fee_amount": fee_cell(decision),
    }


def fee_cell(decision: Decision) -> str:
    """The idle_fee_amount cell: the fee's amount in 万元, two decimals ("" while unknown)."""
    return _join(f"{o.amount:.2f}" for o in decision.outcomes if o.amount is not None)
