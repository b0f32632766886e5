"""Personal accounts: who may change data, checked by password, with throttling. Pure domain: no Streamlit.

Storage (models/store/database.py, user tables that survive rebuilds):
- `accounts`: username, display name, role (models/store/roles.py), `password_hash`, who created it and when,
  `disabled_at`, `locked_until`. The hash is `scrypt$n$r$p$salt$key` (stdlib hashlib.scrypt, 16 random salt
  bytes, parameters stored with the hash so they can be raised later). No password is stored or logged anywhere.
- `login_attempts`: one row per login attempt (username as typed after normalising, time, outcome
  ok | wrong | unknown | throttled | locked | disabled | unlock, and its source: 'ip:<address>' or
  'session:<id>' in the dashboard, 'os:<user>' on the command line). Never the password.
- `login_locks`: a name locked after far too many failures from many sources: until when, and those sources.

Throttling (issue 22) is by (name, source). SOURCE_FREE wrong passwords from one source cost nothing; each one
after that doubles the wait before that source may try that name again (DELAY_BASE, 2x, ... up to MAX_DELAY), so
one source gets about a dozen guesses in WINDOW, and the owner logging in from another source is not slowed.
A hard lock of the name (LOCK_FOR) needs HARD_LOCK failures within WINDOW from all sources together, far above
what one source can try; it is written to the change log (action `lock`, who `system`) with its sources, and an
admin lifts it with `users unlock`. Unknown names are throttled and locked by exactly the same rules, with the
same messages, and cost the same scrypt time, so no answer tells whether a name exists. Failures before the last
successful login or unlock of the name do not count.

Passwords: at least MIN_PASSWORD characters, not the username, not one repeated character or a plain
sequence, not in common_passwords.txt (beside this module). Hashes: scrypt N = 2^17 (r 8, p 1: 128 MB of memory,
maxmem 256 MB); a hash made with weaker parameters is re-made at the next successful login.

First admin: `ensure_first_admin()` creates `admin` (or $YLYX_ADMIN_USER) from $YLYX_ADMIN_PASSWORD only while the
accounts table is empty (checked inside the write transaction); otherwise the variables are ignored. There is no
default password.
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
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pandas as pd

from models.core.messages import MessageError
from models.intake.importer import Problem
from models.store import roles
from models.store.database import Database, default, log_change

WINDOW = timedelta(minutes=15)
SOURCE_FREE = 3  # wrong passwords from one source for one name before the waits start
DELAY_BASE = timedelta(seconds=2)  # the wait after failure SOURCE_FREE + 1; doubles with each further failure
MAX_DELAY = timedelta(minutes=15)
HARD_LOCK = 50  # failures for one name within WINDOW from all sources together (one source manages ~12)
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 256  # scrypt cost is flat, but a megabyte "password" is no password
ADMIN_PASSWORD_ENV, ADMIN_USER_ENV = "YLYX_ADMIN_PASSWORD", "YLYX_ADMIN_USER"
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES = 2**17, 8, 1, 32  # 128 MB, ~0.4 s per check on this machine
SCRYPT_MAXMEM = 2**28  # OpenSSL needs a little over 128·N·r bytes
# at most two hashes at once per process: twenty sessions logging in together would otherwise take 20 × 128 MB
_SCRYPT_SLOTS = threading.BoundedSemaphore(2)
_FAILURES = ("wrong", "unknown")
_COMMON = Path(__file__).with_name("common_passwords.txt")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,31}$")
_COLUMNS = ("username", "display_name", "role", "created_by", "created_at", "disabled_at", "locked_until")


class AccountError(MessageError):
    """A refused account operation (bad name, weak password, unknown account…); `problem` renders zh/en."""


class LoginRefused(AccountError):
    """Wrong name or password, a throttled source, a locked or a disabled account. The attempt is recorded."""


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
    def is_admin(self) -> bool:
        return roles.can_manage_accounts(self.role)

    @property
    def label(self) -> str:
        """'display name (username)', or the username alone."""
        return f"{self.display_name} ({self.username})" if self.display_name else self.username


def _db(db: Database | None) -> Database:
    return db or default()


def _now() -> datetime:
    return datetime.now()  # local wall-clock time, as in the change log


# -- passwords --------------------------------------------------------------------------------------------
def hash_password(password: str, *, n: int | None = None, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A new salted scrypt hash of `password`: 'scrypt$n$r$p$salt(b64)$key(b64)' (n: SCRYPT_N unless given)."""
    n = n or SCRYPT_N
    salt = secrets.token_bytes(16)
    with _SCRYPT_SLOTS:
        key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES,
                             maxmem=SCRYPT_MAXMEM)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(key).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (constant-time comparison); False for a malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(key)
        with _SCRYPT_SLOTS:
            got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                 p=int(p), dklen=len(want), maxmem=SCRYPT_MAXMEM)
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(got, want)


def needs_rehash(stored: str) -> bool:
    """True when `stored` was made with weaker scrypt parameters than the current ones."""
    try:
        scheme, n, r, p, _, _ = stored.split("$")
        return scheme != "scrypt" or (int(n), int(r), int(p)) < (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    except ValueError:
        return True


_DUMMY: dict[int, str] = {}  # a hash to check unknown names against, so they cost as much time as known ones


def _dummy_hash() -> str:
    if SCRYPT_N not in _DUMMY:
        _DUMMY[SCRYPT_N] = hash_password(secrets.token_hex(16))
    return _DUMMY[SCRYPT_N]


@cache
def common_passwords() -> frozenset[str]:
    """The refused common passwords (lower case), from common_passwords.txt beside this module."""
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def _plain_sequence(s: str) -> bool:
    """aaaaaaaa, abcdefgh, 87654321: every step between neighbours the same, and 0 or ±1."""
    steps = {ord(b) - ord(a) for a, b in zip(s, s[1:])}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def parse_username(name: str) -> str:
    """A username as typed → its stored form (trimmed, lower case). 2–32 of a-z 0-9 _ . - , starting with a letter
    or digit; raises AccountError otherwise."""
    value = str(name or "").strip().lower()
    if not _USERNAME.match(value):
        raise AccountError(_problem("acc_bad_username", name=str(name)[:40]))
    return value


def check_new_password(password: str, *, username: str) -> None:
    """Raises AccountError when `password` is too short or too long, equals the username, is one repeated
    character or a plain sequence (abcdefgh, 98765432), or is on the list of common passwords."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD \
            or password.strip().lower() == username:
        raise AccountError(_problem("acc_weak_password", n=MIN_PASSWORD))
    lowered = password.strip().lower()
    if lowered in common_passwords() or _plain_sequence(lowered):
        raise AccountError(_problem("acc_common_password"))


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


def _parse_role(role: str) -> str:
    try:
        return roles.parse_role(role)
    except ValueError:
        raise AccountError(_problem("acc_bad_role", role=str(role)[:20], roles="/".join(roles.ROLES))) from None


def add_account(username: str, password: str, *, role: str, by: str, display_name: str = "",
                only_if_empty: bool = False, db: Database | None = None) -> Account:
    """Create an account (refused when the name exists). `by`: who creates it (an admin's username or
    'cli:<os user>'), logged in the change log without the hash. `only_if_empty`: refuse (acc_exists) unless the
    accounts table is empty, checked inside the transaction (the first admin)."""
    name = parse_username(username)
    role = _parse_role(role)
    check_new_password(password, username=name)
    display = " ".join(str(display_name or "").split())[:60]
    stored = hash_password(password)  # before the lock: scrypt is the slow part
    now = _now()

    def work(con) -> None:
        if con.execute("SELECT 1 FROM accounts WHERE username = ?", [name]).fetchall() or (
                only_if_empty and con.execute("SELECT count(*) FROM accounts").fetchall()[0][0]):
            raise AccountError(_problem("acc_exists", name=name))
        con.execute("INSERT INTO accounts (username, display_name, role, password_hash, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [name, display, role, stored, by, now])
        log_change(con, who=by, action="account_add", table="accounts", key=json.dumps([name]), old=None,
                   new=json.dumps({"username": name, "display_name": display, "role": role}, ensure_ascii=False))

    _db(db).write(work)
    return Account(name, display, role, by, now, False, None)


def _change(username: str, *, by: str, action: str, update, db: Database | None, old=None, new=None) -> Account:
    """One account change in one transaction: `update(con, name)` runs the SQL; the change log names `by`."""
    name = parse_username(username)

    def work(con) -> None:
        if not con.execute("SELECT 1 FROM accounts WHERE username = ?", [name]).fetchall():
            raise AccountError(_problem("acc_not_found", name=name))
        before = update(con, name)
        log_change(con, who=by, action=action, table="accounts", key=json.dumps([name]),
                   old=None if old is None and before is None else json.dumps(before if old is None else old),
                   new=None if new is None else json.dumps(new, ensure_ascii=False))

    _db(db).write(work)
    return get_account(name, db=db)


def _enabled_admins(con, *, besides: str) -> int:
    return con.execute("SELECT count(*) FROM accounts WHERE role = ? AND disabled_at IS NULL AND username <> ?",
                       [roles.ADMIN, besides]).fetchall()[0][0]


def set_disabled(username: str, disabled: bool, *, by: str, db: Database | None = None) -> Account:
    """Disable an account (it can no longer log in; its past changes keep its name) or enable it again
    (which also lifts a lock). Logged in the change log."""
    now = _now()

    def update(con, name):
        if disabled:
            con.execute("UPDATE accounts SET disabled_at = ? WHERE username = ?", [now, name])
        else:
            con.execute("UPDATE accounts SET disabled_at = NULL, locked_until = NULL WHERE username = ?", [name])
            _lift_lock(con, name, now)

    return _change(username, by=by, action="account_disable" if disabled else "account_enable", update=update,
                   db=db, new={"disabled": bool(disabled)})


def set_password(username: str, password: str, *, by: str, db: Database | None = None) -> Account:
    """Give an account a new password (the rules of check_new_password); logged without any hash."""
    name = parse_username(username)
    check_new_password(password, username=name)
    stored = hash_password(password)

    def update(con, name):
        con.execute("UPDATE accounts SET password_hash = ? WHERE username = ?", [stored, name])

    return _change(name, by=by, action="account_password", update=update, db=db, new={"password": "changed"})


def set_role(username: str, role: str, *, by: str, db: Database | None = None) -> Account:
    """Change an account's role. Refused (acc_last_admin) when it would leave no enabled admin."""
    role = _parse_role(role)

    def update(con, name):
        old = con.execute("SELECT role FROM accounts WHERE username = ?", [name]).fetchall()[0][0]
        if old == roles.ADMIN and role != roles.ADMIN and not _enabled_admins(con, besides=name):
            raise AccountError(_problem("acc_last_admin", name=name))
        con.execute("UPDATE accounts SET role = ? WHERE username = ?", [role, name])
        return {"role": old}

    return _change(username, by=by, action="account_role", update=update, db=db, new={"role": role})


def unlock(username: str, *, by: str, db: Database | None = None) -> Account:
    """Lift a hard lock and forget the failures before now (every source starts again). Logged."""
    now = _now()

    def update(con, name):
        row = con.execute("SELECT locked_until FROM accounts WHERE username = ?", [name]).fetchall()[0][0]
        con.execute("UPDATE accounts SET locked_until = NULL WHERE username = ?", [name])
        _lift_lock(con, name, now)
        return {"locked_until": None if row is None else row.isoformat(sep=" ", timespec="seconds")}

    return _change(username, by=by, action="account_unlock", update=update, db=db, new={"locked_until": None})


def _lift_lock(con, name: str, now: datetime) -> None:
    con.execute("DELETE FROM login_locks WHERE username = ?", [name])
    con.execute("INSERT INTO login_attempts (username, attempted_at, outcome, source) VALUES (?, ?, 'unlock', '')",
                [name, now])


def has_admin(*, db: Database | None = None) -> bool:
    """True when at least one enabled admin account exists."""
    return bool(_db(db).scalar("SELECT count(*) FROM accounts WHERE role = ? AND disabled_at IS NULL",
                               [roles.ADMIN]))


def ensure_first_admin(environ: Mapping | None = None, *, db: Database | None = None) -> Account | None:
    """Create the first admin from $YLYX_ADMIN_PASSWORD (name $YLYX_ADMIN_USER or 'admin') while the accounts
    table is empty. Returns the new account, or None when nothing was done (any account exists — a disabled admin
    included —, or the variable is unset)."""
    environ = os.environ if environ is None else environ
    password = environ.get(ADMIN_PASSWORD_ENV) or ""
    if not password or not list_accounts(db=db).empty:
        return None
    try:
        return add_account(environ.get(ADMIN_USER_ENV) or "admin", password, role=roles.ADMIN,
                           by="system:first-run", only_if_empty=True, db=db)
    except AccountError as exc:
        if exc.problem.code == "acc_exists":  # another session created an account a moment ago
            return None
        raise


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def cli_who() -> str:
    """The change-log name of an unauthenticated command-line user: 'cli:<os user>'."""
    return f"cli:{_os_user()}"


def cli_source() -> str:
    """The login source of the command line: 'os:<os user>'."""
    return f"os:{_os_user()}"


# -- login ------------------------------------------------------------------------------------------------
def _since(con, name: str, now: datetime) -> datetime:
    """Failures count from the latest of: WINDOW ago, the last successful login, the last unlock."""
    last = con.execute("SELECT max(attempted_at) FROM login_attempts WHERE username = ? AND outcome IN ('ok', "
                       "'unlock')", [name]).fetchall()[0][0]
    return max(now - WINDOW, last) if last is not None else now - WINDOW


def source_delay(failures: int) -> timedelta:
    """The wait one source must keep after its `failures`-th failure for a name (0 up to SOURCE_FREE)."""
    if failures < SOURCE_FREE:
        return timedelta(0)
    return min(MAX_DELAY, DELAY_BASE * 2 ** (failures - SOURCE_FREE))


def _gate(con, name: str, source: str, now: datetime) -> tuple[str, datetime | None]:
    """('locked', until) | ('throttled', next allowed time) | ('open', None) for `name` tried from `source`."""
    lock = con.execute("SELECT locked_until FROM login_locks WHERE username = ?", [name]).fetchall()
    if lock and lock[0][0] > now:
        return "locked", lock[0][0]
    since = _since(con, name, now)
    n, last = con.execute("SELECT count(*), max(attempted_at) FROM login_attempts WHERE username = ? AND source = ? "
                          "AND outcome IN ('wrong', 'unknown') AND attempted_at > ? AND attempted_at <= ?",
                          [name, source, since, now]).fetchall()[0]
    if n and last + source_delay(n) > now:
        return "throttled", last + source_delay(n)
    return "open", None


def login(username: str, password: str, *, source: str = "", db: Database | None = None,
          now: datetime | None = None) -> Account:
    """Check a password and record the attempt with its `source`. Returns the Account; raises LoginRefused:
    acc_login_failed (wrong name or password: one message for both), acc_throttled (this source must wait),
    acc_locked (too many failures from many sources), acc_disabled (only with the right password).
    `now`: the clock (tests)."""
    db = _db(db)
    now = now or _now()
    source = str(source or "")[:100]
    try:
        name = parse_username(username)
    except AccountError:
        verify_password(str(password or ""), _dummy_hash())
        raise LoginRefused(_problem("acc_login_failed")) from None

    def gate(con):
        return _gate(con, name, source, now)

    state, until = db.write(gate)
    if state == "open":
        row = db.query("SELECT password_hash FROM accounts WHERE username = ?", [name])
        # the slow check runs outside the write lock; the decision is taken inside the transaction below
        stored = row.iat[0, 0] if not row.empty else _dummy_hash()
        ok = verify_password(str(password or ""), stored) and not row.empty
        fresh = hash_password(str(password)) if ok and needs_rehash(stored) else None
    else:
        ok, fresh = False, None

    def work(con) -> tuple[str, datetime | None]:
        state, until = _gate(con, name, source, now)  # again, inside the lock: a parallel attempt may have won
        acc = con.execute("SELECT disabled_at FROM accounts WHERE username = ?", [name]).fetchall()
        if state != "open":
            outcome = state
        elif not acc:
            outcome = "unknown"
        elif acc[0][0] is not None:
            outcome = "disabled" if ok else "wrong"
        else:
            outcome = "ok" if ok else "wrong"
        con.execute("INSERT INTO login_attempts (username, attempted_at, outcome, source) VALUES (?, ?, ?, ?)",
                    [name, now, outcome, source])
        if outcome == "ok" and fresh:
            con.execute("UPDATE accounts SET password_hash = ? WHERE username = ?", [fresh, name])
        if outcome in _FAILURES:
            until = _maybe_lock(con, name, now, known=bool(acc)) or until
        return outcome, until

    outcome, until = db.write(work)
    if outcome == "ok":
        return get_account(name, db=db)
    if outcome == "locked" or (outcome in _FAILURES and until is not None):
        raise LoginRefused(_problem("acc_locked", until=until.strftime("%H:%M")))
    if outcome == "throttled":
        raise LoginRefused(_problem("acc_throttled", seconds=max(1, int((until - now).total_seconds() + 0.999))))
    if outcome == "disabled":  # only someone who knows the password learns that it is disabled
        raise LoginRefused(_problem("acc_disabled"))
    raise LoginRefused(_problem("acc_login_failed"))


def _maybe_lock(con, name: str, now: datetime, *, known: bool) -> datetime | None:
    """After a failure: lock the name when HARD_LOCK failures (all sources) fall in the window; the lock's time,
    or None. A known account's lock is also on `accounts` and in the change log, with its sources."""
    since = _since(con, name, now)
    failures = con.execute("SELECT source, count(*) FROM login_attempts WHERE username = ? AND outcome IN "
                           "('wrong', 'unknown') AND attempted_at > ? AND attempted_at <= ? GROUP BY source "
                           "ORDER BY 2 DESC, 1", [name, since, now]).fetchall()
    total = sum(n for _, n in failures)
    if total < HARD_LOCK:
        return None
    until = now + LOCK_FOR
    sources = {s or "-": int(n) for s, n in failures}
    con.execute("INSERT OR REPLACE INTO login_locks (username, locked_until, sources) VALUES (?, ?, ?)",
                [name, until, json.dumps(sources)])
    if known:
        con.execute("UPDATE accounts SET locked_until = ? WHERE username = ?", [until, name])
        minutes = int(WINDOW.total_seconds() // 60)
        log_change(con, who="system", action="lock", table="accounts", key=json.dumps([name]), old=None,
                   new=json.dumps({"locked_until": until.isoformat(sep=" ", timespec="seconds"),
                                   "failures": int(total), "sources": sources}, ensure_ascii=False),
                   why=f"{total} 次密码错误（{minutes} 分钟内，{len(sources)} 个来源）/ "
                       f"{total} wrong passwords within {minutes} min from {len(sources)} sources")
    return until
