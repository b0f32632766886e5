"""What a leader sees on opening "/" at 1440×900, without scrolling: the first chart compares all five plan
regions. Screenshot in test-artifacts/overview_first_screen.png."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser

REGIONS = ["天津市", "和平区", "东丽区", "渝中区", "泊头市"]


def test_first_screen_names_all_five_regions(server, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(180000)
    try:
        page.goto(server + "/")
        wait_idle(page, timeout=180000)
        # the comparison chart by its key: under load a chart further down may be drawn before it, so "the first
        # chart on the page" is not a stable way to find it
        chart = page.locator('.st-key-ov_compare [data-testid="stPlotlyChart"]').first
        chart.locator(".ytick").first.wait_for()
        box = chart.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900  # inside the first screen
        ticks = chart.locator(".ytick text").evaluate_all("els => els.map(e => e.textContent)")  # SVG text
        assert set(REGIONS) <= set(ticks), ticks
        for name in REGIONS:  # every region name is drawn inside the window, not below the fold
            tick = chart.locator(".ytick text", has_text=name).first
            b = tick.bounding_box()
            assert b is not None and 0 <= b["y"] and b["y"] + b["height"] <= 900, (name, b)
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
        scrolled = page.locator('[data-testid="stMain"]').evaluate("el => el.scrollTop")
        assert scrolled == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "overview_first_screen.png"))
    finally:
        ctx.close()
