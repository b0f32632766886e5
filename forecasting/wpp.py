"""UN World Population Prospects 2024 for China: births by calendar year and single-year mortality m(x, t).

Source (cite wherever a figure is shown): United Nations, DESA, Population Division (2024). World Population
Prospects 2024. CC BY 3.0 IGO. Files: data/reference/wpp2024_china/ (china_annual.csv: births in thousands,
estimates 1950–2023 and medium variant 2024–2100; china_mortality_5x5.csv: central death rates m(x) of both sexes
for age groups 0, 1–4, 5–9, …, 100+ and five-year periods 1950–1955 … 2095–2100; by sex: both, male, female,
`load_wpp(as_of, sex=...)`).

Conventions (stated so a reviewer can check them):
- Single-year ages take the rate of their group (age 0 → group 0, ages 1–4 → 1–4, 7 → 5–9, 100+ → 100+); a calendar
  year t takes the rate of the period whose start is 1950 + 5·⌊(t − 1950)/5⌋ (2021 → 2020–2025).
- Years before 1950 take the 1950–1955 rates (WPP starts there; only the oldest cohorts of the 60+ need them).
- One-year survival at age x in year t is exp(−m(x, t)); survival from birth to exact age A of the cohort born in
  c is S_A(c) = exp(−Σ_{x=0}^{A−1} m(x, c + x)).
- Vintage: a run "as of" a year before 2024 (WPP 2024's publication) uses only the periods that had ended by the
  end of that year; later years take the last period's rates improved at each age's average yearly pace of the ten
  years before (m(x, t) = m(x, last) · exp(r_x · (t − mid-point of the last period)), r_x = ln(m_last / m_10y
  earlier) / 10), and births only of years before it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
WPP_DIR = ROOT / "data" / "reference" / "wpp2024_china"
CITATION = ("United Nations, DESA, Population Division (2024). World Population Prospects 2024. "
            "CC BY 3.0 IGO.")
CITATION_ZH = "联合国经济和社会事务部人口司（2024）《世界人口展望2024》，CC BY 3.0 IGO。"
PUBLISHED = 2024  # WPP 2024 came out in July 2024
FIRST_YEAR, LAST_YEAR = 1900, 2100  # the grid of calendar years the mortality surface covers
MAX_AGE = 100
FILES = ("china_annual.csv", "china_mortality_5x5.csv")


class WppMissing(FileNotFoundError):
    """A WPP file is not where it should be; the message names it (zh + en)."""


def wpp_dir() -> Path:
    return Path(os.environ.get("YLYX_WPP_DIR", WPP_DIR))


@dataclass(frozen=True)
class Wpp:
    """WPP births (persons, by calendar year) and the single-year mortality surface m[year − FIRST_YEAR, age]."""

    births: pd.Series = field(repr=False)  # year → persons (estimate ≤ 2023, medium after)
    births_variant: pd.Series = field(repr=False)  # year → "estimate" | "medium"
    m: np.ndarray = field(repr=False)  # (LAST_YEAR − FIRST_YEAR + 1, MAX_AGE + 1)
    period_start: np.ndarray = field(repr=False)  # the WPP period start (1950, 1955, …) each grid year uses

    def vintage(self, as_of: int | None) -> Wpp:
        """The WPP a run as of `as_of` may use (see module docstring); None or ≥ PUBLISHED: all of it."""
        if as_of is None or as_of >= PUBLISHED:
            return self
        last_period = 1950 + 5 * ((as_of + 1 - 1950) // 5) - 5  # the last period that ended by the end of as_of
        m = self.m.copy()
        rows = self.period_start > last_period
        # later years: the last known rates, improving at each age's average yearly pace of the ten years before
        # (log m of the last period against the one ten years earlier), as a planner then would have extrapolated
        last = self.m[np.argmax(self.period_start == last_period)]
        earlier = self.m[np.argmax(self.period_start == last_period - 10)]
        pace = np.log(last / earlier) / 10
        years_after = (np.arange(FIRST_YEAR, LAST_YEAR + 1) - (last_period + 2.5))[rows]
        m[rows] = last[None, :] * np.exp(pace[None, :] * years_after[:, None])
        births = self.births[self.births.index < as_of]
        return Wpp(births, self.births_variant.loc[births.index], m, self.period_start)

    def rate(self, ages, years) -> np.ndarray:
        """m(x, t) for arrays of ages and years (broadcast), clipped to the grid."""
        a = np.clip(np.asarray(ages), 0, MAX_AGE)
        y = np.clip(np.asarray(years), FIRST_YEAR, LAST_YEAR) - FIRST_YEAR
        return self.m[y, a]

    def survival_to(self, age: int, cohorts) -> np.ndarray:
        """S_age(c) for each cohort birth year c: exp(−Σ_{x<age} m(x, c + x))."""
        c = np.asarray(cohorts, dtype=int)
        h = np.zeros(c.shape, dtype=float)
        for x in range(age):
            h += self.rate(x, c + x)
        return np.exp(-h)

    def births_of(self, years) -> np.ndarray:
        """WPP births (persons) of each calendar year; NaN where WPP (or the vintage) has none."""
        return self.births.reindex(np.asarray(years, dtype=int)).to_numpy(dtype=float)


SEXES = ("both", "male", "female")


@lru_cache(maxsize=8)
def _load(path: str, stamp: tuple, sex: str = "both") -> Wpp:
    d = Path(path)
    annual = pd.read_csv(d / FILES[0])
    b = annual[(annual["indicator"] == "births") & annual["variant"].isin(["estimate", "medium"])]
    b = b.sort_values(["year", "variant"]).drop_duplicates("year", keep="first")  # "estimate" sorts first
    births = pd.Series(b["value"].to_numpy(dtype=float) * 1000, index=b["year"].astype(int).to_numpy())
    variant = pd.Series(b["variant"].to_numpy(), index=births.index)
    mort = pd.read_csv(d / FILES[1], dtype={"age_group_start": str})
    mort = mort[mort["sex"] == sex]
    group = mort["age_group_start"].str.rstrip("+").astype(int).to_numpy()
    start = mort["period"].str[:4].astype(int).to_numpy()
    table = pd.DataFrame({"start": start, "group": group, "mx": mort["mx"].to_numpy(dtype=float)})
    grid = table.pivot(index="start", columns="group", values="mx").sort_index()
    ages = np.arange(MAX_AGE + 1)
    groups = np.where(ages == 0, 0, np.where(ages < 5, 1, np.minimum(5 * (ages // 5), MAX_AGE)))
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    period = np.clip(1950 + 5 * ((years - 1950) // 5), grid.index.min(), grid.index.max())
    m = grid.loc[period, groups].to_numpy(dtype=float)
    return Wpp(births, variant, m, period)


def load_wpp(as_of: int | None = None, sex: str = "both") -> Wpp:
    """The WPP data for a run as of `as_of` (None: all), with the mortality surface of `sex` ('both', 'male',
    'female'; births are always both sexes). Raises WppMissing (zh + en) when a file is absent."""
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES}: {sex!r}")
    d = wpp_dir()
    for name in FILES:
        if not (d / name).is_file():
            raise WppMissing(f"缺少联合国《世界人口展望2024》数据文件：{d / name} / WPP 2024 file missing: {d / name}")
    stamp = tuple((d / n).stat().st_mtime_ns for n in FILES)
    return _load(str(d), stamp, sex).vintage(as_of)
