"""The FastAPI application: settings, sessions, bundled assets, Chinese error pages.

`create_app(settings)` builds one application around one rulebook. Pages live in `pages.py`,
the what-if and rulebook pages in `pages_rules.py`, the JSON API in `api.py`.
"""

from __future__ import annotations

import contextlib
import threading
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from landrules import __version__
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.model import Rulebook
from landrules.web.access.directory import Directory
from landrules.web.access.guard import Guard
from landrules.web.access.identity import Refused, SignInNeeded
from landrules.web.access.roles import need
from landrules.web.common import HERE, MB, Settings, UploadTooLarge, error_page, render
from landrules.web.sessions import Store

TOO_LARGE = "landrules.upload_too_large"


class LimitUploads:
    """ASGI middleware: a request body larger than the limit is refused with a Chinese page,
    whether it says its length up front or not."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await _too_large(self.limit)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    scope[TOO_LARGE] = True  # FastAPI may turn the exception into a 400: say 413
                    raise UploadTooLarge()
            return message

        return await self.app(scope, counted, send)


VALIDATION_WORDS = {
    "json_invalid": "不是有效的 JSON", "json_type": "不是有效的 JSON", "missing": "缺少此项",
    "dict_type": "应为对象（{…}）", "list_type": "应为列表（[…]）", "model_attributes_type": "应为对象（{…}）",
    "model_type": "应为对象（{…}）", "string_type": "应为文字", "int_type": "应为整数", "int_parsing": "应为整数",
    "float_type": "应为数字", "float_parsing": "应为数字", "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false", "date_type": "应为日期", "date_parsing": "应为日期",
    "date_from_datetime_parsing": "应为日期", "extra_forbidden": "不认识的键", "too_short": "内容太少",
    "too_long": "内容太多", "string_too_long": "文字太长", "none_required": "应为空",
}
# what python-multipart / Starlette say of a broken upload form (English) -> Chinese
_FORM_WORDS = (
    ("boundary", "表单缺少或写错了分隔符（boundary）"),
    ("Too many files", "一次上传的文件太多"),
    ("Too many fields", "表单的栏目太多"),
    ("exceeded maximum size", "表单中某一栏过大"),
    ("Content-Disposition", "表单某部分缺少 Content-Disposition"),
)


def form_problem(detail: str) -> str:
    """A broken upload form in one Chinese line (never the parser's English)."""
    said = next((words for key, words in _FORM_WORDS if key.lower() in detail.lower()), "表单格式有误")
    return f"上传内容无法解析：{said}；请在页面上重新选择文件上传"


def _too_large(limit: int) -> HTMLResponse:
    shown = f"{limit / MB:.0f} MB " if limit >= MB else f"{limit} 字节"
    return error_page(413, f"上传的文件超过了 {shown}的上限。请拆分台账，或请管理员以 "
                           f"--max-upload-mb 调高上限后再试。")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings, rulebook: Rulebook | None = None) -> FastAPI:
    rulebook = rulebook or load_rulebook(settings.rules_dir, settings.policy_dir)
    store = Store(settings.session_ttl, settings.temp_root)
    directory = Directory(settings.store)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        store.open()
        if settings.warm_coverage:  # the rulebook pages need it; ~3 s in a child process
            from landrules.web.pages_rules import compute_coverage

            threading.Thread(target=compute_coverage, args=(app.state,), daemon=True).start()
        yield
        store.close()  # every session's files go with the server
        directory.close()  # audit lines the busy store could not take yet

    app = FastAPI(
        title="landrules 决策服务 / decision API", version=__version__, lifespan=lifespan,
        docs_url=None, redoc_url=None, openapi_url=None,
        description="按平龙政办〔2021〕36号与国土资源部令第53号逐宗决策并引用条款。Decisions cite clauses.",
    )
    app.state.settings, app.state.rulebook, app.state.store = settings, rulebook, store
    app.state.directory, app.state.coverage = directory, None
    app.add_middleware(LimitUploads, limit=settings.max_upload)
    app.add_middleware(Guard, allowed=settings.allowed_hosts)  # outside LimitUploads: refused before any body
    if settings.trusted_proxies:  # their X-Forwarded-Proto / -For set the scheme (Secure cookies) and the client
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    import swagger_ui_bundle

    app.mount("/assets/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

    @app.get("/openapi.json", include_in_schema=False, dependencies=[need("查看")])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[need("查看")])
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="landrules API 文档",
            swagger_js_url="/assets/swagger/swagger-ui-bundle.js",
            swagger_css_url="/assets/swagger/swagger-ui.css",
            swagger_favicon_url="/assets/swagger/favicon-32x32.png",
        )

    @app.exception_handler(UploadTooLarge)
    async def _upload_too_large(request: Request, exc: UploadTooLarge):
        return _too_large(settings.max_upload)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded):
        if _wants_json(request):
            return JSONResponse({"error": "需要登录或接口令牌（Authorization: Bearer 令牌，由 landrules users token 签发）"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
        return error_page(401, "登录已过期或尚未登录，请重新登录后再操作。", "请先登录")

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused):
        if _wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        if getattr(request.state, "identity", None) is not None:  # signed in: the page keeps its menu
            return render(request, "error.html", status=exc.status, title=exc.title, message=exc.message)
        return error_page(exc.status, exc.message, exc.title)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if request.scope.get(TOO_LARGE):
            return _too_large(settings.max_upload)
        if exc.detail == "There was an error parsing the body":
            exc = StarletteHTTPException(exc.status_code, "请求内容无法解析（上传是否完整？）")
        elif exc.status_code == 400 and isinstance(exc.detail, str) and exc.detail.isascii():
            exc = StarletteHTTPException(exc.status_code, form_problem(exc.detail))
        message = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") \
            else {404: f"没有 {request.url.path} 这个页面。", 405: "该地址不接受这种请求方式。"}.get(exc.status_code, "请求无法完成。")
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=exc.status_code)
        return error_page(exc.status_code, message)

    def _problem(error: dict) -> str:
        """One validation error in Chinese: where (body.parcels.0 …) and what."""
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "请求"
        kind, message = error.get("type", ""), str(error.get("msg", ""))
        said = VALIDATION_WORDS.get(kind)
        if said is None and kind in ("value_error", "assertion_error"):  # our validators speak Chinese
            said = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if said is None:  # never pydantic's English
            said = f"内容无效（{kind or '未知'}）"
        return f"{where}：{said}"

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        problems = [_problem(e) for e in exc.errors()]
        if _wants_json(request):
            return JSONResponse({"error": "请求内容无效", "problems": problems}, status_code=422)
        return error_page(422, "表单内容无效：" + "；".join(problems))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        message = f"处理请求时出错（{type(exc).__name__}）。请重试；如仍出错，请把所做操作告诉管理员。"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=500)
        return error_page(500, message)

    from landrules.web import api, maps, pages, pages_rules
    from landrules.web.access import signin
    from landrules.web.runs import api as runs_api
    from landrules.web.runs import pages as pages_runs

    app.include_router(signin.router)
    app.include_router(api.router)
    app.include_router(runs_api.router)
    app.include_router(pages_runs.router)
    app.include_router(pages.router)
    app.include_router(maps.router)
    app.include_router(pages_rules.router)
    return app


