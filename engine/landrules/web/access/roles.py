"""The role each route needs, as a FastAPI dependency: `dependencies=[need("填报")]`.

It finds who the request is (identity), checks the anti-forgery token on a state-changing
request (csrf: pages always; the API when it is signed in by the session cookie, not by a
token), then the role. Roles rank (record/accounts.py): 查看 < 填报 < 审核 < 管理."""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from landrules.web.access import csrf
from landrules.web.access.guard import SAFE
from landrules.web.access.identity import Identity, Refused, identify


def need(role: str):
    async def check(request: Request) -> Identity:
        who = await run_in_threadpool(identify, request)  # may open the store (~0.1 s): not on the event loop
        request.state.identity = who
        if request.method not in SAFE and (who.via == "session" or not request.url.path.startswith("/api/")):
            await csrf.check(request)
        if not who.may(role):
            raise Refused(403, f"账户 {who.name}（{who.role}）无权进行此操作：需要「{role}」或更高的角色。"
                               "如需此权限，请联系管理员。")
        return who

    return Depends(check)
