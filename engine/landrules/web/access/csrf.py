"""The anti-forgery token: every state-changing form carries it as `csrf_token`, every fetch as
the `X-CSRF-Token` header. It is the session's own token (made with the session, never sent
in a URL); before there is a session (the sign-in form, a first upload) it is a random token
in its own HttpOnly cookie, echoed by the form (a double submit). The Origin check of `guard`
comes first; this one also holds where a browser sends no Origin."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from landrules.web.access.identity import Refused
from landrules.web.sessions import COOKIE as SESSION_COOKIE

FIELD = "csrf_token"
HEADER = "x-csrf-token"
COOKIE = "landrules_csrf"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def expected(request: Request) -> str | None:
    session = request.app.state.store.get(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        return session.csrf
    token = request.cookies.get(COOKIE, "")
    return token if 20 <= len(token) <= 100 else None


def token_for(request: Request) -> tuple[str, bool]:
    """The token a page's forms carry, and whether it is new (then the page sets its cookie)."""
    token = expected(request)
    if token is not None:
        return token, False
    return secrets.token_urlsafe(32), True


async def check(request: Request) -> None:
    want = expected(request)
    given = request.headers.get(HEADER)
    if given is None and request.headers.get("content-type", "").split(";")[0].strip().lower() in FORMS:
        value = (await request.form()).get(FIELD)
        given = value if isinstance(value, str) else None
    if not want or not given or not hmac.compare_digest(want.encode(), given.encode()):
        raise Refused(403, "请求缺少或带有不符的防伪令牌：表单可能已过期（如会话已结束），或不是从本工作台的页面提交的。"
                           "请回到工作台、刷新页面后重试。", "请求未被接受")
