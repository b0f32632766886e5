"""An editor pastes a paragraph of a plan, confirms the proposed rows, imports them, finds the new region on the
overview and the figure's quote on the data page."""
import pytest

from models.store import accounts, userdata
from models.store.facts import all_facts
from tests.browser.conftest import login as sign_in
from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser
PARAGRAPH = ("截至2020年底，武汉市60岁及以上老年人口达到187.48万，养老床位7.5万张。到2025年，全市养老床位达到9万张，"
             "养老机构护理型床位占比不低于55%，每千人口拥有3岁以下婴幼儿托位数达到4.5个。")
USER, PASSWORD = "extract-editor", "paste-and-import-1"


def login(page, server):
    """The account login of the import page (ui/auth.py editor_gate)."""
    sign_in(page, server, USER, PASSWORD)


@pytest.fixture
def editor(db):
    accounts.add_account(USER, PASSWORD, role="editor", display_name="提取测试", by="test", db=db)
    yield USER
    # leave the session database as it was: revert the import (figures, then the region), drop the document
    log = db.query("SELECT change_id FROM change_log WHERE who = ? AND table_name IN ('user_facts', 'user_regions') "
                   "AND reverted_by IS NULL AND action <> 'revert'", [USER])
    if not log.empty:
        userdata.revert([int(i) for i in log["change_id"]], who="test", why="browser test clean-up", db=db)
    db.write(lambda con: (con.execute("DELETE FROM user_documents WHERE region_code = '420100'"),
                          con.execute("DELETE FROM accounts WHERE username = ?", [USER])))


def test_paste_confirm_import_then_overview_and_quote(server, page, db, editor):
    login(page, server)
    page.get_by_role("textbox", name="规划原文", exact=True).fill(PARAGRAPH)
    page.get_by_role("button", name="提取数据").click()
    wait_idle(page)
    context = page.get_by_test_id("ext-context")
    context.first.wait_for()
    assert context.count() == 5  # five figures proposed, each shown with its quote highlighted in the paragraph
    assert "全市养老床位达到9万张" in [m.inner_text() for m in page.locator('[data-testid="ext-context"] mark').all()]
    page.get_by_role("button", name="导入已确认的数据").click()
    wait_idle(page)
    page.get_by_text("已导入 5 条数据").wait_for()

    page.goto(server)  # the overview lists the new region
    wait_idle(page)
    page.get_by_text("武汉市").first.wait_for()

    facts = all_facts(db, region="420100")
    fact = facts[(facts["indicator"] == "elderly_beds") & (facts["year"] == 2025)].iloc[0]
    page.goto(f"{server}/data?fact={fact['fact_id']}")
    wait_idle(page)
    mark = page.get_by_test_id("fact-context").locator("mark")
    mark.wait_for()
    assert mark.inner_text() == "全市养老床位达到9万张"
    assert "到2025年" in page.get_by_test_id("fact-context").inner_text()
