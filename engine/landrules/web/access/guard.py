"""ASGI middleware, before any body is read: a request naming a foreign Host is refused (400),
and a state-changing request whose Origin (or Referer) is another site is refused (403).

A request with neither header (a script, not a browser page: browsers send Origin on every
cross-origin POST) goes on to the CSRF token check of `csrf`, or to an API token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.responses import JSONResponse

from landrules.web.access.hosts import host_allowed, same_origin
from landrules.web.common import error_page

SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def refusal(path: str, status: int, message: str, title: str):
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return error_page(status, message, title)


def source_of(url: str) -> str:
    """What to name in a message: the page's scheme://host:port, never its path or query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url[:80]


class Guard:
    def __init__(self, app, allowed: tuple[str, ...]):
        self.app, self.allowed = app, allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {}
        for key, value in scope.get("headers") or []:
            headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
        host = headers.get("host")
        if not host_allowed(host, self.allowed):
            shown = (host or "（无）")[:100]
            response = refusal(scope["path"], 400, f"主机名 {shown} 不在本工作台允许的名称之列，请求被拒绝。"
                                                   "如以此名称访问是正当的，请管理员在启动时加 --allowed-host。", "主机名不被接受")
            return await response(scope, receive, send)
        if scope["method"] not in SAFE:
            source = headers.get("origin", headers.get("referer"))
            if source is not None and not same_origin(source, host, scope.get("scheme", "http")):
                response = refusal(scope["path"], 403, f"拒绝跨站请求：它来自 {source_of(source)}，不是本工作台的页面。"
                                                       "请在工作台自己的页面上操作。", "请求未被接受")
                return await response(scope, receive, send)
        return await self.app(scope, receive, send)
