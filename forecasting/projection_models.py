"""Statistical fits of short yearly series (statsmodels), memoised by the series values.

In: a history as a tuple of (year, value) pairs (values in base units, strictly positive). Out: one frame per year
from the first observed year to `to_year` with columns year, value, lower_80, upper_80, lower_95, upper_95, kind
(observed | interpolated | forecast), model. Intervals are empty (NaN) on history rows.

Choices (see /work/shared/ENGINEERING.md, "statsmodels on short annual series"):
- Fewer than MIN_POINTS observations: no fit (`InsufficientHistory`); the caller falls back, labelled.
- All models work on 100·log(value / last value): positive values and intervals, and a well-scaled optimisation
  (ETS on raw log population ~21 converges to a degenerate fit).
- Regular series (no missing year): ETSModel(error="add", trend="add", damped_trend=True), intervals from
  get_prediction(...).summary_frame(alpha) on a pd.Series.
- Series with gaps: SARIMAX(1,1,0) without constant (a damped-trend state-space model; missing years are NaN,
  which the Kalman filter skips). UnobservedComponents' local linear trend was tried and rejected: it carries
  the latest slope undamped (Chongqing's birth rate would fall to 0.8‰ by 2035).
- Alternative for the backtest: OLS on log values (log-linear trend) with its prediction intervals.
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

MIN_POINTS = 6
FRAME_COLUMNS = ["year", "value", "lower_80", "upper_80", "lower_95", "upper_95", "kind", "model"]

History = tuple[tuple[int, float], ...]


class InsufficientHistory(ValueError):
    """The series has fewer than MIN_POINTS observations; no model is fitted."""


def as_history(years, values) -> History:
    """A hashable, sorted history from parallel sequences (NaN and non-positive values dropped)."""
    pairs = {int(y): float(v) for y, v in zip(years, values) if v is not None and np.isfinite(v) and v > 0}
    return tuple(sorted(pairs.items()))


def _regular(history: History) -> pd.Series:
    years = [y for y, _ in history]
    s = pd.Series(dict(history)).reindex(range(years[0], years[-1] + 1))
    s.index = pd.period_range(str(years[0]), periods=len(s), freq="Y")
    return s


def interpolate_history(history: History) -> pd.DataFrame:
    """Observed years as they are, missing years between them log-linearly interpolated (no intervals)."""
    s = _regular(history)
    filled = np.exp(np.log(s.astype(float)).interpolate(method="linear"))
    return pd.DataFrame({"year": [p.year for p in s.index], "value": filled.to_numpy(),
                         "kind": np.where(s.isna(), "interpolated", "observed")})


def _model_name(history: History, model: str) -> str:
    if model != "auto":
        return model
    gaps = len(history) != history[-1][0] - history[0][0] + 1
    return "arima110" if gaps else "ets"


def import_statsmodels() -> tuple:
    """The statsmodels pieces the fits use (OLS, add_constant, ETSModel, SARIMAX), imported on first use so that
    commands which never fit (e.g. `facts`) do not pay statsmodels' ~1.5 s import; forecasting.parallel imports
    them before it forks, so that its children do not import them again."""
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    return OLS, add_constant, ETSModel, SARIMAX


@lru_cache(maxsize=4096)
def fit_forecast(history: History, to_year: int, model: str = "auto") -> pd.DataFrame:
    """History rows plus forecasts to `to_year` with 80% and 95% intervals (see module docstring).

    `model`: "auto" (ETS for regular series, ARIMA(1,1,0) for series with gaps), "ets", "arima110", "ols_log".
    Raises InsufficientHistory when fewer than MIN_POINTS values are given. Memoised: same values → same frame
    (do not modify the returned frame; copy it).
    """
    if len(history) < MIN_POINTS:
        raise InsufficientHistory(f"{len(history)} points < {MIN_POINTS}")
    OLS, add_constant, ETSModel, SARIMAX = import_statsmodels()

    name = _model_name(history, model)
    hist = interpolate_history(history).assign(lower_80=np.nan, upper_80=np.nan, lower_95=np.nan,
                                              upper_95=np.nan, model=name)
    last_year, ref = history[-1]
    steps = to_year - last_year
    if steps <= 0:
        return hist[FRAME_COLUMNS].reset_index(drop=True)
    y = 100 * np.log(_regular(history).astype(float) / ref)
    bands = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence / starting-parameter warnings on short series
        if name == "ets":
            res = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
            pred = res.get_prediction(start=len(y), end=len(y) + steps - 1)
            for level in (80, 95):
                sf = pred.summary_frame(alpha=1 - level / 100)
                bands["mean"] = sf["mean"].to_numpy()
                bands[level] = (sf["pi_lower"].to_numpy(), sf["pi_upper"].to_numpy())
        elif name == "arima110":
            res = SARIMAX(y, order=(1, 1, 0), trend="n").fit(disp=False)
            fc = res.get_forecast(steps)
            for level in (80, 95):
                sf = fc.summary_frame(alpha=1 - level / 100)
                bands["mean"] = sf["mean"].to_numpy()
                bands[level] = (sf["mean_ci_lower"].to_numpy(), sf["mean_ci_upper"].to_numpy())
        elif name == "ols_log":
            obs = y.dropna()
            x = np.array([p.year for p in obs.index], dtype=float)
            res = OLS(obs.to_numpy(), add_constant(x)).fit()
            xf = add_constant(np.arange(last_year + 1, to_year + 1, dtype=float), has_constant="add")
            pred = res.get_prediction(xf)
            for level in (80, 95):
                sf = pred.summary_frame(alpha=1 - level / 100)
                bands["mean"] = sf["mean"].to_numpy()
                bands[level] = (sf["obs_ci_lower"].to_numpy(), sf["obs_ci_upper"].to_numpy())
        else:
            raise ValueError(f"unknown model {model!r}")

    def back(a):
        return ref * np.exp(np.asarray(a) / 100)

    fc = pd.DataFrame({"year": np.arange(last_year + 1, to_year + 1), "value": back(bands["mean"]),
                       "lower_80": back(bands[80][0]), "upper_80": back(bands[80][1]),
                       "lower_95": back(bands[95][0]), "upper_95": back(bands[95][1]),
                       "kind": "forecast", "model": name})
    return pd.concat([hist[FRAME_COLUMNS], fc[FRAME_COLUMNS]], ignore_index=True)


def naive_forecast(history: History, to_year: int, *, drift: bool = False) -> np.ndarray:
    """Baselines: last value held (naive), or last value plus the average yearly change (drift), per year."""
    (y0, v0), (y1, v1) = history[0], history[-1]
    slope = (v1 - v0) / (y1 - y0) if drift and y1 > y0 else 0.0
    return np.array([v1 + slope * (t - y1) for t in range(y1 + 1, to_year + 1)])


FIT_VERSION = "1"  # bump when fit_forecast's method changes: saved fits of another version are not used


def fit_key(history: History, to_year: int, model: str = "auto") -> str:
    """The key of a fit in the database's fit_cache: sha256 of its inputs, the method version and statsmodels'."""
    import hashlib

    import statsmodels

    text = json.dumps([FIT_VERSION, statsmodels.__version__, model, to_year, [list(p) for p in history]])
    return hashlib.sha256(text.encode()).hexdigest()


def frame_to_json(frame: pd.DataFrame) -> str:
    """A fit_forecast frame as JSON text (columns as lists; NaN as null), for the fit cache."""
    return json.dumps({c: [None if isinstance(v, float) and np.isnan(v) else v for v in frame[c].tolist()]
                       for c in FRAME_COLUMNS})


def frame_from_json(text: str) -> pd.DataFrame:
    """The frame frame_to_json wrote (same columns and dtypes as fit_forecast's)."""
    d = json.loads(text)
    out = pd.DataFrame({c: d[c] for c in FRAME_COLUMNS})
    out["year"] = out["year"].astype(int)
    for c in ("value", "lower_80", "upper_80", "lower_95", "upper_95"):
        out[c] = out[c].astype(float)
    return out


MODEL_DESCRIPTIONS = {
    "ets": "ETSModel(error=add, trend=add, damped_trend=True) on 100·log(value)",
    "arima110": "SARIMAX(1,1,0), no constant (damped trend; gaps as NaN) on 100·log(value)",
    "ols_log": "OLS of log(value) on year (log-linear trend)",
}
