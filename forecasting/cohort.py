"""Cohort-driven projection of the elderly (老年人口队列推算): 60+ and 65+ from the cohorts that turn 60 (65).

Accounting identity, year by year (persons at year end):

    P(t) = P(t−1) − D(t) + E(t)
    E(t) = B(t−A) × S_A(t−A)                      entrants: the cohort born in t−A, alive at its A-th birthday
    D(t) = θ × δ(t) × P(t−1)                      deaths among the A+ during year t

- A = 60 (or 65). B: WPP 2024 births of China by calendar year; S_A: survival from birth to A from the WPP
  single-year death rates (forecasting/wpp.py).
- δ(t) is the death rate of the A+ that WPP's mortality implies: Σ_{a=A}^{100} w(a,t)·q(a,t) / Σ w(a,t), with
  q(a,t) = 1 − exp(−m(a,t)) and the age weights w(a,t) = B(t−a)·S_a(t−a) that the cohorts carry (cohorts born
  before 1950, which WPP does not give, take the 1950–1954 mean of births: an assumption, stated).
- θ, the one parameter, scales that death rate to the observed A+ series: statsmodels WLS on every pair of
  consecutive observations (t1 < t2):  P(t2) − P(t1) − Σ_{s=t1+1}^{t2} E(s) = −θ·Σ_s δ(s)·P̂(s−1) + γ·c + ε,
  P̂ linearly interpolated between the two observations, Var(ε) ∝ t2 − t1 (weights 1/(t2 − t1)), and c = 1 for a
  pair that ends at a census after sample-survey years (the 2020 census revised the 60+ up: a level shift, not a
  death rate). θ near 1 means WPP's mortality is borne out; its estimate and standard error are reported.
- The projection starts from the last observed value. Intervals (80 %, 95 %) come from 4,000 simulated paths
  (fixed seed): θ drawn from N(θ̂, se²) (parameter uncertainty), a yearly shock N(0, σ²) with σ² the WLS residual
  variance per year (residual uncertainty, accumulating), and entrants scaled by (1 + z·u(t)), z ~ N(0, 1) per
  path, u(t) = |S_A(t−A) with death rates of five years later − S_A(t−A)| / S_A(t−A) (survival uncertainty: the
  mortality schedule off by one WPP period). All three make the band widen with the horizon.
Not modelled: migration of the elderly (small at national level), the census revision of years not yet observed.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.wpp import MAX_AGE, Wpp

ENTRY_AGES = {"elderly_60plus": 60, "elderly_65plus": 65}
DRAWS = 4000
SEED = 20240711
MIN_OBSERVATIONS = 3  # two pairs at least: one parameter and a residual variance


class InsufficientObservations(ValueError):
    """Too few observed points to estimate the death-rate multiplier."""


def components(wpp: Wpp, indicator: str, years) -> pd.DataFrame:
    """Per year t: cohort (t−A), births B(t−A) (persons), survival S_A, entrants E(t), death_rate δ(t) (per
    person-year, implied by WPP), survival_sd u(t) (relative). Index: year."""
    age = ENTRY_AGES[indicator]
    years = np.asarray(list(years), dtype=int)
    pre1950 = float(wpp.births.loc[1950:1954].mean())
    cohort = years - age
    births = wpp.births_of(cohort)
    surv = wpp.survival_to(age, cohort)
    shifted = _shifted(wpp, 5)
    u = np.abs(shifted.survival_to(age, cohort) - surv) / surv
    ages = np.arange(age, MAX_AGE + 1)
    first = int(years.min()) - MAX_AGE
    cohorts = np.arange(first, int(years.max()) - age + 1)
    hazard = np.zeros((len(cohorts), MAX_AGE + 1))  # hazard[c, a] = Σ_{x<a} m(x, c + x)
    for x in range(MAX_AGE):
        hazard[:, x + 1] = hazard[:, x] + wpp.rate(x, cohorts + x)
    b_all = wpp.births.reindex(cohorts).to_numpy(dtype=float)
    b_all = np.where(cohorts < 1950, pre1950, b_all)
    delta = np.empty(len(years))
    for i, t in enumerate(years):
        ci = t - ages - first
        w = b_all[ci] * np.exp(-hazard[ci, ages])
        q = 1 - np.exp(-wpp.rate(ages, t))
        ok = np.isfinite(w)
        delta[i] = float((w[ok] * q[ok]).sum() / w[ok].sum())
    return pd.DataFrame({"cohort": cohort, "births": births, "survival": surv, "entrants": births * surv,
                         "death_rate": delta, "survival_sd": u}, index=pd.Index(years, name="year"))


def _shifted(wpp: Wpp, years: int) -> Wpp:
    """The same WPP with the mortality surface moved `years` later (rates of t+years used in t)."""
    m = np.vstack([wpp.m[years:], np.repeat(wpp.m[-1:], years, axis=0)])
    return Wpp(wpp.births, wpp.births_variant, m, wpp.period_start)


@dataclass(frozen=True)
class CohortFit:
    """The fitted accounting model of one indicator: θ (death-rate multiplier) with its standard error, the
    residual σ (persons per year), the census shift γ (persons; 0 when no pair spans a census), and the data."""

    indicator: str
    entry_age: int
    theta: float
    theta_se: float
    sigma: float
    census_shift: float
    observations: tuple  # ((year, value, is_census), ...)
    components: pd.DataFrame = field(repr=False, compare=False)

    @property
    def start(self) -> tuple[int, float]:
        y, v, _ = self.observations[-1]
        return y, v

    def describe(self, lang: str = "en") -> str:
        years = [o[0] for o in self.observations]
        if lang == "zh":
            return (f"队列推算：{self.entry_age}岁及以上(t) = 上年 − θ×δ(t)×上年 + 进入人数(t)；θ = {self.theta:.3f}"
                    f"（标准误 {self.theta_se:.3f}），残差σ = {self.sigma / 1e4:,.1f}万人/年；拟合 {len(years)} 个观测点 "
                    f"{years[0]}–{years[-1]}；出生与死亡率：联合国《世界人口展望2024》")
        return (f"cohort accounting: {self.entry_age}+(t) = previous − θ·δ(t)·previous + entrants(t); θ = {self.theta:.3f} "
                f"(se {self.theta_se:.3f}), residual σ = {self.sigma:,.0f} persons/yr; fitted on {len(years)} observed "
                f"points {years[0]}–{years[-1]}; births and death rates: WPP 2024")


def fit_cohort(observations, comp: pd.DataFrame, *, indicator: str = "elderly_60plus") -> CohortFit:
    """Estimate θ by statsmodels WLS on consecutive observed pairs (see module docstring).

    observations: iterable of (year, persons) or (year, persons, is_census), sorted or not; at least
    MIN_OBSERVATIONS distinct years. comp: `components(...)` covering the observed years.
    """
    from statsmodels.regression.linear_model import WLS

    obs = {}
    for o in observations:
        y, v = int(o[0]), float(o[1])
        census = bool(o[2]) if len(o) > 2 else False
        obs[y] = (y, v, census or obs.get(y, (0, 0, False))[2])
    obs = tuple(obs[y] for y in sorted(obs))
    if len(obs) < MIN_OBSERVATIONS:
        raise InsufficientObservations(f"{indicator}: {len(obs)} observed points < {MIN_OBSERVATIONS}")
    rows = []
    for (t1, p1, c1), (t2, p2, c2) in zip(obs, obs[1:]):
        s = np.arange(t1 + 1, t2 + 1)
        p_hat = p1 + (p2 - p1) * (s - 1 - t1) / (t2 - t1)  # P̂(s−1)
        e = comp.loc[s, "entrants"].to_numpy()
        d = comp.loc[s, "death_rate"].to_numpy()
        rows.append((p2 - p1 - e.sum(), -(d * p_hat).sum(), float(c2 and not c1), t2 - t1))
    y, x, c, span = (np.array(v, dtype=float) for v in zip(*rows))
    has_census = c.sum() > 0 and len(rows) > 2
    exog = np.column_stack([x, c]) if has_census else x[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = WLS(y, exog, weights=1 / span).fit()
    theta = float(res.params[0])
    dof = max(int(res.df_resid), 0)
    sigma = math.sqrt(float(res.scale)) if dof > 0 else float("nan")
    se = float(res.bse[0]) if dof > 0 else float("nan")
    return CohortFit(indicator, ENTRY_AGES[indicator], theta, se, sigma,
                     float(res.params[1]) if has_census else 0.0, obs, comp)


def project_cohort(fit: CohortFit, comp: pd.DataFrame, to_year: int, *, draws: int = DRAWS,
                   seed: int = SEED) -> pd.DataFrame:
    """The path from the last observation to `to_year`. Rows: every year from the first observation; observed
    years carry the observation, years between observations are interpolated (history), forecast years carry
    value (θ̂, no shocks), entrants, deaths, death_rate and the simulated 80/95 % bands.

    Columns: year, value, lower_80, upper_80, lower_95, upper_95, entrants, deaths, death_rate, kind.
    """
    y0, p0 = fit.start
    years = np.arange(y0 + 1, to_year + 1)
    e = comp.loc[years, "entrants"].to_numpy()
    d = comp.loc[years, "death_rate"].to_numpy()
    u = comp.loc[years, "survival_sd"].to_numpy()
    value, deaths = np.empty(len(years)), np.empty(len(years))
    prev = p0
    for i in range(len(years)):
        deaths[i] = fit.theta * d[i] * prev
        value[i] = prev - deaths[i] + e[i]
        prev = value[i]
    rng = np.random.default_rng(seed)
    se = fit.theta_se if np.isfinite(fit.theta_se) else 0.0
    sigma = fit.sigma if np.isfinite(fit.sigma) else 0.0
    theta = fit.theta + se * rng.standard_normal(draws)
    z = rng.standard_normal(draws)
    sims = np.empty((draws, len(years)))
    prev = np.full(draws, p0)
    for i in range(len(years)):
        prev = prev * (1 - theta * d[i]) + e[i] * (1 + z * u[i]) + sigma * rng.standard_normal(draws)
        sims[:, i] = prev
    q = np.quantile(sims, [0.1, 0.9, 0.025, 0.975], axis=0)
    fc = pd.DataFrame({"year": years, "value": value, "lower_80": q[0], "upper_80": q[1], "lower_95": q[2],
                       "upper_95": q[3], "entrants": e, "deaths": deaths, "death_rate": d, "kind": "forecast"})
    obs = fit.observations
    hist_years = np.arange(obs[0][0], y0 + 1)
    known = {o[0]: o[1] for o in obs}
    ys = np.array(sorted(known))
    hv = np.interp(hist_years, ys, [known[y] for y in ys])
    hist = pd.DataFrame({"year": hist_years, "value": hv, "lower_80": np.nan, "upper_80": np.nan,
                         "lower_95": np.nan, "upper_95": np.nan,
                         "entrants": comp.reindex(hist_years)["entrants"].to_numpy(),
                         "deaths": np.nan, "death_rate": comp.reindex(hist_years)["death_rate"].to_numpy(),
                         "kind": ["observed" if y in known else "interpolated" for y in hist_years]})
    return pd.concat([hist, fc], ignore_index=True)
