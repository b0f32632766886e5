"""Backtest of the statistical projections: hold out the last years of each long-enough series, forecast them,
and compare with naive (last value) and drift (average yearly change) baselines.

In: the reference series (database table `series`, via models.store.facts.reference_series) or any long frame with
region_code, indicator, year, value. Out: one row per series × method with MAPE (%), MAE (in the series' unit),
and the share of held-out points inside the 80% / 95% intervals (models only).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.projection_models import MIN_POINTS, InsufficientHistory, as_history, fit_forecast, naive_forecast
from models.store.database import Database
from models.store.facts import reference_series

BACKTEST_COLUMNS = ["region_code", "indicator", "method", "model", "train_start", "train_end", "n_train", "n_test",
                    "mape", "mae", "coverage_80", "coverage_95", "note"]
MODELS = ("auto", "ols_log")


def backtest_series(history, *, holdout: int = 5, region_code: str = "", indicator: str = "") -> pd.DataFrame:
    """Backtest one history ((year, value) pairs). Rows: model (auto: ETS or ARIMA(1,1,0)), ols_log, naive,
    drift. Too little history (fewer than MIN_POINTS before the hold-out) gives one labelled row, no error."""
    history = tuple(history)
    if not history:
        return pd.DataFrame(columns=BACKTEST_COLUMNS)
    cut = history[-1][0] - holdout
    train = tuple(p for p in history if p[0] <= cut)
    test = {y: v for y, v in history if y > cut}
    base = {"region_code": region_code, "indicator": indicator,
            "train_start": train[0][0] if train else np.nan, "train_end": cut, "n_train": len(train),
            "n_test": len(test)}
    if len(train) < MIN_POINTS or not test:
        return pd.DataFrame([{**base, "method": "none", "model": "", "note":
                              f"skipped: {len(train)} training points < {MIN_POINTS} or nothing held out"}],
                            columns=BACKTEST_COLUMNS)
    years = np.array(sorted(test))
    actual = np.array([test[y] for y in years])
    rows = []

    def score(method, model, pred, frame=None, note=""):
        err = pred - actual
        row = {**base, "method": method, "model": model, "mape": float(np.mean(np.abs(err / actual)) * 100),
               "mae": float(np.mean(np.abs(err))), "note": note}
        if frame is not None:
            f = frame.set_index("year").loc[years]
            row["coverage_80"] = float(np.mean((actual >= f["lower_80"]) & (actual <= f["upper_80"])))
            row["coverage_95"] = float(np.mean((actual >= f["lower_95"]) & (actual <= f["upper_95"])))
        rows.append(row)

    for model in MODELS:
        try:
            frame = fit_forecast(train, int(years[-1]), model)
        except (InsufficientHistory, ValueError, np.linalg.LinAlgError) as exc:  # noqa: PERF203
            rows.append({**base, "method": "model", "model": model, "note": f"fit failed: {exc}"})
            continue
        pred = frame.set_index("year").loc[years, "value"].to_numpy()
        score("model", frame["model"].iat[0], pred, frame)
    steps = int(years[-1])
    for name, drift in (("naive", False), ("drift", True)):
        path = naive_forecast(train, steps, drift=drift)
        pred = np.array([path[y - cut - 1] for y in years])
        score(name, name, pred)
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def backtest(db: Database | None = None, *, holdout: int = 5, series: pd.DataFrame | None = None) -> pd.DataFrame:
    """Backtest every reference series (region × indicator × basis) with at least MIN_POINTS + 1 points.

    Returns BACKTEST_COLUMNS; series too short to backtest are left out (see `backtest_series` for one)."""
    s = reference_series(db) if series is None else series
    frames = []
    for (region, indicator), g in s.groupby(["region_code", "indicator"], sort=True):
        hist = as_history(g["year"].astype(int), g["value"].astype(float))
        if len(hist) <= MIN_POINTS:
            continue
        frames.append(backtest_series(hist, holdout=holdout, region_code=region, indicator=indicator))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=BACKTEST_COLUMNS)


# -- vintage runs: the model as a planner had it, against what was published afterwards --------------------------
VINTAGE_COLUMNS = ["region_code", "indicator", "year", "method", "scenario", "value", "lower_80", "upper_80", "actual",
                   "error_pct", "inside_80", "source"]
VINTAGE_INDICATORS = ("population_resident", "elderly_60plus", "elderly_65plus", "birth_rate")
VINTAGE_METHODS = ("model", "naive", "ets")


def vintage_backtest(as_of: int = 2020, *, regions=None, strict: bool = False, db: Database | None = None,
                     to_year: int = 2025) -> pd.DataFrame:
    """Every published figure about a year after `as_of` (region × indicator × year, indicators VINTAGE_INDICATORS)
    set against three projections made with only the data of the vintage (forecasting.vintage):
    model (the `model` method: cohort path for the elderly, own series / share of the parent otherwise),
    naive (the last observed value of the vintage held), ets (today's trend model, fit_forecast 'auto', on the
    vintage's own series of that region and indicator; no row where it has fewer than MIN_POINTS points).

    Out: VINTAGE_COLUMNS; error_pct = (value − actual) / actual × 100; inside_80 = lower_80 ≤ actual ≤ upper_80
    (empty for naive, which has no interval); source = where the actual was published.
    """
    from forecasting.projection import model_path_frames, vintage_inputs
    from forecasting.vintage import check_as_of

    check_as_of(as_of)
    everything = reference_series(db)
    inp = vintage_inputs(db, as_of, strict=strict)
    actual = everything[(everything["year"] > as_of) & (everything["year"] <= to_year)
                        & everything["indicator"].isin(VINTAGE_INDICATORS) & (everything["basis"] != "户籍")]
    if regions is not None:
        actual = actual[actual["region_code"].isin(list(regions))]
    census_naive = census_values(inp, set(actual["region_code"]), db)
    rows = []
    for region, g in actual.groupby("region_code", sort=True):
        try:
            paths = model_path_frames(inp, region, to_year)
        except ValueError:
            paths = {}
        for indicator, a in g.groupby("indicator", sort=True):
            a = a.drop_duplicates("year").sort_values("year")
            hist = inp.history(region, indicator)
            model = paths.get(indicator)
            naive = hist[-1][1] if hist else census_naive.get((region, indicator), np.nan)
            try:
                ets = fit_forecast(hist, to_year, "auto").set_index("year") if hist else None
            except InsufficientHistory:
                ets = None
            for r in a.itertuples():
                y, act = int(r.year), float(r.value)
                cands = [("model", model), ("naive", None), ("ets", ets)]
                for method, frame in cands:
                    if method == "naive":
                        if not np.isfinite(naive):
                            continue
                        value, lo, hi = naive, np.nan, np.nan
                    elif frame is None or y not in frame.index or not np.isfinite(frame.at[y, "value"]):
                        continue
                    else:
                        value, lo, hi = (float(frame.at[y, c]) for c in ("value", "lower_80", "upper_80"))
                    inside = bool(lo <= act <= hi) if np.isfinite(lo) and np.isfinite(hi) else None
                    rows.append({"region_code": region, "indicator": indicator, "year": y, "method": method,
                                 "scenario": "medium", "value": value, "lower_80": lo, "upper_80": hi, "actual": act,
                                 "error_pct": (value - act) / act * 100, "inside_80": inside, "source": r.source})
    out = pd.DataFrame(rows, columns=VINTAGE_COLUMNS)
    return out.sort_values(["region_code", "indicator", "year", "method"], kind="stable").reset_index(drop=True)


def census_values(inp, regions, db: Database | None = None) -> dict[tuple[str, str], float]:
    """(region, indicator) → its 2020 census count (population_resident, elderly_60plus, elderly_65plus;
    models.store.census.census_figures) for census units without a series of their own: the naive baseline of a
    county is the census held (the last figure a planner had as of 2020). Empty when the vintage cannot read the
    census."""
    if inp.census() is None:
        return {}
    from models.store.census import census_figures

    figures = census_figures(db, year=2020, codes=sorted(regions)).set_index("region_code")
    return {(str(code), ind): float(v) for ind, col in (("population_resident", "population"),
                                                          ("elderly_60plus", "elderly_60plus"),
                                                          ("elderly_65plus", "elderly_65plus"))
            for code, v in figures[col].dropna().items()}


SUMMARY_COLUMNS = ["level", "region_code", "indicator", "method", "n", "mape", "coverage_80", "n_interval"]


def region_level(code: str) -> str:
    """nation (100000), province (a code ending in 0000), county (every other: districts, counties, prefectures'
    own rows are counted with the counties)."""
    return "nation" if code == "100000" else "province" if str(code).endswith("0000") else "county"


def vintage_summary(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE (%) and 80 % coverage (share of actuals inside, over the rows that have an interval) per method, per level
    (nation, province, county) × method and per region × indicator × method. Columns: SUMMARY_COLUMNS (level 'all'
    and region 'all' for the totals). An empty table (no outcome of the vintage) gives an empty summary."""
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)

    def agg(g):
        inside = g["inside_80"].dropna()
        return pd.Series({"n": len(g), "mape": float(np.mean(np.abs(g["error_pct"]))),
                          "coverage_80": float(inside.astype(bool).mean()) if len(inside) else np.nan,
                          "n_interval": len(inside)})
    table = table.assign(level=table["region_code"].map(region_level))
    overall = table.groupby("method", sort=False).apply(agg, include_groups=False).reset_index()
    overall = overall.assign(level="all", region_code="all", indicator="all")
    levels = table.groupby(["level", "method"], sort=False).apply(agg, include_groups=False).reset_index()
    levels = levels.assign(region_code="all", indicator="all")
    per = table.groupby(["level", "region_code", "indicator", "method"], sort=True).apply(agg, include_groups=False)
    return pd.concat([per.reset_index(), levels, overall], ignore_index=True)[SUMMARY_COLUMNS]
