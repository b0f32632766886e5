"""The gap model reproduces each plan's own numbers from their inputs, and behaves under any other assumptions."""
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.planning.gaps import GAP_COLUMNS, gap_table, plan_gaps, reason_text
from models.planning.standards import RegionStandards, Standards


@pytest.fixture(scope="module")
def frame(db):
    return plan_gaps(db, years=[2020, 2025])


@pytest.fixture(scope="module")
def plan(frame):
    return frame.set_index(["region_code", "service", "year"])


def row(plan, code, service, year=2025):
    return plan.loc[(code, service, year)]


def test_columns_come_first(frame):
    assert list(frame.columns[:len(GAP_COLUMNS)]) == GAP_COLUMNS
    assert set(frame["region_name"]) >= {"渝中区", "和平区"}


def test_yuzhong_2025_bed_gap_is_2085(plan):
    # 002: "预计2025年养老床位需求达4000张(…),缺口2085张" — 32 × 12.5万 / 1000 − 1915
    r = row(plan, "500103", "elderly_beds")
    assert (r.demand, r.supply, r.gap) == (4000, 1915, 2085)
    assert (r.demand_stated, r.gap_stated) == (4000, 2085)
    assert r.demand_difference == 0 and r.gap_difference == 0


def test_yuzhong_2085_explains_itself(plan):
    r = row(plan, "500103", "elderly_beds")
    assert "32 × 125,000 / 1000 = 4,000" in r.formula
    assert "gap = demand − supply = 4,000 − 1,915 = 2,085" in r.formula
    quotes = {i["name"]: i["quote"] for i in r.inputs}
    assert quotes["beds_per_1000_elderly"] == "根据每千名常住老年人拥有32张床位标准"
    assert quotes["elderly_60plus"] == "60岁及以上老年人口为12.5万"
    assert quotes["supply:elderly_beds"] == "提供全托养老床位1915张"
    assert quotes["gap_stated"] == "缺口2085张"


def test_yuzhong_2025_nursing_gap_is_2084(plan):
    # "护理型床位需配置2800张,缺口2084张" — 70% × 4000 − 716
    r = row(plan, "500103", "nursing_beds")
    assert (r.demand, r.supply, r.gap, r.gap_stated) == (2800, 716, 2084, 2084)
    # the indicator table's 60% would give 2400: shown as the recomputed target
    assert r.target == 2800 and r.target_recomputed == pytest.approx(2400)


def test_yuzhong_2025_childcare_gap_is_1639(plan):
    # "预计2025年托位需求达2650个,缺口1639个"; current 181 (托育机构) + 830 (幼儿园)
    r = row(plan, "500103", "childcare_places")
    assert (r.demand, r.supply, r.gap, r.gap_stated) == (2650, 1011, 1639, 1639)
    assert r.demand_unrounded == pytest.approx(4.5 * 588700 / 1000)  # the plan applied 4.5 to the 2020 population
    assert r.population_year == 2020


def test_botou_2608_places_stated_vs_recomputed(plan):
    # 003: "按全市总人口 57 万人测算，应配备托位达到 2608 个" — 4.5 × 57万 / 1000 = 2565
    r = row(plan, "130981", "childcare_places")
    assert r.target == 2608 and r.target_recomputed == pytest.approx(2565)
    assert r.demand == pytest.approx(2565) and r.supply == 370 and r.target_gap == 2608 - 370


def test_dongli_bed_target_5225_against_3545(plan):
    # 000: "全区养老服务床位总量达到5225张"; "养老服务床位3545张" (2022)
    r = row(plan, "120110", "elderly_beds")
    assert (r.target, r.supply, r.target_gap) == (5225, 3545, 1680)
    assert r.achieved_share == pytest.approx(3545 / 5225 * 100)
    assert np.isnan(r.demand)
    assert {"part": "demand", "code": "gap_no_bed_standard", "params": {}} in r.reason_codes
    assert reason_text(r.reason_codes, "en").startswith("the plan states no bed standard")
    assert reason_text(r.reason_codes).startswith("需求：规划未提供床位测算标准")


def test_tianjin_10wan_against_7_6wan(plan):
    # 004: "全市养老服务床位达到10万张"; "各类床位总数达7.6万张"; 973: 3% of 367万 elderly
    r = row(plan, "120000", "elderly_beds")
    assert (r.target, r.supply, r.target_gap) == (100000, 76000, 24000)
    assert r.demand == pytest.approx(0.03 * 3670000)


def test_heping_has_no_bed_count_so_its_gap_is_unknown_not_zero(plan):
    for service in ("elderly_beds", "nursing_beds", "childcare_places"):
        r = row(plan, "120101", service)
        assert np.isnan(r.gap) and np.isnan(r.supply)
        assert {"part": "supply", "code": "supply_no_count", "params": {}} in r.reason_codes
        assert "the plan states no current count" in reason_text(r.reason_codes, "en")
        assert "供给：规划未提供现有数量" in reason_text(r.reason_codes, "zh")


def test_pipeline_replaces_the_welfare_home_and_adds_the_care_centre(db):
    g = plan_gaps(db, years=[2024, 2025], assumptions={"count_pipeline": True}).set_index(
        ["region_code", "service", "year"])
    assert g.loc[("500103", "elderly_beds", 2025)].pipeline == 500 - 325  # rebuilds the existing public home
    assert g.loc[("500103", "elderly_beds", 2025)].supply == 1915 + 175
    assert g.loc[("500103", "childcare_places", 2025)].supply == 1011 + 200
    assert g.loc[("500103", "elderly_beds", 2024)].pipeline == 0  # completes in 2025


def test_overrides_change_the_answer(db):
    g = plan_gaps(db, years=[2025], region="500103", assumptions={"beds_per_1000_elderly": 40})
    assert g.set_index("service").loc["elderly_beds"].demand == 5000


# -- properties on synthetic regions --------------------------------------------------------------------------

def _one_region(beds_per_1000=32.0, nursing=70.0, places=4.5, elderly=125000.0, pop=568000.0, supply=1915.0,
                drop=()):
    s = Standards(RegionStandards(), MappingProxyType({"999999": RegionStandards(
        beds_per_1000_elderly=beds_per_1000, nursing_share=nursing, places_per_1000=places)}))
    popf = pd.DataFrame({"region_code": "999999", "indicator": ["elderly_60plus", "population_resident"],
                         "year": 2025, "value": [elderly, pop]})
    popf = popf[~popf["indicator"].isin(drop)]
    sup = pd.DataFrame({"region_code": "999999", "service": ["elderly_beds", "nursing_beds", "childcare_places"],
                        "year": 2025, "supply_existing": [supply, supply / 2, supply / 3], "supply_year": 2025,
                        "pipeline": 0.0, "supply_method": "stated", "supply_formula": "", "supply_inputs": [[]] * 3,
                        "supply_reason": "", "supply_alternatives": [[]] * 3})
    if "supply" in drop:
        sup["supply_existing"] = np.nan
        sup["supply_reason"] = "no current count"
    return gap_table(popf, s, sup, years=[2025]).set_index("service")


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1e5), st.floats(0, 1e5))
def test_gap_falls_when_supply_rises(s1, s2):
    lo, hi = sorted((s1, s2))
    a, b = _one_region(supply=lo), _one_region(supply=hi)
    assert (b["gap"] <= a["gap"] + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(st.floats(0.1, 100), st.floats(0.1, 10))
def test_demand_scales_linearly_with_the_standard(rate, k):
    a, b = _one_region(beds_per_1000=rate, places=rate / 10), _one_region(beds_per_1000=rate * k, places=rate * k / 10)
    for service in ("elderly_beds", "nursing_beds", "childcare_places"):
        assert b.loc[service, "demand"] == pytest.approx(k * a.loc[service, "demand"])


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([("elderly_60plus",), ("population_resident",), ("supply",),
                        ("elderly_60plus", "population_resident", "supply")]))
def test_a_missing_figure_gives_unknown_with_a_reason_never_zero(drop):
    g = _one_region(drop=drop)
    unknown = g[g["gap"].isna()]
    assert len(unknown) >= 1
    assert all(len(codes) > 0 for codes in unknown["reason_codes"])
    assert all(reason_text(codes, lang) for codes in unknown["reason_codes"] for lang in ("zh", "en"))
    assert not (g["gap"] == 0).any()


def test_many_regions_at_once_give_each_region_what_it_gets_alone(db):
    """gap_table computes on arrays over all regions and years together: no region's row may depend on another's."""
    from models.planning.gaps import plan_figures, plan_population
    from models.planning.standards import plan_standards
    from models.planning.supply import supply_table
    from models.store.facts import all_facts, projects

    facts = all_facts(db)
    pop, std, sup, fig = plan_population(facts), plan_standards(facts), supply_table(facts, projects(db)), \
        plan_figures(facts)
    together = gap_table(pop, std, sup, figures=fig)
    assert together["region_code"].nunique() == 5
    for code in sorted(together["region_code"].unique()):
        alone = gap_table(pop, std, sup, figures=fig, regions=[code])
        mine = together[together["region_code"] == code].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, mine, check_exact=True)
        assert [repr(v) for v in alone["inputs"]] == [repr(v) for v in mine["inputs"]]
        assert [repr(v) for v in alone["reason_codes"]] == [repr(v) for v in mine["reason_codes"]]
    yz = together[(together["region_code"] == "500103") & (together["year"] == 2025)].set_index("service")
    assert (yz.loc["elderly_beds", "gap"], yz.loc["nursing_beds", "gap"]) == pytest.approx((2085, 2084), abs=0.5)
