"""80 % / 95 % bands of the census projection, calibrated on backtests the run's vintage can read (区间校准).

    lower_q(t), upper_q(t) = v(t) · exp(∓ z_q · σ_k · √h),   h = t − (the unit's last observed year, or 2020)
    z_80 = 1.2816, z_95 = 1.9600

σ_k is the yearly log-error scale of indicator group k: σ_k = sqrt(mean(e² / h)) over backtest rows of group k,
e = ln(actual / projected). The groups: population (population_resident), elderly (elderly_60plus, elderly_65plus,
elderly_80plus), infants (infants_0_3: no provincial figure exists to calibrate on, so it takes the population σ
tripled, an assumption stated, not a calibration). Counties take the provincial σ (no county series to calibrate
on: their coverage is unvalidated, said so in the backtest). Which backtest depends on the vintage (`sigma_for`):

- A run that can read the provinces' published figures of 2021–2024 (as of 2024 or later, and the current run):
  SIGMA, `calibrate` on the vintage-2020 backtest (`python -m forecasting backtest --as-of 2020`: 124 provincial
  population rows, 9 elderly rows of Hebei, Chongqing and Tianjin); tests/test_census_vintage_bands.py recomputes it.
- A run as of an earlier year (the backtest as of 2020) must not read those outcomes. Its σ comes from two
  pseudo-backtests on data the vintage has (`pre_vintage_sigma`):
  population: the migration-persistence model (migration.py) on the provinces' year-end series, the last complete
  pair of five-year windows before the vintage (2010–2015 → 2015–2020 as of 2020): the share change of each
  province over h = 1…5 years from the window's start, projected as x·Σ d(t) (x the previous window's relative
  growth rate, d the damping), against the actual;
  elderly: the 2010 census's provincial 50+ (55+) moved ten years on with the nation's cohort change, against the
  2020 census's 60+ (65+), h = 10 (the 2020 census is part of the vintage, as the issue's vintage rule says).
  These are the 2010s' errors, a decade of larger moves than 2021–2024: the bands of a run as of 2020 are wider,
  and the backtest reports their coverage as it is.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

Z = {"80": 1.2815515655446004, "95": 1.959963984540054}
GROUP = {"population_resident": "population", "elderly_60plus": "elderly", "elderly_65plus": "elderly",
         "elderly_80plus": "elderly", "infants_0_3": "infants"}
# σ per √year, from `calibrate` on the vintage-2020 provincial backtest (tests/test_census_vintage_bands.py)
SIGMA = {"population": 0.0059, "elderly": 0.0118}  # 124 population rows, 9 elderly rows (Hebei, Chongqing, Tianjin)
SIGMA["infants"] = 3 * SIGMA["population"]
CALIBRATION = "provinces' published figures 2021–2024 against the census projection as of 2020"
OUTCOMES_FROM = 2024  # a vintage from this year on can read the outcomes SIGMA is calibrated on


def band_arrays(value: np.ndarray, horizon: np.ndarray, indicator: str,
                sigma: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """lower/upper 80/95 arrays for values and horizons of the same shape (NaN where horizon ≤ 0); σ per group from
    `sigma` (default SIGMA)."""
    s = (sigma or SIGMA)[GROUP[indicator]] * np.sqrt(np.where(horizon > 0, horizon, np.nan))
    out = {}
    for q, z in Z.items():
        out[f"lower_{q}"] = value * np.exp(-z * s)
        out[f"upper_{q}"] = value * np.exp(z * s)
    return out


def calibrate(rows: pd.DataFrame) -> dict[str, float]:
    """σ per group from backtest rows (columns indicator, value, actual, horizon): sqrt(mean(ln(actual/value)² / h))."""
    r = rows[(rows["horizon"] > 0) & (rows["value"] > 0) & (rows["actual"] > 0)]
    e2 = np.log(r["actual"] / r["value"]) ** 2 / r["horizon"]
    return {g: float(np.sqrt(e2[r["indicator"].map(GROUP) == g].mean()))
            for g in sorted(set(r["indicator"].map(GROUP)))}


def loo_coverage(rows: pd.DataFrame, q: str = "80") -> float:
    """Share of rows inside the q band when σ is calibrated without the row's own province (rows: region_code,
    indicator, value, actual, horizon)."""
    inside = []
    for code, g in rows.groupby("region_code"):
        sig = calibrate(rows[rows["region_code"] != code])
        for r in g.itertuples():
            s = sig.get(GROUP[r.indicator], np.nan) * np.sqrt(r.horizon)
            inside.append(abs(np.log(r.actual / r.value)) <= Z[q] * s)
    return float(np.mean(inside)) if inside else float("nan")


def population_pseudo_rows(series: pd.DataFrame, beta: float, vintage: int) -> pd.DataFrame:
    """Backtest rows (region_code, indicator, value, actual, horizon) of the migration-persistence model on the
    provinces' year-end series (region_code, year, value), for the last complete window pair ending by `vintage`:
    [a, a+5] gives x, and the shares of a+5+h (h = 1…5) are projected from a+5 as x·Σ_{t=a+6}^{a+5+h} d(t), with
    d(t) = β^((t − (a+2.5))/5) (the damping of migration.py, centred on the first window's middle); value and actual
    are the province's population at a+5+h, the projected one = its actual share-change error applied."""
    from forecasting.census.migration import FIRST_WINDOW, WINDOW

    w = series.pivot_table(index="region_code", columns="year", values="value", aggfunc="first")
    ends = [y for y in range(FIRST_WINDOW + 2 * WINDOW, int(vintage) + 1, WINDOW)
            if set(range(y - 2 * WINDOW, y + 1)) <= set(w.columns)]
    if not ends:
        return pd.DataFrame(columns=["region_code", "indicator", "value", "actual", "horizon"])
    c = ends[-1]
    a, b = c - 2 * WINDOW, c - WINDOW
    part = w[list(range(a, c + 1))].dropna()
    share = np.log(part.div(part.sum(), axis=1))
    x = (share[b] - share[a]) / WINDOW
    rows = []
    for h in range(1, WINDOW + 1):
        d = sum(float(beta) ** ((t - (a + WINDOW / 2)) / WINDOW) for t in range(b + 1, b + h + 1))
        e = (share[b + h] - share[b]) - x * d
        actual = part[b + h]
        rows.append(pd.DataFrame({"region_code": part.index, "indicator": "population_resident",
                                  "value": actual / np.exp(e), "actual": actual, "horizon": float(h)}))
    return pd.concat(rows, ignore_index=True)


_OLD = ("60-64", "65-69", "70-74", "75-79", "80-84", "85+")
COHORT_SHIFT = {"elderly_60plus": (("50-54", "55-59") + _OLD, _OLD),  # 2010 groups → 2020 groups ten years on
                "elderly_65plus": (("55-59",) + _OLD, _OLD[1:])}


def elderly_pseudo_rows(groups2010: pd.DataFrame, groups2020: pd.DataFrame, provinces: list[str],
                        nation: str = "100000") -> pd.DataFrame:
    """Backtest rows of the elderly, as of the 2010 census: a province's 50+ (55+) of 2010 × the nation's cohort
    change P_N,2020(60+) / P_N,2010(50+) (65+ / 55+), against its 60+ (65+) of the 2020 census, h = 10."""
    def by_group(groups):
        g = groups[groups["region_code"].astype(str).isin([*provinces, nation])]
        return g.pivot_table(index="region_code", columns="age_group", values="persons", aggfunc="sum")

    w10, w20 = by_group(groups2010), by_group(groups2020)
    rows = []
    for ind, (old, new) in COHORT_SHIFT.items():
        if nation not in w10.index or nation not in w20.index:
            continue
        base, now = w10[list(old)].sum(axis=1), w20[list(new)].sum(axis=1)
        ccr = now[nation] / base[nation]
        keep = [p for p in provinces if p in base.index and p in now.index]
        rows.append(pd.DataFrame({"region_code": keep, "indicator": ind, "value": base[keep].to_numpy() * ccr,
                                  "actual": now[keep].to_numpy(), "horizon": 10.0}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["region_code", "indicator", "value", "actual", "horizon"])


def pre_vintage_sigma(series: pd.DataFrame, groups2010: pd.DataFrame, groups2020: pd.DataFrame,
                      provinces: list[str], beta: float, vintage: int) -> tuple[dict[str, float], str]:
    """σ per group from the two pseudo-backtests (see the module docstring) and how it was made; a group without
    rows keeps SIGMA's value, said so."""
    rows = pd.concat([population_pseudo_rows(series, beta, vintage),
                      elderly_pseudo_rows(groups2010, groups2020, provinces)], ignore_index=True)
    sig = calibrate(rows) if len(rows) else {}
    n = rows["indicator"].map(GROUP).value_counts().to_dict() if len(rows) else {}
    out, how = {}, []
    for g in ("population", "elderly"):
        if g in sig and np.isfinite(sig[g]):
            out[g] = sig[g]
            how.append(f"{g} {sig[g]:.4f} ({n.get(g, 0)} pseudo-backtest rows before {vintage + 1})")
        else:
            out[g] = SIGMA[g]
            how.append(f"{g} {SIGMA[g]:.4f} (no rows before {vintage + 1}: the 2021–2024 calibration)")
    out["infants"] = 3 * out["population"]
    return out, "; ".join(how)


def sigma_for(vintage: int | None, pre: Callable[[], tuple[dict[str, float], str]]) -> tuple[dict[str, float], str]:
    """The σ of a run as of `vintage` (None: the current run): SIGMA when the vintage can read its outcomes, else
    `pre()` (pre_vintage_sigma, evaluated only then)."""
    if vintage is None or vintage >= OUTCOMES_FROM:
        return dict(SIGMA), (f"population {SIGMA['population']:.4f}, elderly {SIGMA['elderly']:.4f}: {CALIBRATION}")
    return pre()
