"""The background work of a session: deciding its ledger, exporting, trying a what-if."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from landrules.backends.registry import ONE_AT_A_TIME
from landrules.decide.chunks import ChunkLoop
from landrules.decide.diff.compare import summary_line
from landrules.decide.pipeline import decide_ledger
from landrules.ledger.errors import LedgerError
from landrules.ledger.write.base import OutputError
from landrules.rulebook.model import Rulebook
from landrules.rulebook.problems import RulebookError
from landrules.web import table
from landrules.web.sessions import ENGINE_LOCK, Job, Session, Store
from landrules.web.whatif import WhatIfError, compare_decided, patched_rulebook, uploaded_rulebook

SHOWN_ROWS = 500  # the what-if page lists the first changed parcels; the summary counts them all

# kind -> (file in the session's exports folder, what it is, the name the officer's download gets)
EXPORTS = {
    "xlsx": ("decisions.xlsx", "决策工作簿（XLSX）", "决策.xlsx"),
    "csv": ("decisions.csv", "决策表（CSV）", "决策.csv"),
    "report-xlsx": ("report.xlsx", "季度通报与一宗一策清单（XLSX）", "季度通报.xlsx"),
    "report-html": ("report.html", "季度通报与一宗一策清单（HTML）", "季度通报.html"),
    "report-pdf": ("report.pdf", "季度通报与一宗一策清单（PDF）", "季度通报.pdf"),
    "gpkg": ("decisions.gpkg", "决策图层（GeoPackage，可在 QGIS/ArcGIS 中打开）", "决策.gpkg"),
    "geojson": ("decisions.geojson", "决策图层（GeoJSON，经纬度）", "决策.geojson"),
}
MAP_EXPORTS = ("gpkg", "geojson")  # only with the parcels' shapes


def describer(session: Session):
    """`describe`, naming the officer's file rather than its copy in the session's folder."""

    def describe_in(exc: BaseException) -> str:
        text = describe(exc)
        if session.ledger is not None:
            text = text.replace(str(session.ledger), session.ledger_name)
        return text.replace(str(session.folder) + "/", "")

    return describe_in


def describe(exc: BaseException) -> str:
    """A job's failure in one Chinese line; never a traceback."""
    if isinstance(exc, (LedgerError, OutputError, WhatIfError)):
        return str(exc)
    if isinstance(exc, RulebookError):
        return "规则库无效：" + "；".join(str(p) for p in exc.problems[:5])
    if isinstance(exc, MemoryError):
        return "内存不足，未完成"
    return f"内部错误，未完成（{type(exc).__name__}）"


def engine_of(session: Session, rulebook: Rulebook) -> str:
    """The engine `decide --engine auto` picks for the session's ledger (the chunk loop peeks at
    its first chunk, as decide does), so that only durable-rules runs hold ENGINE_LOCK: a 200 000-row
    ledger decided with the vectorised engine does not hold up the API or the parcel pages."""
    if session.engine is None:
        session.engine = ChunkLoop.open(session.ledger, session.options(rulebook)).engine
    return session.engine


def engine_lock(engine: str):
    return ENGINE_LOCK if engine in ONE_AT_A_TIME else contextlib.nullcontext()


def start_decide(store: Store, session: Session, rulebook) -> Job:
    folder = session.decided

    def work(job: Job):
        folder.mkdir(exist_ok=True)
        engine = engine_of(session, rulebook)
        with engine_lock(engine):
            figures = table.decide_table(session.ledger, folder, session.options(rulebook), job.step)
        session.figures = figures
        return figures

    return store.submit(session, "decide", "逐宗决策", work, describer(session))


def export_path(session: Session, kind: str) -> Path:
    return session.folder / "exports" / EXPORTS[kind][0]


def run_export(session: Session, rulebook, kind: str, job: Job | None = None) -> Path:
    out = export_path(session, kind)
    out.parent.mkdir(exist_ok=True)
    step = (lambda n: job.step("写出", job.done + n)) if job else None
    engine = engine_of(session, rulebook)
    opener = None
    if kind.startswith("report-"):  # `landrules report`: the bulletin writer on decide's pipeline
        from landrules.report.writer import report_writer

        opener = report_writer(session.ledger_name)
    with engine_lock(engine):  # `decide -o OUT` (the extension picks the writer) or `report -o OUT`
        decide_ledger(session.ledger, out, session.options(rulebook), progress=step, open_output=opener)
    return out


def start_export(store: Store, session: Session, rulebook, kind: str) -> Job:
    return store.submit(session, f"export-{kind}", f"生成{EXPORTS[kind][1]}",
                        lambda job: run_export(session, rulebook, kind, job), describer(session))


def start_whatif(store: Store, session: Session, prepare: Callable[[], tuple[Rulebook, str]], current_hash: str) -> Job:
    """Decide the session's ledger under the rulebook `prepare()` makes (a patched or uploaded
    copy, linted) and diff it against the session's decisions."""

    def work(job: Job):
        job.step("检查修改后的规则库", 0)
        patched, words = prepare()
        folder = session.folder / "whatif"
        folder.mkdir(exist_ok=True)
        engine = engine_of(session, patched)
        with engine_lock(engine):
            figures = table.decide_table(session.ledger, folder, session.options(patched), job.step)
        job.step("比较前后决策", job.done)
        current = session.figures
        diff = compare_decided(session.decided, folder, current.summary, figures.summary,
                               (current_hash, patched.hash), session.as_of, engine)
        session.whatif = {"words": words, "diff": diff, "figures": figures, "hash": patched.hash,
                          "line": summary_line(diff), "shown": diff.table.head(SHOWN_ROWS).to_dict("records")}
        return session.whatif

    return store.submit(session, "whatif", "试算规则修改", work, describer(session))


def parameter_change(rulebook: Rulebook, rules_dir: Path, policy_dir: Path, session: Session, param_id: str, value):
    return lambda: patched_rulebook(rulebook, rules_dir, policy_dir, session.folder / "whatif-rules",
                                    param_id, value, session.as_of)


def uploaded_rules(archive: Path, policy_dir: Path, session: Session):
    return lambda: uploaded_rulebook(archive, session.folder / "whatif-rules", policy_dir)
