"""Net migration by age from the 2010→2020 cohort change (Hamilton–Perry), for units matched across the censuses.

For a unit r, sex s and the cohort in 5-year group g = [a, a+4] in 2010 (aged g+10 in 2020):

    CCR_r(g) = P_r,2020(g + 10) / P_r,2010(g)                (the open group: P_2020(85+) / P_2010(75+))
    CCR_N(g)  the same ratio for the nation                   (survival + census-coverage change, no internal moves)
    μ_r(g) = (CCR_r(g) / CCR_N(g))^(1/10) − 1                 net migration per year, as a rate on the survivors

The nation's own cohort change stands for the "expected survival" of the Hamilton–Perry idea: it is WPP-like
survival plus the two censuses' coverage difference, so the internal net migration rates sum to about zero over
the country (international migration is negligible at this scale). A cohort aged g in 2010 lived through ages
a+0 … a+14 in 2010–2020; its rate is used for the single ages a+5 … a+9 (the middle of that decade), the open group's
(75+ → 85+) for ages 80 and older; ages 0–4, born after 2010 and without a 2010 cohort, take the rate of ages 5–9.

- Units: matched by the registry's `code_2010` (code, then name within the prefecture); an unmatched unit, or one
  whose 2010 cohort has fewer than MIN_COHORT persons, takes its prefecture's rate, else its province's (stated in
  the `migration_source` column).
- Noise and boundary changes: μ is clipped to ±CLIP per year (a larger rate is a boundary change, not migration).
- Damping over the horizon, estimated (not assumed) from the provinces' own population series up to the vintage:

      μ_r(g, t) = μ_r(g) · β^((t − 2015) / 5)

  The 2010→2020 rate describes the decade's middle, 2015; β is how much of a region's relative growth persists five
  years later, the pooled least-squares slope through the origin of y on x over the provinces p and consecutive
  non-overlapping five-year windows [a, a+5] → [a+5, a+10] (a = 2005, 2010, …; a+10 ≤ the vintage's last year):

      x_p = ln(P_p(a+5)/P_p(a))/5 − ln(N(a+5)/N(a))/5,  y_p the same for [a+5, a+10],  N = Σ_p P_p
      β = Σ x_p·y_p / Σ x_p²   (clipped to [0, 1])

  On the year-end resident series 2005–2020 (NBS, data/reference/province_population_2005_2024.csv) β = 0.485
  (62 province-windows): the 2010s rates run at β^1.2 = 42 % of their strength in 2021, 24 % in 2025, 11 % in 2030.
  Checked afterwards on data the estimate never saw: the provinces' relative growth 2020–2024 against 2010–2020 has
  slope 0.39, the mean of β^((t − 2015)/5) over 2021–2024 is 0.37. Without a province series (a run with no
  windows) β falls back to PRIOR_PERSISTENCE = ½ (half-life five years), said in the run's note.
Data: the 2010 and 2020 county census tables (data/reference/census/, via models.store.census.census_persons).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.census.split import AGE_GROUPS, MAX_AGE, SEXES, group_bounds

CLIP = 0.05
MIN_COHORT = 200
RATE_YEAR = 2015  # the middle of the 2010→2020 interval the rates describe
WINDOW = 5  # years of the persistence windows
FIRST_WINDOW = 2005  # the first year of the provinces' series
PRIOR_PERSISTENCE = 0.5  # only when no province series gives two windows


def _wide(groups: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """(len(codes), 2, 19) persons by sex and age group; NaN where a unit is absent."""
    out = np.full((len(codes), len(SEXES), len(AGE_GROUPS)), np.nan)
    ri = pd.Index(list(dict.fromkeys(codes))).get_indexer(groups["region_code"].astype(str))
    si = pd.Index(list(SEXES)).get_indexer(groups["sex"])
    gi = pd.Index(list(AGE_GROUPS)).get_indexer(groups["age_group"])
    ok = (ri >= 0) & (si >= 0) & (gi >= 0)
    out[ri[ok], si[ok], gi[ok]] = groups["persons"].to_numpy(dtype=float)[ok]
    return out


# group index pairs: 2010 group → 2020 group ten years older (5-9 → 15-19, …, 70-74 → 80-84), and the open one
_PAIRS = [(AGE_GROUPS.index(f"{a}-{a + 4}"), AGE_GROUPS.index(f"{a + 10}-{a + 14}")) for a in range(5, 75, 5)]
_G0, _G14 = AGE_GROUPS.index("0"), AGE_GROUPS.index("1-4")


def cohort_ratios(w2010: np.ndarray, w2020: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CCR (n, 2, K) and the 2010 cohort sizes (n, 2, K) for the K cohorts: 0–4 → 10–14, 5–9 → 15–19, …,
    70–74 → 80–84, 75+ → 85+ (K = 16)."""
    pairs = [((_G0, _G14), (AGE_GROUPS.index("10-14"),))] + [((a,), (b,)) for a, b in _PAIRS]
    old = [AGE_GROUPS.index(g) for g in ("75-79", "80-84", "85+")]
    pairs.append((tuple(old), (AGE_GROUPS.index("85+"),)))
    base = np.stack([w2010[..., list(a)].sum(-1) for a, _ in pairs], axis=-1)
    now = np.stack([w2020[..., list(b)].sum(-1) for _, b in pairs], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return now / base, base


# single ages each cohort's rate applies to: 0–4 → 10–14 covers ages 0–9; a → a+10 covers a+5 … a+9; 75+ → 80+
_AGE_COHORT = np.empty(MAX_AGE + 1, dtype=int)
_AGE_COHORT[:10] = 0
for _k, (_a, _) in enumerate(_PAIRS, start=1):
    _lo, _ = group_bounds(AGE_GROUPS[_a])
    _AGE_COHORT[_lo + 5:_lo + 10] = _k
_AGE_COHORT[80:] = len(_PAIRS) + 1


def migration_rates(census2020: pd.DataFrame, census2010: pd.DataFrame, units: pd.DataFrame) -> tuple[np.ndarray,
                                                                                                       pd.DataFrame]:
    """Yearly net migration rates μ (n, 2, 101) for the units (frame with region_code, code_2010 (may be empty),
    prefecture_code, province_code; in this order), before damping, and a frame region_code, migration_source
    ('own': every cohort its own; 'prefecture' / 'province': the first parent a cohort was taken from;
    'none': no rate, 0)."""
    codes = units["region_code"].astype(str).tolist()
    c2010 = units["code_2010"].fillna("").astype(str).tolist()
    w20 = _wide(census2020, codes)
    keys10 = sorted({c for c in c2010 if c})
    w10_all = _wide(census2010, keys10) if keys10 else np.zeros((0, 2, len(AGE_GROUPS)))
    pos10 = {c: i for i, c in enumerate(keys10)}
    w10 = np.full_like(w20, np.nan)
    has = np.array([c in pos10 for c in c2010])
    if has.any():
        w10[has] = w10_all[[pos10[c] for c, h in zip(c2010, has) if h]]
    nat20 = _wide(census2020, ["100000"])[0]
    nat10 = _wide(census2010, ["100000"])[0]
    ccr_n, _ = cohort_ratios(nat10[None], nat20[None])
    ccr, base = cohort_ratios(w10, w20)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.clip((ccr / ccr_n) ** 0.1 - 1, -CLIP, CLIP)
    ok = np.isfinite(mu) & (base >= MIN_COHORT)
    own = ok.all(axis=(1, 2))
    mu = np.where(ok, mu, np.nan)
    measured = mu.copy()  # the units' own rates, before any is filled from a parent
    source = np.where(own, "own", "none").astype(object)
    pos = {c: i for i, c in enumerate(codes)}
    for col, label in (("prefecture_code", "prefecture"), ("province_code", "province")):
        parents = units[col].fillna("").astype(str).tolist()
        for i in np.flatnonzero(~np.isfinite(mu).all(axis=(1, 2))):
            j = pos.get(parents[i])
            if j is None or j == i:
                continue
            gap = ~np.isfinite(mu[i]) & np.isfinite(measured[j])
            if gap.any():
                mu[i] = np.where(gap, measured[j], mu[i])
                source[i] = label if source[i] == "none" else source[i]
    mu = np.where(np.isfinite(mu), mu, 0.0)
    single = mu[..., _AGE_COHORT]
    return single, pd.DataFrame({"region_code": codes, "migration_source": source})


def persistence(series: pd.DataFrame) -> tuple[float, int, str]:
    """β, the number of province-windows behind it, and how it was made (see the module docstring), from the
    provinces' year-end resident population (columns region_code, year, value: the vintage's rows only)."""
    w = series.pivot_table(index="region_code", columns="year", values="value", aggfunc="first")
    edges = [y for y in range(FIRST_WINDOW, int(w.columns.max()) + 1 if len(w.columns) else FIRST_WINDOW, WINDOW)
             if y in w.columns]
    xs, ys, used = [], [], []
    for a, b, c in zip(edges, edges[1:], edges[2:]):
        if b - a != WINDOW or c - b != WINDOW:
            continue
        part = w[[a, b, c]].dropna()
        if len(part) < 3:
            continue
        used += [a, c]
        n = part.sum()
        rel = np.log(part.div(n, axis=1))
        xs.append((rel[b] - rel[a]).to_numpy() / WINDOW)
        ys.append((rel[c] - rel[b]).to_numpy() / WINDOW)
    if not xs:
        return PRIOR_PERSISTENCE, 0, (f"β = {PRIOR_PERSISTENCE} (prior: no two consecutive {WINDOW}-year windows of "
                                      "province series in the vintage)")
    x, y = np.concatenate(xs), np.concatenate(ys)
    beta = float(np.clip((x * y).sum() / (x * x).sum(), 0.0, 1.0))
    spans = f"{min(used)}–{max(used)}"
    return beta, len(x), (f"β = {beta:.3f}: pooled slope of the provinces' relative growth in a {WINDOW}-year window "
                          f"on the previous window, {len(x)} province-windows of the year-end series {spans}")


def damping(years, beta: float = PRIOR_PERSISTENCE) -> np.ndarray:
    """β^((t − 2015) / 5) for each calendar year t (the multiplier of the 2010→2020 rates)."""
    t = np.asarray(years, dtype=float)
    return float(beta) ** ((t - RATE_YEAR) / WINDOW)
