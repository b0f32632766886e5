"""数据导入 page and the data page's editor section through AppTest: the account login gate, upload → preview →
confirm, and that nothing is written without an editor login or with errors."""
from streamlit.testing.v1 import AppTest

from models.intake import importer
from tests.app.conftest import PASSWORD
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_page(page="pages/import_data.py", *, lang="zh"):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def password_box(at):
    return next(i for i in at.text_input if i.label in ("密码", "Password"))


def unlock(at, key, password, *, user="wangke"):
    at.text_input(key=f"{key}_user").set_value(user)
    password_box(at).set_value(password)
    next(b for b in at.button if b.label in ("登录", "Log in")).click().run()
    assert not at.exception, at.exception
    return at


def test_viewers_get_templates_but_no_import_controls(page_db):
    at = open_page()
    assert at.title[0].value == "数据导入"
    assert not at.get("file_uploader")
    assert any(i.value == "导入和修改数据需要登录编辑账号。" for i in at.info)
    assert len(at.get("download_button")) == 3  # templates are for everyone


def test_no_account_means_no_editing_and_says_how_to_create_one(page_db):
    page_db.write(lambda con: con.execute("DELETE FROM accounts"))
    at = open_page()
    assert not at.get("file_uploader") and not [i for i in at.text_input if i.label == "密码"]
    assert any("YLYX_ADMIN_PASSWORD" in i.value for i in at.info)


def test_wrong_password_is_refused(page_db):
    at = unlock(open_page(), "import", "guess-guess")
    assert not at.get("file_uploader")
    assert any(e.value == "用户名或密码不正确。" for e in at.error)


def test_editor_uploads_previews_and_confirms(page_db):
    at = unlock(open_page(), "import", PASSWORD)
    assert any(c.value == "已登录：王科长 (wangke)（编辑）" for c in at.caption)
    assert len(at.get("file_uploader")) == 1  # the import file; restoring a backup is for admins (issue 22)
    assert not [i for i in at.text_input if i.label in ("操作人", "Your name")]  # no typed name any more
    at.get("file_uploader")[0].set_value(("模板.xlsx", importer.template_bytes("xlsx"),
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    preview = at.dataframe[0].value  # the preview comes before the change log
    assert len(preview) == 2 and "5,200张" in preview["解读"].iloc[0]
    assert page_db.scalar("SELECT count(*) FROM user_facts") == 0  # preview writes nothing
    at.button(key="import_confirm").click().run()
    assert not at.exception, at.exception
    assert any("已导入" in s.value for s in at.success)
    assert page_db.scalar("SELECT created_by FROM user_facts") == "wangke"  # the account, not typed text
    assert set(page_db.query("SELECT who FROM change_log WHERE table_name <> 'accounts'")["who"]) == {"wangke"}
    assert page_db.scalar("SELECT name_zh FROM user_regions WHERE code = '370102'") == "历下区"


def test_editor_in_english_and_a_bad_file_writes_nothing(page_db):
    at = unlock(open_page(lang="en"), "import", PASSWORD)
    bad = "地区代码,地区名称,指标代码,年份,数值,类型\n370102,<script>alert(1)</script>,elderly_beds,2023,5,现状值\n"
    at.get("file_uploader")[0].set_value(("bad.csv", bad.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert any("nothing was written" in w.value for w in at.warning)
    assert all("<script>" not in m.value for m in at.markdown)  # user text never rendered as markdown/HTML
    assert page_db.scalar("SELECT count(*) FROM user_facts") == 0


def test_data_page_editor_section_is_gated(page_db):
    at = open_page("pages/data_sources.py")
    assert not at.get("data_editor")
    at = unlock(at, "data_editor", PASSWORD)
    assert any(s.value in ("更正与补充数据",) for s in at.subheader)
    assert any(c.value == "暂无用户数据。" for c in at.caption)


def test_data_page_in_table_edit_is_validated_saved_and_logged(page_db):
    from models.store import userdata
    data = "地区代码,地区名称,指标代码,年份,数值,类型\n500103,渝中区,childcare_places,2023,1200,现状值\n".encode()
    userdata.import_file(data, "a.csv", who="setup", db=page_db)
    at = unlock(open_page("pages/data_sources.py"), "data_editor", PASSWORD)
    editor = at.data_editor[0]
    assert editor.value["value"].tolist() == ["1200"]
    at.text_input(key="ed_why").set_value("核对台账")
    at.session_state["ed_table"] = {"edited_rows": {0: {"value": "-5"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="ed_save").click().run()
    assert not at.exception, at.exception
    assert any("为负" in t.value for t in at.text)  # the import rules apply; shown as plain text
    assert page_db.scalar("SELECT value FROM user_facts") == 1200
    at.session_state["ed_table"] = {"edited_rows": {0: {"value": "0.13万"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="ed_save").click().run()
    assert any(s.value == "已保存 1 处修改。" for s in at.success)
    assert page_db.scalar("SELECT value FROM user_facts") == 1300
    log = userdata.change_log(page_db)
    assert log.iloc[0]["who"] == "wangke" and log.iloc[0]["why"] == "核对台账"


def test_data_page_shows_an_imported_figure_as_plain_text(page_db):
    from models.store import userdata
    data = ("地区代码,地区名称,指标代码,年份,数值,类型,来源\n"
            "370102,历下区,elderly_beds,2023,5200,现状值,**民政局** [台账](javascript:alert(1))\n").encode()
    userdata.import_file(data, "a.csv", who="setup", db=page_db)
    fid = userdata.user_facts(page_db)["fact_id"].iloc[0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["fact"] = fid
    at.run()
    at.switch_page("pages/data_sources.py").run()
    assert not at.exception, at.exception
    assert any("**民政局**" in t.value for t in at.text)  # not rendered as markdown
    assert all("javascript" not in m.value for m in at.markdown)
