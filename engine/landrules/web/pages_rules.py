"""The rulebook pages (documents, rules, parameters, scenario coverage) and the what-if."""

from __future__ import annotations

import datetime as dt
import threading

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from landrules.rulebook import locate
from landrules.web import jobs, rulebook_view
from landrules.web.access.roles import need
from landrules.web.common import error_page, field_label, render, session_of
from landrules.web.coverage import scenario_coverage
from landrules.decide.diff.compare import detail_words
from landrules.web.whatif import WhatIfError, parse_value

router = APIRouter(include_in_schema=False)
_COVERAGE_LOCK = threading.Lock()


def coverage(request: Request) -> dict:
    return compute_coverage(request.app.state)


def compute_coverage(state) -> dict:
    """Per-scenario coverage of the served rulebook, computed once (a child process, ~3 s)."""
    with _COVERAGE_LOCK:
        if state.coverage is None:
            settings = state.settings
            folder = settings.scenarios_dir or locate.bundled("scenarios")
            if not folder.is_dir():
                state.coverage = {"scenarios": [], "error": "未找到场景目录，无法列出覆盖各条款的场景"}
            else:
                state.coverage = scenario_coverage(settings.rules_dir, settings.policy_dir, folder)
        return state.coverage


def _as_of(request: Request) -> dt.date:
    session = session_of(request)
    return session.as_of if session is not None and session.as_of else dt.date.today()


@router.get("/rulebook", dependencies=[need("查看")])
def rulebook_page(request: Request):
    rb = request.app.state.rulebook
    cov = coverage(request)
    by_rule, by_clause = rulebook_view.scenarios_by(cov)
    return render(request, "rulebook.html", nav="rulebook", documents=rulebook_view.documents(rb),
                  by_rule=by_rule, by_clause=by_clause, coverage_error=cov.get("error"))


@router.get("/rules", dependencies=[need("查看")])
def rules_page(request: Request):
    rb = request.app.state.rulebook
    when = _as_of(request)
    cov = coverage(request)
    by_rule, _ = rulebook_view.scenarios_by(cov)
    rules = [{"rule": r, "conditions": rulebook_view.conditions_in_words(rb, r, when),
              "parameters": rulebook_view.rule_parameters(rb, r), "scenarios": by_rule.get(r.id, [])}
             for r in rb.rules]
    return render(request, "rules.html", nav="rules", rules=rules, as_of=when, coverage_error=cov.get("error"))


@router.get("/whatif", dependencies=[need("填报")])
def whatif_page(request: Request):
    session = session_of(request)
    rb = request.app.state.rulebook
    when = _as_of(request)
    params = [(pid, p, p.in_force(when)) for pid, p in rb.parameters.items()]
    return render(request, "whatif.html", nav="whatif", params=params, as_of=when,
                  ready=session is not None and session.figures is not None)


@router.post("/whatif", dependencies=[need("填报")])
def whatif_run(request: Request, param: str = Form(...), value: str = Form(...)):
    session = session_of(request)
    if session is None or session.figures is None:
        return error_page(400, "试算需要先上传并决策一本台账：修改参数后，用同一本台账比较前后的决策。", "请先决策台账")
    rb, settings = request.app.state.rulebook, request.app.state.settings
    try:
        parsed = parse_value(rb, param, value)
    except WhatIfError as exc:
        return error_page(400, str(exc), "参数取值无效")
    running = session.jobs.get("whatif")
    if running is not None and not running.finished:
        return error_page(409, "上一次试算还在进行，请等它完成。", "请稍候")
    session.whatif = None
    jobs.start_whatif(request.app.state.store, session,
                      jobs.parameter_change(rb, settings.rules_dir, settings.policy_dir, session, param, parsed), rb.hash)
    return RedirectResponse("/progress?job=whatif", status_code=303)


@router.post("/whatif/rules", dependencies=[need("填报")])
async def whatif_rules(request: Request, rules: UploadFile = File(...)):
    """A changed rules folder, uploaded as a ZIP, tried on the session's ledger."""
    session = session_of(request)
    if session is None or session.figures is None:
        return error_page(400, "试算需要先上传并决策一本台账：修改规则后，用同一本台账比较前后的决策。", "请先决策台账")
    running = session.jobs.get("whatif")
    if running is not None and not running.finished:
        return error_page(409, "上一次试算还在进行，请等它完成。", "请稍候")
    archive = session.folder / "whatif-rules.zip"
    with open(archive, "wb") as out:
        while chunk := await rules.read(1024 * 1024):
            out.write(chunk)
    session.whatif = None
    jobs.start_whatif(request.app.state.store, session,
                      jobs.uploaded_rules(archive, request.app.state.settings.policy_dir, session),
                      request.app.state.rulebook.hash)
    return RedirectResponse("/progress?job=whatif", status_code=303)


@router.get("/whatif/result", dependencies=[need("填报")])
def whatif_result(request: Request):
    session = session_of(request)
    if session is None or session.whatif is None:
        return RedirectResponse("/whatif", status_code=303)
    return render(request, "whatif_result.html", nav="whatif", w=session.whatif, field_label=field_label,
                  detail_words=detail_words)
