"""The cohort-driven elderly projection (forecasting/cohort.py, wpp.py, demography.py, vintage.py) and the
vintage backtest. Published figures: official_2021_2025.csv (NBS releases), quoted in data/reference."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.backtest import vintage_backtest, vintage_summary
from forecasting.cohort import components, fit_cohort, project_cohort
from forecasting.projection import model_path_frames, national_elderly, vintage_inputs
from forecasting.vintage import facts_as_of, series_as_of
from forecasting.wpp import load_wpp
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wpp():
    return load_wpp(None)


@pytest.fixture(scope="module")
def today(db):
    return vintage_inputs(db, None)


@pytest.fixture(scope="module")
def backtest_2020(db):
    return vintage_backtest(2020, db=db)


def test_entrants_are_births_60_years_earlier_times_survival_to_60(wpp):
    comp = components(wpp, "elderly_60plus", range(2021, 2024))
    # WPP 2024 births of 1962: 26,826.299 thousand; survival: the product of one-year survivals at ages 0..59
    m = pd.read_csv(ROOT / "data/reference/wpp2024_china/china_mortality_5x5.csv", dtype={"age_group_start": str})
    m = m[m["sex"] == "both"].assign(a=lambda d: d["age_group_start"].str.rstrip("+").astype(int),
                                     p=lambda d: d["period"].str[:4].astype(int)).set_index(["p", "a"])["mx"]
    surv = 1.0
    for x in range(60):
        group = 0 if x == 0 else 1 if x < 5 else 5 * (x // 5)
        surv *= np.exp(-m[(1950 + 5 * ((1962 + x - 1950) // 5), group)])
    assert comp.at[2022, "births"] == pytest.approx(26_826_299)
    assert comp.at[2022, "survival"] == pytest.approx(surv, rel=1e-12)
    assert comp.at[2022, "entrants"] == pytest.approx(26_826_299 * surv, rel=1e-12)
    # the famine cohort of 1961 and the boom of 1962-63: entrants jump from ~12 to ~19 and ~24 million
    assert 11e6 < comp.at[2021, "entrants"] < 13e6 < 18e6 < comp.at[2022, "entrants"] < 20e6 < comp.at[2023, "entrants"]


@settings(max_examples=25, deadline=None)
@given(theta=st.floats(0.5, 1.2), start=st.floats(2.4e8, 2.8e8), sigma=st.floats(0, 3e6))
def test_accounting_identity_holds_year_by_year(wpp, theta, start, sigma):
    comp = components(wpp, "elderly_60plus", range(2018, 2036))
    from forecasting.cohort import CohortFit

    fit = CohortFit("elderly_60plus", 60, theta, 0.02, sigma, 0.0, ((2018, start * 0.95, False), (2020, start, False)),
                    comp)
    path = project_cohort(fit, comp, 2035).set_index("year")
    fc = path[path["kind"] == "forecast"]
    prev = path["value"].shift(1)
    np.testing.assert_allclose(fc["value"], prev[fc.index] - fc["deaths"] + fc["entrants"], rtol=1e-12)
    np.testing.assert_allclose(fc["deaths"], theta * fc["death_rate"] * prev[fc.index], rtol=1e-12)
    assert (fc["lower_95"] <= fc["lower_80"]).all() and (fc["lower_80"] <= fc["upper_80"]).all()
    assert (fc["upper_80"] <= fc["upper_95"]).all()


def test_intervals_widen_with_the_horizon(today):
    fit, path, _ = national_elderly(today, "elderly_60plus", 2035)
    fc = path[path["kind"] == "forecast"]
    width = (fc["upper_80"] - fc["lower_80"]).to_numpy()
    assert (np.diff(width) > 0).all()
    assert (fc["lower_80"] < fc["value"]).all() and (fc["value"] < fc["upper_80"]).all()


def test_today_starts_from_the_published_2025_figure(today):
    fit, path, _ = national_elderly(today, "elderly_60plus", 2035)
    # "60周岁及以上人口32338万人" (NBS release 2026-01-19)
    assert fit.start == (2025, 323_380_000)
    row = path.set_index("year")
    assert row.at[2025, "kind"] == "observed" and row.at[2025, "value"] == 323_380_000
    assert row.at[2026, "kind"] == "forecast"
    # the death-rate multiplier is one a demographer would accept (WPP's mortality, give or take a quarter)
    assert 0.7 < fit.theta < 1.1 and fit.theta_se < 0.1


def test_district_follows_its_own_age_structure_summing_to_its_province(today):
    yz = model_path_frames(today, "500103", 2035)["elderly_60plus"]
    cq = model_path_frames(today, "500000", 2035)["elderly_60plus"]
    ratio_cq = (yz.loc[2026:2035, "value"] / cq.loc[2026:2035, "value"]).to_numpy()
    # its own cohorts (census 2020 by single age), not a constant share of Chongqing (issue 20)
    assert abs(ratio_cq[-1] / ratio_cq[0] - 1) > 0.02
    from forecasting.method_model import census_projection

    rp = census_projection(today, 2035)
    u = rp.units
    counties = ((u["level"] == "county") & (u["province_code"] == "500000")).to_numpy()
    np.testing.assert_allclose(rp.values["elderly_60plus"][counties].sum(axis=0),
                               rp.values["elderly_60plus"][rp.pos["500000"]], rtol=1e-9)
    # the district band is wider than its province's relative band only through its own horizon: both start at
    # their last observed figure, and Chongqing's (2024) is later than Yuzhong's (2020)
    rel = lambda f: (f.at[2035, "upper_80"] - f.at[2035, "lower_80"]) / f.at[2035, "value"]  # noqa: E731
    assert rel(yz) > rel(cq)


def test_as_of_2020_reads_nothing_published_later(db):
    full = vintage_inputs(db, 2020)
    from forecasting.projection import Inputs

    series = full.series[full.series["year"] <= 2020]
    facts = full.facts[full.facts["year"].astype("Int64") <= 2020]
    trimmed = Inputs(facts_as_of(facts, 2020), series_as_of(series, 2020), full.regions, as_of=2020)
    trimmed.memo["census_source"] = full.memo["census_source"]  # the same census tables (published 2021)
    for region in ("100000", "500000", "500103", "130000"):
        a, b = model_path_frames(full, region, 2025), model_path_frames(trimmed, region, 2025)
        assert a.keys() == b.keys()
        for k in a:
            pd.testing.assert_frame_equal(a[k], b[k])
    assert (full.series["year"] <= 2020).all()


def test_backtest_2020_china_60plus_meets_the_bar(backtest_2020):
    t = backtest_2020
    cn = t[(t["region_code"] == "100000") & (t["indicator"] == "elderly_60plus")]
    assert set(cn["method"]) == {"model", "naive", "ets"}
    model = cn[cn["method"] == "model"]
    assert list(model["year"]) == [2021, 2022, 2023, 2024, 2025]
    assert list(model["actual"]) == [267_360_000, 280_040_000, 296_970_000, 310_310_000, 323_380_000]
    assert model["error_pct"].abs().mean() <= 2.0
    assert model["inside_80"].sum() >= 4
    s = vintage_summary(t)
    row = s[(s["region_code"] == "100000") & (s["indicator"] == "elderly_60plus")].set_index("method")
    assert row.at["model", "mape"] < row.at["naive", "mape"]


def test_backtest_cli_columns_and_errors(tmp_path):
    out = tmp_path / "bt.csv"
    p = subprocess.run([sys.executable, "-m", "forecasting", "backtest", "--as-of", "2020", "--region", "100000",
                        "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert list(df.columns) == ["region_code", "indicator", "year", "method", "scenario", "value", "lower_80",
                                "upper_80", "actual", "error_pct", "inside_80", "source"]
    assert "China 60+ model" in p.stdout
    for args, words in ((["--as-of", "2014"], "2015–2025"), (["--as-of", "2026"], "2015–2025"),
                        (["--region", "999999"], "没有任何统计序列")):
        p = subprocess.run([sys.executable, "-m", "forecasting", "backtest", *args], cwd=ROOT, capture_output=True,
                           text=True)
        assert p.returncode == 2 and words in p.stderr
    p = subprocess.run([sys.executable, "-m", "forecasting", "backtest", "--region", "100000"], cwd=ROOT,
                       capture_output=True, text=True, env={**__import__("os").environ, "YLYX_WPP_DIR": str(tmp_path)})
    assert p.returncode == 2 and "WPP 2024 file missing" in p.stderr and "世界人口展望" in p.stderr


def test_fit_needs_three_observations(wpp):
    comp = components(wpp, "elderly_60plus", range(2015, 2026))
    with pytest.raises(ValueError, match="observed points"):
        fit_cohort([(2020, 2.6e8), (2021, 2.67e8)], comp)


def test_births_2024_rise_and_2025_fall_are_history_with_wpp_beside(db, wpp):
    from forecasting.method_report import births_comparison

    b = births_comparison(vintage_inputs(db, None), wpp).set_index("year")
    # "全年出生人口954万人" (2024), "全年出生人口792萬人" (2025): observed, no model value in those years
    assert b.at[2024, "observed"] == 9_540_000 and b.at[2025, "observed"] == 7_920_000
    assert np.isnan(b.at[2025, "model"]) and b.loc[2026:, "model"].notna().all()
    assert (b.loc[2026:, "lower_80"] < b.loc[2026:, "model"]).all()
    # WPP 2024's own 2024-2025 medium births (8.82 and 8.71 million) differ from what NBS published
    assert b.at[2024, "wpp_variant"] == "medium" and abs(b.at[2024, "wpp"] - 8.82e6) < 0.01e6


def test_every_province_with_a_series_is_projected_in_the_backtest(backtest_2020):
    """Beijing (110000) is not in the regions table, only in the provinces' series: it still follows its own series
    (a code ending in 0000 is a province), so the model has its 2021-2024 population beside the baselines."""
    t = backtest_2020
    bj = t[(t["region_code"] == "110000") & (t["indicator"] == "population_resident")]
    assert set(bj["method"]) == {"model", "naive", "ets"}
    assert list(bj[bj["method"] == "model"]["year"]) == [2021, 2022, 2023, 2024]
    assert (t["method"] == "model").sum() >= 150
