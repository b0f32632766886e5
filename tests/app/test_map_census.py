"""一张图, census part (AppTest): the region chooser and the map of every prefecture or every county of a province,
coloured by the 2020 census share aged 60+ / 80+."""
import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_map(lang="zh", region=None):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    if region:
        at.query_params["region"] = region
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    return at


def census_chart(at) -> dict:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(c for c in charts if "2020" in c["layout"]["title"]["text"] or "2030" in c["layout"]["title"]["text"])


def values(spec) -> dict:
    out = {}
    for tr in spec["data"]:
        if tr["name"] == "data":
            colour = tr["marker"]["color"]
            if isinstance(colour, dict):
                colour = np.frombuffer(base64.b64decode(colour["bdata"]), dtype=np.dtype(colour["dtype"])).tolist()
            out.update({c[0]: v for c, v in zip(tr["customdata"], colour)})
    return out


def grey(spec) -> set:
    return {c[0] for tr in spec["data"] if tr["name"] == "no data" for c in tr["customdata"]}


def test_country_map_colours_every_prefecture_by_the_60plus_share(db):
    at = open_map()
    spec = census_chart(at)
    assert spec["layout"]["title"]["text"] == "60岁及以上占比（2020年普查） · 全国各地级单位"
    v = values(spec)
    assert len(v) == 367 and grey(spec) == {"810000", "820000"}  # Hong Kong, Macao: outside the census
    assert v["500000"] == 21.87  # 重庆 (the municipality is one unit of this map)
    assert v["419001"] > 0  # 济源, directly under Henan, is a unit of the prefecture tier
    assert {tr["type"] for tr in spec["data"]} == {"scatter"}  # plain SVG, no WebGL


def test_choosing_chongqing_draws_its_counties_and_the_80plus_share(db):
    at = open_map()
    at.selectbox(key="map_pick_province").set_value("500000").run()
    spec = census_chart(at)
    assert spec["layout"]["title"]["text"].endswith("重庆市各区县")
    assert len(values(spec)) == 38 and not grey(spec)
    assert values(spec)["500103"] == 19.76
    at.selectbox(key="map_census_measure").set_value("share_80plus_2020").run()
    spec = census_chart(at)
    assert values(spec)["500103"] == pytest.approx(round(100 * 18_654 / 588_717, 2))
    assert "重庆市（500000）：常住人口 3,205.42万人" in " ".join(c.value for c in at.caption)


def test_a_province_without_county_boundaries_shows_its_prefectures_and_says_so(db):
    at = open_map()
    at.selectbox(key="map_pick_province").set_value("440000").run()
    spec = census_chart(at)
    assert spec["layout"]["title"]["text"].endswith("广东省各地级单位")
    assert len(values(spec)) == 21 and {"441900", "442000"} <= set(values(spec))
    assert "仓库中没有广东省的区县边界" in " ".join(c.value for c in at.caption)


def test_search_and_the_three_boxes(db):
    at = open_map()
    at.text_input(key="map_pick_q").set_value("渝中").run()
    assert at.selectbox(key="map_pick_hit").options == ["渝中区 (500103)"]
    assert "渝中区（500103）：常住人口 58.87万人" in " ".join(c.value for c in at.caption)
    assert census_chart(at)["layout"]["title"]["text"].endswith("重庆市各区县")
    at.text_input(key="map_pick_q").set_value("没有这个地方").run()
    assert "没有名称或代码含“没有这个地方”的地区" in [c.value for c in at.caption]
    at.text_input(key="map_pick_q").set_value("").run()
    at.selectbox(key="map_pick_province").set_value("130000").run()
    at.selectbox(key="map_pick_prefecture").set_value("130900").run()
    at.selectbox(key="map_pick_county").set_value("130981").run()
    assert "泊头市（130981）" in " ".join(c.value for c in at.caption)
    assert at.query_params["region"] == "130981"  # in the URL: a copied link reopens it


def test_url_region_opens_the_chooser_there_in_english(db):
    at = open_map("en", region="120101")
    assert at.selectbox(key="map_pick_province").value == "120000"
    assert at.selectbox(key="map_pick_prefecture").value == "120100"
    assert at.selectbox(key="map_pick_county").value == "120101"
    spec = census_chart(at)
    assert spec["layout"]["title"]["text"] == "share aged 60+ (2020 census) · 天津市: every county"
    assert len(values(spec)) == 16
    assert "Heping District (120101)" in at.selectbox(key="map_pick_county").options


def test_workbench_chooser_offers_its_regions_and_switches_the_region(db):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page("pages/workbench.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="wb_region").value == "500103"
    assert not [w for w in at.sidebar.selectbox if w.key == "wb_pick_county"]  # closed: not drawn (a lazy expander)
    at.session_state["wb_pick_open"] = True  # opened
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="wb_pick_county").value == "500103"  # the chooser opens on the workbench's region
    provinces = at.selectbox(key="wb_pick_province").options  # the workbench can go to every region now
    assert provinces[0] == "（全部）" and len(provinces) == 1 + 31
    assert {"天津市 (120000)", "河北省 (130000)", "重庆市 (500000)", "江苏省 (320000)"} <= set(provinces)
    at.text_input(key="wb_pick_q").set_value("泊头").run()
    assert at.selectbox(key="wb_pick_hit").value == "130981"
    assert at.selectbox(key="wb_region").value == "130981"
    at.selectbox(key="wb_region").set_value("120110").run()  # the region box still works on its own
    assert at.selectbox(key="wb_region").value == "120110"
    assert not at.exception


def test_overview_chooser_sets_the_focus_region(db):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="ov_focus").value == "500103"
    at.session_state["ov_pick_open"] = True  # the chooser is drawn while its expander is open
    at.run()
    at.selectbox(key="ov_pick_province").set_value("120000").run()
    at.selectbox(key="ov_pick_prefecture").set_value("120100").run()
    at.selectbox(key="ov_pick_county").set_value("120110").run()
    assert at.selectbox(key="ov_focus").value == "120110"  # 东丽区
    assert not at.exception


def test_growth_of_the_60plus_from_the_model_projection(db):
    from forecasting.projection import project_all

    proj = project_all(db=db)
    rows = proj[(proj["region_code"] == "500103") & (proj["indicator"] == "elderly_60plus")
                & (proj["method"] == "model") & (proj["scenario"] == "medium")].set_index("year")["value"]
    want = round(100 * (rows[2030] / rows[2025] - 1), 2)
    at = open_map(region="500103")
    at.selectbox(key="map_census_measure").set_value("growth_elderly_60plus").run()
    spec = census_chart(at)
    assert spec["layout"]["title"]["text"].startswith("60岁及以上人口增长 2025→2030")
    assert values(spec)["500103"] == want
    covered = len(values(spec))
    assert f"增长：{covered}个地区有2025和2030年的模型预测" in " ".join(c.value for c in at.caption)


def test_colouring_by_demand_draws_every_prefecture_and_a_provinces_counties(db):
    """Demand 2030 (gap model, model projection, medium) of every prefecture, and of Chongqing's counties per 1,000
    elderly; the values are the gap table's (no grey but Hong Kong and Macao)."""
    from forecasting.planning import codes_for
    from forecasting.projector import Projector
    from models.report.overview import gaps_for

    p = Projector.load(db)
    proj = p.project_all(codes_for(p, "model"), methods=("model",), scenarios=("medium",))
    g = gaps_for(db, assumptions="model", projections=proj, years=[2030], explain=False)
    want = g[g.service == "elderly_beds"].set_index("region_code")["demand"]
    at = open_map()
    at.selectbox(key="map_census_measure").set_value("demand_elderly_beds").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="map_census_year").value == 2030
    spec = census_chart(at)
    assert spec["layout"]["title"]["text"] == "养老床位需求（模型测算） · 2030 · 全国各地级单位"
    v = values(spec)
    assert len(v) == 367 and grey(spec) == {"810000", "820000"}
    assert v["320100"] == want["320100"] > 0 and v["500000"] == want["500000"]
    captions = " ".join(c.value for c in at.caption)
    assert "需求：367个地区有2030年测算值" in captions and "按需求着色将在" not in captions
    at.selectbox(key="map_pick_province").set_value("500000").run()
    at.selectbox(key="map_census_measure").set_value("demand_per_1000_childcare_places").run()
    spec = census_chart(at)
    assert spec["layout"]["title"]["text"].endswith("2030 · 重庆市各区县")
    assert len(values(spec)) == 38 and not grey(spec)


def test_growth_of_the_80plus_from_the_census_projection(db):
    """The 80+ are not a column of `project`'s table: the map reads the census projection's own (every census unit,
    forecasting.region_table.census_growth), so no prefecture but Hong Kong and Macao is grey."""
    from forecasting.region_table import census_growth

    want = census_growth("elderly_80plus", db=db).set_index("region_code")["growth_elderly_80plus"]
    at = open_map()
    at.selectbox(key="map_census_measure").set_value("growth_elderly_80plus").run()
    assert not at.exception, at.exception
    got = values(census_chart(at))
    assert len(got) >= 360
    for code in ("320100", "130900", "440300"):
        assert got[code] == want[code]
