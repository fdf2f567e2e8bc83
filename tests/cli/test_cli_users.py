"""`landrules users …`, `landrules audit`, and `serve` refusing another address without accounts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from landrules.cli import app

PASSWORD = "correct horse battery"
runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input, env={"COLUMNS": "200"})


def test_users_add_list_token_disable_and_the_audit(tmp_path):
    store = tmp_path / "s.duckdb"
    added = run("users", "add", "张三", "--role", "admin", "--password-stdin", "--store", store, input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert f"记录库: {store}" in added.stderr and "已建立账户 张三（管理）" in added.stderr
    assert run("users", "add", "李四", "--role", "填报", "--password-stdin", "--store", store, input=PASSWORD + "\n").exit_code == 0
    again = run("users", "add", "张三", "--role", "查看", "--password-stdin", "--store", store, input=PASSWORD + "\n")
    assert again.exit_code == 2 and "账户 张三 已存在" in again.stderr
    short = run("users", "add", "王五", "--role", "查看", "--password-stdin", "--store", store, input="short\n")
    assert short.exit_code == 2 and "密码太短" in short.stderr
    role = run("users", "add", "王五", "--role", "boss", "--password-stdin", "--store", store, input=PASSWORD + "\n")
    assert role.exit_code == 2 and "角色 'boss' 不存在" in role.stderr
    token = run("users", "token", "李四", "--store", store)
    assert token.exit_code == 0 and token.stdout.strip().startswith("lr_") and "只显示这一次" in token.stderr
    listed = json.loads(run("users", "list", "--json", "--store", store).stdout)
    assert [(a["name"], a["role"], a["active"], a["token"]) for a in listed] == [
        ("张三", "管理", True, False), ("李四", "填报", True, True)]
    assert run("users", "disable", "李四", "--store", store).exit_code == 0
    assert run("users", "disable", "赵六", "--store", store).exit_code == 2
    listed = json.loads(run("users", "list", "--json", "--store", store).stdout)
    assert listed[1]["active"] is False and listed[1]["token"] is False
    log = json.loads(run("audit", "--json", "--store", store).stdout)
    assert [(e["action"], e["target"]) for e in log] == [
        ("account_disabled", "李四"), ("token_issued", "李四"), ("account_added", "李四"), ("account_added", "张三")]
    assert all(e["origin"].startswith("命令行@") for e in log)
    assert token.stdout.strip() not in store.read_bytes().decode("latin-1")  # only its hash is kept


def test_a_password_is_asked_on_a_terminal_only(tmp_path):
    result = run("users", "add", "张三", "--role", "查看", "--store", tmp_path / "s.duckdb", input="")
    assert result.exit_code == 2 and "--password-stdin" in result.stderr
    assert not (tmp_path / "s.duckdb").exists() or "张三" not in run("users", "list", "--store", tmp_path / "s.duckdb").stdout


def test_listing_a_missing_store_creates_nothing(tmp_path):
    result = run("users", "list", "--store", tmp_path / "none.duckdb")
    assert result.exit_code == 2 and "还不存在" in result.stderr and not (tmp_path / "none.duckdb").exists()


@pytest.mark.slow  # `landrules serve` in a child process
def test_serve_on_another_address_refuses_to_start_without_accounts(tmp_path):
    store = tmp_path / "s.duckdb"
    proc = subprocess.run([sys.executable, "-m", "landrules", "serve", "--host", "0.0.0.0", "--port", "1",
                           "--store", str(store)], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "须先建立账户" in lines[0] and "landrules users add" in lines[0]
    proxied = subprocess.run([sys.executable, "-m", "landrules", "serve", "--trusted-proxy", "127.0.0.1",
                              "--store", str(store)], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proxied.returncode == 2 and "反向代理" in proxied.stderr
