"""Issue 22, finding 4: a crafted link with Markdown in its query parameter renders as text. Before, the workbench's
warning rendered `[会话已过期，请点此重新登录](http://evil.example/login)` as a real link and `![](…/t.png)` made the
browser fetch the image from outside (breaking the offline promise and leaking the viewer's address). Every
request of the page is recorded; none may leave 127.0.0.1."""
from urllib.parse import quote, urlparse

import pytest

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser

CRAFTED = ("[会话已过期，请点此重新登录](http://evil.example/login) ![](http://evil.example/t.png) "
           "<img src=http://evil.example/x.png> **粗体** www.evil.example")


def test_a_crafted_workbench_link_shows_as_text_and_fetches_nothing_outside(server, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(120000)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(f"{server}/workbench?region={quote(CRAFTED)}")
        wait_idle(page, timeout=180000)
        page.wait_for_timeout(2000)  # a remote image would be requested by now
        warning = page.locator('[data-testid="stAlertContentWarning"]').first
        text = warning.inner_text().replace("\u2060", "")  # md() puts an invisible word joiner after : and @
        # the text as typed, visible: brackets, parentheses, the address, the tag and the asterisks
        assert "[会话已过期，请点此重新登录](http://evil.example/login)" in text
        assert "![](http://evil.example/t.png)" in text and "<img src=http://evil.example/x.png>" in text
        assert "**粗体**" in text and "www.evil.example" in text
        assert page.locator('a[href*="evil.example"]').count() == 0  # no link anywhere
        assert page.locator('img[src*="evil.example"]').count() == 0  # no image element
        assert page.locator('[data-testid="stAlertContentWarning"] strong').count() == 0  # no bold
    finally:
        ctx.close()
    host = urlparse(server).netloc
    outside = [u for u in requests if urlparse(u).scheme not in ("data", "blob", "about")
               and urlparse(u).netloc != host]
    assert requests and outside == []
