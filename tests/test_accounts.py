"""Accounts (models/store/accounts.py) and the `users` / `import --user` commands: hashes not passwords, lockout after
five wrong passwords in 15 minutes, disabled accounts, the first admin, and a change log that names the account."""
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
    assert all(h.startswith("scrypt$16384$8$1$") for h in hashes) and hashes[0] != hashes[1]
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


def test_five_wrong_passwords_within_15_minutes_lock_for_15_minutes(acc_db):
    for i in range(4):
        with pytest.raises(accounts.LoginRefused) as exc:
            accounts.login("wangke", f"guess-{i}", db=acc_db, now=T0 + timedelta(minutes=i))
        assert code(exc) == "acc_login_failed"
    with pytest.raises(accounts.LoginRefused) as exc:
        accounts.login("wangke", "guess-5", db=acc_db, now=T0 + timedelta(minutes=5))
    assert code(exc) == "acc_locked" and exc.value.message("en") == (
        "Too many wrong passwords: the account is locked until 09:20. Try again later or ask an admin.")
    with pytest.raises(accounts.LoginRefused) as exc:  # the right password, while locked
        accounts.login("wangke", PW, db=acc_db, now=T0 + timedelta(minutes=19))
    assert code(exc) == "acc_locked"
    assert accounts.get_account("wangke", db=acc_db).locked_until == T0 + timedelta(minutes=20)
    lock = userdata.change_log(acc_db).query("action == 'lock'").iloc[0]
    assert (lock["who"], lock["table_name"], lock["row_key"]) == ("system", "accounts", '["wangke"]')
    assert '"failures": 5' in lock["new_value"] and '"locked_until": "2026-11-30 09:20:00"' in lock["new_value"]
    assert accounts.login("wangke", PW, db=acc_db, now=T0 + timedelta(minutes=21)).username == "wangke"
    with pytest.raises(userdata.Rejected) as exc:  # an account change is not data: not reverted from the log
        userdata.revert(int(lock["change_id"]), who="wangke", db=acc_db)
    assert code(exc) == "acc_not_revertible"


def test_failures_spread_over_more_than_15_minutes_or_broken_by_a_login_do_not_lock(acc_db):
    def wrong(minute):
        with pytest.raises(accounts.LoginRefused) as exc:
            accounts.login("wangke", "guess", db=acc_db, now=T0 + timedelta(minutes=minute))
        return code(exc)

    assert [wrong(m) for m in (0, 1, 2, 3)] == ["acc_login_failed"] * 4
    assert wrong(16) == "acc_login_failed"  # the one at minute 0 is out of the window: 4 within 15 min
    accounts.login("wangke", PW, db=acc_db, now=T0 + timedelta(minutes=17))  # a success starts the count again
    assert [wrong(m) for m in (18, 19, 20, 21)] == ["acc_login_failed"] * 4
    assert wrong(22) == "acc_locked"
    assert accounts.get_account("wangke", db=acc_db).locked_until == T0 + timedelta(minutes=37)


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


def test_first_admin_comes_from_the_environment_once_and_there_is_no_default(fresh_db):
    assert accounts.ensure_first_admin({}, db=fresh_db) is None
    for guess in ("admin", "password", "12345678", ""):
        with pytest.raises(accounts.LoginRefused):
            accounts.login("admin", guess, db=fresh_db)
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
    weak = cli("users", "add", "zhao", "--role", "editor", stdin="short\n", db=fresh_db)
    assert weak.returncode == 2 and "at least 8 characters" in weak.stderr
    assert cli("users", "add", "zhao", "--role", "editor", stdin="", db=fresh_db).returncode == 2  # no password
    assert cli("users", "disable", "nobody", db=fresh_db).returncode == 2
    assert accounts.list_accounts(db=fresh_db)["username"].tolist() == ["liping"]


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
