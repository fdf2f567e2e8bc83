"""The JSON decision API (contract §2): POST /api/decide, POST /api/explain, GET /api/rulebook.

The answers are the records `decide` writes (contract §4) and the trace `explain --json`
prints, made by the same code; OpenAPI at /openapi.json, its pages at /docs (served offline).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request, Security
from fastapi.security import HTTPBearer
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field, model_validator

from landrules.core.decision import Decision
from landrules.ledger.errors import LedgerError
from landrules.web.access.roles import need
from landrules.web.records import decide_parcels, explain_parcels, unknown_keys

# declared so that /docs offers 「Authorize」 for a token; web/access/identity.py checks it
BEARER = HTTPBearer(auto_error=False, scheme_name="接口令牌",
                    description="landrules users token 账户名 签发的令牌；未建立账户时（仅本机）无须令牌")
router = APIRouter(prefix="/api", tags=["决策 API"], dependencies=[Security(BEARER)])

EXAMPLE = {"parcel_id": "SL-017", "supplied_on": "2018-01-15", "supply_method": "出让", "land_use": "工业",
           "agreed_start_on": "2019-06-30", "idle_cause": "企业原因", "area_mu": 30}


def _as_of(value: Any) -> Any:
    """The evaluation date in any spelling a date cell accepts (as `--as-of`): 2021-10-01,
    2021/10/01, 2021.10.1, 2021年10月1日."""
    if value is None or isinstance(value, dt.date):
        return value
    from landrules.ledger.validate.cells import evaluation_date

    try:
        return evaluation_date(value)
    except ValueError as exc:
        raise ValueError(f"评估日 {exc}") from None


AsOf = Annotated[dt.date | None, BeforeValidator(_as_of), Field(description="评估日（默认今天），写法同台账日期")]


class StrictRequest(BaseModel):
    """A request body whose top-level keys are exactly the model's: an unknown key (`asOf`,
    `评估日`) is refused naming it and the accepted spellings, never ignored (the parcels would
    otherwise be decided as of today without a word)."""

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = [k for k in data if k not in cls.model_fields]
            if unknown:
                accepted = "、".join(f"{name}（{field.title}）" if field.title else name for name, field in cls.model_fields.items())
                named = "、".join(repr(str(k)) for k in unknown)
                raise ValueError(f"不认识的键 {named}；可用的键（须照此拼写）: {accepted}")
        return data


class DecideRequest(StrictRequest):
    as_of: AsOf = Field(None, title="评估日", description="评估日（默认今天），写法同台账日期")
    parcels: list[dict[str, Any]] = Field(
        title="宗地列表",
        description="宗地，每宗一个对象：键为字段英文名或中文表头（契约 §3），值如台账单元格",
        json_schema_extra={"example": [EXAMPLE]},
    )


class DecideResponse(BaseModel):
    decisions: list[Decision] = Field(description="每宗一条决策记录（契约 §4），顺序同请求")
    warnings: list[str] = Field(default_factory=list, description="未参与决策的键（不是台账字段）等提示")


class ExplainRequest(StrictRequest):
    as_of: AsOf = Field(None, title="评估日", description="评估日（默认今天），写法同台账日期")
    parcel: dict[str, Any] = Field(title="一宗地", description="一宗地（同 /api/decide 的 parcels 之一）",
                                   json_schema_extra={"example": EXAMPLE})


class ErrorResponse(BaseModel):
    error: str


def _bad(exc: LedgerError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=422)


@router.post("/decide", response_model=DecideResponse, responses={422: {"model": ErrorResponse}},
             summary="逐宗决策 / decide parcels", dependencies=[need("填报")])
def decide(body: DecideRequest, request: Request):
    """每宗地的决策（与 `landrules decide` 相同）。An invalid parcel is kept, with `errors` naming
    its position in the request (第 n 行 = the n-th parcel), as `decide` keeps invalid rows."""
    rulebook = request.app.state.rulebook
    try:
        records = decide_parcels(rulebook, body.as_of or dt.date.today(), body.parcels)
        warnings = unknown_keys(body.parcels) if body.parcels else []
    except LedgerError as exc:
        return _bad(exc)
    return JSONResponse({"decisions": records, "warnings": warnings})


@router.post("/explain", responses={422: {"model": ErrorResponse}}, summary="一宗地的决策与追踪 / explain a parcel",
             dependencies=[need("填报")])
def explain(body: ExplainRequest, request: Request):
    """`landrules explain --json` for one parcel: the decision and every rule tried, each condition
    with the parcel's value and its result."""
    rulebook = request.app.state.rulebook
    try:
        decision, trace = explain_parcels(rulebook, body.as_of or dt.date.today(), body.parcel)
    except LedgerError as exc:
        return _bad(exc)
    return JSONResponse({"decision": decision.to_dict(), "trace": trace})


@router.get("/rulebook", summary="规则库 / the rulebook", dependencies=[need("查看")])
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
