"""The accounts and the audit log in the store (migration 2): argon2 hashes, roles that rank,
disabling, API tokens kept as hashes only, and an upgrade from a store of version 1."""

from __future__ import annotations

import duckdb
import pytest

from landrules.record import accounts, audit, schema
from landrules.record.accounts import AccountError
from landrules.record.store import Store

PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as opened:
        yield opened


@pytest.mark.slow  # argon2id at the shipped costs, on purpose
def test_a_password_is_kept_as_an_argon2_hash_and_verified(store, shipped_password_hashes):
    account = accounts.add(store.con, "张三", "填报", PASSWORD)
    assert (account.name, account.role, account.active) == ("张三", "填报", True)
    kept = store.con.execute("SELECT password_hash FROM accounts").fetchone()[0]
    assert kept.startswith("$argon2id$") and PASSWORD not in kept
    # at argon2-cffi's costs (RFC 9106's second recommendation: 64 MiB, 3 passes, 4 lanes), which
    # the other tests lower to sign in quickly (tests/conftest.py quick_password_hashes)
    params = dict(p.split("=") for p in kept.split("$")[3].split(","))
    assert int(params["m"]) >= 65536 and int(params["t"]) >= 3 and int(params["p"]) >= 4, kept
    assert accounts.verify(store.con, "张三", PASSWORD) == account
    assert accounts.verify(store.con, "张三", PASSWORD + "x") is None
    assert accounts.verify(store.con, "李四", PASSWORD) is None  # no such account


def test_roles_rank_and_take_english_names(store):
    for name, role in (("a", "read"), ("b", "upload"), ("c", "审核"), ("d", "admin")):
        accounts.add(store.con, name, role, PASSWORD)
    got = {a.name: a for a in accounts.listed(store.con)}
    assert [got[n].role for n in "abcd"] == ["查看", "填报", "审核", "管理"]
    assert got["a"].may("查看") and not got["a"].may("填报")
    assert got["c"].may("填报") and got["c"].may("审核") and not got["c"].may("管理")
    assert all(got["d"].may(r) for r in accounts.ROLES)


@pytest.mark.parametrize("name, role, password, said", [
    ("张三", "boss", PASSWORD, "角色 'boss' 不存在"),
    ("a b", "查看", PASSWORD, "不能含空白"),
    ("<x>", "查看", PASSWORD, "不能含"),
    ("x" * 33, "查看", PASSWORD, "1 到 32 个字符"),
    ("张三", "查看", "short", "密码太短"),
    ("张三", "查看", " " + PASSWORD, "不能以空白开头"),
])
def test_refused_accounts_say_why_in_one_line(store, name, role, password, said):
    with pytest.raises(AccountError, match=said):
        accounts.add(store.con, name, role, password)
    assert accounts.listed(store.con) == []


def test_a_name_is_taken_once_even_when_disabled(store):
    accounts.add(store.con, "张三", "查看", PASSWORD)
    accounts.disable(store.con, "张三")
    with pytest.raises(AccountError, match="已存在"):
        accounts.add(store.con, "张三", "管理", PASSWORD)


def test_a_disabled_account_cannot_sign_in_nor_use_its_token(store):
    accounts.add(store.con, "张三", "填报", PASSWORD)
    token = accounts.issue_token(store.con, "张三")
    assert accounts.by_token(store.con, token).name == "张三"
    assert accounts.any_active(store.con)
    accounts.disable(store.con, "张三")
    assert accounts.verify(store.con, "张三", PASSWORD) is None
    assert accounts.by_token(store.con, token) is None
    assert not accounts.any_active(store.con)
    with pytest.raises(AccountError, match="已停用"):
        accounts.issue_token(store.con, "张三")


def test_a_token_is_kept_as_its_sha256_and_a_new_one_replaces_it(store):
    accounts.add(store.con, "接口", "填报", PASSWORD)
    first = accounts.issue_token(store.con, "接口")
    kept = store.con.execute("SELECT token_sha256 FROM accounts").fetchone()[0]
    assert first.startswith("lr_") and len(first) > 40 and first not in kept and kept == accounts.token_hash(first)
    second = accounts.issue_token(store.con, "接口")
    assert accounts.by_token(store.con, first) is None and accounts.by_token(store.con, second).name == "接口"
    assert accounts.by_token(store.con, "lr_" + "x" * 43) is None and accounts.by_token(store.con, "") is None


def test_the_audit_log_lists_the_newest_first(store):
    audit.log(store.con, "root", "account_added", "张三", "角色 填报", "命令行@host")
    audit.log(store.con, "张三", "login", "张三", "", "10.0.0.7")
    audit.log(store.con, "（未登录）", "login_failed", "李四", "", "10.0.0.8")
    got = audit.entries(store.con)
    assert [(e.actor, e.action_zh, e.target, e.origin) for e in got] == [
        ("（未登录）", "登录失败", "李四", "10.0.0.8"), ("张三", "登录", "张三", "10.0.0.7"),
        ("root", "新建账户", "张三", "命令行@host")]
    assert [e.action for e in audit.entries(store.con, actor="张三")] == ["login"]
    with pytest.raises(ValueError):
        audit.log(store.con, "x", "no_such_action")


def test_a_store_of_version_1_is_upgraded_keeping_its_runs(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr("landrules.record.store.MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr("landrules.record.store.SCHEMA_VERSION", 1)
    with Store.open(path) as old:
        old.con.execute("INSERT INTO runs (id, label, as_of, ledger, ledger_sha256, rows, rulebook, recorded_by, recorded_at) "
                        "VALUES (1, '2021Q4', DATE '2021-10-01', 'a.csv', 'x', 3, 'sha256:y', 'root', now()::TIMESTAMP)")
        tables = {r[0] for r in old.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "accounts" not in tables and old.version() == 1
    monkeypatch.undo()
    with Store.open(path) as upgraded:
        assert upgraded.version() == schema.SCHEMA_VERSION >= 2
        assert upgraded.con.execute("SELECT label FROM runs").fetchall() == [("2021Q4",)]
        accounts.add(upgraded.con, "张三", "管理", PASSWORD)
        audit.log(upgraded.con, "root", "account_added", "张三")
        assert [a.name for a in accounts.listed(upgraded.con)] == ["张三"]


def test_accounts_and_audit_are_rolled_back_with_their_transaction(store):
    with pytest.raises(duckdb.Error), store.transaction():
        accounts.add(store.con, "张三", "管理", PASSWORD)
        audit.log(store.con, "root", "account_added", "张三")
        store.con.execute("SELECT * FROM no_such_table")
    assert accounts.listed(store.con) == [] and audit.entries(store.con) == []
