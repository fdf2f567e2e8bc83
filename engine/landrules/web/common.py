"""What every page module shares: settings, templates, the session of a request, error pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from landrules.core import fields
from landrules.web.sessions import COOKIE, Session

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024
STATUS_ZH = {400: "请求有误", 401: "请先登录", 403: "无权操作", 404: "页面不存在", 405: "不支持该请求方式",
             413: "上传文件过大", 422: "请求内容无效", 429: "请稍后再试", 500: "服务器内部错误", 503: "暂时无法服务"}


@dataclass
class Settings:
    rules_dir: Path
    policy_dir: Path
    scenarios_dir: Path | None = None
    max_upload: int = 200 * MB  # bytes
    session_ttl: float = 4 * 3600  # seconds idle before a session and its files go
    sync_rows: int = 5000  # exports of ledgers up to this many rows are made while you wait
    temp_root: Path | None = None
    warm_coverage: bool = False  # compute the scenario coverage at start-up (serve does), not on first view
    extra: dict = field(default_factory=dict)
    store: Path | None = None  # the store of runs: the accounts and the audit log (None: no accounts)
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")  # the Host allow-list (`--allowed-host`)
    secure_cookies: bool = False  # Secure on every cookie (else only when the request came over HTTPS)
    trusted_proxies: tuple[str, ...] = ()  # addresses whose X-Forwarded-Proto / -For are believed


class UploadTooLarge(Exception):
    pass


TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))


def show_value(value, unit: str = "") -> str:
    """A parameter's value as an officer writes it: 200 万元/亩, 0.3333 比例, 2018-12-31."""
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0")
    else:
        text = str(value)
    return text if not unit or unit == "日期" else f"{text} {unit}"


TEMPLATES.env.globals["show_value"] = show_value


def error_page(status: int, message: str, title: str | None = None) -> HTMLResponse:
    """A Chinese error page naming the problem (never a traceback)."""
    body = TEMPLATES.get_template("error.html").render(
        title=title or STATUS_ZH.get(status, "出错了"), message=message, status=status, session=None, nav=None)
    return HTMLResponse(body, status_code=status)


def officer_words(text: str) -> str:
    """A message with fields named in Chinese only (fields.plain_words)."""
    return fields.plain_words(text or "")


def field_label(name: str) -> str:
    """A field by its Chinese name (供地日期), the name itself when it is no field."""
    return fields.zh_name(name)


def session_of(request: Request) -> Session | None:
    return request.app.state.store.get(request.cookies.get(COOKIE))


def need_ledger(request: Request):
    """(the session, None), or (None, the page saying a ledger must be uploaded first)."""
    session = session_of(request)
    if session is None or session.ledger is None:
        return None, error_page(400, "尚未上传台账，或会话已过期（长时间未操作后，上传的文件会被删除）。请先在首页上传台账。",
                                "请先上传台账")
    return session, None


def need_decided(request: Request):
    """As `need_ledger`, and a ledger not decided yet sends the officer to its progress or columns."""
    session, problem = need_ledger(request)
    if problem is None and session.figures is None:
        return None, RedirectResponse("/progress" if "decide" in session.jobs else "/columns", status_code=303)
    return session, problem


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    """A page, with who is signed in (for the menu) and the anti-forgery token its forms carry."""
    from landrules.web.access import cookies, csrf

    context.setdefault("session", session_of(request))
    context.setdefault("nav", None)
    context.setdefault("status", status)
    context["rulebook"] = request.app.state.rulebook
    context.setdefault("field_label", field_label)
    context.setdefault("officer_words", officer_words)
    context["printed"] = context["rulebook"].policy.printed  # "DOC 2.3.2.1" -> "DOC 二、（三）2.（1）"
    context["who"] = getattr(request.state, "identity", None)
    context["csrf"], minted = csrf.token_for(request)
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    if minted:
        cookies.set_cookie(response, request, csrf.COOKIE, context["csrf"])
    return response
