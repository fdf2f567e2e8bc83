"""The workbench's accounts, in the store (table `accounts`, made by migration 2 in schema.py).

An account has a name, one role, an argon2 hash of its password (argon2-cffi's defaults, the
RFC 9106 low-memory profile), an active flag and, optionally, the sha256 of one API token.
Roles rank: each includes the ones below it.

- 查看  read: the rulebook pages, the recorded runs, the API's GET endpoints
- 填报  upload a ledger, decide it, try a what-if; POST /api/decide and /api/explain
- 审核  record a decided ledger as a run, see progress between runs
- 管理  the accounts (and the audit log)

Every function takes a DuckDB connection (`Store.con`); a change is the caller's transaction.
Nothing here stores or logs a password or a token, only their hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from landrules.record.audit import now

ROLES = {"查看": 1, "填报": 2, "审核": 3, "管理": 4}
ALIASES = {"read": "查看", "upload": "填报", "review": "审核", "admin": "管理"}
MIN_PASSWORD = 10
TOKEN_PREFIX = "lr_"


_HASHER = PasswordHasher()
_DUMMY: list[str] = []  # a hash no password matches: an unknown name costs as much as a wrong password


def _dummy() -> str:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash(secrets.token_hex(16)))
    return _DUMMY[0]


class AccountError(ValueError):
    """A refused account change; str() is one Chinese line."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    active: bool
    has_token: bool = False
    created_at: dt.datetime | None = None

    def may(self, role: str) -> bool:
        """True when this account's role includes `role`."""
        return self.active and ROLES[self.role] >= ROLES[role]


def role_of(text: str) -> str:
    """The role named by `text` (查看/填报/审核/管理, or read/upload/review/admin)."""
    role = ALIASES.get(text.strip().lower(), text.strip())
    if role not in ROLES:
        raise AccountError(f"角色 {text!r} 不存在：应为 查看、填报、审核 或 管理（或 read、upload、review、admin）")
    return role


def check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip())
    if not 1 <= len(name) <= 32:
        raise AccountError(f"账户名 {name!r} 应为 1 到 32 个字符")
    if any(c.isspace() or unicodedata.category(c)[0] == "C" or c in "/\\<>\"'&" for c in name):
        raise AccountError(f"账户名 {name!r} 不能含空白、控制字符或 / \\ < > \" ' &")
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if password.strip() != password or any(unicodedata.category(c)[0] == "C" for c in password):
        raise AccountError("密码不能以空白开头或结尾，也不能含控制字符")


def _account(row) -> Account:
    name, role, active, token, created = row
    return Account(name, role, bool(active), token is not None, created)


_COLUMNS = "name, role, active, token_sha256, created_at"


def add(con, name: str, role: str, password: str) -> Account:
    """A new active account; AccountError when the name is taken or the input is refused."""
    name, role = check_name(name), role_of(role)
    check_password(password)
    if get(con, name) is not None:
        raise AccountError(f"账户 {name} 已存在（停用的账户也保留其名，以便审计日志可查）")
    at = now()
    con.execute("INSERT INTO accounts VALUES (?, ?, ?, NULL, TRUE, ?, ?)", [name, role, _HASHER.hash(password), at, at])
    return get(con, name)


def get(con, name: str) -> Account | None:
    row = con.execute(f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", [name]).fetchone()
    return _account(row) if row else None


def listed(con) -> list[Account]:
    return [_account(r) for r in con.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY created_at, name").fetchall()]


def any_active(con) -> bool:
    return con.execute("SELECT count(*) FROM accounts WHERE active").fetchone()[0] > 0


def _existing(con, name: str) -> Account:
    account = get(con, name)
    if account is None:
        raise AccountError(f"没有账户 {name}（landrules users list 列出现有账户）")
    return account


def disable(con, name: str) -> Account:
    """The account can no longer sign in, and its API token stops working."""
    _existing(con, name)
    con.execute("UPDATE accounts SET active = FALSE, token_sha256 = NULL, changed_at = ? WHERE name = ?", [now(), name])
    return get(con, name)


def set_password(con, name: str, password: str) -> None:
    _existing(con, name)
    check_password(password)
    con.execute("UPDATE accounts SET password_hash = ?, changed_at = ? WHERE name = ?",
                [_HASHER.hash(password), now(), name])


def verify(con, name: str, password: str) -> Account | None:
    """The active account when `password` is its password; None otherwise (same cost either way)."""
    row = con.execute("SELECT password_hash FROM accounts WHERE name = ? AND active", [name]).fetchone()
    try:
        _HASHER.verify(row[0] if row else _dummy(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(row[0]):  # argon2-cffi's parameters moved on: keep up
        con.execute("UPDATE accounts SET password_hash = ? WHERE name = ?", [_HASHER.hash(password), name])
    return get(con, name)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(con, name: str) -> str:
    """A new API token for the account (printed once; only its sha256 is kept). It replaces the
    account's previous token. A token is 256 random bits, so a plain sha256 is enough."""
    account = _existing(con, name)
    if not account.active:
        raise AccountError(f"账户 {name} 已停用，不能签发接口令牌")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    con.execute("UPDATE accounts SET token_sha256 = ?, changed_at = ? WHERE name = ?", [token_hash(token), now(), name])
    return token


def by_token(con, token: str) -> Account | None:
    """The active account holding `token`, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = con.execute(f"SELECT {_COLUMNS} FROM accounts WHERE token_sha256 = ? AND active",
                      [token_hash(token)]).fetchone()
    return _account(row) if row else None
