"""The overview's domain (models/overview.py): KPI per region and service, deltas, hierarchy, aggregates."""
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.catalogue import SERVICES
from models.overview import (
    aggregate,
    delta_text,
    explanation,
    gaps_for,
    hierarchy,
    kpi_text,
    kpis,
    region_table,
    sort_and_page,
)


@pytest.fixture(scope="module")
def plan_2025(db):
    return gaps_for(db, assumptions="plan", years=[2025])


@pytest.fixture(scope="module")
def regions(db):
    from models.facts import regions

    return regions(db)


def kpi_of(k, region, service):
    return k[(k.region_code == region) & (k.service == service)].iloc[0].to_dict()


def test_yuzhong_2025_bed_gap_is_2085_and_equals_the_plan(plan_2025):
    k = kpis(plan_2025, year=2025)
    r = kpi_of(k, "500103", "elderly_beds")
    # “预计2025年养老床位需求达4000张…缺口2085张”
    assert (r["gap"], r["gap_stated"], r["gap_delta"]) == (2085, 2085, 0)
    assert kpi_text(r, "gap") == "2,085张"
    assert delta_text(r) == "0张"
    assert r["achieved_share"] == pytest.approx(1915 / 4000 * 100)
    assert kpi_text(r, "achieved_share") == "47.88%"
    # “护理型床位需配置2800张…缺口2084张”
    assert kpi_of(k, "500103", "nursing_beds")["gap"] == 2084
    e = explanation(r)
    assert "4,000 − 1,915 = 2,085" in e["formula"]
    assert {"YZ-065", "YZ-060"} <= {i["fact_id"] for i in e["inputs"]}


def test_missing_numbers_stay_missing_with_a_reason(plan_2025):
    k = kpis(plan_2025, year=2025)
    r = kpi_of(k, "120101", "elderly_beds")
    assert math.isnan(r["gap"]) and delta_text(r) is None
    assert kpi_text(r, "gap") == "未提供" and kpi_text(r, "gap", "en") == "not provided"
    assert "未提供" in explanation(r)["reason"] or "规划" in explanation(r)["reason"]
    assert explanation(r, "en")["reason"] and "规划" not in explanation(r, "en")["reason"]


def test_delta_is_our_gap_minus_the_plans():
    r = {"service": "elderly_beds", "gap_delta": -12.0}
    assert delta_text(r) == "-12张"
    assert delta_text({"service": "childcare_places", "gap_delta": 3.0}, "en") == "+3 places"


def test_kpis_keep_every_service_of_every_region():
    g = pd.DataFrame({"region_code": ["1"], "region_name": ["x"], "service": ["elderly_beds"], "year": [2025],
                      "gap": [5.0]})
    k = kpis(g, year=2025)
    assert list(k["service"]) == list(SERVICES)
    assert k["gap"].isna().sum() == 2 and k["gap_stated"].isna().all()


def test_model_assumptions_differ_from_the_plan(db, plan_2025):
    model = kpis(gaps_for(db, assumptions="model", years=[2025]), year=2025)
    r = kpi_of(model, "500103", "elderly_beds")
    assert r["gap_stated"] == 2085
    assert r["gap_delta"] == pytest.approx(r["gap"] - 2085)
    with pytest.raises(ValueError, match="assumptions"):
        gaps_for(db, assumptions="guess")


def test_heping_and_dongli_inside_tianjin(regions, plan_2025):
    tree = hierarchy(regions, plan_2025["region_code"].unique()).set_index("code")
    assert tree.loc["120101", "card_parent"] == "120000" and tree.loc["120110", "card_parent"] == "120000"
    assert tree.loc["120000", "card_parent"] == "" and tree.loc["120000", "depth"] == 0
    assert tree.loc["130981", "path_label"] == "河北省 › 沧州市 › 泊头市"
    assert tree.loc["130981", "city_code"] == "130900" and tree.loc["500103", "city_code"] == "500000"
    assert not tree.loc["130900", "has_data"]
    order = list(tree.index)
    assert order.index("120000") < order.index("120101") < order.index("120110") < order.index("130000")
    assert hierarchy(regions, ["120101"], lang="en").set_index("code").loc["120101", "path_label"] == \
        "Tianjin › Heping District"


def synthetic(n=120):
    """n counties under 3 provinces × 2 cities; every fifth gap unknown."""
    regs = [{"code": "100000", "name_zh": "中国", "name_en": "", "level": "country", "parent_code": ""}]
    rows = []
    for p in range(3):
        pc = f"{11 + p}0000"
        regs.append({"code": pc, "name_zh": f"省{p}", "name_en": "", "level": "province", "parent_code": "100000"})
        for c in range(2):
            cc = f"{11 + p}{c + 1:02d}00"
            regs.append({"code": cc, "name_zh": f"市{p}{c}", "name_en": "", "level": "city", "parent_code": pc})
    for i in range(n):
        p, c = i % 3, (i // 3) % 2
        code = f"{11 + p}{c + 1:02d}{i // 6 + 1:02d}"
        regs.append({"code": code, "name_zh": f"县{i}", "name_en": "", "level": "county",
                     "parent_code": f"{11 + p}{c + 1:02d}00"})
        for s in SERVICES:
            rows.append({"region_code": code, "region_name": f"县{i}", "service": s, "year": 2025,
                         "demand": 100.0, "supply": 40.0, "gap": math.nan if i % 5 == 0 else 60.0,
                         "target": 80.0, "target_gap": 40.0, "achieved_share": 50.0})
    return pd.DataFrame(regs), pd.DataFrame(rows)


def test_aggregate_by_province_and_city_counts_missing_apart():
    regs, gaps = synthetic()
    k = kpis(gaps, year=2025)
    tree = hierarchy(regs, k["region_code"].unique())
    prov = aggregate(k, tree, level="province")
    assert len(prov) == 3 and prov["regions"].sum() == 120
    for row in prov.to_dict("records"):
        assert row["gap_elderly_beds"] == 60 * row["known_elderly_beds"]
        assert row["achieved_nursing_beds"] == pytest.approx(50)
    assert prov["known_elderly_beds"].sum() == 120 - 24
    city = aggregate(k, tree, level="city", within="110000")
    assert list(city["group_code"]) == ["110100", "110200"] and city["regions"].sum() == 40
    with pytest.raises(ValueError):
        aggregate(k, tree, level="county")


def test_region_table_is_one_row_per_region():
    regs, gaps = synthetic(30)
    k = kpis(gaps, year=2025)
    table = region_table(k, hierarchy(regs, k["region_code"].unique()))
    assert len(table) == 30 and table["gap_elderly_beds"].isna().sum() == 6
    assert table["path_label"].str.startswith("省").all()


@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=60), st.integers(1, 9), st.booleans())
def test_pages_cover_every_row_once_missing_last(values, size, ascending):
    table = pd.DataFrame({"region_code": [str(i) for i in range(len(values))],
                          "gap": [math.nan if v is None else v for v in values]})
    _, pages = sort_and_page(table, by="gap", ascending=ascending, page_size=size)
    seen = pd.concat([sort_and_page(table, by="gap", ascending=ascending, page=p, page_size=size)[0]
                      for p in range(1, pages + 1)])
    assert sorted(seen["region_code"]) == sorted(table["region_code"])
    known = seen["gap"].notna().tolist()
    assert known == sorted(known, reverse=True)  # every missing value after every known one
