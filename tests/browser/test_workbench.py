"""A planner opens Yuzhong in the workbench, changes the bed standard, sees the gap move, and a copied link reopens
the same view."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser


def metric_values(page) -> list[str]:
    return [v.strip() for v in page.get_by_test_id("stMetricValue").all_inner_texts()]


def test_workbench_assumption_moves_the_gap_and_the_link_reopens_it(server, page, browser):
    page.goto(f"{server}/workbench?region=500103&year=2025")
    wait_idle(page, timeout=90000)
    assert "Page not found" not in page.locator("body").inner_text()
    page.get_by_role("heading", name="规划测算").wait_for()
    # 渝中区：“缺口2085张”
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("2,085张")  # retries while the run streams

    beds = page.get_by_role("spinbutton", name="每千名老年人养老床位数")
    assert beds.input_value() == "32.00"
    beds.fill("35")
    beds.press("Enter")
    page.wait_for_url(re.compile(r"beds_per_1000_elderly=35"), timeout=30000)
    wait_idle(page)
    page.get_by_test_id("stMetricValue").filter(has_text="2,460张").wait_for(timeout=30000)
    # 35 × 12.5万 / 1000 − 1915 = 2460
    assert metric_values(page)[0] == "2,460张"

    link = page.url
    assert "region=500103" in link and "year=2025" in link
    other = page.context.new_page()
    other.goto(link)
    wait_idle(other, timeout=60000)
    expect(other.get_by_test_id("stMetricValue").first).to_have_text("2,460张")
    expect(other.get_by_role("spinbutton", name="每千名老年人养老床位数")).to_have_value("35.00")
    assert other.url == link
    other.close()
