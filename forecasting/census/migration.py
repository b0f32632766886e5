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
- Damping over the horizon: μ_r(g, t) = μ_r(g) · ½^((t − 2020) / HALF_LIFE), HALF_LIFE = 10 years (the 2010s'
  moves fade: half by 2030, a third by 2035).
Data: the 2010 and 2020 county census tables (data/reference/census/, via models.store.census.census_persons).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.census.split import AGE_GROUPS, MAX_AGE, SEXES, group_bounds

CLIP = 0.05
HALF_LIFE = 10.0
MIN_COHORT = 200
BASE_YEAR = 2020


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


def damping(years) -> np.ndarray:
    """½^((t − 2020) / HALF_LIFE) for each calendar year t (the multiplier of the base rates)."""
    t = np.asarray(years, dtype=float)
    return 0.5 ** ((t - BASE_YEAR) / HALF_LIFE)
