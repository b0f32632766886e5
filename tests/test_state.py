"""The workbench's view state in the URL (ui/state.py): parsed and validated, written back only where not default."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from forecasting.workbench import PlannerScenario
from ui.state import parse_workbench, workbench_params

REGIONS = ["120000", "120101", "120110", "130981", "500103"]


def test_full_view_from_the_url():
    ps, warnings, saved = parse_workbench(
        {"region": "120110", "year": "2030", "method": "override", "scenario": "high", "population_growth": "-0.5",
         "beds_per_1000_elderly": "35", "bed_method": "per_1000", "lang": "en"}, regions=REGIONS)
    assert warnings == [] and saved is None
    assert ps == PlannerScenario("120110", year=2030, method="override", scenario="high", population_growth=-0.5,
                                 beds_per_1000_elderly=35.0, bed_method="per_1000")


def test_no_parameters_give_yuzhong_2025_under_the_plan():
    ps, warnings, _ = parse_workbench({}, regions=REGIONS)
    assert ps == PlannerScenario("500103") and warnings == []


@pytest.mark.parametrize("key, value", [
    ("region", "999999"), ("year", "20x5"), ("year", "2090"), ("method", "guess"), ("scenario", "extreme"),
    ("beds_per_1000_elderly", "lots"), ("beds_per_1000_elderly", "-3"), ("nursing_share", "150"),
    ("birth_rate", "nan"), ("bed_method", "magic")])
def test_a_bad_value_falls_back_to_its_default_with_a_warning(key, value):
    ps, warnings, _ = parse_workbench({"region": "500103", "nursing_share": "60", key: value}, regions=REGIONS)
    assert [w[:2] for w in warnings] == [(key, value)]
    assert getattr(ps, key) == getattr(PlannerScenario("500103", nursing_share=60 if key != "nursing_share" else None),
                                       key)
    if key != "nursing_share":
        assert ps.nursing_share == 60  # the good values are kept


def test_only_one_elderly_driver_is_kept():
    ps, warnings, _ = parse_workbench({"elderly_growth": "2", "aging_rate_increment": "0.5"}, regions=REGIONS)
    assert ps.elderly_growth == 2 and ps.aging_rate_increment is None  # the first in WB_KEYS order is kept
    assert [w[0] for w in warnings] == ["aging_rate_increment"] and "elderly_growth" in warnings[0][2]


def test_saved_scenario_is_loaded_and_explicit_parameters_win():
    store = {"高方案": PlannerScenario("120000", year=2030, nursing_share=65.0).to_dict()}
    ps, warnings, saved = parse_workbench({"saved": "高方案", "year": "2025"}, regions=REGIONS,
                                          load_saved=lambda n: store[n])
    assert saved == "高方案" and warnings == []
    assert ps == PlannerScenario("120000", year=2025, nursing_share=65.0)
    ps, warnings, saved = parse_workbench({"saved": "没有"}, regions=REGIONS, load_saved=lambda n: store[n])
    assert saved is None and warnings[0][0] == "saved" and ps == PlannerScenario("500103")


def test_params_hold_only_what_differs_from_the_default():
    assert workbench_params(PlannerScenario("500103")) == {"region": "500103", "year": "2025"}
    p = workbench_params(PlannerScenario("500103", method="model", beds_per_1000_elderly=35.0), saved="x")
    assert p == {"region": "500103", "year": "2025", "method": "model", "beds_per_1000_elderly": "35", "saved": "x"}


rate = hs.one_of(hs.none(), hs.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 3)))
share = hs.one_of(hs.none(), hs.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2)))


@given(region=hs.sampled_from(REGIONS), year=hs.integers(2020, 2035),
       method=hs.sampled_from(["plan", "model", "override"]), scenario=hs.sampled_from(["low", "medium", "high"]),
       pop=rate, aging=rate, birth=hs.one_of(hs.none(), hs.floats(0, 40).map(lambda x: round(x, 2))),
       beds=hs.one_of(hs.none(), hs.floats(0, 1000).map(lambda x: round(x, 1))), nursing=share,
       bed_method=hs.sampled_from([None, "per_1000", "needs", "institutional"]))
@settings(max_examples=60, deadline=None)
def test_url_round_trips(region, year, method, scenario, pop, aging, birth, beds, nursing, bed_method):
    ps = PlannerScenario(region, year=year, method=method, scenario=scenario, population_growth=pop,
                         aging_rate_increment=aging, birth_rate=birth, beds_per_1000_elderly=beds,
                         nursing_share=nursing, bed_method=bed_method)
    back, warnings, _ = parse_workbench(workbench_params(ps), regions=REGIONS)
    assert warnings == [] and back == ps
