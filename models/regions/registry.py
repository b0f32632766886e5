"""One registry of regions: every unit of the 2020 census, reconciled with GB/T 2260 and data/regions.csv, and
matched to the 2010 census.

`build()` returns one row per unit (the columns of REGISTRY_COLUMNS):
- region_code, region_name, name_en: the census code (synthetic for zones printed without one, see
  models/regions/census.py) and name; the 75 regions of data/regions.csv (the five plan regions, the reference and
  map regions) keep their code, Chinese and English names and role.
- level: 'country' | 'province' | 'city' | 'county'; parent_code (a municipality's districts hang from the
  municipality, as in data/regions.csv), province_code, prefecture_code ('' when none: counties directly under a
  province such as 济源市 or 仙桃市).
- county_tier: True for the units that together partition their province at the county tier (every county-level
  unit and development zone, plus the four prefecture-level cities with no county below them: 东莞, 中山, 儋州,
  嘉峪关). Their 2020 populations sum exactly to their province and to the census total.
- prefecture_tier: True for the units that partition their province at the prefecture tier: every
  prefecture-level row (including a municipality's 市辖区 / 县 tiers) and the county-level units directly under a
  province (济源, 仙桃 …). Sum exactly to their province too. Raking counties (or prefectures) to their province
  must use these two flags, not `level`: by level, 东莞 and 中山 (level city) would be missing from Guangdong's
  counties and 济源 (level county) from Henan's prefectures.
- code_2010, match_2010: how the unit was found in the 2010 census. 'code' (the same code; a renamed unit says so in
  `note`), 'name' (no code match, the same name among the 2010 units of the same prefecture, only one candidate and
  not already matched), 'name_stem' (the same, comparing names without their type word: 静海县 → 静海区, with the
  2010 name in `note`), 'ambiguous' (several candidates: left unmatched), 'unmatched'. Nothing is guessed; the
  report of what stays unmatched is data/reference/census/unmatched_2010_2020.csv (`unmatched_report()`).
- gbt2260: 'same' (code and name as in data/reference/gbt2260_regions.csv, the 2025 list), 'renamed' (the code
  exists there with another name, given in `note`), 'absent' (not in the 2025 list: development zones, units
  abolished or recoded after 2020).
- role: from data/regions.csv ('national', 'plan', 'reference', 'map'), '' for the other units.
- note: everything else a reader should know (synthetic code, development zone, source corrections).

Pure pandas; reads files through models.regions.census and models.intake.sources. No database, no streamlit.
"""
from __future__ import annotations

from functools import cache

import pandas as pd

from models.core.paths import REFERENCE
from models.intake import sources
from models.regions import census

REGISTRY_COLUMNS = ["region_code", "region_name", "name_en", "level", "parent_code", "province_code",
                    "prefecture_code", "county_tier", "prefecture_tier", "note", "code_2010", "match_2010", "gbt2260",
                    "role"]
MATCHES = ("code", "name", "name_stem", "ambiguous", "unmatched")
ZONE_WORDS = ("开发区", "园区", "产业园", "示范区", "管理区", "新区", "新城", "保税区", "管委会", "风景名胜区",
              "食品区", "工业园", "行委", "经济区", "高新区", "试验区", "合作区", "实验区")
ZONE_NOTE = "开发区等功能区，普查单列（非行政区划） / a development zone listed separately by the census"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def is_zone(name: str, code: str) -> bool:
    """A development zone or similar functional area (not an administrative division): its name says so, or the
    census gives it a `xxxx7x` statistical code."""
    return any(w in name for w in ZONE_WORDS) or code[4] == "7"


def _gbt() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "gbt2260_regions.csv", dtype=str, keep_default_na=False)


def name_stem(name: str) -> str:
    """The name without its final type word (静海县 → 静海, 静海区 → 静海): a county that became a district keeps it."""
    return name[:-1] if len(name) > 2 and name[-1] in "县区市旗" else name


def _match_2010(now: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    """code_2010, match_2010, match_note per 2020 unit (index aligned with `now`).

    1. code: the same code (synthetic codes never match); a different name is noted.
    2. name: county-tier units still unmatched, the same name among the still unmatched 2010 units with the same
       parent (prefecture, or province for units directly under it); exactly one candidate on each side.
    3. name_stem: the same for names without their type word (静海县 → 静海区), again one candidate on each side.
    Several candidates on either side → 'ambiguous'; otherwise 'unmatched'."""
    out = pd.DataFrame({"code_2010": "", "match_2010": "unmatched", "match_note": ""}, index=now.index)
    real = now["region_code"].str[4] != "9"
    old_name = now["region_code"].map(then.set_index("region_code")["region_name"])
    hit = real & old_name.notna()
    out.loc[hit, "code_2010"] = now.loc[hit, "region_code"]
    out.loc[hit, "match_2010"] = "code"
    renamed = hit & (old_name != now["region_name"])
    out.loc[renamed, "match_note"] = [f"2010年名称 {n} / named {n} in 2010" for n in old_name[renamed]]
    free = then[(then["level"] == "county") & ~then["region_code"].isin(set(out["code_2010"]))]
    for kind, key in (("name", lambda s: s), ("name_stem", lambda s: s.map(name_stem))):
        todo = now[(out["match_2010"] == "unmatched") & (now["level"] == "county")]
        left = pd.DataFrame({"i": todo.index, "parent": todo["parent_code"].to_numpy(),
                             "key": key(todo["region_name"]).to_numpy()})
        right = pd.DataFrame({"code": free["region_code"].to_numpy(), "parent": free["parent_code"].to_numpy(),
                              "key": key(free["region_name"]).to_numpy()})
        pairs = left.merge(right, on=["parent", "key"])
        n_left = pairs.groupby("code")["i"].transform("size")
        n_right = pairs.groupby("i")["code"].transform("size")
        one = pairs[(n_left == 1) & (n_right == 1)]
        out.loc[one["i"], "code_2010"] = one["code"].to_numpy()
        out.loc[one["i"], "match_2010"] = kind
        if kind == "name_stem":
            names = free.set_index("region_code")["region_name"]
            out.loc[one["i"], "match_note"] = [f"2010年为 {names[c]}（{c}） / {names[c]} ({c}) in 2010"
                                               for c in one["code"]]
        out.loc[pairs.loc[(n_left > 1) | (n_right > 1), "i"].unique(), "match_2010"] = "ambiguous"
        free = free[~free["region_code"].isin(set(one["code"]))]
    return out


@cache
def _build() -> pd.DataFrame:
    now = census.units(2020)
    then = census.units(2010)
    reg = now[["region_code", "region_name", "level", "parent_code", "province_code", "prefecture_code",
               "note"]].copy()
    reg["county_tier"] = census.county_tier(now).to_numpy()
    reg["prefecture_tier"] = ((reg["level"] == "city")
                              | ((reg["level"] == "county") & (reg["prefecture_code"] == ""))).to_numpy()
    reg = pd.concat([reg, _match_2010(now, then)], axis=1)
    for level in ("country", "province", "city"):  # higher levels: by code only, never by name
        mask = (reg["level"] == level) & (reg["match_2010"] != "code")
        reg.loc[mask, "match_2010"] = "unmatched"
    gbt = _gbt().set_index("code")["name"]
    known = reg["region_code"].map(gbt)
    reg["gbt2260"] = "absent"
    reg.loc[known.notna() & (known == reg["region_name"]), "gbt2260"] = "same"
    renamed = known.notna() & (known != reg["region_name"])
    reg.loc[renamed, "gbt2260"] = "renamed"
    zone = (reg["level"] == "county") & pd.Series([is_zone(n, c) for n, c in zip(reg["region_name"],
                                                                                reg["region_code"])], index=reg.index)
    gb_note = pd.Series([f"GB/T 2260（2025）名称 {n} / named {n} in GB/T 2260 (2025)" if n == n else "" for n in known],
                        index=reg.index).where(renamed & (reg["level"] != "city"), "")
    reg["note"] = [_join(*parts) for parts in zip(zone.map({True: ZONE_NOTE, False: ""}), reg["note"],
                                                   reg["match_note"], gb_note)]
    # data/regions.csv: its regions keep their code, names and role
    listed = sources.read_regions().set_index("code")
    reg["name_en"] = reg["region_code"].map(listed["name_en"]).fillna("")
    reg["role"] = reg["region_code"].map(listed["role"]).fillna("")
    zh = reg["region_code"].map(listed["name_zh"])
    differs = zh.notna() & (zh != reg["region_name"])
    for i in reg.index[differs]:
        reg.loc[i, "note"] = _join(reg.loc[i, "note"], f"普查名称 {reg.loc[i, 'region_name']} / census name")
        reg.loc[i, "region_name"] = zh[i]
    missing = sorted(set(listed.index) - set(reg["region_code"]))
    if missing:
        raise ValueError(f"data/regions.csv 中的地区不在2020年普查中 / not in the 2020 census: {missing}")
    return reg[REGISTRY_COLUMNS].reset_index(drop=True)


def build() -> pd.DataFrame:
    """The registry frame (REGISTRY_COLUMNS), one row per 2020 census unit in census file order."""
    return _build().copy()


def unmatched_report() -> pd.DataFrame:
    """What stays unmatched between the censuses, for data/reference/census/unmatched_2010_2020.csv: every 2020
    county-tier unit without a 2010 match and every 2010 county-tier unit no 2020 unit matched, with their
    populations. Columns: census_year, region_code, region_name, province_code, prefecture_code, population, match,
    note."""
    reg = _build()
    now = census.units(2020).set_index("region_code")
    then = census.units(2010)
    rows = []
    for r in reg[reg["county_tier"] & reg["match_2010"].isin(["ambiguous", "unmatched"])].itertuples():
        rows.append((2020, r.region_code, r.region_name, r.province_code, r.prefecture_code,
                     int(now.loc[r.region_code, "total"]), r.match_2010, r.note))
    used = set(reg["code_2010"])
    tier = census.county_tier(then)
    for r in then[tier & ~then["region_code"].isin(used)].itertuples():
        rows.append((2010, r.region_code, r.region_name, r.province_code, r.prefecture_code, int(r.total),
                     "unmatched", r.note))
    return pd.DataFrame(rows, columns=["census_year", "region_code", "region_name", "province_code",
                                       "prefecture_code", "population", "match", "note"])


def gbt2260_report() -> pd.DataFrame:
    """GB/T 2260 (2025) county-level and prefecture-level codes that the 2020 census does not list (created or
    recoded after the census, or outside its scope: Taiwan, Hong Kong, Macao). Columns: code, name, level,
    province, city."""
    gbt = _gbt()
    return gbt[~gbt["code"].isin(set(_build()["region_code"]))].reset_index(drop=True)
