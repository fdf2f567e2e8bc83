"""The JSON decision API (contract §2): POST /api/decide, POST /api/explain, GET /api/rulebook.

The answers are the records `decide` writes (contract §4) and the trace `explain --json`
prints, made by the same code; OpenAPI at /openapi.json, its pages at /docs (served offline).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from landrules.decision import Decision
from landrules.ledger.errors import LedgerError
from landrules.web.records import decide_parcels, explain_parcels

router = APIRouter(prefix="/api", tags=["决策 API"])

EXAMPLE = {"parcel_id": "SL-017", "supplied_on": "2018-01-15", "supply_method": "出让", "land_use": "工业",
           "agreed_start_on": "2019-06-30", "idle_cause": "企业原因", "area_mu": 30}


class DecideRequest(BaseModel):
    as_of: dt.date | None = Field(None, description="评估日 YYYY-MM-DD（默认今天）")
    parcels: list[dict[str, Any]] = Field(
        description="宗地，每宗一个对象：键为字段英文名或中文表头（契约 §3），值如台账单元格",
        json_schema_extra={"example": [EXAMPLE]},
    )


class DecideResponse(BaseModel):
    decisions: list[Decision] = Field(description="每宗一条决策记录（契约 §4），顺序同请求")


class ExplainRequest(BaseModel):
    as_of: dt.date | None = Field(None, description="评估日 YYYY-MM-DD（默认今天）")
    parcel: dict[str, Any] = Field(description="一宗地（同 /api/decide 的 parcels 之一）",
                                   json_schema_extra={"example": EXAMPLE})


class ErrorResponse(BaseModel):
    error: str


def _bad(exc: LedgerError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=422)


@router.post("/decide", response_model=DecideResponse, responses={422: {"model": ErrorResponse}},
             summary="逐宗决策 / decide parcels")
def decide(body: DecideRequest, request: Request):
    """每宗地的决策（与 `landrules decide` 相同）。An invalid parcel is kept, with `errors` naming
    its position in the request (第 n 行 = the n-th parcel), as `decide` keeps invalid rows."""
    rulebook = request.app.state.rulebook
    try:
        records = decide_parcels(rulebook, body.as_of or dt.date.today(), body.parcels)
    except LedgerError as exc:
        return _bad(exc)
    return JSONResponse({"decisions": records})


@router.post("/explain", responses={422: {"model": ErrorResponse}}, summary="一宗地的决策与追踪 / explain a parcel")
def explain(body: ExplainRequest, request: Request):
    """`landrules explain --json` for one parcel: the decision and every rule tried, each condition
    with the parcel's value and its result."""
    rulebook = request.app.state.rulebook
    try:
        decision, trace = explain_parcels(rulebook, body.as_of or dt.date.today(), body.parcel)
    except LedgerError as exc:
        return _bad(exc)
    return JSONResponse({"decision": decision.to_dict(), "trace": trace})


@router.get("/rulebook", summary="规则库 / the rulebook")
def rulebook(request: Request):
    """The rulebook's hash, its policy documents (clause trees) and its rules."""
    rb = request.app.state.rulebook
    return {
        "hash": rb.hash,
        "documents": [d.model_dump(mode="json", exclude_none=True) for d in rb.policy.documents],
        "rules": [
            {"id": r.id, "title": r.title, "cites": [f"{c.doc} {c.clause}" for c in r.cites],
             **({"category": r.category} if r.category else {"outcome": r.outcome}),
             "deadline": r.deadline.isoformat() if r.deadline else None, "responsible": list(r.responsible),
             "source": f"{Path(r.path).name}:{r.line}"}
            for r in rb.rules
        ],
        "parameters": {
            pid: {"description": p.description, "unit": p.unit, "cites": list(p.cites), "provisional": p.provisional,
                  "values": [v.model_dump(mode="json", by_alias=True, exclude_none=True) for v in p.values]}
            for pid, p in rb.parameters.items()
        },
        "categories": rb.categories,
        "outcomes": rb.outcomes,
    }
