"""总览 page through AppTest: the default page; a card per region, nested by the hierarchy; Yuzhong's 2085."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_overview(lang="zh"):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()  # the overview is the default page
    assert not at.exception, at.exception
    return at


def metrics(at, label_part: str) -> list:
    return [m for m in at.metric if label_part in m.label]


@pytest.mark.parametrize("lang, title", [("zh", "总览"), ("en", "Overview")])
def test_renders_in_both_languages(db, lang, title):
    at = open_overview(lang)
    assert at.title[0].value == title
    assert len(at.metric) >= 5 * 6  # five plan regions × (three gaps + three achievements)


def test_yuzhong_shows_2085_under_plan_assumptions(db):
    at = open_overview()
    assert at.radio(key="ov_assumptions").value == "plan" and at.selectbox(key="ov_year").value == 2025
    gaps = [m.value for m in metrics(at, "养老床位缺口")]
    # 渝中区 “缺口2085张”, and our recomputation equals the plan's stated gap
    assert "2,085张" in gaps
    yz = [m for m in metrics(at, "养老床位缺口") if m.value == "2,085张"][0]
    assert yz.delta == "0张"
    assert "4,000 − 1,915 = 2,085" in yz.proto.help
    assert "2,084张" in [m.value for m in metrics(at, "护理型床位缺口")]
    headlines = [m.value for m in at.markdown if m.value.startswith("#####")]
    assert "##### 渝中区2025年养老床位缺口2085张，护理型床位缺口2084张，托位缺口1639个" in headlines


def test_missing_numbers_say_not_provided(db):
    at = open_overview()
    assert "未提供" in [m.value for m in metrics(at, "托位缺口")]
    assert "0" not in [m.value for m in at.metric]
    assert any(c.value.startswith("未提供：") for c in at.caption)


def test_hierarchy_puts_heping_and_dongli_inside_tianjin(db):
    at = open_overview()
    tree = next(m.value for m in at.markdown if m.value.startswith("- 天津市"))
    assert tree.startswith("- 天津市\n  - 和平区\n  - 东丽区\n")
    # the cards are nested: Tianjin's card holds Heping's and Dongli's
    subheaders = [s.value for s in at.subheader]
    assert subheaders.index("天津市") < subheaders.index("和平区") < subheaders.index("东丽区")


def test_model_assumptions_and_english(db):
    at = open_overview("en")
    at.radio(key="ov_assumptions").set_value("model").run()
    assert not at.exception, at.exception
    values = [m.value for m in metrics(at, "Elderly-care beds gap")]
    assert "2,085 beds" not in values and any(v.endswith("beds") for v in values)
    at.selectbox(key="ov_year").set_value(2030).run()
    assert not at.exception, at.exception


def test_focus_region_trend_and_brief_buttons(db):
    at = open_overview()
    assert at.selectbox(key="ov_focus").value == "500103"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载简报 PNG", "下载简报 PDF"]
    at.selectbox(key="ov_focus").set_value("120000").run()
    assert not at.exception, at.exception


def test_many_regions_aggregate_then_drill_down(db, monkeypatch):
    """Above CARD_LIMIT regions: totals by province/city, a sorted paged table, one card (the chosen region)."""
    import models.overview

    monkeypatch.setattr(models.overview, "CARD_LIMIT", 2)  # the five plan regions count as "many"
    at = open_overview()
    assert any("按省/市汇总" in i.value for i in at.info)
    totals = at.dataframe[0].value
    assert set(totals["地区"]) == {"天津市", "河北省", "重庆市"}
    assert totals.set_index("地区").loc["重庆市", "养老床位缺口"] == 2085
    assert [s.value for s in at.subheader].count("渝中区") >= 1
    assert "2,085张" in [m.value for m in metrics(at, "养老床位缺口")]
    at.selectbox(key="ov_province").set_value("120000").run()
    assert not at.exception, at.exception
    regions = at.dataframe[1].value
    assert set(regions["ID"]) == {"120000", "120101", "120110"}
    at.selectbox(key="ov_region").set_value("120110").run()
    assert "东丽区" in [s.value for s in at.subheader]
    at.radio(key="ov_level").set_value("city").run()
    at.selectbox(key="ov_sort").set_value("achieved_nursing_beds").run()
    assert not at.exception, at.exception


def test_workbench_links_carry_region_and_year(db):
    if not (ROOT / "pages" / "workbench.py").exists():
        pytest.skip("the planner workbench page is not installed")
    at = open_overview()
    links = {p.proto.label: p.proto.query_string for p in at.get("page_link")}
    assert links["在规划测算中打开渝中区"] == "region=500103&year=2025&lang=zh"
