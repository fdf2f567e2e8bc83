"""The cookies' flags: HttpOnly, SameSite=Strict, Path=/, and Secure when the workbench is
reached over HTTPS (`--secure-cookies`, or X-Forwarded-Proto: https from a trusted proxy)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from landrules.web.sessions import COOKIE


def secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies) or request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=secure(request), path="/")


def set_session(response: Response, request: Request, session) -> None:
    set_cookie(response, request, COOKIE, session.id)


def clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure(request))
