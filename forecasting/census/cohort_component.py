"""Cohort-component projection of every census unit by sex and single year of age (队列要素法), one array step a year.

State: P[r, s, x] persons of unit r, sex s, age x (0…100, 100 = 100+), at the census (1 Nov 2020) split into single
years (split.py), then at each year end. For t = 2021 … to_year:

    S(x, t) = exp(−θ_x · m_s(x, t))                 one-year survival; m: WPP 2024 single-year death rates of sex s
                                                    (forecasting/wpp.py, as of the vintage); θ_x = θ for x ≥ 60 (the
                                                    national cohort model's death-rate multiplier,
                                                    forecasting/cohort.py, or the province's own where its
                                                    published series allows: regional.province_thetas), 1 below 60
    M(x, t) = P(x, t−1) · S(x, t) · μ_r,s(x) · d(t)  net migrants (migration.py: Hamilton–Perry rate μ, damping d)
    P(x+1, t) = P(x, t−1) · S(x, t) + M(x, t)       x = 0 … 98; the open age adds its own survivors:
    P(100, t) = Σ_{x=99,100} [P(x, t−1) · S(x, t) + M(x, t)]
    P(0, t)   = B_r(t) · σ_s · exp(−½ m_s(0, t)) · (1 + μ_r,s(0) · d(t))   births (fertility.py) surviving to year end,
                                                    σ_s the share of sex s at birth

Census to year end 2020 (two months, φ = 2/12): the same step with survival exp(−θ m φ), migration μ φ, a fraction
φ of each age moving up one year, and φ of the year's births added at age 0.

Every unit is a row of one array (the nation, provinces, prefectures, counties, zones), so a year is one array
operation for all ~3,400 units; the units are projected independently and made consistent afterwards (rake.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forecasting.census.split import MAX_AGE, SEXES

CENSUS_YEAR = 2020
PHI = 2 / 12  # 1 Nov → 31 Dec
WOMEN_AGES = slice(15, 50)
INDICATOR_AGES = {  # indicator → first age of the sum (to 100+)
    "population_resident": 0, "elderly_60plus": 60, "elderly_65plus": 65, "elderly_80plus": 80}
INFANT_AGES = slice(0, 3)  # infants_0_3: ages 0, 1, 2 at the year end (births of the last three years)


@dataclass
class Engine:
    """The inputs of one projection run, as arrays over units (rows), sexes and ages.

    start: (R, 2, 101) single-year persons at the census; mortality: (2, 101, T) m_s(x, t) for t = years[0]…;
    theta: (R,) or scalar multiplier for ages ≥ 60; mu: (R, 2, 101) yearly migration rates; damp: (T,) d(t);
    fert: (R,) f_r; births_nation: (T,) the nation's published births B_N(t), NaN after the last published year;
    nation: the row of the nation; srb_male: the male share at birth.

    g(t) = B_N(t) / W_N(t−1) (fertility.py) is taken from the nation's own row as the run goes, and held at its
    last value after the last published year."""

    start: np.ndarray
    mortality: np.ndarray
    years: np.ndarray
    theta: np.ndarray
    mu: np.ndarray
    damp: np.ndarray
    fert: np.ndarray
    births_nation: np.ndarray
    nation: int
    srb_male: float
    keep_ages: bool = False
    result: dict = field(default_factory=dict, repr=False)

    def survival(self, i: int, frac: float = 1.0) -> np.ndarray:
        """(R, 2, 101) survival over `frac` of year years[i] (computed once per distinct θ, then gathered; a single θ
        gives a (1, 2, 101) array that broadcasts over the units)."""
        theta = np.broadcast_to(np.asarray(self.theta, dtype=float), (len(self.start),))
        values, inverse = np.unique(theta, return_inverse=True)
        th = np.ones((len(values), 1, MAX_AGE + 1))
        th[:, :, 60:] = values.reshape(-1, 1, 1)
        table = np.exp(-th * self.mortality[None, :, :, i] * frac)
        return table if len(values) == 1 else table[inverse]

    def run(self) -> dict:
        """Project; returns {indicator: (R, T) year-end values} for INDICATOR_AGES, infants_0_3, women_15_49 and
        births (births in each year), and with keep_ages the full arrays pop (R, 2, 101, T), and for the annual
        steps surv / migr (R, 2, 101, T) (S(x, t), M(x, t) with t = years[i], i ≥ 1)."""
        years = self.years
        n_t = len(years)
        p = np.asarray(self.start, dtype=float).copy()
        sex_share = np.array([self.srb_male, 1 - self.srb_male])[None, :]
        out = {k: np.empty((len(p), n_t)) for k in (*INDICATOR_AGES, "infants_0_3", "women_15_49", "births")}
        if self.keep_ages:
            out["pop"] = np.empty(p.shape + (n_t,))
            out["surv"] = np.full(p.shape + (n_t,), np.nan)
            out["migr"] = np.full(p.shape + (n_t,), np.nan)
        g = np.nan
        out["gfr"] = np.empty(n_t)
        for i in range(n_t):
            frac = PHI if i == 0 else 1.0
            women = p[:, 1, WOMEN_AGES].sum(axis=1)
            if np.isfinite(self.births_nation[i]):
                g = self.births_nation[i] / women[self.nation]
            if not np.isfinite(g):
                raise ValueError(f"no national births for {self.years[i]} or before: the fertility rate is unknown")
            out["gfr"][i] = g
            births = self.fert * g * women * frac
            s = self.survival(i, frac)
            q = p * s
            m = q * self.mu * (self.damp[i] * frac)
            moved = q + m
            new = np.empty_like(p)
            s0 = np.exp(-0.5 * self.mortality[None, :, 0, i] * frac)
            newborn = births[:, None] * sex_share * s0 * (1 + self.mu[:, :, 0] * self.damp[i] * frac)
            if i == 0:  # two months: a fraction φ of each age has its birthday
                new[:, :, 1:] = (1 - frac) * moved[:, :, 1:] + frac * moved[:, :, :-1]
                new[:, :, MAX_AGE] += frac * moved[:, :, MAX_AGE]
                new[:, :, 0] = (1 - frac) * moved[:, :, 0] + newborn
            else:
                new[:, :, 1:] = moved[:, :, :-1]
                new[:, :, MAX_AGE] += moved[:, :, MAX_AGE]
                new[:, :, 0] = newborn
            p = new
            for k, a in INDICATOR_AGES.items():
                out[k][:, i] = p[:, :, a:].sum(axis=(1, 2))
            out["infants_0_3"][:, i] = p[:, :, INFANT_AGES].sum(axis=(1, 2))
            out["women_15_49"][:, i] = p[:, 1, WOMEN_AGES].sum(axis=1)
            out["births"][:, i] = births
            if self.keep_ages:
                out["pop"][..., i] = p
                if i > 0:
                    out["surv"][..., i], out["migr"][..., i] = np.broadcast_to(s, p.shape), m
        self.result = out
        return out


def mortality_surface(years, as_of: int | None) -> np.ndarray:
    """(2, 101, T): WPP 2024 m_s(x, t) of male and female for the calendar years (vintage `as_of`)."""
    from forecasting.wpp import load_wpp

    years = np.asarray(years)
    return np.stack([load_wpp(as_of, sex=s).rate(np.arange(MAX_AGE + 1)[:, None], years[None, :]) for s in SEXES])
