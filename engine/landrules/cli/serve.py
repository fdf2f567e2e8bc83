"""`landrules serve`: the officers' workbench in a browser and the JSON decision API."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import PolicyOpt, RulesOpt, app, err, fail, load_checked_rulebook
from landrules.cli.record.options import StoreOpt

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command(
    epilog="退出码 / exit: 运行到被停止 runs until stopped (Ctrl-C) · 2 无法启动 cannot start (invalid rulebook, "
    "port in use).  例 / example: landrules serve --port 8000, then open http://127.0.0.1:8000/",
)
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to bind (default: this machine only)"),
    port: int = typer.Option(8000, "--port", help="端口 / port"),
    max_upload_mb: int = typer.Option(200, "--max-upload-mb", help="上传上限（MB）/ upload size limit in MB"),
    session_hours: float = typer.Option(4.0, "--session-hours", help="会话闲置多久后删除其文件（小时）/ idle hours before a session's files go"),
    scenarios: Optional[Path] = typer.Option(None, "--scenarios", help="场景目录 / scenarios folder for coverage (default: the bundled scenarios/)"),
    store: Optional[Path] = StoreOpt,
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """在浏览器中使用决策工作台，并提供决策接口。The officers' workbench in a browser, and the JSON decision API."""
    import uvicorn

    from landrules.rulebook import locate
    from landrules.web.app import create_app
    from landrules.web.common import MB, Settings

    if not 1 <= port <= 65535:
        raise fail(f"--port {port}：应在 1 到 65535 之间")
    if max_upload_mb < 1:
        raise fail(f"--max-upload-mb {max_upload_mb}：至少为 1")
    rulebook = load_checked_rulebook(rules, policy)
    if store is not None:  # the record of runs (GET /api/runs, /api/progress) is found as every command finds it
        import os

        os.environ["LANDRULES_STORE"] = str(store)
    from landrules.record.locate import store_path, where_line

    err.print(where_line(store_path(None)), markup=False)
    settings = Settings(rules_dir=locate.rules_dir(rules), policy_dir=locate.policy_dir(policy), scenarios_dir=scenarios,
                        max_upload=max_upload_mb * MB, session_ttl=session_hours * 3600, warm_coverage=True)
    if host not in LOOPBACK:
        err.print(f"[bold red]警告 / WARNING：工作台监听 {host}:{port}，同一网络中的其他计算机都能访问它，"
                  f"且没有登录验证。Listening on {host}: other machines can reach it, without authentication.[/]")
    shown = f"[{host}]" if ":" in host else host
    err.print(f"决策工作台 / workbench: http://{shown}:{port}/  ·  接口文档 / API docs: http://{shown}:{port}/docs  ·  Ctrl-C 停止 / to stop")
    _check_port(host, port)
    uvicorn.run(create_app(settings, rulebook), host=host, port=port, log_level="warning")


def _check_port(host: str, port: int) -> None:
    """Exit 2 with one line when the address cannot be bound (uvicorn would only log it)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise fail(f"--host {host!r} 无法解析：{exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise fail(f"无法在 {host}:{port} 启动：{exc.strerror or exc}") from None
