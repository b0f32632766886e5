"""Issue 22 on the 数据导入 page (AppTest): restoring is for admins and says that the backup's change log was left
out; the change log is one readable page, never the whole log; a revert that cannot be done is a message, never a
traceback."""

from models.store import accounts, userdata
from tests.app.conftest import PASSWORD
from tests.app.test_import_page import open_page, unlock

HEAD = "地区代码,地区名称,指标代码,年份,数值,类型,来源,备注\n"


def _csv(year: int, value: int) -> bytes:
    return f"{HEAD}500103,渝中区,childcare_places,{year},{value},现状值,,\n".encode()


def test_an_editor_may_export_but_only_an_admin_restores(page_db):
    at = unlock(open_page(), "import", PASSWORD)  # wangke: an editor
    assert [u.key for u in at.get("file_uploader")] == ["import_file"]
    assert "ed_export_prepare" in {b.key for b in at.button}
    assert any(c.value == "恢复备份需要管理员账号。" for c in at.caption)
    accounts.add_account("boss", PASSWORD, role="admin", by="test", db=page_db)
    admin = unlock(open_page(), "import", PASSWORD, user="boss")
    assert "ed_restore_file" in [u.key for u in admin.get("file_uploader")]


def test_the_change_log_is_one_readable_page(page_db):
    for i in range(60):
        userdata.import_file(_csv(1960 + i, 1000 + i), f"a{i}.csv", who="wangke", db=page_db)
    at = unlock(open_page(), "import", PASSWORD)
    table = next(d.value for d in at.dataframe if "原值 → 新值" in d.value.columns)
    assert len(table) == 50 and list(table.columns) == ["编号", "时间", "操作人", "内容", "原值 → 新值", "原因",
                                                         "已被撤销（记录号）"]
    assert table["操作人"].iloc[0] == "wangke" and "value: " in table["原值 → 新值"].iloc[0]
    assert at.number_input(key="ed_log_page").max == 2  # 61 entries (60 imports + the account): two pages
    at.number_input(key="ed_log_page").set_value(2).run()
    second = next(d.value for d in at.dataframe if "原值 → 新值" in d.value.columns)
    assert len(second) == 11


def test_reverting_a_legacy_entry_shows_a_message_not_a_traceback(page_db):
    page_db.write(lambda con: con.execute(
        "INSERT INTO change_log (change_id, changed_at, who, action, table_name, row_key, old_value, new_value, why) "
        "VALUES (77, now(), 'planner', 'save', 'scenarios', '高增长', NULL, '{\"x\": 1}', '')"))
    at = unlock(open_page(), "import", PASSWORD)
    at.number_input(key="ed_revert_id").set_value(77).run()
    at.button(key="ed_revert").click().run()
    assert not at.exception
    assert any(t.value == "修改 77 无法撤销（记录格式不完整）。" for t in at.text)


def test_an_unexpected_error_on_any_page_shows_a_reference_not_a_traceback(page_db, monkeypatch):
    """Issue 22 ("full tracebacks reach the browser"): an error no page planned for is caught by app.py and shown
    as a reference and the error's kind; the server path in the error's text never reaches the page."""
    from ui import cache

    def broken(*a, **k):
        raise RuntimeError("/srv/secret/path/models/store/database.py: boom")

    monkeypatch.setattr(cache, "all_facts", broken)
    at = open_page("pages/data_sources.py")
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "参考号" in shown and "RuntimeError" in shown
    assert "/srv/secret" not in shown and "boom" not in shown
