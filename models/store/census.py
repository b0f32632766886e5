"""Queries on the censuses and the region registry (tables census_persons and region_registry, built from
data/reference/census/ by models/store/database.py; what they hold: models/regions/census.py and registry.py).

- census_persons(db, year=, codes=): the long table (region, census year, sex, age group, persons).
- registry(db): every region of the 2020 census with its level, parents, 2010 match and notes.
- census_figures(db, year=, codes=): one row per region with the totals people read (population, 60+, 65+, 80+,
  age 0, ages 1–4), summed from the age groups by SQL.
- choosable_regions(db): the registry plus the regions planners imported (user_regions), for region choosers.
"""
from __future__ import annotations

import pandas as pd

from models.regions.registry import REGISTRY_COLUMNS
from models.store.database import Database, default

PERSONS_COLUMNS = ["region_code", "region_name", "census_year", "sex", "age_group", "age_lo", "age_hi", "persons"]
FIGURE_COLUMNS = ["region_code", "population", "elderly_60plus", "elderly_65plus", "elderly_80plus", "age_0",
                  "age_1_4"]


def _db(db: Database | None) -> Database:
    return db or default()


def _codes_filter(codes, params: list) -> str:
    if codes is None:
        return ""
    codes = [codes] if isinstance(codes, str) else [str(c) for c in codes]
    params.append(codes)
    return " AND list_contains(?, region_code)"


def census_persons(db: Database | None = None, *, year: int | None = None, codes=None) -> pd.DataFrame:
    """Persons by region, census year, sex and age group (PERSONS_COLUMNS), in census file order within a year.

    year: 2020 or 2010 (default both); codes: one code or an iterable of codes (default all). persons is Int64
    (<NA> where the census prints nothing), age_hi is <NA> for the open group 85+."""
    params: list = []
    sql = "SELECT * FROM census_persons WHERE TRUE"
    if year is not None:
        sql += " AND census_year = ?"
        params.append(int(year))
    sql += _codes_filter(codes, params)
    df = _db(db).query(sql, params)
    df["persons"] = df["persons"].astype("Int64")
    df["age_hi"] = df["age_hi"].astype("Int64")
    df["age_lo"] = df["age_lo"].astype(int)
    df["census_year"] = df["census_year"].astype(int)
    return df[PERSONS_COLUMNS]


def registry(db: Database | None = None) -> pd.DataFrame:
    """The region registry (models.regions.registry.REGISTRY_COLUMNS), census file order: nation, then each
    province followed by its prefectures and counties."""
    df = _db(db).query("SELECT * FROM region_registry")
    for c in ("county_tier", "prefecture_tier"):
        df[c] = df[c].astype(bool)
    return df[REGISTRY_COLUMNS]


def census_figures(db: Database | None = None, *, year: int = 2020, codes=None) -> pd.DataFrame:
    """One row per region of one census (FIGURE_COLUMNS, Int64 persons): population = the sum of every age group;
    elderly_60plus / 65plus / 80plus = the groups from 60-64 / 65-69 / 80-84 up; age_0 and age_1_4 = those groups.
    A region whose groups print nothing gets <NA>."""
    params: list = [int(year)]
    sql = ("SELECT region_code, sum(persons) AS population, "
           "sum(persons) FILTER (WHERE age_lo >= 60) AS elderly_60plus, "
           "sum(persons) FILTER (WHERE age_lo >= 65) AS elderly_65plus, "
           "sum(persons) FILTER (WHERE age_lo >= 80) AS elderly_80plus, "
           "sum(persons) FILTER (WHERE age_lo = 0) AS age_0, "
           "sum(persons) FILTER (WHERE age_lo = 1) AS age_1_4 "
           "FROM census_persons WHERE census_year = ?")
    sql += _codes_filter(codes, params) + " GROUP BY region_code"
    df = _db(db).query(sql, params)
    for c in FIGURE_COLUMNS[1:]:
        df[c] = df[c].astype("Int64")
    return df[FIGURE_COLUMNS]


def choosable_regions(db: Database | None = None) -> pd.DataFrame:
    """Every region a person can choose: the registry (census units) and the regions planners imported that the
    registry does not know (level and parent as imported, origin 'user'). Columns: region_code, region_name,
    name_en, level, parent_code, province_code, prefecture_code, county_tier, origin ('census'|'user')."""
    df = _db(db).query(
        "SELECT region_code, region_name, name_en, level, parent_code, province_code, prefecture_code, county_tier, "
        "'census' AS origin FROM region_registry "
        "UNION ALL SELECT u.code, u.name_zh, coalesce(u.name_en, ''), coalesce(u.level, 'county'), "
        "coalesce(u.parent_code, ''), coalesce(p.province_code, CASE WHEN u.level = 'province' THEN u.code "
        "ELSE '' END), coalesce(CASE WHEN p.level = 'city' THEN p.region_code ELSE p.prefecture_code END, ''), "
        "FALSE, 'user' FROM user_regions u LEFT JOIN region_registry p ON p.region_code = u.parent_code "
        "WHERE u.code NOT IN (SELECT region_code FROM region_registry)")
    df["county_tier"] = df["county_tier"].astype(bool)
    return df


def regions_with_registry(db: Database | None = None) -> pd.DataFrame:
    """The regions table as models.store.facts.regions gives it (code, name_zh, name_en, level, parent_code, role:
    base and user-added regions), followed by every census unit it lacks (role 'census'), so that a county of the
    census finds its prefecture and province (the overview's hierarchy and its totals by province)."""
    from models.store.facts import regions

    return with_registry(regions(db), registry(db))


def with_registry(regions: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    """`regions` (the regions table's columns) followed by the units of the registry frame `reg` it lacks, in the
    same columns (role 'census'; an empty parent is None)."""
    extra = reg[~reg["region_code"].isin(set(regions["code"]))]
    return pd.concat([regions, pd.DataFrame({
        "code": extra["region_code"], "name_zh": extra["region_name"], "name_en": extra["name_en"].fillna(""),
        "level": extra["level"], "parent_code": extra["parent_code"].replace("", None), "role": "census"})],
        ignore_index=True)
