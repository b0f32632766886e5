"""Population projections: the plans' own arithmetic, statsmodels fits with intervals, overrides, backtest, CLI."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.backtest import backtest, backtest_series
from forecasting.projection import (
    COLUMNS,
    PLAN_REGIONS,
    TABLE_COLUMNS,
    Assumptions,
    Projector,
    plan_defaults,
    project,
    project_all,
)
from forecasting.projection_models import MIN_POINTS, InsufficientHistory, fit_forecast
from models.store.facts import all_facts


@pytest.fixture(scope="module")
def inp(db):
    return Projector.load(db)


@pytest.fixture(scope="module")
def everything(db):
    return project_all(db=db)


def stated(db, region, indicator, kind, year):
    """A fact's value looked up by indicator / kind / year (never by fact id)."""
    f = all_facts(db, region=region)
    f = f[(f.indicator == indicator) & (f.kind == kind) & (f.year == year)]
    assert len(f) >= 1, (region, indicator, kind, year)
    return float(f["value"].iat[0])


def value(table, indicator, year):
    row = table[(table.indicator == indicator) & (table.year == year)]
    assert len(row) == 1, (indicator, year, len(row))
    return float(row["value"].iat[0])


def close(a, b, rel=0.005):
    return abs(a - b) <= rel * abs(b)


# -- plan method: each plan's own projection from its own stated inputs ------------------------------------
def test_yuzhong_plan_reproduces_568k_residents_125k_elderly_22_01_percent(db, inp):
    t = inp.project(Assumptions("500103", method="plan")).table
    # 预计到2025年常住人口为56.8万 (from 58.87万 and 根据常住人口年平均增长率为-0.68%进行测算)
    assert close(value(t, "population_resident", 2025), stated(db, "500103", "population_resident", "plan_projection", 2025))
    # 60岁及以上老年人口为12.5万 / 老龄化率达22.01% (老龄化率以年均增长0.45%左右进行测算, from 19.76%)
    assert close(value(t, "elderly_60plus", 2025), stated(db, "500103", "elderly_60plus", "plan_projection", 2025))
    assert value(t, "aging_rate", 2025) == pytest.approx(22.01, abs=0.005)
    assert value(t, "population_resident", 2020) == 588700
    assert "stated rate" in t.loc[t.indicator == "population_resident", "method_detail"].iat[0]


def test_yuzhong_plan_keeps_15000_infants_stated_without_method(db, inp):
    t = inp.project(Assumptions("500103", method="plan")).table
    # 预计到2025年,婴幼儿人口总数为15000人 ... 人口出生率为7.00‰ (the plan does not say how 15000 follows)
    assert close(value(t, "infants_0_3", 2025), stated(db, "500103", "infants_0_3", "plan_projection", 2025))
    row = t[(t.indicator == "infants_0_3") & (t.year == 2025)].iloc[0]
    assert "stated, method not given" in row["note"]
    assert "7.0‰" in row["method_detail"]
    assert value(t, "infants_0_3", 2020) == 17420  # 渝中区现有0-3岁婴幼儿17420人
    assert "interpolated" in t[(t.indicator == "infants_0_3") & (t.year == 2022)]["note"].iat[0]


def test_botou_plan_elderly_is_111953_growing_3_2_percent(inp):
    t = inp.project(Assumptions("130981", method="plan")).table
    # 全市60周岁以上老年人口达到11.1953万 ... 泊头市老龄化人口保持年均3.2%的较快增速
    assert close(value(t, "elderly_60plus", 2025), 111953 * 1.032 ** 5)
    assert close(value(t, "elderly_60plus", 2035), 111953 * 1.032 ** 15)


def test_dongli_120k_and_tianjin_367w_are_stated_endpoints(db, inp):
    dl = inp.project(Assumptions("120110", method="plan")).table
    # 预计到2025年，全区户籍老年人口将达12万
    assert value(dl, "elderly_60plus", 2025) == stated(db, "120110", "elderly_60plus", "plan_projection", 2025)
    assert "stated, method not given" in dl[(dl.indicator == "elderly_60plus") & (dl.year == 2025)]["note"].iat[0]
    assert value(dl, "elderly_60plus", 2022) == 99890  # 2022年底，本区60周岁以上户籍人口99890人
    tj = inp.project(Assumptions("120000", method="plan")).table
    # 据预测,到2025年,全市常住老年人口将达367万 ... 占常住总人口比例为24.66%
    assert value(tj, "elderly_60plus", 2025) == 3_670_000
    assert value(tj, "aging_rate", 2025) == 24.66
    assert math.isnan(value(tj, "elderly_60plus", 2030))  # no base, no rate: not invented
    assert tj[(tj.indicator == "elderly_60plus") & (tj.year == 2030)]["note"].iat[0].startswith("未提供")


def test_plan_defaults_carry_fact_and_quote(db):
    d = plan_defaults("500103", db)
    assert d["population_growth"]["value"] == -0.68
    assert "-0.68%" in d["population_growth"]["quote"]
    assert d["aging_rate_increment"]["value"] == 0.45
    assert plan_defaults("130981", db)["elderly_growth"]["value"] == 3.2


# -- model method ------------------------------------------------------------------------------------------
def test_every_method_honours_the_table_contract(everything):
    assert list(everything.columns) == TABLE_COLUMNS
    assert set(everything.region_code) == set(PLAN_REGIONS)
    v = everything.dropna(subset=["lower_80"])
    assert len(v) > 0
    assert (v.lower_95 <= v.lower_80 + 1e-6).all() and (v.lower_80 <= v.value + 1e-6).all()
    assert (v.value <= v.upper_80 + 1e-6).all() and (v.upper_80 <= v.upper_95 + 1e-6).all()
    for (_r, _i, _m, _s), g in everything.groupby(["region_code", "indicator", "method", "scenario"]):
        assert list(g.year) == list(range(2020, 2036))


def test_model_intervals_widen_with_the_horizon(everything):
    m = everything[(everything.method == "model") & (everything.scenario == "medium")].dropna(subset=["lower_95"])
    for _key, g in m.groupby(["region_code", "indicator"]):
        width = (g.upper_95 - g.lower_95) / g.value
        assert (np.diff(width.to_numpy()) >= -1e-9).all(), _key
        assert width.iat[-1] > width.iat[0]


def test_scenarios_order_low_medium_high(everything):
    m = everything[everything.method == "model"].pivot_table(index=["region_code", "indicator", "year"],
                                                             columns="scenario", values="value")
    assert (m["low"] <= m["medium"] + 1e-6).all() and (m["medium"] <= m["high"] + 1e-6).all()


def test_districts_are_projected_by_cohort_component_anchored_at_their_own_figures(inp):
    t = inp.project(Assumptions("500103", method="model")).table
    e = t[t.indicator == "elderly_60plus"]
    assert e.loc[e.year == 2020, "value"].iat[0] == 116300  # 其中60岁及以上老年人口11.63万
    assert e["method_detail"].iat[0].startswith("cohort-component from the 2020 census")  # issue 20
    i = t[t.indicator == "infants_0_3"]
    assert i.loc[i.year == 2020, "value"].iat[0] == 17420
    d = inp.project(Assumptions("120110", method="model")).table
    assert value(d, "infants_0_3", 2022) == 15805  # 2022年底，我区3岁以下户籍人口15805人
    assert d.loc[(d.indicator == "infants_0_3") & (d.year == 2022), "basis"].iat[0] == "户籍"


def test_too_short_series_fall_back_with_a_label(inp):
    with pytest.raises(InsufficientHistory):
        fit_forecast(tuple((2000 + i, 100.0 + i) for i in range(MIN_POINTS - 1)), 2035)
    # Tianjin is a census unit: its population is the cohort-component path anchored at its own series (NBS E0103)
    t = inp.project(Assumptions("120000", method="model")).table
    detail = t.loc[t.indicator == "population_resident", "method_detail"].iat[0]
    assert detail.startswith("cohort-component")
    assert value(t[t.scenario == "medium"], "population_resident", 2024) == 13_640_000
    # its registered population (no census) still follows its series or its parent, labelled so
    h = inp.project(Assumptions("120101", method="model")).table
    assert "× 120000(t) / 120000(" in h.loc[h.indicator == "population_registered", "method_detail"].iat[0]


# -- override ----------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(g1=st.floats(-5, 10), dg=st.floats(0, 5), scenario=st.sampled_from(["low", "medium", "high"]),
       region=st.sampled_from(PLAN_REGIONS))
def test_higher_elderly_growth_never_lowers_the_elderly_count(inp, g1, dg, scenario, region):
    lo = inp.project(Assumptions(region, method="override", scenario=scenario, elderly_growth=g1)).table
    hi = inp.project(Assumptions(region, method="override", scenario=scenario, elderly_growth=g1 + dg)).table
    a = lo[lo.indicator == "elderly_60plus"].value.to_numpy()
    b = hi[hi.indicator == "elderly_60plus"].value.to_numpy()
    ok = ~np.isnan(a)
    assert (b[ok] >= a[ok] - 1e-6).all()


def test_override_birth_rate_raises_infants_and_records_the_assumption(inp):
    low = inp.project(Assumptions("500103", method="override", birth_rate=5.0))
    high = inp.project(Assumptions("500103", method="override", birth_rate=9.0))
    assert value(high.table, "infants_0_3", 2030) > value(low.table, "infants_0_3", 2030)
    assert "planner-set" in high.table.loc[high.table.indicator == "infants_0_3", "method_detail"].iat[0]
    assert high.assumptions.birth_rate == 9.0 and "birth_rate=9.0" in high.explain()


@pytest.mark.parametrize("kwargs, field", [
    ({"method": "magic"}, "method"), ({"scenario": "worst"}, "scenario"), ({"to_year": 2019}, "to_year"),
    ({"birth_rate": -1.0}, "birth_rate"), ({"population_growth": float("nan")}, "population_growth"),
    ({"elderly_growth": 3.0, "aging_rate_increment": 0.4}, "elderly_growth"),
])
def test_invalid_assumptions_name_the_field_in_chinese_and_english(kwargs, field):
    with pytest.raises(ValueError, match=field) as exc:
        Assumptions("500103", **kwargs)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


def test_project_knows_its_inputs(db):
    p = project(Assumptions("130981", method="plan"), db=db)
    assert p.region == "130981" and p.method == "plan" and p.scenario == "medium"
    assert list(p.table.columns[:10]) == COLUMNS
    assert "elderly_60plus" in p.explain()


# -- backtest ----------------------------------------------------------------------------------------------
def test_backtest_scores_national_series_against_baselines(db):
    bt = backtest(db)
    nat = bt[(bt.region_code == "100000") & (bt.indicator == "population_resident")]
    assert {"model", "naive", "drift"} <= set(nat.method)
    assert nat["mape"].notna().all() and (nat["mape"] >= 0).all()
    assert set(bt[bt.region_code == "100000"].indicator) >= {"population_resident", "birth_rate"}


def test_backtest_labels_too_short_series():
    out = backtest_series(((2019, 1.0), (2020, 2.0), (2021, 3.0)), region_code="x", indicator="y")
    assert out["note"].iat[0].startswith("skipped")


# -- command line ------------------------------------------------------------------------------------------
def main(argv):
    """forecasting.cli.main restricted to this subcommand (other subcommands may be work in progress)."""
    import argparse

    from forecasting.cli import project as cmd_project

    parser = argparse.ArgumentParser(prog="python -m forecasting")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd_project.add_arguments(sub.add_parser("project"))
    args = parser.parse_args(argv)
    try:
        return cmd_project.run(args)
    except (ValueError, KeyError, FileNotFoundError) as exc:  # as forecasting.cli.main does
        import sys

        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2


def test_cli_writes_every_region_2020_to_2035(db, tmp_path):
    out = tmp_path / "p.csv"
    assert main(["project", "--to", "2035", "--method", "model", "--scenario", "medium", "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"region_code": str})
    assert list(df.columns[:10]) == COLUMNS
    assert list(dict.fromkeys(df.region_code))[:5] == list(PLAN_REGIONS)  # the plan regions first
    assert {"320000", "110101", "100000"} <= set(df.region_code)  # every census unit (issue 20)
    assert df.region_code.nunique() >= 3300
    for r in PLAN_REGIONS + ("320000",):
        g = df[df.region_code == r]
        assert g.year.min() == 2020 and g.year.max() == 2035
        assert {"elderly_60plus", "infants_0_3"} <= set(g.indicator)


def test_cli_rejects_bad_values_with_exit_2(db, capsys):
    assert main(["project", "--elderly-growth", "99"]) == 2
    assert "elderly_growth" in capsys.readouterr().err
    assert main(["project", "--region", "999999"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["project", "--birth-rate", "abc"])
    assert exc.value.code == 2


def test_fits_are_saved_and_a_second_process_does_not_refit(fresh_db, monkeypatch):
    first = Projector.load(fresh_db).project_all(methods=("model",), scenarios=("medium",))
    saved = fresh_db.cached_fits()
    assert len(saved) >= 3  # national population and birth rate, the provinces' series
    import forecasting.inputs as inputs_module

    def no_fit(*args, **kwargs):
        raise AssertionError("refitted although the fit was saved")

    monkeypatch.setattr(inputs_module, "fit_forecast", no_fit)
    again = Projector.load(fresh_db).project_all(methods=("model",), scenarios=("medium",))
    pd.testing.assert_frame_equal(first, again)
    assert fresh_db.cached_fits() == saved
