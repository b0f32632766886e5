"""Anchoring to observed figures and raking (一致性调整): counties sum to their province, provinces to the nation.

Each unit's projection is split into three age bands per year: young (0–59), mid (60–64), old (65+).

1. Anchor (where a unit has observed figures of a year ≥ 2020 that the vintage may read: a province's year-end
   population series, plan figures, imports): the ratio a_k(y) = observed_k(y) / projected_k(y) at each observed
   year, linearly interpolated between 1 at the census year and the first observation, held after the last one;
   k = population_resident, elderly_60plus, elderly_65plus (an indicator without its own figure takes the ratio of
   the one above it: 65+ ← 60+ ← population). Anchored values: old·a65, mid = 60+·a60 − old, young = pop·a_pop −
   60+·a60.
2. Provinces to the nation: per year and band b, R_b(t) = N_b(t) / Σ_provinces P_b(t), where N is the nation's
   path (60+ and 65+: the national cohort model, forecasting/cohort.py; total: the nation's own population path);
   every province's band is multiplied by R_b(t) (one factor per band and year, the same for every province).
3. The county tier (county-level units and zones, and prefecture cities without counties: the registry's
   county_tier), and separately the prefecture tier (prefecture_tier; its county-level units directly under the
   province are raked with the county tier, the prefectures share the rest), to their province: r_b,p(t) = P_b,p(t) / Σ_{c∈p} P_b,c(t), one
   factor per province, band and year. This is the "raking factor per province" reported (`raking_table`):
   `factor` is the whole scaling of the counties (it includes the province's own scaling to the nation and to its
   observed figures); `factor_vs_own` = factor × province before / province after its own scaling, the counties
   against the province's own cohort-component projection: far from 1 means the county-level model (migration,
   fertility) disagrees with the province's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

BANDS3 = ("young", "mid", "old")


def to_bands(v: dict) -> dict:
    """{'young','mid','old'} arrays from population_resident, elderly_60plus, elderly_65plus arrays."""
    return {"young": v["population_resident"] - v["elderly_60plus"],
            "mid": v["elderly_60plus"] - v["elderly_65plus"], "old": v["elderly_65plus"].copy()}


def from_bands(b: dict) -> dict:
    return {"population_resident": b["young"] + b["mid"] + b["old"], "elderly_60plus": b["mid"] + b["old"],
            "elderly_65plus": b["old"].copy()}


def anchor_ratio(years: np.ndarray, projected: np.ndarray, observed: list[tuple[int, float]], start: int) -> np.ndarray:
    """a(t) for one unit and indicator: observed/projected at the observed years (≥ start), 1 at `start` unless
    observed there, linear in between, held after the last observation; all ones without observations."""
    pts = [(y, v / projected[y - years[0]]) for y, v in sorted(observed)
           if years[0] <= y <= years[-1] and projected[y - years[0]] > 0]
    if not pts:
        return np.ones(len(years))
    if pts[0][0] > start:
        pts.insert(0, (start, 1.0))
    xs, rs = zip(*pts)
    return np.interp(years, xs, rs)


def rake(values: np.ndarray, groups: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale rows of `values` (R, T) so that the rows of each group sum to its target (G, T); groups: (R,) index
    into targets, −1 = leave alone. Returns (raked values, factors (G, T); NaN where a group has no rows)."""
    sums = np.zeros_like(targets)
    ok = groups >= 0
    np.add.at(sums, groups[ok], values[ok])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = targets / sums
    factor = np.where(sums > 0, factor, np.nan)
    out = values.copy()
    f = factor[groups[ok]]
    out[ok] = values[ok] * np.where(np.isfinite(f), f, 1.0)
    return out, factor


def raking_table(codes: list[str], years, factors: dict, band_names=BANDS3) -> pd.DataFrame:
    """Long table province_code, band, year, factor from {band: (G, T)} (rows in `codes` order)."""
    parts = []
    for b in band_names:
        f = factors[b]
        parts.append(pd.DataFrame({"province_code": np.repeat(codes, len(years)), "band": b,
                                   "year": np.tile(np.asarray(years), len(codes)), "factor": f.ravel()}))
    return pd.concat(parts, ignore_index=True)
