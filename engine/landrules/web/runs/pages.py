"""The workbench's record of runs (contract §7): 记录本期台账 on a decided ledger, the recorded
runs (kept in the store, so they outlive a restart), one run, progress between two runs."""

from __future__ import annotations

import os
from typing import Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from landrules.web.access.identity import Identity, client_address
from landrules.web.access.roles import need
from landrules.web.common import error_page, render, session_of
from landrules.web.runs.api import _run, _store

router = APIRouter(include_in_schema=False)
SHOWN = 200
RECORD_WAIT = 30.0  # seconds 记录本期台账 waits for a store another process is writing (then 503, one line)


def _record(session, rulebook, label: str, recorded_by: str, origin: str) -> int:
    from landrules.decide.pipeline import decide_ledger
    from landrules.record.locate import store_path
    from landrules.record.recorder import RunInfo, RunRecorder, quarter_label
    from landrules.record.store import Store

    store = Store.open(store_path(None), wait=RECORD_WAIT, say=lambda _: None)
    try:
        info = RunInfo(label or quarter_label(session.as_of), session.as_of, session.ledger, [],
                       recorded_by=recorded_by, sheet=session.sheet, origin=origin, ledger_name=session.ledger_name)
        recorder = RunRecorder(store, info, rulebook)
        recorder.begin()
        try:
            def on_chunk(frame, decided, headers):
                if not info.headers:
                    info.headers, info.names = list(headers), [str(c) for c in frame.columns]
                recorder.add(frame, decided)

            on_chunk.wants_json = False  # the record keeps each decision text once: no JSON line per row
            with open(os.devnull, "w", encoding="utf-8") as sink:
                result = decide_ledger(session.ledger, None, session.options(rulebook), on_chunk=on_chunk, stdout=sink)
            info.engine = result.engine
            return recorder.finish(result.summary)
        finally:
            recorder.abort()
    finally:
        store.close()


@router.post("/runs/record")
async def record(request: Request, label: str = Form(""), who: Identity = need("审核")):
    session = session_of(request)
    if session is None or session.figures is None:
        return error_page(400, "没有已决策的台账可记录：请先上传并决策台账。", "无法记录")
    from landrules.record.store import StoreError

    try:
        # recorded by the signed-in account (or, without accounts, this machine's user); audited with the run
        run_id = await run_in_threadpool(_record, session, request.app.state.rulebook, label.strip(), who.name,
                                         client_address(request))
    except StoreError as exc:
        return error_page(503, str(exc), "未能记录")
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.get("/runs", dependencies=[need("查看")])
def runs(request: Request):
    from fastapi import HTTPException

    from landrules.record.runs import list_runs

    try:
        with _store() as store:
            found = list_runs(store)
    except HTTPException as exc:
        if exc.status_code != 404:  # no store yet: no runs
            raise
        found = []
    return render(request, "runs.html", nav="runs", runs=found)


@router.get("/runs/progress", dependencies=[need("审核")])
def progress(request: Request):
    from landrules.web.runs.api import progress as progress_json

    params = dict(request.query_params)
    answer = progress_json(params.get("from"), params.get("to"), limit=100_000)
    labels = request.app.state.rulebook.categories
    return render(request, "runs_progress.html", nav="runs", p=answer, categories=labels)


@router.get("/runs/{run}", dependencies=[need("查看")])
def run_page(request: Request, run: str, parcel: Optional[str] = None):
    with _store() as store:
        found = _run(store, run)
        outcomes = store.con.execute("""
            SELECT code, count(*) AS n FROM (SELECT unnest(string_split(outcome_codes, '; ')) AS code FROM decision_rows
            WHERE run_id = ?) GROUP BY code ORDER BY n DESC""", [found.id]).fetchall()
        where, params = "run_id = ?", [found.id]
        if parcel:
            where, params = where + " AND parcel_id = ?", [*params, parcel]
        rows = store.con.execute(f"""SELECT row, parcel_id, categories, outcome_codes, deadline, overdue, responsible
            FROM decision_rows WHERE {where} ORDER BY row LIMIT {SHOWN}""", params).fetchall()
    return render(request, "run.html", nav="runs", run=found, outcomes=outcomes, rows=rows, shown=SHOWN, parcel=parcel or "")
