"""80 % / 95 % bands of the census projection, calibrated on a provincial backtest (区间校准).

    lower_q(t), upper_q(t) = v(t) · exp(∓ z_q · σ_k · √h),   h = t − (the unit's last observed year, or 2020)
    z_80 = 1.2816, z_95 = 1.9600

σ_k, the yearly log-error scale of indicator group k, is calibrated as σ_k = sqrt(mean(e² / h)) over the backtest
rows of group k, e = ln(actual / projected): the rows are provinces' published figures of years after the vintage
set against the projection as of that vintage (`calibrate`, run by tests/test_census_bands.py on the vintage-2020
backtest, figures in CALIBRATION below). The groups: population (population_resident), elderly (elderly_60plus,
elderly_65plus, elderly_80plus), infants (infants_0_3: no provincial figure exists to calibrate on, so it takes the
population σ tripled, an assumption stated, not a calibration). Counties take the provincial σ (no county series
to calibrate on: their coverage is unvalidated, said so in the backtest).

A known limit: the calibration rows are years after 2020 (the outcomes of the vintage-2020 run), so the σ of a run
"as of 2020" is not itself of that vintage; the coverage reported for it is therefore also given leave-one-province-
out (`loo_coverage`), which does not use a province's own errors for its band.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

Z = {"80": 1.2815515655446004, "95": 1.959963984540054}
GROUP = {"population_resident": "population", "elderly_60plus": "elderly", "elderly_65plus": "elderly",
         "elderly_80plus": "elderly", "infants_0_3": "infants"}
# σ per √year, from `calibrate` on the vintage-2020 provincial backtest (see tests/test_census_bands.py)
SIGMA = {"population": 0.0080, "elderly": 0.0129}  # 124 population rows, 9 elderly rows (Hebei, Chongqing, Tianjin)
SIGMA["infants"] = 3 * SIGMA["population"]
CALIBRATION = "provinces' published figures 2021–2024 against the census projection as of 2020"


def band_arrays(value: np.ndarray, horizon: np.ndarray, indicator: str) -> dict[str, np.ndarray]:
    """lower/upper 80/95 arrays for values and horizons of the same shape (NaN where horizon ≤ 0)."""
    s = SIGMA[GROUP[indicator]] * np.sqrt(np.where(horizon > 0, horizon, np.nan))
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
