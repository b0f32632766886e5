"""Every census unit projected at once (全部地区的队列要素推算): the data, the engine, anchoring, raking and bands.

`project_regions(data, ...)` runs: split.py (single ages of the 2020 census) → migration.py (2010→2020 rates) →
fertility.py (child–woman index) → cohort_component.py (the yearly array step for all units) → rake.py (anchor to
observed figures; provinces to the national paths; counties and prefectures to their province; then a prefecture
with counties := the sum of its counties) → bands.py. The
national paths (60+ and 65+ from the cohort model, the total from the nation's own series) and the observed
figures are passed in by the caller (forecasting/method_model.py), which reads them from the vintage's inputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.census.bands import CALIBRATION, SIGMA, band_arrays
from forecasting.census.cohort_component import CENSUS_YEAR, INDICATOR_AGES, Engine, mortality_surface
from forecasting.census.fertility import NATIONAL, child_woman_index
from forecasting.census.migration import PRIOR_PERSISTENCE, damping, migration_rates
from forecasting.census.rake import anchor_ratio, from_bands, rake, raking_table, to_bands
from forecasting.census.split import AGE_GROUPS, SEXES, integer_split

INDICATORS = ("population_resident", "elderly_60plus", "elderly_65plus", "elderly_80plus", "infants_0_3")
ANCHORED = ("population_resident", "elderly_60plus", "elderly_65plus")


@dataclass(frozen=True)
class CensusData:
    """The census tables a projection reads: the long tables of 2020 and 2010 (region_code, sex, age_group,
    persons) and the registry (region_code, region_name, level, parent_code, province_code, prefecture_code,
    code_2010)."""

    groups2020: pd.DataFrame
    groups2010: pd.DataFrame
    registry: pd.DataFrame

    @classmethod
    def load(cls, db=None, *, registry: pd.DataFrame | None = None) -> CensusData:
        """From the database tables census_persons and region_registry (models/store/census.py)."""
        from models.store import census

        persons = census.census_persons(db)
        persons = persons[persons["persons"].notna()]
        reg = census.registry(db) if registry is None else registry
        return cls(persons[persons["census_year"] == 2020], persons[persons["census_year"] == 2010], reg)


def _units(data: CensusData) -> pd.DataFrame:
    """The registry rows that have 2020 census persons, the nation first, then by code."""
    have = set(data.groups2020["region_code"].astype(str))
    reg = data.registry.copy()
    reg["region_code"] = reg["region_code"].astype(str)
    reg = reg[reg["region_code"].isin(have)].drop_duplicates("region_code")
    for c in ("parent_code", "province_code", "prefecture_code", "code_2010"):
        if c not in reg:
            reg[c] = ""
        reg[c] = reg[c].fillna("").astype(str)
    reg["first"] = reg["region_code"] != NATIONAL
    return reg.sort_values(["first", "region_code"]).drop(columns="first").reset_index(drop=True)


def _start(groups: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """(R, 2, 101) single ages of the 2020 census, rows in `codes` order."""
    out = np.zeros((len(codes), len(SEXES), 101))
    for si, sex in enumerate(SEXES):
        part = groups[groups["sex"] == sex]
        wide = part.pivot_table(index="region_code", columns="age_group", values="persons", aggfunc="sum")
        wide = wide.reindex(index=codes, columns=list(AGE_GROUPS)).fillna(0)
        out[:, si, :] = integer_split(wide.to_numpy(), CENSUS_YEAR, sex)
    return out


@dataclass
class RegionalProjection:
    """Year-end values 2020 … to_year of every unit: values[indicator] (R, T) after anchoring and raking, raw (before
    them), bands[indicator][lower_80 …] (R, T), horizon (R, T); units: the registry rows; raking: the factors."""

    units: pd.DataFrame
    years: np.ndarray
    values: dict
    raw: dict
    bands: dict
    horizon: np.ndarray
    raking: pd.DataFrame
    national_factors: pd.DataFrame
    migration: pd.DataFrame
    theta: float
    ages: dict | None = None
    pos: dict = field(default_factory=dict)
    own_theta: dict = field(default_factory=dict)  # province → its own θ (province_thetas), where fitted
    persistence: tuple = (float("nan"), 0, "")  # (β, province-windows, how): the migration damping (migration.py)
    sigma: tuple = ({}, "")  # (σ per group, how): the bands' scale (bands.sigma_for)

    def __post_init__(self):
        self.pos = {c: i for i, c in enumerate(self.units["region_code"])}

    def __contains__(self, code) -> bool:
        return code in self.pos

    def frame(self, code: str, indicator: str) -> pd.DataFrame:
        """year, value, lower_80, upper_80, lower_95, upper_95 of one unit and indicator."""
        i = self.pos[code]
        d = {"year": self.years, "value": self.values[indicator][i]}
        for k, v in self.bands[indicator].items():
            d[k] = v[i]
        return pd.DataFrame(d)

    def table(self) -> pd.DataFrame:
        """Long: region_code, indicator, year, value, lower_80, upper_80, lower_95, upper_95 (all units)."""
        codes = self.units["region_code"].to_numpy()
        n, t = len(codes), len(self.years)
        parts = []
        for k in INDICATORS:
            d = {"region_code": np.repeat(codes, t), "indicator": k, "year": np.tile(self.years, n),
                 "value": self.values[k].ravel()}
            for b, v in self.bands[k].items():
                d[b] = v.ravel()
            parts.append(pd.DataFrame(d))
        return pd.concat(parts, ignore_index=True)


def project_regions(data: CensusData, *, to_year: int, as_of: int | None, theta: float,
                    national: dict[str, np.ndarray], national_births: dict[int, float],
                    observed: dict[tuple[str, str], list[tuple[int, float]]] | None = None,
                    keep_ages: bool = False,
                    persistence: tuple[float, int, str] | None = None,
                    sigma: tuple[dict[str, float], str] | None = None) -> RegionalProjection:
    """Project every unit of `data` from the 2020 census to `to_year` (see the module docstring).

    national: indicator → (T,) path of the nation for years 2020 … to_year: elderly_60plus and elderly_65plus (the
    raking targets of the 60–64 and 65+ bands); population_resident only to override the default target of the
    total, which is the nation's own cohort-component projection anchored to its observed population; national_births: year → NBS births the vintage may read; observed:
    (code, indicator) → [(year, value)] figures of years ≥ 2020 to anchor on; persistence: (β, n, how) of the
    migration damping (migration.persistence on the vintage's province series), else the prior ½; sigma: (σ per
    group, how) of the bands (bands.sigma_for), else bands.SIGMA."""
    units = _units(data)
    codes = units["region_code"].tolist()
    if NATIONAL not in codes:
        raise ValueError("census: the nation (100000) has no census persons")
    years = np.arange(CENSUS_YEAR, to_year + 1)
    persistence = persistence or (PRIOR_PERSISTENCE, 0, f"β = {PRIOR_PERSISTENCE} (prior)")
    sigma = sigma or (dict(SIGMA), CALIBRATION)
    damp = damping(years, persistence[0])
    start = _start(data.groups2020, codes)
    mu, msource = migration_rates(data.groups2020, data.groups2010, units)
    children = start[:, :, :5].sum(axis=(1, 2))
    women = start[:, 1, 15:50].sum(axis=1)
    fert = child_woman_index(children, women, 0)
    srb = start[0, 0, 0] / start[0, :, 0].sum()
    b_nat = np.array([national_births.get(int(y), np.nan) for y in years], dtype=float)
    mort = mortality_surface(years, as_of)
    thetas = np.full(len(codes), float(theta))
    sub = np.flatnonzero((units["level"] == "province").to_numpy() | (units["region_code"] == NATIONAL).to_numpy())
    own_theta = province_thetas(units.iloc[sub].reset_index(drop=True), observed, theta, lambda th: Engine(
        start[sub], mort, years, th, mu[sub], damp, fert[sub], b_nat, 0, float(srb)).run()[
        "elderly_60plus"], years)  # the nation (row 0, first: its births set g) and the provinces only
    for code, th in own_theta.items():
        thetas[(units["region_code"] == code).to_numpy() | (units["province_code"] == code).to_numpy()] = th
    engine = Engine(start, mort, years, thetas, mu, damp, fert, b_nat, 0, float(srb), keep_ages=keep_ages)
    raw = engine.run()
    values = {k: raw[k].copy() for k in INDICATOR_AGES}
    values["infants_0_3"] = raw["infants_0_3"].copy()

    # 1. anchor
    pos = {c: i for i, c in enumerate(codes)}
    obs = {}
    for (code, ind), pts in (observed or {}).items():
        pts = [(int(y), float(v)) for y, v in pts if CENSUS_YEAR <= y <= years[-1]]
        if code in pos and ind in ANCHORED and pts:
            obs[(pos[code], ind)] = pts
    anchored = np.zeros(len(codes), dtype=bool)
    last_obs = np.full(len(codes), CENSUS_YEAR - 1)
    for (i, _), pts in obs.items():
        anchored[i] = True
        last_obs[i] = max(last_obs[i], max(y for y, _ in pts))
    b = _anchor(to_bands(values), obs, years)

    # 2. provinces to the nation; 3. counties and prefectures to their province; the anchored units are anchored
    # again after each raking (observed figures win), the others of their province absorb the difference
    level = units["level"].astype(str).to_numpy()
    prov = np.flatnonzero(level == "province")
    # the tier that partitions each province: county-level units, plus prefecture cities without counties (东莞,
    # 中山, 嘉峪关, 儋州 …: the registry's county_tier); the other prefectures are raked as their own tier
    tier = (units["county_tier"].fillna(False).astype(bool).to_numpy() if "county_tier" in units
            else level == "county") & (level != "province") & (level != "country")
    pref = (units["prefecture_tier"].fillna(False).astype(bool).to_numpy() if "prefecture_tier" in units
            else level == "city") & (level != "province") & (level != "country")
    # the prefecture tier (the registry's prefecture_tier) also holds county-level units directly under a province
    # (济源, 仙桃 …): they are raked with the county tier, and the prefectures share the rest of the province
    shared = tier & pref
    group = np.where(tier, "county", np.where(pref, "city", "")).astype(object)
    nat_b = to_bands({k: np.asarray(national[k], dtype=float)[None, :] for k in ("elderly_60plus", "elderly_65plus")}
                     | {"population_resident": (b["young"][0] + b["mid"][0] + b["old"][0])[None, :]}
                     if "population_resident" not in national else {k: np.asarray(national[k], dtype=float)[None, :]
                                                                      for k in ANCHORED})
    grp = np.full(len(codes), -1)
    grp[prov] = 0
    nat_factor = {}
    for k in b:
        b[k], nat_factor[k] = rake(b[k], grp, nat_b[k])
    for k in b:  # the nation itself is its path
        b[k][0] = nat_b[k][0]
    b = _anchor(b, {(i, k): p for (i, k), p in obs.items() if level[i] == "province"}, years)
    prov_codes = [codes[i] for i in prov]
    ppos = {c: j for j, c in enumerate(prov_codes)}
    pcode = units["province_code"].to_numpy()
    factors, own = {}, {}
    p_of = np.array([ppos.get(pc, -1) for pc in pcode])

    def tier_target(x: np.ndarray, lv: str) -> np.ndarray:
        """The province's value, less (for the prefecture tier) its county-level units that are in both tiers."""
        if lv == "county":
            return x[prov]
        held = np.zeros_like(x[prov])
        np.add.at(held, p_of[shared & (p_of >= 0)], x[shared & (p_of >= 0)])
        return x[prov] - held

    for lv in ("county", "city"):
        g = np.where(group == lv, p_of, -1)
        fac = {}
        for k in b:
            b[k], fac[k] = rake(b[k], g, tier_target(b[k], lv))
        raw_b = to_bands(values)
        # the county model against the province's own projection: the factor without the province's own scaling
        # (national raking, anchors): Σ counties should be province_raw, i.e. fac × province_raw / province_final
        own[lv] = {k: fac[k] * np.divide(raw_b[k][prov], b[k][prov], out=np.ones_like(fac[k]),
                                         where=b[k][prov] > 0) for k in b}
        factors[lv] = fac
        mine = {(i, k): p for (i, k), p in obs.items() if g[i] >= 0}
        if mine:
            b = _anchor(b, mine, years)
            fixed = np.zeros(len(codes), dtype=bool)
            fixed[[i for i, _ in mine]] = True
            for k in b:
                held = np.zeros_like(b[k][prov])
                np.add.at(held, g[fixed], b[k][fixed])
                free = np.where(fixed, -1, g)
                b[k], _ = rake(b[k], free, tier_target(b[k], lv) - held)
    v = from_bands(b)
    for (i, k), pts in obs.items():  # the observed figures exactly (the ratios leave rounding dust)
        for y, val in pts:
            v[k][i, y - years[0]] = val
    base = to_bands(values)
    scale_old = np.divide(b["old"], base["old"], out=np.ones_like(b["old"]), where=base["old"] > 0)
    scale_young = np.divide(b["young"], base["young"], out=np.ones_like(b["young"]), where=base["young"] > 0)
    v["elderly_80plus"] = values["elderly_80plus"] * scale_old  # the 80+ follow the 65+, the infants the young
    v["infants_0_3"] = values["infants_0_3"] * scale_young
    for k in ("elderly_80plus", "infants_0_3"):  # and add up like the bands: provinces to the nation, units below
        v[k][prov], _ = rake(v[k][prov], np.zeros(len(prov), dtype=int), v[k][:1])
        for lv in ("county", "city"):
            v[k], _ = rake(v[k], np.where(group == lv, p_of, -1), tier_target(v[k], lv))

    # 4. a prefecture with counties is the sum of its counties (the county tier is the finer model; both tiers were
    # raked to the province, but separately, so a prefecture's own projection differed from its counties' sum by
    # −9 % … +5 % in 2030); a prefecture with observed figures of its own keeps them (its own raked path)
    kids = group == "county"
    pref_code = units["prefecture_code"].astype(str).to_numpy()
    pos_code = {c: i for i, c in enumerate(codes)}
    parent = np.array([pos_code.get(pc, -1) if kids[i] and pc != codes[i] else -1 for i, pc in enumerate(pref_code)])
    summed = np.flatnonzero((group == "city") & ~anchored & np.isin(np.arange(len(codes)), parent))
    if len(summed):
        for k in v:
            total = np.zeros_like(v[k])
            np.add.at(total, parent[parent >= 0], v[k][parent >= 0])
            v[k][summed] = total[summed]

    # bands: horizon from the last observed year (≥ 2020) or from the census (2020 year end: two months)
    h = np.tile((years - CENSUS_YEAR).astype(float), (len(codes), 1))
    h[:, 0] = 2 / 12
    h = np.where(anchored[:, None], years[None, :] - last_obs[:, None].astype(float), h)
    bands = {k: band_arrays(v[k], h, k, sigma[0]) for k in INDICATORS}
    rk = pd.concat([raking_table(prov_codes, years, factors[lv]).assign(
        level=lv, factor_vs_own=raking_table(prov_codes, years, own[lv])["factor"]) for lv in ("county", "city")],
        ignore_index=True)
    nf = raking_table([NATIONAL], years, nat_factor).rename(columns={"province_code": "target"})
    ages = raw if keep_ages else None
    out = RegionalProjection(units, years, v, values, bands, h, rk, nf, msource, float(theta), ages)
    out.own_theta = own_theta
    out.persistence, out.sigma = persistence, sigma
    return out


MIN_THETA_POINTS = 3  # a province's own θ needs three observed 60+ figures after the census year (two changes)
THETA_RANGE = (0.5, 1.5)


def province_thetas(units: pd.DataFrame, observed, theta: float, run, years: np.ndarray) -> dict[str, float]:
    """A province's own death-rate multiplier θ_p where its published 60+ series allows (MIN_THETA_POINTS figures
    of years after the census year): least squares on the CHANGES between consecutive observations (not the levels,
    which carry the census-to-survey basis shift),

        θ_p = θ + Σ_k s_k·(ΔO_k − ΔV_k(θ)) / Σ_k s_k²,   s_k = (ΔV_k(θ₁) − ΔV_k(θ)) / (θ₁ − θ),  θ₁ = 1.25·θ

    with V(θ) the province's own projected 60+ (one extra array run at θ₁; V is close to linear in θ over a few
    years), clipped to THETA_RANGE. Its prefectures and counties take it too. Returns {province code: θ_p}."""
    level = units["level"].astype(str).to_numpy()
    codes = units["region_code"].tolist()
    cand = {}
    for (code, ind), pts in (observed or {}).items():
        if ind != "elderly_60plus" or code not in codes or level[codes.index(code)] != "province":
            continue
        pts = sorted((int(y), float(v)) for y, v in pts if CENSUS_YEAR < y <= years[-1])
        if len(pts) >= MIN_THETA_POINTS:
            cand[code] = pts
    if not cand:
        return {}
    theta1 = 1.25 * theta
    v0 = run(np.full(len(codes), float(theta)))
    v1 = run(np.full(len(codes), theta1))
    out = {}
    for code, pts in cand.items():
        i = codes.index(code)
        idx = np.array([y - years[0] for y, _ in pts])
        d_obs = np.diff([v for _, v in pts])
        d0, d1 = np.diff(v0[i, idx]), np.diff(v1[i, idx])
        slope = (d1 - d0) / (theta1 - theta)
        if not np.any(slope):
            continue
        out[code] = float(np.clip(theta + (slope * (d_obs - d0)).sum() / (slope ** 2).sum(), *THETA_RANGE))
    return out


def _anchor(b: dict, obs: dict, years: np.ndarray) -> dict:
    """The bands with the units of `obs` ((row, indicator) → [(year, value)]) anchored (rake.py step 1); others
    unchanged."""
    if not obs:
        return b
    v = from_bands(b)
    rows = sorted({i for i, _ in obs})
    ratio = {}
    for k in ANCHORED:
        r = np.ones((len(rows), len(years)))
        for j, i in enumerate(rows):
            if (i, k) in obs:
                r[j] = anchor_ratio(years, v[k][i], obs[(i, k)], CENSUS_YEAR)
        ratio[k] = r
    has = {k: np.array([(i, k) in obs for i in rows])[:, None] for k in ANCHORED}
    a_pop = ratio["population_resident"]
    a60 = np.where(has["elderly_60plus"], ratio["elderly_60plus"], a_pop)
    a65 = np.where(has["elderly_65plus"], ratio["elderly_65plus"], a60)
    out = {k: x.copy() for k, x in b.items()}
    out["old"][rows] = v["elderly_65plus"][rows] * a65
    out["mid"][rows] = v["elderly_60plus"][rows] * a60 - out["old"][rows]
    out["young"][rows] = v["population_resident"][rows] * a_pop - v["elderly_60plus"][rows] * a60
    return out
