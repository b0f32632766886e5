"""Personal accounts: who may change data, checked by password, with lockout. Pure domain: no Streamlit.

Storage (models/store/database.py, user tables that survive rebuilds):
- `accounts`: username, display name, role (models/store/roles.py), `password_hash`, who created it and when,
  `disabled_at`, `locked_until`. The hash is `scrypt$n$r$p$salt$key` (stdlib hashlib.scrypt, 16 random salt
  bytes, parameters stored with the hash so they can be raised later). No password is stored or logged anywhere.
- `login_attempts`: one row per login attempt (username as typed after normalising, time, outcome
  ok | wrong | unknown | locked | disabled). Never the password.

Lockout: MAX_FAILURES wrong passwords for one account within WINDOW lock it for LOCK_FOR; the lock is written to
the change log (action `lock`, who `system`). While locked even the right password is refused. Failures before the
last successful login or before the end of the last lock do not count.

First admin: `ensure_first_admin()` creates `admin` (or $YLYX_ADMIN_USER) from $YLYX_ADMIN_PASSWORD when no admin
exists yet; otherwise the variables are ignored. There is no default password.
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from models.core.messages import MessageError
from models.intake.importer import Problem
from models.store import roles
from models.store.database import Database, default, log_change

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 256  # scrypt cost is flat, but a megabyte "password" is no password
ADMIN_PASSWORD_ENV, ADMIN_USER_ENV = "YLYX_ADMIN_PASSWORD", "YLYX_ADMIN_USER"
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES = 2**14, 8, 1, 32  # ~16 MB, ~80 ms per check on this machine
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,31}$")
_COLUMNS = ("username", "display_name", "role", "created_by", "created_at", "disabled_at", "locked_until")


class AccountError(MessageError):
    """A refused account operation (bad name, weak password, unknown account…); `problem` renders zh/en."""


class LoginRefused(AccountError):
    """Wrong name or password, a locked or a disabled account. The attempt has been recorded."""


def _problem(code: str, **params) -> Problem:
    return Problem(code, tuple(sorted((k, str(v)) for k, v in params.items())))


@dataclass(frozen=True)
class Account:
    """One account as the app sees it (never with its hash)."""
    username: str
    display_name: str
    role: str
    created_by: str
    created_at: datetime | None
    disabled: bool
    locked_until: datetime | None

    @property
    def can_edit(self) -> bool:
        return roles.can_edit(self.role)

    @property
    def label(self) -> str:
        """'display name (username)', or the username alone."""
        return f"{self.display_name} ({self.username})" if self.display_name else self.username


def _db(db: Database | None) -> Database:
    return db or default()


def _now() -> datetime:
    return datetime.now()  # local wall-clock time, as in the change log


# -- passwords --------------------------------------------------------------------------------------------
def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A new salted scrypt hash of `password`: 'scrypt$n$r$p$salt(b64)$key(b64)'."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=2**26)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(key).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (constant-time comparison); False for a malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(want), maxmem=2**26)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


_DUMMY: list[str] = []  # a hash to check unknown names against, so they cost as much time as known ones


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_hex(16)))
    return _DUMMY[0]


def parse_username(name: str) -> str:
    """A username as typed → its stored form (trimmed, lower case). 2–32 of a-z 0-9 _ . - , starting with a letter
    or digit; raises AccountError otherwise."""
    value = str(name or "").strip().lower()
    if not _USERNAME.match(value):
        raise AccountError(_problem("acc_bad_username", name=str(name)[:40]))
    return value


def check_new_password(password: str, *, username: str) -> None:
    """Raises AccountError when `password` is too short, too long or equals the username."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD \
            or password.strip().lower() == username:
        raise AccountError(_problem("acc_weak_password", n=MIN_PASSWORD))


# -- accounts ---------------------------------------------------------------------------------------------
def _account(row: Mapping) -> Account:
    def ts(v):
        return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()
    return Account(username=row["username"], display_name=row["display_name"] or "", role=row["role"],
                   created_by=row["created_by"] or "", created_at=ts(row["created_at"]),
                   disabled=ts(row["disabled_at"]) is not None, locked_until=ts(row["locked_until"]))


def get_account(username: str, *, db: Database | None = None) -> Account | None:
    """The account, or None when there is none with that name (malformed names included)."""
    try:
        name = parse_username(username)
    except AccountError:
        return None
    df = _db(db).query(f"SELECT {', '.join(_COLUMNS)} FROM accounts WHERE username = ?", [name])
    return None if df.empty else _account(df.iloc[0].to_dict())


def list_accounts(*, db: Database | None = None) -> pd.DataFrame:
    """Every account (no hashes): username, display_name, role, created_by, created_at, disabled_at,
    locked_until; ordered by username."""
    return _db(db).query(f"SELECT {', '.join(_COLUMNS)} FROM accounts ORDER BY username")


def add_account(username: str, password: str, *, role: str, by: str, display_name: str = "",
                db: Database | None = None) -> Account:
    """Create an account (refused when the name exists). `by`: who creates it (an admin's username or
    'cli:<os user>'), logged in the change log without the hash."""
    name = parse_username(username)
    try:
        role = roles.parse_role(role)
    except ValueError:
        raise AccountError(_problem("acc_bad_role", role=str(role)[:20], roles="/".join(roles.ROLES))) from None
    check_new_password(password, username=name)
    display = " ".join(str(display_name or "").split())[:60]
    stored = hash_password(password)  # before the lock: scrypt is the slow part
    now = _now()

    def work(con) -> None:
        if con.execute("SELECT 1 FROM accounts WHERE username = ?", [name]).fetchall():
            raise AccountError(_problem("acc_exists", name=name))
        con.execute("INSERT INTO accounts (username, display_name, role, password_hash, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [name, display, role, stored, by, now])
        log_change(con, who=by, action="account_add", table="accounts", key=json.dumps([name]), old=None,
                   new=json.dumps({"username": name, "display_name": display, "role": role}, ensure_ascii=False))

    _db(db).write(work)
    return Account(name, display, role, by, now, False, None)


def set_disabled(username: str, disabled: bool, *, by: str, db: Database | None = None) -> Account:
    """Disable an account (it can no longer log in; its past changes keep its name) or enable it again
    (which also lifts a lock). Logged in the change log."""
    name = parse_username(username)
    now = _now()

    def work(con) -> None:
        if not con.execute("SELECT 1 FROM accounts WHERE username = ?", [name]).fetchall():
            raise AccountError(_problem("acc_not_found", name=name))
        if disabled:
            con.execute("UPDATE accounts SET disabled_at = ? WHERE username = ?", [now, name])
        else:
            con.execute("UPDATE accounts SET disabled_at = NULL, locked_until = NULL WHERE username = ?", [name])
        log_change(con, who=by, action="account_disable" if disabled else "account_enable", table="accounts",
                   key=json.dumps([name]), old=None, new=json.dumps({"disabled": bool(disabled)}))

    _db(db).write(work)
    return get_account(name, db=db)


def has_admin(*, db: Database | None = None) -> bool:
    """True when at least one enabled admin account exists."""
    return bool(_db(db).scalar("SELECT count(*) FROM accounts WHERE role = ? AND disabled_at IS NULL",
                               [roles.ADMIN]))


def ensure_first_admin(environ: Mapping | None = None, *, db: Database | None = None) -> Account | None:
    """Create the first admin from $YLYX_ADMIN_PASSWORD (name $YLYX_ADMIN_USER or 'admin') when no admin exists.
    Returns the new account, or None when nothing was done (an admin exists, or the variable is unset)."""
    environ = os.environ if environ is None else environ
    password = environ.get(ADMIN_PASSWORD_ENV) or ""
    if not password or has_admin(db=db):
        return None
    try:
        return add_account(environ.get(ADMIN_USER_ENV) or "admin", password, role=roles.ADMIN,
                           by="system:first-run", db=db)
    except AccountError as exc:
        if exc.problem.code == "acc_exists":  # another session created it a moment ago
            return None
        raise


def cli_who() -> str:
    """The change-log name of an unauthenticated command-line user: 'cli:<os user>'."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"cli:{user}"


# -- login ------------------------------------------------------------------------------------------------
def login(username: str, password: str, *, db: Database | None = None, now: datetime | None = None) -> Account:
    """Check a password and record the attempt. Returns the Account; raises LoginRefused (wrong name or
    password — one message for both —, locked, disabled). The fifth wrong password within WINDOW locks the
    account for LOCK_FOR and logs the lock. `now`: the clock (tests)."""
    db = _db(db)
    now = now or _now()
    try:
        name = parse_username(username)
    except AccountError:
        verify_password(str(password or ""), _dummy_hash())
        raise LoginRefused(_problem("acc_login_failed")) from None
    row = db.query("SELECT password_hash FROM accounts WHERE username = ?", [name])
    # the slow check runs outside the write lock; the decision is taken inside the transaction below
    ok = verify_password(str(password or ""), row.iat[0, 0] if not row.empty else _dummy_hash()) and not row.empty

    def work(con) -> tuple[str, datetime | None]:
        acc = con.execute("SELECT disabled_at, locked_until FROM accounts WHERE username = ?", [name]).fetchall()
        if not acc:
            outcome, until = "unknown", None
        elif acc[0][0] is not None:
            outcome, until = "disabled", None
        elif acc[0][1] is not None and acc[0][1] > now:
            outcome, until = "locked", acc[0][1]
        else:
            outcome, until = ("ok" if ok else "wrong"), None
        con.execute("INSERT INTO login_attempts VALUES (?, ?, ?)", [name, now, outcome])
        if outcome == "wrong":
            since = max([now - WINDOW] + [t for t in (_last_ok(con, name), acc[0][1]) if t is not None])
            failures = con.execute("SELECT count(*) FROM login_attempts WHERE username = ? AND outcome = 'wrong' "
                                   "AND attempted_at > ? AND attempted_at <= ?", [name, since, now]).fetchall()[0][0]
            if failures >= MAX_FAILURES:
                until = now + LOCK_FOR
                con.execute("UPDATE accounts SET locked_until = ? WHERE username = ?", [until, name])
                log_change(con, who="system", action="lock", table="accounts", key=json.dumps([name]), old=None,
                           new=json.dumps({"locked_until": until.isoformat(sep=" ", timespec="seconds"),
                                           "failures": int(failures)}),
                           why=f"{failures} 次密码错误（{int(WINDOW.total_seconds() // 60)} 分钟内）/ "
                               f"{failures} wrong passwords within {int(WINDOW.total_seconds() // 60)} min")
        return outcome, until

    outcome, until = db.write(work)
    if outcome == "ok":
        return get_account(name, db=db)
    if until is not None:
        raise LoginRefused(_problem("acc_locked", until=until.strftime("%H:%M")))
    if outcome == "disabled" and ok:  # only someone who knows the password learns that it is disabled
        raise LoginRefused(_problem("acc_disabled"))
    raise LoginRefused(_problem("acc_login_failed"))


def _last_ok(con, name: str) -> datetime | None:
    return con.execute("SELECT max(attempted_at) FROM login_attempts WHERE username = ? AND outcome = 'ok'",
                       [name]).fetchall()[0][0]
