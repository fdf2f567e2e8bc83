"""The accounts and the audit log in the store, as the server uses them.

The store is a DuckDB file that one process writes at a time, and the command line (`landrules
users …`, `decide --record`) uses it while the server runs: the server never holds it open,
it opens it for each look-up and closes it. What it looked up (is there any active account;
an account by name; an account by API token) is kept `RECHECK` seconds, so that a request
costs no file open, and an account disabled from the command line is refused within that
time. An audit line that cannot be written because the store is busy is kept and written
with the next one (or when the server stops).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from landrules.record import accounts, audit
from landrules.record.accounts import Account

RECHECK = 15.0  # seconds
WAIT = 10.0  # seconds a look-up waits for a busy store


class Directory:
    def __init__(self, path: Path | None, recheck: float = RECHECK):
        self.path, self.recheck = path, recheck
        self._cache: dict[tuple, tuple[float, object]] = {}
        self._pending: list[tuple] = []
        self.lock = threading.Lock()

    def _open(self, wait: float = WAIT):
        from landrules.record.store import Store

        return Store.open(self.path, wait=wait, say=lambda _line: None)

    def _cached(self, key: tuple, look, fallback):
        """`look(con)`, remembered `recheck` seconds; on a busy or unusable store, what was
        known before, else `fallback`."""
        from landrules.record.store import StoreError

        now = time.monotonic()
        with self.lock:
            known = self._cache.get(key)
        if known is not None and now - known[0] < self.recheck:
            return known[1]
        try:
            with self._open() as store:
                value = look(store.con)
        except StoreError:
            return known[1] if known is not None else fallback
        with self.lock:
            if len(self._cache) > 10_000:  # many tokens tried: start again rather than grow
                self._cache.clear()
            self._cache[key] = (now, value)
        return value

    def forget(self) -> None:
        with self.lock:
            self._cache.clear()

    # -- what a request needs --------------------------------------------------------------

    def accounts_on(self) -> bool:
        """True when the store holds an active account: then every page needs a sign-in. A
        store that cannot be read counts as holding accounts (closed, not open, on doubt)."""
        if self.path is None:
            return False
        if not self.path.exists():
            return False
        return self._cached(("on",), accounts.any_active, True)

    def account(self, name: str) -> Account | None:
        return self._cached(("name", name), lambda con: accounts.get(con, name), None)

    def by_token(self, token: str) -> Account | None:
        if self.path is None or not self.path.exists():
            return None
        return self._cached(("token", accounts.token_hash(token)), lambda con: accounts.by_token(con, token), None)

    def verify(self, name: str, password: str) -> Account | None:
        """The account if the password is its own. Raises StoreError when the store is busy."""
        if self.path is None or not self.path.exists():
            return None
        with self._open() as store, store.transaction():
            return accounts.verify(store.con, name, password)

    # -- the accounts page -----------------------------------------------------------------

    def listed(self) -> list[Account]:
        with self._open() as store:
            return accounts.listed(store.con)

    def entries(self, limit: int = 200) -> list[audit.Entry]:
        with self._open() as store:
            return audit.entries(store.con, limit)

    def change(self, do, actor: str, action: str, target: str, origin: str, detail: str = ""):
        """`do(con)` and its audit line in one transaction; AccountError passes through."""
        with self._open() as store, store.transaction():
            result = do(store.con)
            self._write_pending(store.con)
            audit.log(store.con, actor, action, target, detail, origin)
        self.forget()
        return result

    # -- the audit log ---------------------------------------------------------------------

    def log(self, actor: str, action: str, target: str = "", detail: str = "", origin: str = "",
            wait: float = WAIT) -> None:
        from landrules.record.accounts import now
        from landrules.record.store import StoreBusy

        if self.path is None:
            return
        with self.lock:
            self._pending.append((now(), actor, action, target, detail, origin))
        try:
            with self._open(wait) as store, store.transaction():
                self._write_pending(store.con)
        except StoreBusy:
            return  # kept; written with the next line or at close

    def _write_pending(self, con) -> None:
        with self.lock:
            lines, self._pending = self._pending, []
        try:
            for at, actor, action, target, detail, origin in lines:
                audit.log(con, actor, action, target, detail, origin, at=at)
        except BaseException:
            with self.lock:
                self._pending[:0] = lines
            raise

    def close(self) -> None:
        """Write what is pending (waiting for the store as the command line does)."""
        if self._pending and self.path is not None:
            with self._open(60.0) as store, store.transaction():
                self._write_pending(store.con)
