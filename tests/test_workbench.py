"""The planner workbench's domain (forecasting/workbench.py): one scenario evaluated end to end, and its sensitivity."""
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from forecasting.projection import Assumptions, project
from forecasting.workbench import (
    ASSUMPTION_FIELDS,
    ASSUMPTION_RANGES,
    STEPS,
    PlanData,
    PlannerScenario,
    compare_scenarios,
    evaluate,
    gaps_for,
    method_gaps,
    sensitivity,
    step_label,
)
from models.core.i18n import t
from models.planning.gaps import plan_gaps, reason_text

YZ = "500103"
# 渝中区: “60岁及以上老年人口为12.5万” (2025), “提供全托养老床位1915张”, “护理型床位…716张” (2020)
ELDERLY_2025, BEDS_2020, NURSING_2020 = 125000, 1915, 716


@pytest.fixture(scope="module")
def data(db):
    return PlanData.load(db)


def test_yuzhong_2025_gaps_under_the_plan_are_the_plans(data):
    ev = evaluate(PlannerScenario(YZ), data=data)
    # “缺口2085张” (beds), 护理型床位缺口2084张, 托位“缺口1639个”
    assert ev.gap("elderly_beds") == 2085
    assert ev.gap("nursing_beds") == 2084
    assert ev.gap("childcare_places") == 1639
    assert set(ev.gaps["year"]) == set(range(2020, 2036))


def test_plan_method_is_the_gap_models_plan_assumptions(db, data):
    ev = evaluate(PlannerScenario(YZ), data=data)
    want = plan_gaps(db, region=YZ)
    pd.testing.assert_frame_equal(ev.gaps[["service", "year", "demand", "supply", "gap"]].reset_index(drop=True),
                                  want[["service", "year", "demand", "supply", "gap"]].reset_index(drop=True))


def test_35_beds_per_1000_elderly_gives_2460(data):
    ev = evaluate(PlannerScenario(YZ, beds_per_1000_elderly=35), data=data)
    assert ev.gap("elderly_beds") == 35 * ELDERLY_2025 / 1000 - BEDS_2020 == 2460
    # nursing beds follow the bed demand: 70% × 4375 − 716
    assert ev.gap("nursing_beds") == pytest.approx(0.70 * 4375 - NURSING_2020)
    assert "35 × 125,000 / 1000 = 4,375" in ev.row("elderly_beds")["formula"]
    prov = [i for i in ev.row("elderly_beds")["inputs"] if i["name"] == "beds_per_1000_elderly"]
    assert prov and prov[0]["source"] == "override"


@given(beds=hs.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 2)))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_bed_gap_is_linear_in_the_standard(data, beds):
    ev = evaluate(PlannerScenario(YZ, beds_per_1000_elderly=beds), data=data,
                  gaps_fn=lambda p, m: gaps_for(p, m, data=data, years=[2025], explain=False))
    assert ev.gap("elderly_beds") == pytest.approx(beds * ELDERLY_2025 / 1000 - BEDS_2020)


def test_needs_method_uses_the_plans_shares(data):
    # “按老年人口总数的5%进行测算”, “…普惠养老床位需求的老年人占比65%左右”
    ev = evaluate(PlannerScenario(YZ, bed_method="needs"), data=data)
    assert ev.gap("elderly_beds") == pytest.approx(ELDERLY_2025 * 0.05 * 0.65 - BEDS_2020)
    # a needs share alone does not switch the method: the per-1000 gap stays
    ev = evaluate(PlannerScenario(YZ, disabled_share=10), data=data)
    assert ev.gap("elderly_beds") == 2085


def test_override_population_comes_from_the_projection(db, data):
    ps = PlannerScenario(YZ, method="override", population_growth=-0.5)
    ev = evaluate(ps, data=data)
    proj = project(Assumptions(YZ, method="override", population_growth=-0.5), db=db).table
    e = proj[(proj.indicator == "elderly_60plus") & (proj.year == 2025)]["value"].iat[0]
    plan32 = 32 * e / 1000
    # model/override count the pipeline (the welfare home: 500 − 325 = +175 beds)
    assert ev.gap("elderly_beds") == pytest.approx(plan32 - (BEDS_2020 + 175))
    row = ev.methods[(ev.methods.service == "elderly_beds") & (ev.methods.method == "override")].iloc[0]
    assert row["chosen"] and row["population"] == pytest.approx(e)


def test_plan_data_projects_like_forecasting(db, data):
    a = Assumptions(YZ, method="override", birth_rate=8.0)
    pd.testing.assert_frame_equal(data.project(a).table, project(a, db=db).table)


def test_methods_side_by_side(data):
    ev = evaluate(PlannerScenario(YZ, year=2025), data=data)
    m = ev.methods.set_index(["service", "method"])
    assert m.loc[("elderly_beds", "stated"), "gap"] == 2085  # “缺口2085张”
    assert m.loc[("elderly_beds", "plan"), "chosen"]
    assert set(ev.methods["method"]) == {"stated", "plan", "model", "override"}
    model = m.loc[("elderly_beds", "model")]
    assert model["gap"] == pytest.approx(model["demand"] - model["supply"])


def test_waterfall_steps_add_up_to_demand(data):
    ev = evaluate(PlannerScenario(YZ), data=data)
    for service, w in ev.waterfall.groupby("service"):
        steps = w[w["measure"] != "total"]["value"].sum()
        assert steps == pytest.approx(w[w["measure"] == "total"]["value"].iat[0]), service
    beds = ev.waterfall[ev.waterfall.service == "elderly_beds"].set_index("step")["value"]
    assert beds["supply_existing"] == 1915 and beds["pipeline"] == 175 and beds["demand"] == 4000


def test_waterfall_missing_supply_is_not_zero(data):
    # Heping (120101) states no childcare count in 2020
    ev = evaluate(PlannerScenario("120101", year=2020), data=data)
    w = ev.waterfall
    missing = w[w["value"].isna()]
    assert all(len(r) > 0 for r in missing["reason_codes"])
    supply = w[(w["step"] == "supply_existing") & w["value"].isna()]
    assert len(supply) and all(r == [{"code": "wb_no_current_supply", "params": {}}] for r in supply["reason_codes"])
    assert reason_text(supply["reason_codes"].iat[0], "en") == "current supply not stated"
    assert reason_text(supply["reason_codes"].iat[0], "zh") == "现有供给未提供"
    assert not ((w["value"] == 0) & (w["step"] == "supply_existing")).any()


def test_sources_quote_the_plan(data):
    ev = evaluate(PlannerScenario(YZ), data=data)
    s = ev.sources.set_index("name")
    assert s.at["population_growth", "value"] == -0.68
    assert "-0.68%" in s.at["population_growth", "quote"]  # “根据常住人口年平均增长率为-0.68%进行测算”
    assert s.at["beds_per_1000_elderly", "quote"] == "根据每千名常住老年人拥有32张床位标准"
    assert s.at["institutional_share", "value"] is None and s.at["institutional_share", "note_code"] == \
        "wb_note_plan_none"
    assert s.at["beds_per_1000_elderly", "note_code"] == ""


@pytest.mark.parametrize("kwargs, field", [
    ({"year": 2040}, "year"), ({"method": "guess"}, "method"), ({"scenario": "extreme"}, "scenario"),
    ({"beds_per_1000_elderly": -1}, "beds_per_1000_elderly"), ({"nursing_share": 120}, "nursing_share"),
    ({"population_growth": 50}, "population_growth"), ({"bed_method": "magic"}, "bed_method"),
    ({"elderly_growth": 1.0, "aging_rate_increment": 0.3}, "elderly_growth"), ({"region": "5001"}, "region")])
def test_invalid_values_name_the_field(kwargs, field):
    args = {"region": YZ, **kwargs}
    with pytest.raises(ValueError, match=field):
        PlannerScenario(**args)


def test_payload_round_trips():
    ps = PlannerScenario(YZ, year=2030, method="override", scenario="high", aging_rate_increment=0.5,
                         beds_per_1000_elderly=35.0, bed_method="per_1000")
    assert PlannerScenario.from_dict(ps.to_dict()) == ps
    assert ps.reset() == PlannerScenario(YZ, year=2030)


def test_gaps_key_names_only_what_the_gap_reads():
    a, b = PlannerScenario(YZ), PlannerScenario(YZ, scenario="high", population_growth=1.0)
    assert a.gaps_key("plan") == b.gaps_key("plan")
    assert a.gaps_key("model") != b.gaps_key("model")  # the band
    assert a.gaps_key("override") != b.gaps_key("override")
    assert PlannerScenario(YZ, nursing_share=60).gaps_key("plan") != a.gaps_key("plan")


@pytest.mark.parametrize("name", ASSUMPTION_FIELDS)
def test_each_assumption_has_one_range_and_it_is_enforced(name):
    """One statement of every assumption's range (lo, hi, step, unit): its ends are accepted, a step beyond either
    end fails at construction with a message naming the field."""
    lo, hi, step, unit = ASSUMPTION_RANGES[name]
    assert lo < hi and step > 0 and unit
    for ok in (lo, hi):
        assert getattr(PlannerScenario(YZ, **{name: ok}), name) == ok
    for bad in (lo - step, hi + step):
        with pytest.raises(ValueError, match=name):
            PlannerScenario(YZ, **{name: bad})


def test_a_standard_keeps_the_projection_key():
    """A bed standard never re-projects: the projections' cache key names the projection fields only."""
    a = PlannerScenario(YZ, method="model", scenario="high")
    b = PlannerScenario(YZ, method="model", scenario="high", beds_per_1000_elderly=35, nursing_share=60)
    assert a.projection_key() == b.projection_key()
    assert a.methods_key() != b.methods_key()
    assert PlannerScenario(YZ, population_growth=1.0).projection_key() != PlannerScenario(YZ).projection_key()


@pytest.mark.parametrize("ps", [PlannerScenario(YZ, beds_per_1000_elderly=35),
                                PlannerScenario("120110", year=2030, method="override", scenario="high",
                                                nursing_share=65, population_growth=0.5)])
def test_the_three_methods_in_one_call_equal_one_call_each(data, ps):
    batched = method_gaps(ps, data=data)
    for m in ("plan", "model", "override"):
        pd.testing.assert_frame_equal(batched[m], gaps_for(ps, m, data=data), check_dtype=False)
    if ps.region == YZ:  # 35 × 125,000 / 1000 − 1915
        assert batched["plan"].set_index(["year", "service"]).at[(2025, "elderly_beds"), "gap"] == 2460


def test_sensitivity_of_the_2025_bed_gap(data):
    s = sensitivity(PlannerScenario(YZ), data=data)
    beds = s[s.service == "elderly_beds"]
    assert beds["assumption"].iat[0] == "beds_per_1000_elderly"  # the largest impact first
    top = beds.iloc[0]
    # ±10% of 32 beds per 1000 × 125000 elderly = ±400 beds
    assert top["delta_low"] == pytest.approx(-400) and top["delta_high"] == pytest.approx(400)
    assert top["step"] == "±10%" and top["gap_base"] == 2085
    impacts = beds["impact"].dropna()
    assert list(impacts) == sorted(impacts, reverse=True)
    missing = beds[beds["impact"].isna()]
    assert (missing["reason"] != "").all() and "institutional_share" in set(missing["assumption"])
    pop = beds.set_index("assumption").loc["population_growth"]
    assert pop["low_value"] == pytest.approx(-1.18) and pop["high_value"] == pytest.approx(-0.18)
    assert pop["delta_low"] < 0 < pop["delta_high"]


def test_sensitivity_reasons_are_codes_rendered_in_either_language(data):
    s = sensitivity(PlannerScenario(YZ, elderly_growth=1.0), data=data)
    rows = s[s.service == "elderly_beds"].set_index("assumption")
    assert rows.at["institutional_share", "reason"] == "wb_sens_not_provided"
    assert rows.at["aging_rate_increment", "reason"] == "wb_sens_pair_set"
    assert rows.at["aging_rate_increment", "reason_params"] == {"other": "elderly_growth"}
    assert rows.at["beds_per_1000_elderly", "reason"] == "" and rows.at["beds_per_1000_elderly", "reason_params"] == {}
    for code, params in zip(s["reason"], s["reason_params"]):
        if code:
            en = t(code, "en", **params)
            assert en and not any("\u4e00" <= ch <= "\u9fff" for ch in en), en
            assert t(code, "zh", **params) != en


def test_sensitivity_matches_a_direct_evaluation(data):
    ps = PlannerScenario(YZ, method="model")
    s = sensitivity(ps, data=data).set_index(["assumption", "service"])
    direct = evaluate(PlannerScenario(YZ, method="model", nursing_share=77.0), data=data)
    base = evaluate(ps, data=data)
    want = direct.gap("nursing_beds") - base.gap("nursing_beds")
    assert s.loc[("nursing_share", "nursing_beds"), "delta_high"] == pytest.approx(want)


def test_step_labels_say_the_step():
    assert step_label("beds_per_1000_elderly") == "±10%"
    assert step_label("population_growth") == "±0.5 %/yr"
    assert step_label("birth_rate") == "±1 ‰"
    assert set(STEPS) >= {"population_growth", "birth_rate", "nursing_share", "places_per_1000"}


def test_compare_saved_scenarios(data):
    out = compare_scenarios({"规划": PlannerScenario(YZ), "35张": PlannerScenario(YZ, beds_per_1000_elderly=35)},
                            year=2025, data=data)
    gaps = out.set_index(["name", "service"])["gap"]
    assert gaps[("规划", "elderly_beds")] == 2085 and gaps[("35张", "elderly_beds")] == 2460
    assert gaps[("35张", "childcare_places")] == 1639
    assert not math.isnan(gaps[("规划", "nursing_beds")])


def test_after_2025_the_workbench_uses_and_names_the_15th_plan_standards(db, data):
    """渝中 2030: nursing share 73 % (national 十五五) where the planner sets none; the sidebar note names it; a
    planner's own value still wins."""
    from forecasting.workbench import period_sources

    assert period_sources(YZ, 2025, data=data) == []
    period = period_sources(YZ, 2030, data=data)
    assert [(p["name"], p["value"], p["plan_value"]) for p in period] == [("nursing_share", 73.0, 70.0)]
    ev = evaluate(PlannerScenario(YZ, year=2030, method="model"), data=data)
    beds, nursing = ev.row("elderly_beds")["demand"], ev.row("nursing_beds")["demand"]
    assert nursing == pytest.approx(0.73 * beds)
    ev = evaluate(PlannerScenario(YZ, year=2030, method="model", nursing_share=60), data=data)
    assert ev.row("nursing_beds")["demand"] == pytest.approx(0.60 * ev.row("elderly_beds")["demand"])
