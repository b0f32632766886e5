"""The census long table for tests: the contract reader (models.store.census / models.regions.census) once the
census helper's branch is merged; until then the 2020/2010 xlsx read here in the contract's shape (test fixture
only: committed code reads the census through the contract functions)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DIRS = (ROOT / "data" / "reference" / "census", ROOT.parent / "shared" / "data" / "census",
        Path("/work/shared/data/census"))
GROUPS = ("0", "1-4") + tuple(f"{a}-{a + 4}" for a in range(5, 85, 5)) + ("85+",)


def _column(zh: str, group: str, year: int) -> str:
    if year == 2010:
        return f"{'85岁及以上' if group == '85+' else group + '岁'}（{zh}）"
    if group == "0":
        return f"{zh}_0岁"
    if group == "85+":
        return f"{zh}_85岁以上"
    lo, hi = group.split("-")
    return f"{zh}_{lo}到{hi}岁"


@lru_cache(maxsize=2)
def _from_xlsx(year: int) -> pd.DataFrame:
    path = next(d / f"census_county_{year}_v1.xlsx" for d in DIRS if (d / f"census_county_{year}_v1.xlsx").is_file())
    raw = pd.read_excel(path)
    raw.columns = [str(c).replace("(", "（").replace(")", "）") for c in raw.columns]  # 2010: '45-49岁（女)'
    name = "区县" if "区县" in raw else "地区"
    code = raw["区划代码"].map(lambda c: str(int(c)) if pd.notna(c) else "")
    code = code.where(raw[name] != "全国", "100000")
    keep = code != ""  # zones without a code: left out here (the census helper gives them synthetic codes)
    raw, code = raw[keep], code[keep]
    frames = []
    for sex, zh in (("male", "男"), ("female", "女")):
        for g in GROUPS:
            frames.append(pd.DataFrame({"region_code": code.to_numpy(), "region_name": raw[name].to_numpy(),
                                        "census_year": year, "sex": sex, "age_group": g,
                                        "persons": raw[_column(zh, g, year)].fillna(0).astype("int64").to_numpy()}))
    out = pd.concat(frames, ignore_index=True)
    if "100000" not in set(code):  # the 2010 file has no national row: the sum of the provinces
        prov = out[out["region_code"].str.endswith("0000")]
        nat = prov.groupby(["sex", "age_group"], as_index=False, sort=False)["persons"].sum()
        out = pd.concat([nat.assign(region_code="100000", region_name="全国", census_year=year), out],
                        ignore_index=True)
    return out


def census_groups(year: int, codes=None) -> pd.DataFrame:
    try:
        from models.store.census import census_persons
    except ImportError:
        table = _from_xlsx(year)
    else:
        table = census_persons(year=year)
    if codes is not None:
        table = table[table["region_code"].isin([str(c) for c in codes])]
    return table.reset_index(drop=True)


def registry_from_codes(codes, codes_2010=()) -> pd.DataFrame:
    """A registry in the contract's shape derived from GB/T 2260 code structure (test fixture until the census
    helper's registry is merged): level by the code's zeros, parents by its prefix, code_2010 = the same code where
    the 2010 census has it."""
    try:
        from models.store.census import registry
    except ImportError:
        pass
    else:
        return registry()
    in2010 = {str(c) for c in codes_2010}
    rows = []
    for c in dict.fromkeys(str(c) for c in codes):
        if c == "100000":
            level, parent, prov, pref = "country", "", "", ""
        elif c.endswith("0000"):
            level, parent, prov, pref = "province", "100000", c, ""
        elif c.endswith("00"):
            level, parent, prov, pref = "city", c[:2] + "0000", c[:2] + "0000", ""
        else:
            level, parent, prov, pref = "county", c[:4] + "00", c[:2] + "0000", c[:4] + "00"
        rows.append({"region_code": c, "region_name": c, "level": level, "parent_code": parent,
                     "province_code": prov, "prefecture_code": pref, "note": "",
                     "code_2010": c if c in in2010 else "", "match_2010": "code" if c in in2010 else "unmatched"})
    return pd.DataFrame(rows)
