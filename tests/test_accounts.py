"""Accounts (models/store/accounts.py) and the `users` / `import --user` commands: hashes not passwords, throttling
by (name, source) and a hard lock only far above what one source may try (issue 22), disabled accounts, the first
admin, and a change log that names the account."""
import getpass
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from models.store import accounts, userdata
from tests.conftest import ROOT

PW = "Correct-Horse-7"
T0 = datetime(2026, 11, 30, 9, 0, 0)


@pytest.fixture
def acc_db(fresh_db):
    accounts.add_account("wangke", PW, role="editor", display_name="王科长", by="test", db=fresh_db)
    return fresh_db


def code(exc_info) -> str:
    return exc_info.value.problem.code


def test_the_database_holds_a_salted_scrypt_hash_not_the_password(acc_db):
    accounts.add_account("liping", PW, role="editor", by="test", db=acc_db)  # same password, other salt
    rows = acc_db.query("SELECT * FROM accounts ORDER BY username")
    hashes = rows["password_hash"].tolist()
    assert all(h.startswith("scrypt$131072$8$1$") for h in hashes) and hashes[0] != hashes[1]  # N = 2^17
    assert not rows.astype(str).apply(lambda c: c.str.contains(PW, regex=False)).any().any()
    log = userdata.change_log(acc_db)
    assert log["action"].tolist() == ["account_add", "account_add"] and "scrypt" not in log.to_string()
    assert PW.encode() not in acc_db.path.read_bytes()  # nowhere in the file, in any table
    assert accounts.verify_password(PW, hashes[0]) and not accounts.verify_password(PW + "x", hashes[0])
    assert not accounts.verify_password(PW, "plain-text") and not accounts.verify_password(PW, "md5$1$2$3$4$5")


def test_login_returns_the_account_and_records_the_attempt_without_the_password(acc_db):
    acc = accounts.login(" WangKe ", PW, db=acc_db)
    assert (acc.username, acc.display_name, acc.role, acc.can_edit) == ("wangke", "王科长", "editor", True)
    with pytest.raises(accounts.LoginRefused) as wrong:
        accounts.login("wangke", "nope-nope", db=acc_db)
    with pytest.raises(accounts.LoginRefused) as unknown:
        accounts.login("nobody", PW, db=acc_db)
    assert code(wrong) == code(unknown) == "acc_login_failed"  # the message does not tell which names exist
    attempts = acc_db.query("SELECT * FROM login_attempts ORDER BY attempted_at")
    assert attempts["outcome"].tolist() == ["ok", "wrong", "unknown"]
    assert PW not in attempts.to_string() and "nope-nope" not in attempts.to_string()


def test_wrong_passwords_from_one_source_are_throttled_with_growing_waits(acc_db):
    def attempt(second, pw="guess-guess", source="ip:10.0.0.9"):
        try:
            accounts.login("wangke", pw, source=source, db=acc_db, now=T0 + timedelta(seconds=second))
            return "ok"
        except accounts.LoginRefused as exc:
            return exc.problem.code + (f":{dict(exc.problem.params)['seconds']}" if "seconds" in
                                       dict(exc.problem.params) else "")

    # three free failures, then 2 s, 4 s, 8 s … before the same source may try again
    assert [attempt(s) for s in (0, 1, 2)] == ["acc_login_failed"] * 3
    assert attempt(2.5) == "acc_throttled:2"  # the third failure at 2 s: wait until 4 s
    assert attempt(4) == "acc_login_failed"   # fourth failure: wait 4 s
    assert attempt(7, pw=PW) == "acc_throttled:1"  # even the right password waits: the source is throttled
    assert attempt(8, pw=PW) == "ok"  # a success starts the count again
    assert accounts.source_delay(10) == timedelta(seconds=256) and accounts.source_delay(12) == accounts.MAX_DELAY
    outcomes = acc_db.query("SELECT outcome, source FROM login_attempts ORDER BY attempted_at")
    assert outcomes["outcome"].tolist() == ["wrong"] * 3 + ["throttled", "wrong", "throttled", "ok"]
    assert set(outcomes["source"]) == {"ip:10.0.0.9"}


def test_five_wrong_passwords_for_admin_from_one_source_do_not_stop_admin_from_another(acc_db):
    accounts.add_account("admin", PW, role="admin", by="test", db=acc_db)
    for i in range(5):
        with pytest.raises(accounts.LoginRefused):
            accounts.login("admin", f"guess-{i}", source="ip:203.0.113.7", db=acc_db,
                           now=T0 + timedelta(minutes=i))
    assert accounts.login("admin", PW, source="ip:192.168.1.20", db=acc_db,
                          now=T0 + timedelta(minutes=5)).role == "admin"
    assert accounts.get_account("admin", db=acc_db).locked_until is None


def test_known_and_unknown_names_get_the_same_answers_and_the_same_timing(acc_db):
    import time

    def answers(name):
        out, spent = [], []
        for i in range(6):
            start = time.perf_counter()
            try:
                accounts.login(name, "guess-guess", source="session:x", db=acc_db, now=T0 + timedelta(seconds=i))
            except accounts.LoginRefused as exc:
                out.append(exc.message("zh"))
            spent.append(time.perf_counter() - start)
        return out, spent

    known, t_known = answers("wangke")
    unknown, t_unknown = answers("nobody")
    assert known == unknown and known[0] == "用户名或密码不正确。" and known[3].startswith("尝试过于频繁")
    # the password checks (the first three) cost the same scrypt work, known or not: within 40 %
    assert abs(sum(t_known[:3]) - sum(t_unknown[:3])) < 0.4 * sum(t_known[:3]), (t_known, t_unknown)


def test_a_hard_lock_needs_failures_from_many_sources_is_logged_with_them_and_an_admin_lifts_it(acc_db,
                                                                                                monkeypatch):
    monkeypatch.setattr(accounts, "HARD_LOCK", 6)  # the rule, not the number: 6 instead of 50 keeps it fast
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**14)
    sources = [f"ip:198.51.100.{i}" for i in range(3)]
    for i in range(6):
        with pytest.raises(accounts.LoginRefused) as exc:
            accounts.login("wangke", "guess-guess", source=sources[i % 3], db=acc_db,
                           now=T0 + timedelta(seconds=i))
    assert code(exc) == "acc_locked"
    with pytest.raises(accounts.LoginRefused) as exc:  # the right password from a fresh source, while locked
        accounts.login("wangke", PW, source="ip:192.168.1.20", db=acc_db, now=T0 + timedelta(minutes=1))
    assert code(exc) == "acc_locked"
    assert accounts.get_account("wangke", db=acc_db).locked_until == T0 + timedelta(seconds=5) + accounts.LOCK_FOR
    lock = userdata.change_log(acc_db).query("action == 'lock'").iloc[0]
    assert (lock["who"], lock["table_name"], lock["row_key"]) == ("system", "accounts", '["wangke"]')
    assert all(f'"{s}": 2' in lock["new_value"] for s in sources)
    with pytest.raises(userdata.Rejected) as exc:  # an account change is not data: not reverted from the log
        userdata.revert(int(lock["change_id"]), who="wangke", db=acc_db)
    assert code(exc) == "acc_not_revertible"
    accounts.unlock("wangke", by="cli:root", db=acc_db)
    assert accounts.login("wangke", PW, source="ip:192.168.1.20", db=acc_db,
                          now=T0 + timedelta(minutes=2)).username == "wangke"
    assert userdata.change_log(acc_db)["action"].iloc[0] == "account_unlock"
    # an unknown name is locked by the same rule and answers the same
    for i in range(6):
        with pytest.raises(accounts.LoginRefused) as exc:
            accounts.login("nobody", "guess-guess", source=sources[i % 3], db=acc_db, now=T0 + timedelta(seconds=i))
    assert code(exc) == "acc_locked"


def test_a_weaker_hash_is_remade_at_the_next_login(acc_db):
    old = accounts.hash_password(PW, n=2**14)
    acc_db.write(lambda con: con.execute("UPDATE accounts SET password_hash = ? WHERE username = 'wangke'", [old]))
    accounts.login("wangke", PW, db=acc_db)
    new = acc_db.scalar("SELECT password_hash FROM accounts WHERE username = 'wangke'")
    assert new.startswith("scrypt$131072$8$1$") and accounts.verify_password(PW, new)


@pytest.mark.parametrize("password", ["12345678", "password1", "Password1", "aaaaaaaaaa", "abcdefghij",
                                      "98765432", "woaini1314"])
def test_common_passwords_and_plain_sequences_are_refused(fresh_db, password):
    with pytest.raises(accounts.AccountError) as exc:
        accounts.add_account("liping", password, role="editor", by="test", db=fresh_db)
    assert code(exc) == "acc_common_password"
    assert accounts.list_accounts(db=fresh_db).empty


def test_a_disabled_account_cannot_log_in_until_enabled(acc_db):
    accounts.set_disabled("wangke", True, by="cli:root", db=acc_db)
    with pytest.raises(accounts.LoginRefused) as exc:
        accounts.login("wangke", PW, db=acc_db)
    assert code(exc) == "acc_disabled"
    with pytest.raises(accounts.LoginRefused) as exc:  # a wrong password learns nothing about the account
        accounts.login("wangke", "guess-guess", db=acc_db)
    assert code(exc) == "acc_login_failed"
    accounts.set_disabled("wangke", False, by="cli:root", db=acc_db)
    assert accounts.login("wangke", PW, db=acc_db).username == "wangke"
    assert userdata.change_log(acc_db)["action"].tolist()[:2] == ["account_enable", "account_disable"]


@pytest.mark.parametrize("name, password, role, problem", [
    ("wangke", PW, "editor", "acc_exists"), ("王科长", PW, "editor", "acc_bad_username"),
    ("a", PW, "editor", "acc_bad_username"), ("liping", "short", "editor", "acc_weak_password"),
    ("liping12", "LiPing12", "editor", "acc_weak_password"), ("liping", PW, "root", "acc_bad_role"),
])
def test_bad_accounts_are_refused_and_nothing_is_written(acc_db, name, password, role, problem):
    with pytest.raises(accounts.AccountError) as exc:
        accounts.add_account(name, password, role=role, by="test", db=acc_db)
    assert code(exc) == problem
    assert accounts.list_accounts(db=acc_db)["username"].tolist() == ["wangke"]


def test_no_first_admin_from_the_environment_once_any_account_exists(fresh_db):
    """A disabled last admin plus a leftover YLYX_ADMIN_PASSWORD used to let an anonymous visit create an admin."""
    accounts.add_account("chief", PW, role="admin", by="test", db=fresh_db)
    accounts.set_disabled("chief", True, by="test", db=fresh_db)
    assert not accounts.has_admin(db=fresh_db)
    assert accounts.ensure_first_admin({"YLYX_ADMIN_PASSWORD": "first-admin-pw"}, db=fresh_db) is None
    assert accounts.list_accounts(db=fresh_db)["username"].tolist() == ["chief"]


def test_passwd_role_and_the_last_admin(fresh_db):
    accounts.add_account("chief", PW, role="admin", by="test", db=fresh_db)
    accounts.add_account("wangke", PW, role="editor", by="test", db=fresh_db)
    accounts.set_password("wangke", "New-Secret-42", by="chief", db=fresh_db)
    assert accounts.login("wangke", "New-Secret-42", db=fresh_db).username == "wangke"
    with pytest.raises(accounts.AccountError) as exc:
        accounts.set_password("wangke", "12345678", by="chief", db=fresh_db)
    assert code(exc) == "acc_common_password"
    assert accounts.set_role("wangke", "admin", by="chief", db=fresh_db).role == "admin"
    assert accounts.set_role("chief", "viewer", by="wangke", db=fresh_db).role == "viewer"
    with pytest.raises(accounts.AccountError) as exc:
        accounts.set_role("wangke", "editor", by="wangke", db=fresh_db)
    assert code(exc) == "acc_last_admin"
    log = userdata.change_log(fresh_db)
    assert log["action"].tolist()[:3] == ["account_role", "account_role", "account_password"]
    assert "New-Secret-42" not in log.to_string() and "scrypt" not in log.to_string()


def test_first_admin_comes_from_the_environment_once_and_there_is_no_default(fresh_db):
    assert accounts.ensure_first_admin({}, db=fresh_db) is None
    for guess in ("admin", "password", "12345678", ""):
        with pytest.raises(accounts.LoginRefused):
            accounts.login("admin", guess, source="ip:203.0.113.7", db=fresh_db)
    admin = accounts.ensure_first_admin({"YLYX_ADMIN_PASSWORD": "first-admin-pw"}, db=fresh_db)
    assert (admin.username, admin.role, admin.created_by) == ("admin", "admin", "system:first-run")
    assert accounts.ensure_first_admin({"YLYX_ADMIN_PASSWORD": "other-password"}, db=fresh_db) is None
    assert accounts.login("admin", "first-admin-pw", db=fresh_db).role == "admin"  # not replaced


# -- command line -----------------------------------------------------------------------------------------
def cli(*args, stdin: str = "", db):
    env = {"YLYX_DB": str(db.path), "PATH": "/usr/bin:/bin", "HOME": str(db.path.parent)}
    return subprocess.run([sys.executable, "-m", "forecasting", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_users_command_adds_lists_and_disables(fresh_db):
    p = cli("users", "add", "LiPing", "--role", "admin", "--display-name", "李萍", stdin="Secret-Pw-99\n", db=fresh_db)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "已创建账号 liping（admin）。"
    assert accounts.login("liping", "Secret-Pw-99", db=fresh_db).role == "admin"
    listing = cli("users", "list", db=fresh_db)
    assert listing.returncode == 0 and "liping,李萍,admin,cli:" in listing.stdout
    assert "scrypt" not in listing.stdout and "Secret-Pw-99" not in listing.stdout
    assert cli("users", "disable", "liping", db=fresh_db).returncode == 0
    assert accounts.get_account("liping", db=fresh_db).disabled
    weak = cli("users", "add", "zhao", "--role", "editor", stdin="short\n", db=fresh_db)  # refused: none added
    assert weak.returncode == 2 and "at least 8 characters" in weak.stderr
    assert cli("users", "add", "zhao", "--role", "editor", stdin="", db=fresh_db).returncode == 2  # no password
    assert cli("users", "disable", "nobody", db=fresh_db).returncode == 2
    assert accounts.list_accounts(db=fresh_db)["username"].tolist() == ["liping"]
    p = cli("users", "passwd", "liping", stdin="Another-Pw-77\n", db=fresh_db)
    assert p.returncode == 0 and p.stdout.strip() == "已为账号 liping 设置新密码。", p.stderr
    assert cli("users", "passwd", "liping", stdin="12345678\n", db=fresh_db).returncode == 2
    assert cli("users", "enable", "liping", db=fresh_db).returncode == 0
    assert accounts.login("liping", "Another-Pw-77", db=fresh_db).role == "admin"
    p = cli("users", "role", "liping", "editor", db=fresh_db)
    assert p.returncode == 2 and "last enabled admin" in p.stderr  # the only admin keeps the role
    assert cli("users", "add", "zhao", "--role", "admin", stdin="Zhao-Secret-1\n", db=fresh_db).returncode == 0
    assert cli("users", "role", "liping", "editor", db=fresh_db).stdout.strip() == "账号 liping 的角色已改为 editor。"
    assert cli("users", "unlock", "liping", db=fresh_db).stdout.strip() == "已解除账号 liping 的锁定。"
    assert cli("users", "unlock", "nobody", db=fresh_db).returncode == 2


def test_cli_import_records_the_account_or_the_os_user_never_typed_text(acc_db, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("地区代码,地区名称,指标代码,年份,数值,类型\n500103,渝中区,childcare_places,2023,1200,现状值\n",
                 encoding="utf-8")
    assert cli("import", str(f), "--user", "wangke", stdin="wrong-password\n", db=acc_db).returncode == 2
    assert acc_db.scalar("SELECT count(*) FROM user_facts") == 0
    p = cli("import", str(f), "--user", "wangke", stdin=PW + "\n", db=acc_db)
    assert p.returncode == 0, p.stderr
    p = cli("import", str(f), db=acc_db)
    assert p.returncode == 0, p.stderr
    assert cli("import", str(f), "--who", "王科长", db=acc_db).returncode == 2  # the free-text name is gone
    who = userdata.change_log(acc_db).query("table_name == 'user_facts'")["who"].tolist()
    assert who == [f"cli:{getpass.getuser()}", "wangke"]
