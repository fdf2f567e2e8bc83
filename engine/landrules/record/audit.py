"""The audit log, in the store (table `audit`, made by migration 2 in schema.py): who did what, when,
from where. Sign-ins, failed sign-ins, sign-outs, account changes, API tokens issued, recorded
runs. Rows are only ever appended.

Every function takes a DuckDB connection (`Store.con`).
"""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass


ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "account_added": "新建账户",
    "account_disabled": "停用账户",
    "password_changed": "修改密码",
    "token_issued": "签发接口令牌",
    "run_recorded": "记录台账",
}


@dataclass(frozen=True)
class Entry:
    at: dt.datetime  # UTC
    actor: str
    action: str
    target: str
    detail: str
    origin: str

    @property
    def action_zh(self) -> str:
        return ACTIONS.get(self.action, self.action)

    @property
    def local_time(self) -> str:
        """The time on this machine's clock, to the second."""
        return self.at.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def now() -> dt.datetime:
    """UTC, without tzinfo (as the store's TIMESTAMP columns hold it)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def command_line() -> str:
    """The origin of a change made at this machine's command line."""
    return f"命令行@{socket.gethostname()}"


def log(con, actor: str, action: str, target: str = "", detail: str = "", origin: str = "",
        at: dt.datetime | None = None) -> None:
    """Append one line (`at`: UTC, default now)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", [at or now(), actor, action, target, detail, origin])


def entries(con, limit: int = 200, actor: str | None = None) -> list[Entry]:
    """The newest entries first."""
    where, args = ("WHERE actor = ?", [actor]) if actor else ("", [])
    rows = con.execute(f"SELECT at_utc, actor, action, coalesce(target, ''), coalesce(detail, ''), coalesce(origin, '') "
                       f"FROM audit {where} ORDER BY at_utc DESC, rowid DESC LIMIT ?", [*args, limit]).fetchall()
    return [Entry(*r) for r in rows]
