"""The demographic parts of the `model` method: the national cohort path and the share-of-parent drift.

National 60+ and 65+ (region 100000): forecasting/cohort.py, on the observed national series of the vintage.

A region below the nation follows its own parent (a province the nation, a district its province), never the
country directly:

    value(t) = parent(t) × s(t),   log s(t) = log s(t_last) + b·(t − t_last)

- s is the region's share of its parent, observed wherever the region has a figure (its own series and the plans'
  observed figures); t_last is its latest observation, so the region's own latest figure is kept exactly.
- b, the drift of the share, is estimated by statsmodels OLS of log s on the year where two or more shares are
  observed; with one share only, a province takes the drift of its share of the national population
  (its own population series against the nation's), a district none (b = 0).
- The band adds the share's uncertainty to the parent's, in log terms (root sum of squares): with three or more
  shares, the OLS prediction interval; with two, a drift known only in sign (one standard deviation per year =
  |b| / z80, so the 80 % band reaches from no drift to twice the drift); otherwise a random walk whose yearly
  standard deviation is the median yearly change of the 31 provinces' population shares (SHARE_SIGMA_NOTE).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

Z80, Z95 = 1.2815515655446004, 1.959963984540054
BANDS = ["lower_80", "upper_80", "lower_95", "upper_95"]
SHARE_SIGMA_NOTE = "median |Δ log share| per year of the 31 provinces' population shares (own series)"


@dataclass(frozen=True)
class ShareDrift:
    """The share model of one region over its parent: anchor share, drift b per year, its log-sd by horizon."""

    anchor_year: int
    anchor_share: float
    drift: float
    how: str  # zh-neutral technical description for method_detail
    n_points: int
    drift_se: float = 0.0
    resid_sd: float = 0.0
    rw_sd: float = 0.0

    def log_sd(self, years: np.ndarray) -> np.ndarray:
        return share_log_sds([self], years)[0]

    def share(self, years: np.ndarray) -> np.ndarray:
        return shares([self], years)[0]


def _params(models, name: str) -> np.ndarray:
    return np.array([getattr(m, name) for m in models], dtype=float)[:, None]


def shares(models, years: np.ndarray) -> np.ndarray:
    """s(t) = s(t_last) × exp(b · max(t − t_last, 0)) of each model (rows) for `years` (columns)."""
    h = np.asarray(years, dtype=float)[None, :] - _params(models, "anchor_year")
    return _params(models, "anchor_share") * np.exp(_params(models, "drift") * np.maximum(h, 0.0))


def share_log_sds(models, years: np.ndarray) -> np.ndarray:
    """The log-sd of each model's share (rows) by year (columns), h = max(t − t_last, 0) years ahead:
    sqrt((h·se_b)² + h·sd_resid² + h·sd_rw²)."""
    h = np.maximum(np.asarray(years, dtype=float)[None, :] - _params(models, "anchor_year"), 0.0)
    return np.sqrt((h * _params(models, "drift_se")) ** 2 + h * _params(models, "resid_sd") ** 2
                   + h * _params(models, "rw_sd") ** 2)


def fit_share(points: list[tuple[int, float]], *, fallback_drift: float | None = None, fallback_how: str = "",
              rw_sigma: float = 0.0) -> ShareDrift:
    """The share model from observed (year, share) points (at least one). See the module docstring."""
    pts = sorted({int(y): float(s) for y, s in points if s and s > 0 and np.isfinite(s)}.items())
    if not pts:
        raise ValueError("no observed share")
    y_last, s_last = pts[-1]
    if len(pts) >= 3:
        from statsmodels.regression.linear_model import OLS
        from statsmodels.tools.tools import add_constant

        x = np.array([p[0] - y_last for p in pts], dtype=float)
        y = np.log([p[1] for p in pts])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = OLS(y, add_constant(x)).fit()
        b, se = float(res.params[1]), float(res.bse[1])
        sd = math.sqrt(float(res.scale)) if res.df_resid > 0 else 0.0
        return ShareDrift(y_last, s_last, b, f"share drift {b * 100:+.2f}%/yr: statsmodels OLS of log share on year, "
                          f"{len(pts)} shares {pts[0][0]}–{y_last}", len(pts), se, sd / math.sqrt(max(len(pts), 1)),
                          0.0)
    if len(pts) == 2:
        (y0, s0), (y1, s1) = pts
        b = math.log(s1 / s0) / (y1 - y0)
        return ShareDrift(y_last, s_last, b, f"share drift {b * 100:+.2f}%/yr from two shares ({y0}, {y1}); "
                          "80% band from no drift to twice the drift", 2, abs(b) / Z80, 0.0, rw_sigma)
    if fallback_drift is not None:
        return ShareDrift(y_last, s_last, fallback_drift, fallback_how, 1, 0.0, 0.0, rw_sigma)
    return ShareDrift(y_last, s_last, 0.0, f"one share ({y_last}): held constant, random-walk band", 1, 0.0, 0.0,
                      rw_sigma)


def share_sigma(province_population: pd.DataFrame, national_population: pd.Series) -> float:
    """Median over provinces of the mean |Δ log share| per year (share of the national population), from the
    provinces' own series; the yearly sd of a share's random walk. 0.005 (0.5 %) if there is nothing to measure."""
    out = []
    for _, g in province_population.groupby("region_code"):
        s = g.set_index("year")["value"] / national_population.reindex(g["year"]).to_numpy()
        d = np.diff(np.log(s.dropna().sort_index().to_numpy()))
        if len(d):
            out.append(float(np.mean(np.abs(d))))
    return float(np.median(out)) if out else 0.005


def share_frame(parent, model: ShareDrift, years: range):
    """child(t) = parent(t) × s(t), with the share's log-sd added to the parent's band in quadrature.

    parent: forecasting.results.YearFrame (value, lower/upper 80/95, kind by year). Out: a YearFrame for `years`.
    """
    p, cols = share_frames(parent, [model], years)
    return type(p)(p.start, {c: v[0] for c, v in cols.items()}, p.kind)


def share_frames(parent, models: list[ShareDrift], years: range) -> tuple:
    """share_frame for all children of one parent in one array operation: (the parent's YearFrame for `years`,
    {column: array children × years}). A national table derives ~3,000 regions' paths this way instead of one
    small frame each."""
    p = parent.take(years)
    yrs = p.years
    s = shares(models, yrs)
    pv = p.cols["value"]
    value = pv[None, :] * s
    sd_share = share_log_sds(models, yrs)
    out = {"value": value}
    forecast = yrs[None, :] > _params(models, "anchor_year")
    for lo, hi, z in (("lower_80", "upper_80", Z80), ("lower_95", "upper_95", Z95)):
        with np.errstate(divide="ignore", invalid="ignore"):
            wl = np.log(pv / p.cols[lo])
            wh = np.log(p.cols[hi] / pv)
        wl, wh = np.where(np.isfinite(wl), wl, 0.0), np.where(np.isfinite(wh), wh, 0.0)
        wl = np.sqrt(wl[None, :] ** 2 + (z * sd_share) ** 2)
        wh = np.sqrt(wh[None, :] ** 2 + (z * sd_share) ** 2)
        out[lo] = np.where(forecast, value * np.exp(-wl), np.nan)
        out[hi] = np.where(forecast, value * np.exp(wh), np.nan)
    return p, {c: out[c] for c in ["value", *BANDS]}
