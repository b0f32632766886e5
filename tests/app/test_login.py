"""Logging in on the import and data pages (AppTest): viewers see no edit controls, the password stays out of
session state and the URL, wrong passwords throttle their session (not the account), an idle session is logged out,
a disabled account cannot log in, and the first admin comes from YLYX_ADMIN_PASSWORD."""
import pytest
from streamlit.testing.v1 import AppTest

from models.store import accounts, userdata
from tests.app.test_import_page import PASSWORD, open_page, unlock
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def page_db(page_db):
    """The import page's database (one editor, wangke) plus a viewer account, reader."""
    accounts.add_account("reader", PASSWORD, role="viewer", by="test", db=page_db)
    return page_db


def edit_controls(at) -> dict:
    """Every control that changes data, by kind; all empty for a viewer."""
    return {"uploaders": at.get("file_uploader"), "editors": at.get("data_editor"),
            "buttons": [b.key for b in at.button if b.key in ("ed_save", "ed_plan_save", "ed_revert",
                                                               "ed_restore_go", "import_confirm", "ed_export_prepare")]}


@pytest.mark.parametrize("page", ["pages/import_data.py", "pages/data_sources.py"])
def test_a_viewer_sees_no_edit_controls(page_db, page):
    at = open_page(page)
    assert edit_controls(at) == {"uploaders": [], "editors": [], "buttons": []}
    assert [i.label for i in at.text_input if i.label in ("用户名", "密码")] == ["用户名", "密码"]


def test_an_account_with_the_viewer_role_logs_in_but_edits_nothing(page_db):
    at = unlock(open_page(), "import", PASSWORD, user="reader")
    assert any(i.value == "账号“reader”只有查看权限，不能修改数据。" for i in at.info)
    assert edit_controls(at) == {"uploaders": [], "editors": [], "buttons": []}


def test_the_password_stays_out_of_session_state_and_the_url(page_db):
    at = unlock(open_page(), "import", "wrong-one-123")
    at = unlock(at, "import", PASSWORD)
    assert at.get("file_uploader")  # logged in
    state = at.session_state.to_dict()
    assert state["account_username"] == "wangke" and state["account_role"] == "editor"
    dump = repr(state) + repr(dict(at.query_params))
    assert PASSWORD not in dump and "wrong-one-123" not in dump
    assert dict(at.query_params).keys() <= {"lang"}


def test_wrong_passwords_throttle_this_session_not_the_account(page_db, monkeypatch):
    """Issue 22: five wrong passwords from one session make that session wait; another session (source) logs in
    at once, and the attempts record their source."""
    from datetime import timedelta

    monkeypatch.setattr(accounts, "DELAY_BASE", timedelta(minutes=1))  # a wait longer than this test's clicks
    at = open_page("pages/data_sources.py")
    for _ in range(3):
        at = unlock(at, "data_editor", "guess-guess")
        assert any(e.value == "用户名或密码不正确。" for e in at.error)
    at = unlock(at, "data_editor", "guess-guess")
    assert any(e.value.startswith("尝试过于频繁") for e in at.error)
    at = unlock(at, "data_editor", PASSWORD)  # the same session must wait, even with the right password
    assert not at.get("data_editor")
    # another source is not slowed (AppTest gives every test session the same id, so it is shown in the domain)
    assert accounts.login("wangke", PASSWORD, source="ip:192.168.1.20", db=page_db).username == "wangke"
    attempts = page_db.query("SELECT outcome, source FROM login_attempts ORDER BY attempted_at")
    assert attempts["outcome"].tolist() == ["wrong"] * 3 + ["throttled", "throttled", "ok"]
    assert attempts["source"].iloc[:5].nunique() == 1 and attempts["source"].iloc[0].startswith("session:")
    assert userdata.change_log(page_db).query("action == 'lock'").empty


def test_an_idle_session_is_logged_out(page_db, monkeypatch):
    at = unlock(open_page(), "import", PASSWORD)
    assert at.get("file_uploader")
    at.session_state["account_last_seen"] = at.session_state["account_last_seen"] - 8 * 3600 - 5  # 8 h idle
    at.run()
    assert not at.get("file_uploader") and "account_username" not in at.session_state.to_dict()
    assert any(i.value == "超过 8 小时未操作，已自动退出登录，请重新登录。" for i in at.info)
    monkeypatch.setenv("YLYX_IDLE_HOURS", "0.5")  # configurable
    at = unlock(at, "import", PASSWORD)
    at.session_state["account_last_seen"] = at.session_state["account_last_seen"] - 1801
    at.run()
    assert not at.get("file_uploader")


def test_a_disabled_account_cannot_log_in_and_loses_its_session(page_db):
    at = unlock(open_page(), "import", PASSWORD)
    assert at.get("file_uploader")
    accounts.set_disabled("wangke", True, by="test", db=page_db)
    at.run()  # the next click
    assert not at.get("file_uploader") and "account_username" not in at.session_state.to_dict()
    at = unlock(at, "import", PASSWORD)
    assert any(e.value == "该账号已停用，请联系管理员。" for e in at.error)
    assert not at.get("file_uploader")


def test_first_admin_from_the_environment_then_logs_in(page_db, monkeypatch):
    page_db.write(lambda con: con.execute("DELETE FROM accounts"))
    monkeypatch.setenv("YLYX_ADMIN_PASSWORD", "first-admin-pw")
    monkeypatch.setenv("YLYX_ADMIN_USER", "chief")
    at = open_page()
    assert accounts.list_accounts(db=page_db)[["username", "role"]].values.tolist() == [["chief", "admin"]]
    at = unlock(at, "import", "first-admin-pw", user="chief")
    assert at.get("file_uploader")


def test_logout_returns_to_the_login_form(page_db):
    at = unlock(AppTest.from_file(APP, default_timeout=60).run().switch_page("pages/import_data.py").run(),
                "import", PASSWORD)
    at.button(key="import_logout").click().run()
    assert not at.get("file_uploader") and "account_username" not in at.session_state.to_dict()


def test_a_weak_first_admin_password_is_reported_not_used(page_db, monkeypatch):
    page_db.write(lambda con: con.execute("DELETE FROM accounts"))
    monkeypatch.setenv("YLYX_ADMIN_PASSWORD", "admin")
    at = open_page()
    assert any(e.value == "YLYX_ADMIN_PASSWORD: 密码至少 8 位，且不能与用户名相同。" for e in at.error)
    assert accounts.list_accounts(db=page_db).empty
