"""Per-browser sessions: a random id in a cookie, a private temporary folder, background jobs.

A session's folder holds its uploaded ledger and what was decided from it; nothing else ever
sees it. Folders are removed when the session expires (idle longer than `ttl`) and when the
server shuts down; a server that died without shutting down (killed, out of memory, a native
crash) leaves its root folder behind, named with its process id, and the next server started
on the machine removes every such folder whose process is gone (`remove_orphans`). Jobs (deciding, exporting, what-ifs) run one at a time on one worker thread:
durable-rules' engine must not be shared between threads (see the durable notes), and the
machine this serves is small.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COOKIE = "landrules_session"
ROOT_PREFIX = "landrules-web-"
ENGINE_LOCK = threading.Lock()  # every use of durable-rules in this process holds it


@dataclass
class Job:
    """A background task: what it is doing, how far, and how it ended."""

    title: str
    phase: str = "排队中"
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: bool = False
    error: str | None = None
    result: Any = None

    def step(self, phase: str, done: int) -> None:
        """Progress: a phase, and how many rows it has done (added up by the caller)."""
        self.phase, self.done = phase, done

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class Session:
    id: str
    folder: Path
    seen: float = field(default_factory=time.monotonic)
    ledger: Path | None = None  # the uploaded ledger, inside folder
    ledger_name: str = ""  # the name the officer gave it (shown, never used as a path)
    sheet: str | None = None
    engine: str | None = None  # what `decide --engine auto` picks for this ledger (jobs.engine_of)
    as_of: Any = None  # dt.date
    columns: Any = None  # the uploaded column map (ledger.columnmap.ColumnMap), or None
    columns_name: str = ""  # its file name as the officer gave it
    report: Any = None  # web.columns.ColumnView
    map: Any = None  # web.maps.SessionMap: the parcels' boundary files uploaded with the ledger, read
    notes: list[str] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    figures: Any = None  # table.Figures once decided
    whatif: Any = None  # the last what-if's result
    user: str | None = None  # the signed-in account (None: the single local officer, no accounts)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # the forms' anti-forgery token

    def reset(self) -> None:
        """Forget the ledger and everything decided from it (a new upload)."""
        for child in self.folder.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        self.ledger, self.ledger_name, self.sheet, self.report, self.engine = None, "", None, None, None
        self.columns, self.columns_name, self.map = None, "", None
        self.notes, self.jobs, self.figures, self.whatif = [], {}, None, None

    @property
    def decided(self) -> Path:
        return self.folder / "decided"

    def options(self, rulebook):
        """The session's run options (decide.options.RunOptions) under `rulebook`: its date,
        sheet, column map, engine (`auto` until jobs.engine_of has picked one) and boundary files."""
        from landrules.decide.options import RunOptions

        return RunOptions(rulebook, self.as_of, engine=self.engine or "auto", sheet=self.sheet, columns=self.columns,
                          map_inputs=self.map.inputs if self.map is not None else None)


class Store:
    """All sessions of one server; expired ones are swept on every request."""

    def __init__(self, ttl: float = 4 * 3600, root: Path | None = None):
        self.ttl = ttl
        remove_orphans(Path(root) if root else Path(tempfile.gettempdir()))
        self.root = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-", dir=root))
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="landrules-job")
        self._closed = False

    def open(self) -> None:
        """(Re)start after `close` (a server's lifespan may run more than once, as in tests)."""
        if self._closed:
            self.root.mkdir(mode=0o700, exist_ok=True)
            self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="landrules-job")
            self._closed = False

    def get(self, session_id: str | None) -> Session | None:
        self.sweep()
        with self.lock:
            session = self.sessions.get(session_id or "")
            if session is not None:
                session.seen = time.monotonic()
            return session

    def create(self) -> Session:
        session_id = secrets.token_urlsafe(24)
        folder = self.root / secrets.token_hex(8)
        folder.mkdir(mode=0o700)
        session = Session(session_id, folder)
        with self.lock:
            self.sessions[session_id] = session
        return session

    def drop(self, session: Session) -> None:
        """End a session now (signing out, a disabled account): it and its files go."""
        with self.lock:
            self.sessions.pop(session.id, None)
        shutil.rmtree(session.folder, ignore_errors=True)

    def sweep(self) -> None:
        now = time.monotonic()
        with self.lock:
            stale = [s for s in self.sessions.values()
                     if now - s.seen > self.ttl and all(j.finished for j in s.jobs.values())]
            for session in stale:
                del self.sessions[session.id]
        for session in stale:
            shutil.rmtree(session.folder, ignore_errors=True)

    def submit(self, session: Session, name: str, title: str, work: Callable[[Job], Any],
               describe: Callable[[BaseException], str]) -> Job:
        """Run `work(job)` on the worker; an exception becomes the job's error (in Chinese)."""
        job = session.jobs[name] = Job(title)

        def run() -> None:
            job.started = time.monotonic()
            job.phase = "开始"
            try:
                job.result = work(job)
            except BaseException as exc:  # noqa: BLE001 - reported on the job's page
                job.error = describe(exc)
            finally:
                job.finished = True

        self.worker.submit(run)
        return job

    def close(self) -> None:
        """Stop the worker and remove every session's files."""
        self._closed = True
        self.worker.shutdown(wait=True, cancel_futures=True)
        with self.lock:
            self.sessions.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_orphans(parent: Path) -> list[Path]:
    """Remove the session roots in `parent` left by servers that are no longer running (their
    process id is in the folder's name); returns what was removed."""
    removed = []
    try:
        candidates = list(parent.glob(f"{ROOT_PREFIX}*-*"))
    except OSError:
        return removed
    for folder in candidates:
        pid = folder.name[len(ROOT_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            if folder.is_dir() and folder.stat().st_uid == os.getuid():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:
            continue
    return removed
