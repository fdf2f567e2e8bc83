"""`landrules serve`: the officers' workbench in a browser and the JSON decision API."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import PolicyOpt, RulesOpt, app, err, fail, load_checked_rulebook
from landrules.cli.record.options import StoreOpt

def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: only this machine can reach the workbench."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command(
    epilog="退出码 / exit: 运行到被停止 runs until stopped (Ctrl-C) · 2 无法启动 cannot start (invalid rulebook, "
    "port in use, --host other than this machine without accounts). 内网部署 / on an intranet: docs/deploy.zh.md.  例 / example: landrules serve --port 8000, then open http://127.0.0.1:8000/",
)
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to bind (default: this machine only)"),
    port: int = typer.Option(8000, "--port", help="端口 / port"),
    max_upload_mb: int = typer.Option(200, "--max-upload-mb", help="上传上限（MB）/ upload size limit in MB"),
    session_hours: float = typer.Option(4.0, "--session-hours", help="会话闲置多久后删除其文件（小时）/ idle hours before a session's files go"),
    scenarios: Optional[Path] = typer.Option(None, "--scenarios", help="场景目录 / scenarios folder for coverage (default: the bundled scenarios/)"),
    allowed_host: Optional[list[str]] = typer.Option(
        None, "--allowed-host", help="允许的主机名（可多次）/ a Host the workbench answers to, e.g. the proxy's name "
        "(default: the bound host, localhost, 127.0.0.1, ::1); any other Host gets 400 (DNS rebinding)"),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Cookie 一律加 Secure（经 HTTPS 访问时）/ "
                                        "Secure cookies always (else only on requests that came over HTTPS)"),
    trusted_proxy: Optional[list[str]] = typer.Option(
        None, "--trusted-proxy", help="可信反向代理的地址（可多次）/ a reverse proxy whose X-Forwarded-Proto/-For are believed"),
    store: Optional[Path] = StoreOpt,  # the recorded runs, the accounts and the audit log
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
    from landrules.record.locate import store_path, where_line
    from landrules.web.access.hosts import default_allowed

    path = store_path(store)
    accounts_on = _accounts_on(path)
    if not is_loopback(host) and not accounts_on:
        raise fail(f"工作台监听 {host} 时其他计算机都能访问，须先建立账户：landrules users add 姓名 --role 管理"
                   f"（记录库 {path}）；仅本机使用请去掉 --host")
    if trusted_proxy and not accounts_on:
        raise fail(f"经反向代理（--trusted-proxy）提供工作台须先建立账户：landrules users add 姓名 --role 管理（记录库 {path}）")
    rulebook = load_checked_rulebook(rules, policy)
    allowed = tuple(dict.fromkeys([*default_allowed(host), *(h.strip().lower() for h in allowed_host or [])]))
    if store is not None:  # the record of runs (GET /api/runs, /api/progress) is found as every command finds it
        import os

        os.environ["LANDRULES_STORE"] = str(store)
    settings = Settings(rules_dir=locate.rules_dir(rules), policy_dir=locate.policy_dir(policy), scenarios_dir=scenarios,
                        max_upload=max_upload_mb * MB, session_ttl=session_hours * 3600, warm_coverage=True,
                        store=path, allowed_hosts=allowed, secure_cookies=secure_cookies,
                        trusted_proxies=tuple(trusted_proxy or ()))
    err.print(where_line(path) + ("（已建立账户：须登录）" if accounts_on else "（未建立账户：仅本机一人使用，无须登录）"),
              markup=False)
    err.print("允许的主机名 / allowed hosts: " + ", ".join(allowed))
    if not is_loopback(host) and not trusted_proxy and not secure_cookies:
        err.print("[bold yellow]提示：未经 HTTPS，登录密码在网络上以明文传送；请置于 HTTPS 反向代理之后（docs/deploy.zh.md）。"
                  "Without HTTPS, passwords cross the network in clear: put it behind an HTTPS proxy.[/]")
    shown = f"[{host}]" if ":" in host else host
    err.print(f"决策工作台 / workbench: http://{shown}:{port}/  ·  接口文档 / API docs: http://{shown}:{port}/docs  ·  Ctrl-C 停止 / to stop")
    _check_port(host, port)
    # proxy_headers off: X-Forwarded-* are believed only from --trusted-proxy (web/app.py), never by default
    uvicorn.run(create_app(settings, rulebook), host=host, port=port, log_level="warning", proxy_headers=False,
                server_header=False)


def _accounts_on(path: Path) -> bool:
    """True when the store holds an active account; exit 2 when the store cannot be read."""
    if not path.exists():
        return False
    from landrules.record import accounts
    from landrules.record.store import Store, StoreError

    try:
        with Store.open(path, say=lambda line: err.print(line)) as opened:
            return accounts.any_active(opened.con)
    except StoreError as exc:
        raise fail(str(exc)) from None


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
