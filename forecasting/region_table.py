"""Every region of the 2020 census with the figures people read (`python -m forecasting regions`, the map).

`region_table(db, province=, level=)` → the registry (models/store/census.registry) with, per region:
- population_2020: the 2020 census total (sum of its age groups); elderly_60plus_2020 / 65plus / 80plus: the age
  groups from 60-64 / 65-69 / 80-84 up; share_60plus_2020, share_80plus_2020: those over the population, percent.
- infants_0_3_2020: children aged 0, 1 and 2 (the project's 0–3, `forecasting/projection.py`) on 1 Nov 2020 =
  the census's age-0 group + ages 1 and 2 of its 1–4 group, split into single years by national cohort weights
  (`forecasting.census.split.split_single_years`: WPP 2024 births of each cohort × survival to the census date),
  never uniformly. An estimate: the census publishes age 0 and ages 1–4 only. Each region's own groups are split
  (rounded to whole persons by largest remainder), so the counties of a province add up to the province's own
  estimate within a few persons of rounding.
- source: the census and, for infants, how they are made.

Columns first: COLUMNS (the command's interface), then prefecture_code, name_en, county_tier, note, code_2010,
match_2010, gbt2260, role, share_60plus_2020, share_80plus_2020.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.census.split import split_single_years
from models.core.messages import MessageError, message
from models.regions.census import SOURCE
from models.store import census as stored
from models.store.database import Database

COLUMNS = ["region_code", "region_name", "level", "parent_code", "province_code", "population_2020",
           "elderly_60plus_2020", "elderly_65plus_2020", "elderly_80plus_2020", "infants_0_3_2020", "source"]
LEVELS = ("province", "city", "county")
INFANT_SOURCE = ("0–3岁（0、1、2岁）= 普查0岁组 + 1–4岁组按全国队列权重（WPP 2024 各年出生×存活至普查日）拆分出的1岁、2岁"
                 "（forecasting.census.split），为估计值 / infants 0–3 (ages 0, 1, 2) = the census's age-0 group + ages "
                 "1 and 2 split from its 1–4 group by national cohort weights (WPP 2024 births × survival), an estimate")
EXTRA = ["prefecture_code", "name_en", "county_tier", "prefecture_tier", "note", "code_2010", "match_2010", "gbt2260", "role",
         "share_60plus_2020", "share_80plus_2020"]


def infants_0_3(persons: pd.DataFrame, *, census_year: int = 2020) -> pd.Series:
    """Ages 0, 1, 2 per region from the census long table (columns region_code, sex, age_group, persons): the
    age-0 group plus the single ages 1 and 2 of the cohort-weighted split of the 1–4 group. Int64, by region_code."""
    young = persons[persons["age_group"].isin(["0", "1-4"])]
    young = young[young["persons"].notna()]
    single = split_single_years(young, census_year=census_year)
    return single[single["age"] <= 2].groupby("region_code")["persons"].sum().astype("Int64")


def check_level(level: str | None) -> str | None:
    if level is not None and level not in LEVELS:
        raise MessageError(message("regions_bad_level", level=level, levels=" | ".join(LEVELS)))
    return level


def check_province(province: str | None, registry: pd.DataFrame) -> str | None:
    if province is None:
        return None
    known = registry.loc[registry["level"] == "province", "region_code"]
    if str(province) not in set(known):
        raise MessageError(message("regions_bad_province", code=province))
    return str(province)


def region_table(db: Database | None = None, *, province: str | None = None,
                 level: str | None = None) -> pd.DataFrame:
    """The regions (census file order) with their 2020 figures: COLUMNS, then EXTRA (see the module docstring).

    province: a province code (its own row and every unit in it); level: 'province' | 'city' | 'county'
    ('county' = the county tier: every county-level unit and zone, and the prefecture-level cities without
    counties; 'city' = the prefecture tier: every prefecture-level row and the county-level units directly under
    a province, whose level stays 'county'; either tier sums exactly to its province). In the output `level` is the
    tier a row counts in at county level: the four prefecture-level cities without counties (东莞, 中山, 儋州,
    嘉峪关) read 'county' (their note says so), except with level='city', so that the rows of level 'county' are
    the county tier and add up to the census total. Unknown province or level →
    MessageError (regions_bad_province / regions_bad_level)."""
    check_level(level)
    reg = stored.registry(db)
    province = check_province(province, reg)
    if province is not None:
        reg = reg[reg["province_code"] == province]
    if level == "county":
        reg = reg[reg["county_tier"]]
    elif level == "city":
        reg = reg[reg["prefecture_tier"]]
    elif level is not None:
        reg = reg[reg["level"] == level]
    codes = reg["region_code"].tolist()
    figures = stored.census_figures(db, year=2020, codes=codes).set_index("region_code")
    persons = stored.census_persons(db, year=2020, codes=codes)
    infants = infants_0_3(persons)
    out = reg.reset_index(drop=True)
    for col, src in (("population_2020", "population"), ("elderly_60plus_2020", "elderly_60plus"),
                     ("elderly_65plus_2020", "elderly_65plus"), ("elderly_80plus_2020", "elderly_80plus")):
        out[col] = out["region_code"].map(figures[src]).astype("Int64")
    out["infants_0_3_2020"] = out["region_code"].map(infants).astype("Int64")
    pop = out["population_2020"].astype("Float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_60plus_2020"] = (100 * out["elderly_60plus_2020"].astype("Float64") / pop).round(2)
        out["share_80plus_2020"] = (100 * out["elderly_80plus_2020"].astype("Float64") / pop).round(2)
    out["source"] = SOURCE + "；" + INFANT_SOURCE
    if level != "city":  # a prefecture-level city without counties is itself a county-level unit
        both = out["county_tier"].astype(bool) & (out["level"] == "city")
        out.loc[both, "note"] = [f"{n}；{COUNTY_TIER_CITY}" if isinstance(n, str) and n else COUNTY_TIER_CITY
                                 for n in out.loc[both, "note"]]
        out.loc[both, "level"] = "county"
    return out[COLUMNS + EXTRA]


COUNTY_TIER_CITY = "地级市，不设县级单位：按县级单位计 / prefecture-level city without counties: counted as a county-level unit"


def census_growth(indicator: str, *, start: int = 2025, end: int = 2030, db: Database | None = None,
                  as_of: int | None = None) -> pd.DataFrame:
    """Growth of a census-projected indicator (forecasting/census: population_resident, elderly_60plus,
    elderly_65plus, elderly_80plus, infants_0_3) for every census unit, in percent: 100 × (v(end) / v(start) − 1),
    medium path after anchoring and raking (the 80+ are projected by the cohort-component model but are not a column
    of `project`'s table, so the map reads them here). Columns as models.report.charts_map.growth_table:
    region_code, growth_<indicator>, <indicator>_<start>, <indicator>_<end>. Empty without census tables."""
    from forecasting.method_model import census_projection
    from forecasting.projection import vintage_inputs

    cols = ["region_code", f"growth_{indicator}", f"{indicator}_{start}", f"{indicator}_{end}"]
    rp = census_projection(vintage_inputs(db, as_of), end)
    if rp is None or indicator not in rp.values or not {start, end} <= set(int(y) for y in rp.years):
        return pd.DataFrame(columns=cols)
    i0, i1 = start - int(rp.years[0]), end - int(rp.years[0])
    v = rp.values[indicator]
    ok = v[:, i0] > 0
    return pd.DataFrame({cols[0]: rp.units["region_code"].astype(str).to_numpy()[ok],
                         cols[1]: (100 * (v[ok, i1] / v[ok, i0] - 1)).round(2),
                         cols[2]: v[ok, i0], cols[3]: v[ok, i1]}).reset_index(drop=True)
