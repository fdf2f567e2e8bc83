"""The background work of a session: deciding its ledger, exporting, trying a what-if."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable

from landrules.decide.pipeline import choose_engine
from landrules.ledger.errors import LedgerError
from landrules.ledger.output import OutputError
from landrules.ledger.read import open_ledger
from landrules.rulebook.model import Rulebook
from landrules.rulebook.problems import RulebookError
from landrules.web import seams, table
from landrules.web.sessions import ENGINE_LOCK, Job, Session, Store
from landrules.web.whatif import WhatIfError, patched_rulebook, uploaded_rulebook

EXPORTS = {"xlsx": ("decisions.xlsx", "决策工作簿（XLSX）"), "csv": ("decisions.csv", "决策表（CSV）")}


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


def engine_of(session: Session) -> str:
    """The engine `decide --engine auto` picks for the session's ledger (peeking at its first
    chunk, as decide does), so that only durable-rules runs hold ENGINE_LOCK: a 200 000-row
    ledger decided with the vectorised engine does not hold up the API or the parcel pages."""
    if session.engine is None:
        ledger = open_ledger(session.ledger, session.sheet)
        first = next(ledger.chunks, None)
        session.engine = choose_engine("auto", ledger.small, 0 if first is None else len(first.frame))
    return session.engine


def engine_lock(engine: str):
    return ENGINE_LOCK if engine == "durable" else contextlib.nullcontext()


def start_decide(store: Store, session: Session, rulebook) -> Job:
    folder = session.decided

    def work(job: Job):
        folder.mkdir(exist_ok=True)
        engine = engine_of(session)
        with engine_lock(engine):
            figures = table.decide_table(session.ledger, folder, rulebook, session.as_of, session.sheet, job.step,
                                         engine=engine)
        session.figures = figures
        return figures

    return store.submit(session, "decide", "逐宗决策", work, describer(session))


def export_path(session: Session, kind: str) -> Path:
    return session.folder / "exports" / EXPORTS[kind][0]


def run_export(session: Session, rulebook, kind: str, job: Job | None = None) -> Path:
    out = export_path(session, kind)
    out.parent.mkdir(exist_ok=True)
    step = (lambda n: job.step("写出", job.done + n)) if job else None
    engine = engine_of(session)
    with engine_lock(engine):
        seams.decide_to_file(session.ledger, out, rulebook, session.as_of, session.sheet, progress=step, engine=engine)
    return out


def start_export(store: Store, session: Session, rulebook, kind: str) -> Job:
    return store.submit(session, f"export-{kind}", f"生成{EXPORTS[kind][1]}",
                        lambda job: run_export(session, rulebook, kind, job), describer(session))


def start_whatif(store: Store, session: Session, prepare: Callable[[], tuple[Rulebook, str]]) -> Job:
    """Decide the session's ledger under the rulebook `prepare()` makes (a patched or uploaded
    copy, linted) and diff it against the session's decisions."""

    def work(job: Job):
        job.step("检查修改后的规则库", 0)
        patched, words = prepare()
        folder = session.folder / "whatif"
        folder.mkdir(exist_ok=True)
        engine = engine_of(session)
        with engine_lock(engine):
            figures = table.decide_table(session.ledger, folder, patched, session.as_of, session.sheet, job.step,
                                         engine=engine)
        columns = ["row", "parcel_id", "area_mu", *seams.DIFF_KEYS]
        diff = seams.diff_tables(table.read_index(session.decided, columns), table.read_index(folder, columns))
        session.whatif = {"words": words, "diff": diff, "figures": figures, "hash": patched.hash}
        return session.whatif

    return store.submit(session, "whatif", "试算规则修改", work, describer(session))


def parameter_change(rulebook: Rulebook, rules_dir: Path, policy_dir: Path, session: Session, param_id: str, value):
    return lambda: patched_rulebook(rulebook, rules_dir, policy_dir, session.folder / "whatif-rules",
                                    param_id, value, session.as_of)


def uploaded_rules(archive: Path, policy_dir: Path, session: Session):
    return lambda: uploaded_rulebook(archive, session.folder / "whatif-rules", policy_dir)
