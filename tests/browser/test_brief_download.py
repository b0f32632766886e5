"""A planner opens 一张图, sees the map, and downloads the one-page brief as PDF."""
import io
import unicodedata

import pytest
from pypdf import PdfReader

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser


def test_map_page_downloads_yuzhong_brief_pdf(server, page, tmp_path):
    page.goto(f"{server}/map")
    wait_idle(page, timeout=60000)
    assert "Page not found" not in page.locator("body").inner_text()
    page.get_by_role("heading", name="一张图").wait_for()
    # the map is drawn offline (maplibre canvas, no tiles)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    button = page.get_by_role("button", name="下载简报 PDF")
    button.wait_for()
    with page.expect_download(timeout=60000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "brief_500103_2025.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) == 1
    text = "".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())
    # 渝中区 plan: 养老床位缺口2085张，护理型床位缺口2084张，托位缺口1639个
    assert "渝中区2025年养老床位缺口2085张,护理型床位缺口2084张,托位缺口1639个" in text
