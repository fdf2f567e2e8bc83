"""The store: one DuckDB file, opened at its schema version, one process writing at a time.

    with Store.open(path) as store:            # creates or upgrades the file
        with store.transaction():
            store.con.execute(...)
    with Store.open(path, readonly=True) as store:   # never creates, never writes
        store.con.execute("SELECT …").arrow()

DuckDB lets one process write a file at a time (a file lock). A second process that wants it
waits, says so in one line, and gives up after `wait` seconds (StoreBusy). A file that is not a
DuckDB database, or is damaged, is refused (StoreDamaged) and never written to. A store made by
a newer landrules (schema version above ours) is refused (StoreTooNew); an older one is
upgraded in place, in one transaction (schema.MIGRATIONS).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from landrules.record.schema import MIGRATIONS, SCHEMA_VERSION

DEFAULT_WAIT = 60.0  # seconds a second process waits for the store


class StoreError(Exception):
    """The store cannot be used; str() is one line, in Chinese, for the officer."""


class StoreTooNew(StoreError):
    pass


class StoreDamaged(StoreError):
    pass


class StoreBusy(StoreError):
    pass


class StoreMissing(StoreError):
    pass


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


class Store:
    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, readonly: bool):
        self.path, self.con, self.readonly = path, con, readonly

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, readonly: bool = False, wait: float = DEFAULT_WAIT,
             say: Callable[[str], None] = _say) -> Store:
        """The store at `path`, at SCHEMA_VERSION. Read-only: the file must exist (StoreMissing);
        an older store is upgraded first (a short write), then opened read-only."""
        path = Path(path)
        if readonly and not path.exists():
            raise StoreMissing(f"记录库 {path} 还不存在：先用 decide --record 记录一期台账")
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = _connect(path, readonly, wait, say)
        store = cls(path, con, readonly)
        try:
            version = store.version()
            if version > SCHEMA_VERSION:
                raise StoreTooNew(
                    f"记录库 {path} 由较新版本的 landrules 写入（结构版本 {version}，本程序支持 {SCHEMA_VERSION}），"
                    "请升级 landrules 后再用；记录库未作任何改动"
                )
            if version < SCHEMA_VERSION:
                if readonly:
                    con.close()
                    cls.open(path, readonly=False, wait=wait, say=say).close()
                    return cls.open(path, readonly=True, wait=wait, say=say)
                store._migrate(version)
        except BaseException:
            con.close()
            raise
        return store

    def version(self) -> int:
        """meta.schema_version; 0 for an empty file (a new store)."""
        tables = {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        if "meta" not in tables:
            if tables:
                raise StoreDamaged(f"{self.path} 是一个 DuckDB 文件，但不是 landrules 的记录库（无 meta 表）；未作任何改动")
            return 0
        row = next(iter(self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()), None)
        if row is None:
            raise StoreDamaged(f"记录库 {self.path} 缺少结构版本（meta.schema_version）；未作任何改动")
        return int(row[0])

    def _migrate(self, version: int) -> None:
        """Apply every migration after `version`, and the new version, in one transaction."""
        with self.transaction():
            if version == 0:
                self.con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
                self.con.execute("INSERT INTO meta VALUES ('schema_version', '0')")
            for migration in MIGRATIONS[version:]:
                if callable(migration.apply):
                    migration.apply(self.con)
                else:
                    for statement in migration.apply:
                        self.con.execute(statement)
            self.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])

    # -- using -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """BEGIN … COMMIT, or ROLLBACK on any exception (then re-raised)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT").fetchall()  # a result not fetched may stay pending

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _connect(path: Path, readonly: bool, wait: float, say: Callable[[str], None]) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=readonly)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise _damaged(path, exc) from None
            if time.monotonic() >= deadline:
                raise StoreBusy(f"记录库 {path} 正被另一个进程使用，已等待 {wait:.0f} 秒，放弃；记录库未作任何改动") from None
            if not told:
                say(f"记录库 {path} 正被另一个进程使用（如另一次记录或工作台），等待其完成（最多 {wait:.0f} 秒）…")
                told = True
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise _damaged(path, exc) from None


def _damaged(path: Path, exc: Exception) -> StoreDamaged:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreDamaged(f"记录库 {path} 无法打开（文件已损坏或不是 DuckDB 数据库：{first[:160]}）；文件未作任何改动，请从备份恢复或换用 --store")
