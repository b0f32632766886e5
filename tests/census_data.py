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


def _column(zh: str, group: str) -> str:
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
    code = raw["区划代码"].map(lambda c: str(int(c)) if pd.notna(c) else "")
    code = code.where(raw["区县"] != "全国", "100000")
    keep = code != ""  # zones without a code: left out here (the census helper gives them synthetic codes)
    raw, code = raw[keep], code[keep]
    frames = []
    for sex, zh in (("male", "男"), ("female", "女")):
        for g in GROUPS:
            frames.append(pd.DataFrame({"region_code": code.to_numpy(), "region_name": raw["区县"].to_numpy(),
                                        "census_year": year, "sex": sex, "age_group": g,
                                        "persons": raw[_column(zh, g)].fillna(0).astype("int64").to_numpy()}))
    return pd.concat(frames, ignore_index=True)


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
