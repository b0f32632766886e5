"""Single years of age from the census's age groups (按全国队列权重拆分单岁组), never uniformly.

The census (1 November of `census_year`) gives persons by sex in the groups 0, 1–4, 5–9, …, 80–84, 85+. A group
g = [a, b] is split into single ages x = a…b in proportion to national cohort weights:

    P(x) = P(g) × w(x) / Σ_{y∈g} w(y)
    w(x) = B̄(x) × S(x + ½)                         (persons of age x at the census, nationally, up to a constant)
    B̄(x) = (10/12)·B(Y − x) + (2/12)·B(Y − x − 1)   births of the cohort aged x on 1 Nov Y (born 1 Nov Y−x−1 …
                                                      31 Oct Y−x), Y = census_year
    S(x + ½) = exp(−Σ_{u<x} m(u, c + u) − ½·m(x, c + x)),  c = Y − x   (survival to the middle of the year of age)

- B: UN WPP 2024 births of China by calendar year (both sexes; `forecasting/wpp.py`); cohorts born before 1950,
  which WPP does not give, take the 1950–1954 mean (only the 70+ of 2020 and 60+ of 2010 need them, and there the
  survival term dominates the weights).
- m: WPP 2024 death rates of the same sex (`load_wpp(sex=...)`) as single years (each age takes its group's rate).
- The open group 85+ is split into 85…99 and 100 (= 100 and older), the 100+ weight summing w over ages 100…119
  with the 100+ rate.
- Integers: P(x) is rounded by largest remainder within each group, so every group sum is preserved exactly
  (Σ_{x∈g} P(x) = P(g)) and so is every region's total.
- Vintage: the weights of a census use WPP as of the census year (births before it), nothing later.

Why not uniform: China's births fell to 16.9 million in 1961 and jumped to 26.8 and 33.5 million in 1962–63, so
inside Chongqing's 2020 55–59 group the share that turns 60 by the end of 2022 is 0.22 with these weights and 0.43
with a uniform split (ENGINEERING.md; checked in tests/test_census_split.py against Chongqing's published 2022 60+).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from forecasting.wpp import load_wpp

MAX_AGE = 100  # single ages 0..100, 100 = 100 and older
AGES = np.arange(MAX_AGE + 1)
AGE_GROUPS = ("0", "1-4") + tuple(f"{a}-{a + 4}" for a in range(5, 85, 5)) + ("85+",)
SEXES = ("male", "female")
OPEN_TAIL = 120  # the 100+ weight sums ages 100..OPEN_TAIL−1


def group_bounds(group: str) -> tuple[int, int]:
    """(first, last) single age of a census age group; the open 85+ ends at MAX_AGE (= 100+)."""
    if group.endswith("+"):
        return int(group[:-1]), MAX_AGE
    if "-" in group:
        lo, hi = group.split("-")
        return int(lo), int(hi)
    return int(group), int(group)


GROUP_OF_AGE = np.empty(MAX_AGE + 1, dtype=int)  # index into AGE_GROUPS of each single age
for _i, _g in enumerate(AGE_GROUPS):
    _lo, _hi = group_bounds(_g)
    GROUP_OF_AGE[_lo:_hi + 1] = _i


@lru_cache(maxsize=8)
def cohort_weights(census_year: int, sex: str) -> np.ndarray:
    """w(x), x = 0..100 (see the module docstring): national persons of each single age at 1 Nov `census_year`,
    up to a constant. Read-only array."""
    wpp = load_wpp(as_of=census_year, sex=sex)
    pre1950 = float(wpp.births.loc[1950:1954].mean())
    ages = np.arange(OPEN_TAIL)
    cohort = census_year - ages
    births = wpp.births.reindex(np.concatenate([cohort, cohort - 1])).to_numpy(dtype=float)
    births = np.where(np.concatenate([cohort, cohort - 1]) < 1950, pre1950, births)
    b_now, b_before = births[:OPEN_TAIL], births[OPEN_TAIL:]
    # a cohort whose calendar-year births the vintage lacks (the census year itself) takes the year before
    b_now = np.where(np.isfinite(b_now), b_now, b_before)
    b_bar = (10 / 12) * b_now + (2 / 12) * b_before
    hazard = np.zeros(OPEN_TAIL)
    for x in range(OPEN_TAIL):
        m_x = wpp.rate(min(x, MAX_AGE), cohort + x)  # m(x, c + x), counted for the cohorts already past x
        hazard += np.where(ages > x, m_x, 0.0)
    half = 0.5 * wpp.rate(np.minimum(ages, MAX_AGE), census_year)
    w = b_bar * np.exp(-hazard - half)
    out = np.concatenate([w[:MAX_AGE], [w[MAX_AGE:].sum()]])
    out.setflags(write=False)
    return out


def split_matrix(groups: np.ndarray, census_year: int, sex: str) -> np.ndarray:
    """Split an (n, len(AGE_GROUPS)) array of group persons into (n, 101) single ages (floats, group sums
    preserved up to rounding error). The vectorised core of `split_single_years`."""
    w = cohort_weights(census_year, sex)
    share = w / np.bincount(GROUP_OF_AGE, weights=w)[GROUP_OF_AGE]
    return np.asarray(groups, dtype=float)[:, GROUP_OF_AGE] * share[None, :]


def integer_split(groups: np.ndarray, census_year: int, sex: str) -> np.ndarray:
    """As split_matrix, rounded to whole persons by largest remainder within each group (sums exact)."""
    groups = np.asarray(groups).astype(np.int64)
    exact = split_matrix(groups, census_year, sex)
    base = np.floor(exact).astype(np.int64)
    rem = exact - base
    for gi, g in enumerate(AGE_GROUPS):
        lo, hi = group_bounds(g)
        if lo == hi:
            base[:, lo] = groups[:, gi]
            continue
        deficit = groups[:, gi] - base[:, lo:hi + 1].sum(axis=1)  # 0 ≤ deficit < group width
        order = np.argsort(-rem[:, lo:hi + 1], axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(hi - lo + 1)[None, :].repeat(len(groups), 0), axis=1)
        base[:, lo:hi + 1] += rank < deficit[:, None]
    return base


def split_single_years(groups: pd.DataFrame, *, census_year: int) -> pd.DataFrame:
    """The census long table (columns region_code, sex, age_group, persons; any subset of regions; other columns
    ignored) → region_code, sex, age (0..100, 100 = 100+), persons (int64), every region × sex × age, sorted.
    Raises ValueError on an unknown age group or sex, a negative or missing count, or a region × sex × group
    given twice."""
    need = {"region_code", "sex", "age_group", "persons"}
    if missing := need - set(groups.columns):
        raise ValueError(f"census groups: missing columns {sorted(missing)}")
    g = groups[["region_code", "sex", "age_group", "persons"]].copy()
    g["region_code"] = g["region_code"].astype(str)
    if bad := set(g["age_group"]) - set(AGE_GROUPS):
        raise ValueError(f"census groups: unknown age groups {sorted(bad)}")
    if bad := set(g["sex"]) - set(SEXES):
        raise ValueError(f"census groups: unknown sex {sorted(bad)}")
    persons = pd.to_numeric(g["persons"], errors="coerce")
    if persons.isna().any() or (persons < 0).any():
        raise ValueError("census groups: persons must be whole numbers ≥ 0")
    if g.duplicated(["region_code", "sex", "age_group"]).any():
        raise ValueError("census groups: a region × sex × age group appears twice")
    g["persons"] = persons.astype(np.int64)
    frames = []
    for sex in SEXES:
        part = g[g["sex"] == sex]
        if part.empty:
            continue
        wide = part.pivot(index="region_code", columns="age_group", values="persons")
        wide = wide.reindex(columns=list(AGE_GROUPS)).fillna(0).astype(np.int64)
        single = integer_split(wide.to_numpy(), census_year, sex)
        n = len(wide)
        frames.append(pd.DataFrame({"region_code": np.repeat(wide.index.to_numpy(), MAX_AGE + 1),
                                    "sex": sex, "age": np.tile(AGES, n), "persons": single.ravel()}))
    if not frames:
        return pd.DataFrame({"region_code": pd.Series(dtype=str), "sex": pd.Series(dtype=str),
                             "age": pd.Series(dtype=np.int64), "persons": pd.Series(dtype=np.int64)})
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["region_code", "sex", "age"], kind="stable").reset_index(drop=True)
