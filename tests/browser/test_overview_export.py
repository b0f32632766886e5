"""A leader opens the overview at "/", sees Yuzhong's 2085-bed gap; an analyst goes to the export page and
downloads the gap table as CSV (UTF-8 with BOM, the model's columns, the 2085 row)."""
import io

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser


def test_overview_then_export_csv(server, page, tmp_path):
    page.goto(server + "/")
    wait_idle(page, timeout=90000)
    page.get_by_role("heading", name="总览").wait_for()
    card = page.locator(".st-key-ov_card_500103")
    card.wait_for()
    # The card streams in; expect() retries until the metrics are drawn (reading inner_text once races them).
    # 渝中区 plan: “缺口2085张”, recomputed by the tool and shown on the card
    expect(card).to_contain_text("2,085张")
    expect(card).to_contain_text("渝中区2025年养老床位缺口2085张，护理型床位缺口2084张，托位缺口1639个")
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)

    page.get_by_role("link", name="预测导出").click()
    wait_idle(page, timeout=90000)
    page.get_by_role("heading", name="预测导出").wait_for()
    assert page.url.split("?")[0].endswith("/export")
    page.get_by_role("tab", name="需求、供给与缺口").click()
    button = page.get_by_role("button", name="下载全部数据 CSV")
    button.wait_for()
    with page.expect_download(timeout=60000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "gaps_plan_medium.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"region_code": str})
    assert list(df.columns[:6]) == ["region_code", "region_name", "service", "service_label", "year", "demand"]
    assert {"gap", "target", "formula", "scenario", "assumptions", "export_scenario", "export_assumptions",
            "generated_on"} <= set(df.columns)
    row = df[(df.region_code == "500103") & (df.service == "elderly_beds") & (df.year == 2025)]
    assert row["gap"].tolist() == [2085] and row["region_name"].tolist() == ["渝中区"]
    # each row's own assumptions and scenario; the export's context in columns of its own
    assert set(df["scenario"]) == {"medium"} and set(df["assumptions"]) == {"plan"}
    assert set(df["export_scenario"]) == {"plan/medium"}
