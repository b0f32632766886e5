"""Issue 22, finding 4: text from users and links is text. Markdown and HTML are fed through every place that shows
user- or URL-supplied text in a Markdown widget: the workbench's URL warning (?region=…), an account's display
name, a scenario name and a plan document's title on the data page. Each must arrive as the
escaped form of models.core.text.md (the browser test shows that form renders as plain text, without links,
images or requests)."""
import re

import pytest

from models.core.text import md
from models.store import accounts
from tests.app.conftest import PASSWORD
from tests.app.test_import_page import open_page, unlock
from tests.app.test_workbench import open_tab, open_workbench

CRAFTED = "[会话已过期，请点此重新登录](http://evil.example/login) ![](http://evil.example/t.png) <b>x</b> **粗**"


def inert(markdown: str) -> bool:
    """No unescaped link/image bracket, tag, emphasis or bare address is left in the Markdown source."""
    plain = markdown.replace("\u2060", "")
    unescaped = re.compile(r"(?<!\\)[\[\]<>*!]")
    return not unescaped.search(plain.replace("\\\\", "")) and "http://" not in markdown


@pytest.mark.parametrize("text, escaped", [
    ("[a](http://x.y)", "\\[a\\](http\\:\u2060//x.y)"), ("![](http://x/t.png)", "\\!\\[\\](http\\:\u2060//x/t.png)"),
    ("<img src=x>", "\\<img src=x\\>"), ("**b** _i_ `c` $x$", "\\*\\*b\\*\\* \\_i\\_ \\`c\\` \\$x\\$"),
    (":red[x] :material/home:", "\\:\u2060red\\[x\\] \\:\u2060material/home\\:\u2060"),
    ("www.evil.cn a@b.cn", "www\u2060.evil.cn a\\@\u2060b.cn"), ("# 标题\n- 列表", "\\# 标题 - 列表"),
    ("1. 第一", "1\\. 第一"), ("王科长 (wangke)", "王科长 (wangke)"), ("&lt;", "\\&lt;"), (None, ""),
])
def test_md_escapes_what_opens_a_construct_and_nothing_else(text, escaped):
    assert md(text) == escaped


def test_a_crafted_workbench_link_is_shown_escaped(db):
    at = open_workbench(region=CRAFTED)
    [warning] = [w.value for w in at.warning]
    assert md(CRAFTED) in warning and inert(warning)


def test_a_display_name_with_markdown_is_shown_escaped(page_db):
    accounts.add_account("liping", PASSWORD, role="editor", display_name=CRAFTED, by="test", db=page_db)
    at = unlock(open_page(), "import", PASSWORD, user="liping")
    [caption] = [c.value for c in at.caption if c.value.startswith("已登录")]
    assert md(accounts.get_account("liping", db=page_db).label) in caption and inert(caption)


def test_a_scenario_name_with_markdown_is_shown_escaped(page_db):
    at = unlock(open_tab(open_workbench(region="500103"), "wb_tab_scenarios"), "wb_scenarios", PASSWORD)
    name = "[点此](http://evil.example) <b>"
    at.text_input(key="wb_save_name").input(name).run()
    at.button(key="wb_save").click().run()
    assert not at.exception
    [ok] = [s.value for s in at.success]
    assert md(name) in ok and inert(ok)
    assert inert(next(m.value for m in at.markdown if "当前方案" in m.value))


def test_a_document_title_with_markdown_is_shown_escaped(page_db):
    import pandas as pd

    from models.intake import extract as ex
    from models.store import user_documents

    text = "到2025年，全区托位数达到1200个。"
    rows = ex.extract(text).frame()
    title = CRAFTED.replace(" <b>x</b>", "")  # the importer refuses HTML in 来源, which the title goes into
    done = user_documents.import_extracted(rows, text=text, title=title, filename="plan.txt",
                                           region_code="500110", region_name="綦江区", who="wangke", db=page_db)
    assert done.doc_id
    fid = pd.DataFrame(page_db.query("SELECT fact_id FROM user_quotes"))["fact_id"].iloc[0]
    at = open_page("pages/data_sources.py")
    at.query_params["fact"] = fid
    at.run()
    assert not at.exception
    [shown] = [h.value for h in at.subheader if "evil" in h.value]
    assert md(title) in shown and inert(shown)
