"""数据导入 page, section 从规划原文提取, through AppTest: an editor pastes text, gets the proposed rows with their
quotes, confirms and imports; a viewer does not see the section."""
from models.store.facts import all_facts
from tests.app.test_import_page import PASSWORD, open_page, unlock

TEXT = "到2025年，全市养老床位达到9万张，养老机构护理型床位占比不低于55%。武汉市"


def test_viewer_has_no_extract_section(page_db):  # noqa: F811
    at = open_page()
    assert not [a for a in at.text_area if a.label == "规划原文"]


def test_editor_pastes_confirms_and_imports(page_db):  # noqa: F811
    at = unlock(open_page(), "import", PASSWORD)
    at.text_area(key="ext_text").set_value(TEXT).run()
    at.button(key="ext_run").click().run()
    assert not at.exception, at.exception
    contexts = [m.value for m in at.markdown if 'data-testid="ext-context"' in m.value]
    assert len(contexts) == 2 and "<mark>全市养老床位达到9万张</mark>" in "".join(contexts)
    assert at.selectbox(key="ext_region_code").value == "420100"
    at.button(key="ext_import").click().run()
    assert not at.exception, at.exception
    assert any("已导入 2 条数据" in s.value for s in at.success)
    facts = all_facts(page_db, region="420100")
    assert sorted(facts["value"]) == [55, 90000]


def test_editor_uploads_a_gbk_text_file(page_db):  # noqa: F811
    at = unlock(open_page(), "import", PASSWORD)
    at.radio(key="ext_mode").set_value("upload").run()
    uploader = next(u for u in at.get("file_uploader") if u.proto.id.endswith("ext_file") or "ext_file" in u.proto.id)
    uploader.set_value(("渝中.txt", "托育方面,渝中区现有0-3岁婴幼儿17420人。".encode("gbk"), "text/plain"))
    at.run()
    at.button(key="ext_run").click().run()
    assert not at.exception, at.exception
    contexts = [m.value for m in at.markdown if 'data-testid="ext-context"' in m.value]
    assert len(contexts) == 1 and "<mark>渝中区现有0-3岁婴幼儿17420人</mark>" in contexts[0]
    assert at.selectbox(key="ext_region_code").value == "500103"
