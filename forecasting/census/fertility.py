"""Births of every unit: its child–woman ratio from the census × the nation's fertility trend.

    B_r(t) = f_r × g(t) × W_r(t−1)
    f_r    = CWR_r / CWR_N,  CWR = P(0–4) / W(15–49) of the 2020 census (both sexes of children, women 15–49)
    g(t)   = B_N(t) / W_N(t−1)          the nation's births per woman 15–49 (general fertility rate)
    W(t−1) women aged 15–49 at the end of the year before (the projection's own)

- B_N(t), national births: NBS, `births` where published (2021–2025 in data/reference/official_2021_2025.csv),
  else NBS birth rate b(t)‰ × the mean of the year-end populations P(t−1), P(t) (china_national_population_
  birthrate.csv); only what the vintage may read (`--as-of`: nothing about a later year). After the last published
  year g(t) stays at its last value (no trend is invented; WPP's medium births are not used for the projection,
  they are shown on the method page for comparison).
- The sex ratio at birth is the census's age-0 ratio of the nation (males per female).
- A province's own births (Chongqing 2021, 2023; Tianjin's and Chongqing's birth rates) are not used to modify f_r:
  the national trend is applied to every unit (stated, a known simplification).
- Infants 0–3 (`infants_0_3`) are the survivors of the last three years' births: ages 0, 1, 2 at the year end.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

NATIONAL = "100000"


def national_births(series: pd.DataFrame) -> dict[int, tuple[float, str]]:
    """year → (births, how) from the national series rows the vintage may read (columns region_code, indicator,
    year, value): NBS `births` where given, else birth_rate‰ × mean population of the year."""
    nat = series[series["region_code"] == NATIONAL]
    out: dict[int, tuple[float, str]] = {}
    pop = {int(y): float(v) for y, v in zip(nat.loc[nat["indicator"] == "population_resident", "year"],
                                            nat.loc[nat["indicator"] == "population_resident", "value"])}
    for y, v in zip(nat.loc[nat["indicator"] == "birth_rate", "year"], nat.loc[nat["indicator"] == "birth_rate", "value"]):
        y = int(y)
        if y in pop and y - 1 in pop:
            out[y] = (float(v) / 1000 * (pop[y] + pop[y - 1]) / 2,
                      f"NBS birth rate {float(v):.2f}‰ × mean population {y - 1}–{y}")
    for y, v in zip(nat.loc[nat["indicator"] == "births", "year"], nat.loc[nat["indicator"] == "births", "value"]):
        out[int(y)] = (float(v), "NBS births")
    return out


def child_woman_index(children: np.ndarray, women: np.ndarray, nation: int) -> np.ndarray:
    """f_r = CWR_r / CWR_N for arrays of census children 0–4 and women 15–49 (row `nation` is the nation); a unit
    without women 15–49 gets 0 births (f = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cwr = children / women
    f = cwr / cwr[nation]
    return np.where(np.isfinite(f), f, 0.0)
