"""Signing in and out, and the accounts page of 管理 (the accounts and the audit log).

A sign-in makes a new session (never the one the browser had: no session fixation) bound to
the account. Five failed attempts for one name from one address in ten minutes hold that name
there for five minutes. Every sign-in, failed sign-in, sign-out and account change is a line of
the audit log.
"""

from __future__ import annotations

import threading
import time

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from landrules.record import accounts
from landrules.record.accounts import ROLES, AccountError
from landrules.web.access import cookies, csrf
from landrules.web.access.identity import Identity, Refused, client_address
from landrules.web.access.roles import need
from landrules.web.common import render
from landrules.web.sessions import COOKIE

router = APIRouter(include_in_schema=False)

TRIES, WINDOW, HOLD = 5, 600.0, 300.0
_failures: dict[tuple[str, str], list[float]] = {}
_failures_lock = threading.Lock()


def _held(key: tuple[str, str]) -> bool:
    now = time.monotonic()
    with _failures_lock:
        recent = [t for t in _failures.get(key, []) if now - t < WINDOW]
        _failures[key] = recent
        return len(recent) >= TRIES and now - recent[-1] < HOLD


def _failed(key: tuple[str, str]) -> None:
    now = time.monotonic()
    with _failures_lock:
        if len(_failures) > 10_000:  # many names tried: forget the ones not tried lately
            for stale in [k for k, times in _failures.items() if not times or now - times[-1] > WINDOW]:
                del _failures[stale]
        _failures.setdefault(key, []).append(now)


def _next(url: str) -> str:
    """Only a path of this site: never //other.site, a scheme, a backslash, or a blank or control
    character (browsers drop tabs and newlines from a URL: "/<TAB>/other.site" is "//other.site")."""
    safe = url.startswith("/") and not url.startswith("//") and len(url) < 2000 \
        and not any(c == "\\" or c.isspace() or not c.isprintable() for c in url)
    return url if safe else "/"


def _login_page(request: Request, status: int = 200, error: str = "", name: str = "", next_url: str = "/"):
    return render(request, "login.html", status=status, nav="login", error=error, account_name=name, next_url=next_url)


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    if not request.app.state.directory.accounts_on():
        return RedirectResponse("/", status_code=303)
    return _login_page(request, next_url=_next(next))


@router.post("/login")
async def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")):
    from landrules.record.store import StoreError

    await csrf.check(request)
    directory, origin = request.app.state.directory, client_address(request)
    name, next_url = name.strip()[:64], _next(next)
    key = (name, origin)
    if _held(key):
        await run_in_threadpool(directory.log, "（未登录）", "login_failed", name, "连续失败，暂停 5 分钟", origin)
        return _login_page(request, 429, "该账户在本机连续登录失败，已暂停 5 分钟，请稍后再试。", name, next_url)
    try:
        # argon2 takes most of a second on purpose: never on the event loop
        account = await run_in_threadpool(directory.verify, name, password) if name and password else None
    except StoreError as exc:
        return _login_page(request, 503, f"暂时无法登录：{exc}", name, next_url)
    if account is None:
        _failed(key)
        await run_in_threadpool(directory.log, "（未登录）", "login_failed", name, "账户名或密码不对，或账户已停用", origin)
        return _login_page(request, 401, "账户名或密码不对，或该账户已停用。", name, next_url)
    store = request.app.state.store
    old = store.get(request.cookies.get(COOKIE))
    if old is not None:
        store.drop(old)
    session = store.create()
    session.user = account.name
    await run_in_threadpool(directory.log, account.name, "login", account.name, f"角色 {account.role}", origin)
    response = RedirectResponse(next_url, status_code=303)
    cookies.set_session(response, request, session)
    response.delete_cookie(csrf.COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, who: Identity = need("查看")):
    store = request.app.state.store
    session = store.get(request.cookies.get(COOKIE))
    if session is not None:
        store.drop(session)
    if who.via == "session":
        request.app.state.directory.log(who.name, "logout", who.name, "", client_address(request))
    response = RedirectResponse("/login" if who.via == "session" else "/", status_code=303)
    cookies.clear_session(response, request)
    return response


def _accounts_page(request: Request, status: int = 200, error: str = "", done: str = ""):
    directory = request.app.state.directory
    if request.state.identity.local:
        raise Refused(404, "尚未建立账户：本工作台只供本机一人使用。建立账户：landrules users add 姓名 --role 管理", "尚未建立账户")
    return render(request, "accounts.html", status=status, nav="accounts", accounts=directory.listed(),
                  entries=directory.entries(200), roles=list(ROLES), error=error, done=done)


@router.get("/accounts")
def accounts_page(request: Request, who: Identity = need("管理")):
    return _accounts_page(request)


@router.post("/accounts")
def add_account(request: Request, name: str = Form(...), role: str = Form(...), password: str = Form(...),
                who: Identity = need("管理")):
    directory = request.app.state.directory
    try:
        account = directory.change(lambda con: accounts.add(con, name, role, password), who.name, "account_added",
                                   name.strip(), client_address(request), f"角色 {role}")
    except AccountError as exc:
        return _accounts_page(request, 400, str(exc))
    return _accounts_page(request, done=f"已建立账户 {account.name}（{account.role}）。")


@router.post("/accounts/disable")
def disable_account(request: Request, name: str = Form(...), who: Identity = need("管理")):
    if name == who.name:
        return _accounts_page(request, 400, "不能停用自己正在使用的账户。")
    try:
        request.app.state.directory.change(lambda con: accounts.disable(con, name), who.name, "account_disabled",
                                           name, client_address(request))
    except AccountError as exc:
        return _accounts_page(request, 400, str(exc))
    return _accounts_page(request, done=f"已停用账户 {name}：它不能再登录，其接口令牌也已失效。")
