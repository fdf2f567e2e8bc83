"""The workbench's pages for a ledger: upload, column report, progress, summary, parcels,
one parcel, downloads."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from landrules.core import fields
from landrules.ledger.columns.column_map import ColumnMapError, load_column_map
from landrules.ledger.errors import LedgerError
from landrules.ledger.read.reader import SUFFIXES
from landrules.web import charts, jobs, maps, table
from landrules.web.access import cookies
from landrules.web.access.roles import need
from landrules.web.column_page import column_view, needs_filter
from landrules.web.common import error_page, field_label, need_decided, need_ledger, render, session_of
from landrules.web.records import cited_clauses, explain_in_ledger

router = APIRouter(include_in_schema=False)
CHUNK = 1024 * 1024


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/", dependencies=[need("查看")])
def home(request: Request):
    return render(request, "index.html", nav="home", today=dt.date.today().isoformat(),
                  suffixes="、".join(SUFFIXES), accept=",".join(SUFFIXES), limit_mb=request.app.state.settings.max_upload // (1024 * 1024),
                  map_files=maps.MAP_FILES, map_accept=",".join(maps.UPLOAD_SUFFIXES))


@router.post("/upload", dependencies=[need("填报")])
async def upload(request: Request, ledger: UploadFile = File(...), as_of: str = Form(""), sheet: str = Form(""),
                 columns: UploadFile | None = File(None), parcels: UploadFile | None = File(None),
                 boundary: UploadFile | None = File(None), plan: UploadFile | None = File(None),
                 parcels_id: str = Form("")):
    name = Path(ledger.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return error_page(400, f"不支持的文件类型 {suffix or '（无扩展名）'}（文件 {name or '未命名'}）。"
                               f"支持 {'、'.join(SUFFIXES)}。", "无法读取台账")
    try:
        when = dt.date.fromisoformat(as_of.strip()) if as_of.strip() else dt.date.today()
    except ValueError:
        return error_page(400, f"评估日 {as_of!r} 不是 YYYY-MM-DD 格式的日期。", "评估日无效")
    store = request.app.state.store
    session = session_of(request)
    if session is not None and any(not j.finished for j in session.jobs.values()):
        return error_page(409, "本会话还有正在进行的决策或导出，请等它完成后再上传新台账。", "请稍候")
    session = session or store.create()
    session.reset()
    target = session.folder / f"ledger{suffix}"  # the officer's file name is shown, never used as a path
    with open(target, "wb") as out:
        while chunk := await ledger.read(CHUNK):
            await run_in_threadpool(out.write, chunk)
    session.ledger, session.ledger_name, session.as_of = target, name, when
    session.sheet = sheet.strip() or None
    if columns is not None and columns.filename:
        map_name = Path(columns.filename).name
        map_path = session.folder / "columns.yaml"  # the officer's name is shown, never used as a path
        map_path.write_bytes(await columns.read())
        try:
            session.columns, session.columns_name = load_column_map(map_path), map_name
        except ColumnMapError as exc:
            session.reset()
            response = error_page(400, str(exc).replace(str(map_path), map_name), "列映射文件有误")
            cookies.set_session(response, request, session)
            return response
    try:
        session.report = await run_in_threadpool(column_view, target, session.options(request.app.state.rulebook))
    except LedgerError as exc:
        message = str(exc).replace(str(target), name)
        if session.columns is not None:
            message = message.replace(str(session.folder / "columns.yaml"), session.columns_name)
        session.reset()
        response = error_page(400, message, "无法读取台账")
    else:
        wrong = await maps.take_uploads(session, request.app.state.rulebook,
                                        {"parcels": parcels, "boundary": boundary, "plan": plan}, parcels_id, session.report.ids)
        if wrong is not None:
            session.reset()
            response = error_page(400, wrong, "宗地图形文件有误")
        else:
            response = _see("/columns")
    cookies.set_session(response, request, session)
    return response


@router.get("/columns", dependencies=[need("填报")])
def columns(request: Request):
    session, problem = need_ledger(request)
    if problem:
        return problem
    return render(request, "columns.html", nav="ledger", report=session.report)


@router.post("/decide", dependencies=[need("填报")])
def decide(request: Request):
    session, problem = need_ledger(request)
    if problem:
        return problem
    job = session.jobs.get("decide")
    if job is None or job.finished and job.error:
        session.figures = None
        jobs.start_decide(request.app.state.store, session, request.app.state.rulebook)
    return _see("/progress")


@router.get("/progress", dependencies=[need("填报")])
def progress(request: Request, job: str = "decide"):
    session, problem = need_ledger(request)
    if problem:
        return problem
    running = session.jobs.get(job)
    if running is None:
        return _see("/columns")
    if running.finished and not running.error:
        return _see({"decide": "/summary", "whatif": "/whatif/result"}.get(job, f"/download/{job[7:]}"))
    return render(request, "progress.html", nav="ledger", job=running, job_name=job)


@router.get("/summary", dependencies=[need("填报")])
def summary(request: Request):
    session, problem = need_decided(request)
    if problem:
        return problem
    f = session.figures
    return render(request, "summary.html", nav="ledger", f=f, charts={
        "category": charts.bars(f.by_category, "/parcels?category=", bar_w=220),
        "outcome": charts.bars(f.by_outcome, "/parcels?outcome="),
        "responsible": charts.bars(f.by_responsible, "/parcels?responsible="),
        "overdue": charts.bars(f.overdue, "/parcels?overdue=", bar_w=220),
        "needs": charts.bars(f.by_needs, "/parcels?needs=", label_chars=30),
        "deadline": charts.bars(f.by_deadline_month, bar_w=220),
        "overdue_units": charts.bars(f.overdue_by_responsible, "/parcels?overdue=yes&responsible=", bar_w=220),
    }, tax=_tax(f))


def _tax(f) -> dict | None:
    """亩均税收 of supplied industrial land against the plan's target, as the report shows it."""
    s = f.summary
    if s is None or not s.tax.count:
        return None
    t = s.tax
    return {"count": t.count, "area": t.area_mu, "known": t.known_count, "known_area": t.known_area_mu,
            "mean": t.weighted_mean, "target": s.tax_target, "below": t.below_target_count,
            "below_area": t.below_target_area_mu}


@router.get("/parcels", dependencies=[need("填报")])
def parcels(request: Request, page: int = 1, category: str = "", outcome: str = "", responsible: str = "",
            overdue: str = "", needs: str = ""):
    session, problem = need_decided(request)
    if problem:
        return problem
    filters = {"category": category, "outcome": outcome, "responsible": responsible, "overdue": overdue, "needs": needs}
    rows, total = table.query(session.decided, filters, page)
    pages = max(1, math.ceil(total / table.PAGE))
    active = {k: v for k, v in filters.items() if v}
    link = lambda p: "/parcels?" + urlencode({**active, "page": p})  # noqa: E731
    rulebook = request.app.state.rulebook
    needs_fields = needs_filter(rulebook)
    return render(request, "parcels.html", nav="parcels", rows=rows, total=total, page=page, pages=pages,
                  filters=filters, link=link, units=[u for u, *_ in session.figures.by_responsible],
                  needs_fields=needs_fields)


@router.get("/parcel", dependencies=[need("填报")])
def parcel(request: Request, id: str = "", row: int | None = None):
    """A parcel by its 宗地编号 (`?id=`), or by its file row (`?row=12`) when it has none."""
    session, problem = need_ledger(request)
    if problem:
        return problem
    rulebook = request.app.state.rulebook
    if row is not None and session.figures is None:
        return error_page(404, "请先决策台账，再按行号查看宗地。", "找不到该宗地")
    try:
        known = table.lookup(session.decided, id, row) if session.figures is not None else None
        if session.figures is not None and known is None:
            found = None
        else:
            found = explain_in_ledger(session.options(rulebook), session.ledger, id, known)
    except LedgerError as exc:
        return error_page(400, str(exc).replace(str(session.ledger), session.ledger_name), "无法读取台账")
    if found is None:
        what = f"第{row}行" if row is not None else f"宗地 {id!r}"
        return error_page(404, f"台账 {session.ledger_name} 中没有{what}。", "找不到该宗地")
    row, decision, trace, facts = found
    about = [(fields.BY_NAME[n].zh, fields.display(fields.BY_NAME[n], facts[n]))
             for n in PARCEL_FACTS if facts.get(n) is not None]
    geo = maps.parcel_geo(session, rulebook, session.as_of, decision.parcel_id, facts)
    return render(request, "parcel.html", nav="parcels", row=row, d=decision, trace=trace, about=about, geo=geo,
                  clauses=cited_clauses(rulebook, decision, trace), field_label=field_label)


PARCEL_FACTS = ("location", "holder", "project", "land_use", "area_mu")  # what the parcel page names first


@router.get("/download/{kind}", dependencies=[need("填报")])
def download(request: Request, kind: str):
    session, problem = need_decided(request)
    if problem:
        return problem
    if kind not in jobs.EXPORTS:
        known = "、".join(f"{k}（{v[1]}）" for k, v in jobs.EXPORTS.items())
        return error_page(404, f"没有 {kind} 这种下载。可下载：{known}。")
    if kind in jobs.MAP_EXPORTS and session.map is None:
        return error_page(404, f"{jobs.EXPORTS[kind][1]}要有宗地图形：请在首页重新上传台账并附宗地界址文件。", "没有宗地图形")
    path = jobs.export_path(session, kind)
    name = f"{Path(session.ledger_name).stem}-{jobs.EXPORTS[kind][2]}"
    if not path.exists():
        store, rulebook = request.app.state.store, request.app.state.rulebook
        if session.figures.rows > request.app.state.settings.sync_rows:
            if f"export-{kind}" not in session.jobs or session.jobs[f"export-{kind}"].error:
                jobs.start_export(store, session, rulebook, kind)
            return _see(f"/progress?job=export-{kind}")
        jobs.run_export(session, rulebook, kind)
    return FileResponse(path, filename=name)


