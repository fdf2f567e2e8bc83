"""`landrules users …`: the workbench's accounts (add, list, disable, password, token) and
`landrules audit`: the audit log. Both live in the store (contract §7, --store)."""

from __future__ import annotations

import contextlib
import getpass
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import app, err, fail
from landrules.cli.record.options import StoreOpt, open_store

users = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
    help="工作台的账户（存于记录库）。The workbench's accounts, kept in the store. "
         "角色 / roles: 查看 read < 填报 upload < 审核 review < 管理 admin (each includes the ones before).",
)
app.add_typer(users, name="users")

def _who() -> tuple[str, str]:
    """The actor and origin of a command-line change, for the audit log."""
    from landrules.record.audit import command_line
    from landrules.record.recorder import os_user

    return os_user(), command_line()


@contextlib.contextmanager
def _store(option: Optional[Path], write: bool = True):
    from landrules.record.locate import store_path

    if not write and not store_path(option).exists():
        raise fail(f"记录库 {store_path(option)} 还不存在：先用 landrules users add 建立账户")
    store = open_store(option)
    try:
        yield store
    finally:
        store.close()


def _change(option: Optional[Path], do, action: str, target: str, detail: str = ""):
    """`do(con)` and its audit line, in one transaction; AccountError → one line, exit 2."""
    from landrules.record import audit
    from landrules.record.accounts import AccountError

    actor, origin = _who()
    with _store(option) as store:
        try:
            with store.transaction():
                result = do(store.con)
                audit.log(store.con, actor, action, target, detail, origin)
        except AccountError as exc:
            raise fail(str(exc)) from None
    return result


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n")
    if not sys.stdin.isatty():
        raise fail("没有终端可输入密码：请在终端中运行，或用 --password-stdin 从标准输入读入一行")
    first = getpass.getpass("密码（不回显）: ")
    if getpass.getpass("再输一次: ") != first:
        raise fail("两次输入的密码不一致，未作改动")
    return first


@users.command("add", epilog="例 / example: landrules users add 张三 --role 填报 · "
               "echo \"$PASS\" | landrules users add 接口系统 --role 填报 --password-stdin")
def add(
    name: str = typer.Argument(..., help="账户名 / account name (1-32 characters)"),
    role: str = typer.Option(..., "--role", help="角色 / role: 查看|填报|审核|管理 (or read|upload|review|admin)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读一行作密码 / read the password from stdin"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """新建账户（密码以 argon2 散列保存）。Add an account (its password kept as an argon2 hash)."""
    from landrules.record import accounts
    from landrules.record.accounts import AccountError

    try:
        name, role = accounts.check_name(name), accounts.role_of(role)
    except AccountError as exc:
        raise fail(str(exc)) from None
    password = _password(password_stdin)
    account = _change(store, lambda con: accounts.add(con, name, role, password), "account_added", name, f"角色 {role}")
    err.print(f"已建立账户 {account.name}（{account.role}）。")


@users.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="JSON 数组 / one JSON array"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """列出账户。List the accounts."""
    from landrules.record import accounts

    with _store(store, write=False) as opened:
        listed = accounts.listed(opened.con)
    if as_json:
        print(json.dumps([{"name": a.name, "role": a.role, "active": a.active, "token": a.has_token,
                           "created_at": a.created_at.isoformat() + "Z" if a.created_at else None} for a in listed],
                         ensure_ascii=False))
        return
    if not listed:
        err.print("尚无账户。")
    for a in listed:
        print(f"{a.name}\t{a.role}\t{'启用' if a.active else '已停用'}\t{'有接口令牌' if a.has_token else '-'}")


@users.command("disable")
def disable(name: str = typer.Argument(..., help="账户名 / account name"), store: Optional[Path] = StoreOpt) -> None:
    """停用账户：不能再登录，接口令牌失效（工作台在 15 秒内生效）。Disable an account."""
    from landrules.record import accounts

    _change(store, lambda con: accounts.disable(con, name), "account_disabled", name)
    err.print(f"已停用账户 {name}：不能再登录，其接口令牌已失效；已登录的会话在 15 秒内结束。")


@users.command("password")
def password(
    name: str = typer.Argument(..., help="账户名 / account name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读一行作密码 / read the password from stdin"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """重设密码。Set an account's password."""
    from landrules.record import accounts

    new = _password(password_stdin)
    _change(store, lambda con: accounts.set_password(con, name, new), "password_changed", name)
    err.print(f"已重设账户 {name} 的密码。")


@users.command("token", epilog="调用 / use: curl -H \"Authorization: Bearer TOKEN\" -H 'Content-Type: application/json' "
               "-d @parcels.json https://HOST/api/decide")
def token(name: str = typer.Argument(..., help="账户名 / account name"), store: Optional[Path] = StoreOpt) -> None:
    """为账户签发接口令牌（只显示这一次；替换其旧令牌）。Print a new API token for the account (shown once; replaces the old one)."""
    from landrules.record import accounts

    issued = _change(store, lambda con: accounts.issue_token(con, name), "token_issued", name)
    err.print(f"账户 {name} 的接口令牌如下（只显示这一次，记录库只存其散列；旧令牌已失效）：")
    print(issued)


@app.command(epilog="例 / example: landrules audit --limit 50")
def audit(
    limit: int = typer.Option(100, "--limit", help="最近多少条 / how many of the newest entries"),
    actor: Optional[str] = typer.Option(None, "--actor", help="只列此人 / only this actor"),
    as_json: bool = typer.Option(False, "--json", help="JSON 数组 / one JSON array"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """审计日志：登录、登录失败、账户变动、签发令牌、记录台账（谁、何时、从哪里）。The audit log, newest first."""
    from landrules.record import audit as log

    with _store(store, write=False) as opened:
        entries = log.entries(opened.con, limit, actor)
    if as_json:
        print(json.dumps([{"at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action, "target": e.target,
                           "detail": e.detail, "origin": e.origin} for e in entries], ensure_ascii=False))
        return
    for e in entries:
        print("\t".join((e.local_time, e.actor, e.action_zh, e.target, e.detail, e.origin)))
