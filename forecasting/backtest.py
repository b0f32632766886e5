"""Backtest of the statistical projections: hold out the last years of each long-enough series, forecast them,
and compare with naive (last value) and drift (average yearly change) baselines.

In: the reference series (database table `series`, via models.facts.reference_series) or any long frame with
region_code, indicator, year, value. Out: one row per series × method with MAPE (%), MAE (in the series' unit),
and the share of held-out points inside the 80% / 95% intervals (models only).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.projection_models import MIN_POINTS, InsufficientHistory, as_history, fit_forecast, naive_forecast
from models.database import Database
from models.facts import reference_series

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
