"""Who a request is: an account signed in on this browser's session, an account's API token
(`Authorization: Bearer …`, on /api/ only), or — with no account in the store — the single
officer at this machine, as before accounts existed."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from fastapi import Request

from landrules.record.accounts import ROLES
from landrules.web.sessions import COOKIE

FORWARDED = ("forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip")


class SignInNeeded(Exception):
    """No account on this request: pages go to /login, the API answers 401."""


class Refused(Exception):
    """A request refused with a status and one Chinese line."""

    def __init__(self, status: int, message: str, title: str = "无权操作"):
        super().__init__(message)
        self.status, self.message, self.title = status, message, title


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    via: str  # "session", "token" or "local"

    def may(self, role: str) -> bool:
        return ROLES[self.role] >= ROLES[role]

    @property
    def local(self) -> bool:
        return self.via == "local"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "本机用户"


def identify(request: Request) -> Identity:
    state = request.app.state
    directory = state.directory
    if request.url.path.startswith("/api/") and "authorization" in request.headers:
        scheme, _, token = request.headers["authorization"].partition(" ")
        account = directory.by_token(token.strip()) if scheme.lower() == "bearer" else None
        if account is None:
            raise Refused(401, "接口令牌无效、已被替换或账户已停用（Authorization: Bearer 令牌，由 landrules users token 签发）。",
                          "需要有效的接口令牌")
        return Identity(account.name, account.role, "token")
    if not directory.accounts_on():
        if any(h in request.headers for h in FORWARDED):
            raise Refused(403, "经反向代理访问工作台需要账户：请先用 landrules users add 建立账户，再重启工作台。",
                          "需要先建立账户")
        return Identity(_os_user(), "管理", "local")
    session = state.store.get(request.cookies.get(COOKIE))
    if session is None or session.user is None:
        raise SignInNeeded()
    account = directory.account(session.user)
    if account is None or not account.active:
        state.store.drop(session)
        raise SignInNeeded()
    return Identity(account.name, account.role, "session")


def client_address(request: Request) -> str:
    """Where a request came from, for the audit log (the proxy's client when it is trusted)."""
    return request.client.host if request.client else ""
