"""A person opens the data page, finds a figure and reads its quote in the document."""
import pytest

from models.store.facts import all_facts
from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser
# The default (first) page, the overview, answers only at "/"; the data page lives at /data.
DATA_PATH = "data"


def test_data_page_shows_yuzhong_beds_and_quote(server, page, db):
    facts = all_facts(db, region="500103")
    fact = facts[(facts["indicator"] == "elderly_beds") & (facts["value"] == 1915)].iloc[0]
    page.goto(f"{server}/{DATA_PATH}?fact={fact['fact_id']}")
    wait_idle(page)
    assert "Page not found" not in page.locator("body").inner_text()
    page.get_by_role("heading", name="数据与来源").wait_for()
    context = page.get_by_test_id("fact-context")
    context.wait_for()
    highlighted = context.locator("mark").inner_text()
    assert "1915" in highlighted
    assert highlighted.replace("\n", "") in fact["quote"].replace("\n", "")
    assert "1,915张" in page.locator("body").inner_text()
    # The table lists the plan's figures with a count.
    assert "条数据" in page.locator("body").inner_text()
