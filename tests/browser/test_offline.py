"""Offline: every page the app serves makes requests to the app only (no outside font server, CDN or telemetry),
shows no emoji and no Streamlit "Deploy" button, and no English widget placeholder in the Chinese UI.
Every request is recorded with page.on("request")."""
import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser

PAGES = ["/", "/workbench", "/draft", "/export", "/audit", "/map", "/data", "/import"]
# Emoji and pictographs (the ✗/✓ dingbats of the importer are plain text glyphs, in every font)
EMOJI = re.compile("[\U0001F300-\U0001FAFF\U00002600-\U000026FF\U00002B50\U00002705\U0000274C\U0000FE0F]")


def outside(requests: list[str], app: str) -> list[str]:
    host = urlparse(app).netloc
    return [u for u in requests if urlparse(u).scheme not in ("data", "blob", "about")
            and urlparse(u).netloc != host]


def test_no_request_leaves_the_machine_on_any_page(server, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(120000)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    visited = []
    try:
        page.goto(server + "/")
        wait_idle(page, timeout=180000)
        # every page the navigation lists (the seven, and any added later)
        links = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")
        paths = list(dict.fromkeys(PAGES + [urlparse(h).path or "/" for h in links]))
        assert len(paths) >= 7
        for path in paths:
            page.goto(server + path)
            wait_idle(page, timeout=180000)
            page.wait_for_timeout(1500)  # late requests: icons, fonts, chart assets
            visited.append(path)
            body = page.locator("body").inner_text()
            assert not EMOJI.findall(body), (path, EMOJI.findall(body))
            assert page.get_by_role("button", name="Deploy").count() == 0, path
            assert "Choose options" not in body and "Choose an option" not in body, path
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"offline{path.replace('/', '_') or '_'}.png"))
    finally:
        ctx.close()
    assert visited == paths
    assert requests, "no request recorded"
    assert outside(requests, server) == []
