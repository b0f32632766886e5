"""The 2020 and 2010 censuses by county, sex and age group (data/reference/census/, README there).

Source: Lei Dong, Rui Du, Yu Liu (2022), *Mapping Evolving Population Geography in China* (github.com/leiii/census,
MIT), a transcription of the NBS county volumes 《中国人口普查分县资料》 2020 and 2010.

Files: the original workbooks `census_county_{year}_v1.xlsx` are kept as published; the database build reads the
compact derived copies `census_county_{year}_ages.csv.gz` (the same rows and the 40 columns used here, nothing
computed: `derive(year)` writes them from the workbook, tests/test_census.py checks they equal it). Reading a
workbook costs ~3 s of CPU; the derived copy ~0.03 s, and tests build many databases.

Units (`units(year)`): every row of the file that is a unit, in file order, with its parents resolved:
- the nation `100000` (2010: the file has no national row; the nation is the sum of the 31 provinces),
- provinces (`xx0000`), prefectures (`xxxx00`, including the municipalities' 市辖区 / 县 tiers in 2020),
- county-level units (every other code), including development zones with codes of their own (`xxxx7x`),
- development zones and other units printed without a code get a synthetic code: the 4-digit prefix of the
  prefecture they are listed under, then `9`, then their 1-based position among such rows of that prefecture in
  file order (2020: 山西转型综合改革示范区 → `140191`; 2010 uses positions from 5 on: 加格达奇 → `232795`, so a code
  never means two different units across the two years). No real GB/T 2260 code has a `9` in the fifth digit.
- Aggregate rows that are not units are dropped after a check that they equal the sum of the units below them:
  省直辖县级行政区划 / 自治区直辖县级行政区划 (2020), and in 2010 the code-less 市辖区 / 县 subtotals.

`read_census(year)` returns the long table of the contract (region_code, region_name, census_year, sex, age_group,
age_lo, age_hi, persons). Pure: reads files on call (cached per process), no database, no streamlit.
"""
from __future__ import annotations

import gzip
import io
from functools import cache

import numpy as np
import pandas as pd

from models.core.paths import CENSUS as CENSUS_DIR

YEARS = (2020, 2010)
CENSUS_DATE = {2020: "2020-11-01", 2010: "2010-11-01"}
NATION = "100000"
CENSUS_TOTAL = {2020: 1_409_778_724, 2010: 1_332_810_869}
AGE_GROUPS = ("0", "1-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54",
              "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+")
SEXES = ("male", "female")
AGE_COLUMNS = tuple(f"{s[0]}_{g}" for g in AGE_GROUPS for s in SEXES)  # m_0, f_0, m_1-4, f_1-4, …, f_85+
SOURCE = ("第七次全国人口普查（2020-11-01）分县资料，Lei Dong, Rui Du, Yu Liu (2022) Mapping Evolving Population "
          "Geography in China, github.com/leiii/census (MIT)")
SOURCE_2010 = SOURCE.replace("第七次全国人口普查（2020-11-01）", "第六次全国人口普查（2010-11-01）")
# The derived file's columns: file row, code as printed ('' if none), province / prefecture / name as printed.
RAW_COLUMNS = ("row", "code", "province", "city", "name", "total") + AGE_COLUMNS


def age_bounds(group: str) -> tuple[int, int | None]:
    """'5-9' → (5, 9); '0' → (0, 0); '85+' → (85, None)."""
    if group.endswith("+"):
        return int(group[:-1]), None
    lo, _, hi = group.partition("-")
    return int(lo), int(hi or lo)


def xlsx_path(year: int):
    return CENSUS_DIR / f"census_county_{year}_v1.xlsx"


def derived_path(year: int):
    return CENSUS_DIR / f"census_county_{year}_ages.csv.gz"


def _check_year(year: int) -> int:
    if int(year) not in YEARS:
        raise ValueError(f"普查年份只有 {YEARS} / census year must be one of {YEARS}: {year!r}")
    return int(year)


def read_xlsx(year: int) -> pd.DataFrame:
    """The workbook as published → the raw frame (RAW_COLUMNS): every row kept, code as text ('' when empty),
    numbers as nullable integers. ~3 s; the database build uses the derived copy instead."""
    year = _check_year(year)
    df = pd.read_excel(xlsx_path(year), dtype=str)
    if year == 2020:
        ages = {f"{s[0]}_{g}": f"{'男' if s == 'male' else '女'}_{_zh_2020(g)}" for g in AGE_GROUPS for s in SEXES}
        cols = {"code": "区划代码", "province": "省", "city": "市", "name": "区县", "total": "人口数_合计"}
    else:
        ages = {}
        for g in AGE_GROUPS:
            for s in SEXES:
                want = f"{_zh_2010(g)}（{'男' if s == 'male' else '女'}"
                ages[f"{s[0]}_{g}"] = next(c for c in df.columns if str(c).startswith(want))
        cols = {"code": "区划代码", "name": "地区", "total": "合计"}
    out = pd.DataFrame({"row": range(len(df))})
    for key in ("code", "province", "city", "name"):
        out[key] = df[cols[key]].fillna("").astype(str).str.strip().to_numpy() if key in cols else ""
    for key in ("total",) + AGE_COLUMNS:
        src = cols.get(key) or ages[key]
        out[key] = pd.to_numeric(df[src], errors="raise").round().astype("Int64").to_numpy()
    return out[list(RAW_COLUMNS)]


def _zh_2020(group: str) -> str:
    if group.endswith("+"):
        return f"{group[:-1]}岁以上"
    lo, _, hi = group.partition("-")
    return f"{lo}到{hi}岁" if hi else f"{lo}岁"


def _zh_2010(group: str) -> str:
    return f"{group[:-1]}岁及以上" if group.endswith("+") else f"{group}岁"


def derive(year: int) -> None:
    """Write the compact copy of the workbook (gzip with a fixed timestamp, so the same workbook gives the same
    bytes and the database is not rebuilt for nothing)."""
    raw = read_xlsx(year)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.write(raw.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    derived_path(year).write_bytes(buf.getvalue())


@cache
def _raw(year: int) -> pd.DataFrame:
    df = pd.read_csv(derived_path(year), dtype={c: str for c in ("code", "province", "city", "name")},
                     keep_default_na=False, na_values={c: [""] for c in ("total",) + AGE_COLUMNS})
    for c in ("total",) + AGE_COLUMNS:
        df[c] = df[c].astype("Int64")
    return df


def raw(year: int) -> pd.DataFrame:
    """The derived copy of the workbook (RAW_COLUMNS), every row as printed. A fresh copy on each call."""
    return _raw(_check_year(year)).copy()


_AGGREGATE_NAMES_2010 = ("市辖区", "县")
_MUNICIPALITY_TIERS = ("市辖区", "县")  # 2020: the municipalities' prefecture tier (110100 市辖区, 500200 县)
_MUNICIPALITY_NOTE = "直辖市的地级层（市辖区/县），不是一级行政单位 / a municipality's prefecture tier, not an administration"


def _is_aggregate(year: int, code: str, name: str) -> bool:
    if code:
        return False
    return "直辖县级行政区划" in name or (year == 2010 and name in _AGGREGATE_NAMES_2010)


class _Aggregate:
    """A subtotal row of the file being checked against the units listed under it."""

    def __init__(self, name: str, total: int, enclosing_total: int):
        self.name, self.total, self.enclosing_total, self.summed, self.n = name, total, enclosing_total, 0, 0

    def check(self, year: int) -> None:
        # a subtotal with no unit under it stands for its whole prefecture (2010: 东莞市 → 市辖区)
        want = self.summed if self.n else self.enclosing_total
        if want != self.total:
            raise ValueError(f"{year} 普查汇总行 {self.name} {self.total} ≠ 下属单位之和 {want} / subtotal mismatch")


@cache
def _units(year: int) -> pd.DataFrame:
    df = _raw(year)
    rows = []
    prov = pref = None  # (code, name, total) of the province / prefecture the file is listing
    aggregate: _Aggregate | None = None
    synthetic: dict[str, int] = {}
    first_position = 1 if year == 2020 else 5

    def close():
        nonlocal aggregate
        if aggregate is not None:
            aggregate.check(year)
        aggregate = None

    for i, r in enumerate(df[["code", "name", "province", "city", "total"]].itertuples(index=False)):
        code, name = r.code, r.name
        if not code and (not name or pd.isna(r.total)):
            continue  # blank separator rows, the 2010 footer, 2010 南沙群岛 (no figures printed)
        if year == 2020 and r.province == "全国":
            rows.append((NATION, "全国", "country", "", "", "", "", i))
            continue
        if _is_aggregate(year, code, name):
            close()
            aggregate = _Aggregate(name, int(r.total), (pref or prov)[2])
            if "直辖" in name:
                pref = None  # the counties that follow sit directly under the province
            continue
        if code.endswith("0000"):
            close()
            prov, pref = (code, name, int(r.total)), None
            rows.append((code, name, "province", NATION, code, "", "", i))
            continue
        if code.endswith("00"):
            close()
            note = ""
            if name in _MUNICIPALITY_TIERS:  # 北京市 → 市辖区: name it after its municipality
                name, note = prov[1] + name, _MUNICIPALITY_NOTE
            pref = (code, name, int(r.total))
            rows.append((code, name, "city", prov[0], prov[0], code, note, i))
            continue
        note = ""
        if code and not code.startswith(prov[0][:2]):
            note = (f"源文件代码 {code} 的省级前缀与所在省（{prov[1]}）不符；按所在行归属 / "
                    "the code's province prefix differs from the province it is listed under")
        synthetic_code = not code
        if synthetic_code:
            parent4 = (pref or prov)[0][:4]
            synthetic[parent4] = synthetic.get(parent4, first_position - 1) + 1
            code = f"{parent4}9{synthetic[parent4]}"
            note = "源文件无区划代码，合成代码 / no code in the census file: synthetic code"
        in_pref = pref is not None and (synthetic_code or code[:4] == pref[0][:4]
                                        or (year == 2020 and r.city == pref[1]))
        prefecture = pref[0] if in_pref else ""
        if aggregate is not None:
            aggregate.summed += int(r.total)
            aggregate.n += 1
        # a municipality's districts hang from the municipality itself (as in data/regions.csv); the 市辖区 / 县 tier
        # stays their prefecture_code
        parent = prov[0] if not prefecture or pref[1].endswith(_MUNICIPALITY_TIERS) else prefecture
        rows.append((code, name, "county", parent, prov[0], prefecture, note, i))
    close()
    out = pd.DataFrame([row[:7] for row in rows],
                       columns=["region_code", "region_name", "level", "parent_code", "province_code",
                                "prefecture_code", "note"])
    values = df.iloc[[row[7] for row in rows]][["row", "code", "total"] + list(AGE_COLUMNS)]
    out = pd.concat([out, values.rename(columns={"code": "source_code"}).reset_index(drop=True)], axis=1)
    if year == 2010:  # no national row in the 2010 file: the nation is the sum of its provinces
        nation = out.loc[out["level"] == "province", ["total"] + list(AGE_COLUMNS)].sum().to_dict()
        head = pd.DataFrame([{"region_code": NATION, "region_name": "全国", "level": "country", "parent_code": "",
                              "province_code": "", "prefecture_code": "", "row": -1, "source_code": "",
                              "note": "2010年文件无全国行：31个省级单位之和 / sum of the 31 provinces", **nation}])
        out = pd.concat([head, out], ignore_index=True)
    for c in ["total"] + list(AGE_COLUMNS):
        out[c] = out[c].astype("Int64")
    off = out[list(AGE_COLUMNS)].sum(axis=1) - out["total"]
    for i in off[off != 0].index:  # 2010: 建昌县 (+30,000) and 石鼓区 (+6), transcription errors in the source
        out.loc[i, "note"] = (out.loc[i, "note"] + "; " if out.loc[i, "note"] else "") + (
            f"年龄组之和与合计相差 {int(off[i]):+,} / the age groups differ from the total by {int(off[i]):+,}")
    if out["region_code"].duplicated().any():
        dup = out.loc[out["region_code"].duplicated(), "region_code"].tolist()
        raise ValueError(f"{year} 普查代码重复 / duplicate codes: {dup[:5]}")
    return out


def units(year: int) -> pd.DataFrame:
    """Every unit of one census (file order): region_code, region_name, level ('country'|'province'|'city'|'county'),
    parent_code, province_code, prefecture_code ('' when the unit sits directly under its province), note, row (in
    the workbook, 0-based after the header), source_code (as printed), total, and the 38 age columns (m_0 … f_85+)."""
    return _units(_check_year(year)).copy()


def county_tier(units_frame: pd.DataFrame) -> pd.Series:
    """Which units partition their province at the county tier: every county-level unit, and the prefecture-level
    cities with no county below them (东莞, 中山, 儋州, 嘉峪关 in 2020). Boolean Series aligned with the frame."""
    parents = set(units_frame.loc[units_frame["level"] == "county", "prefecture_code"])
    city = units_frame["level"] == "city"
    return (units_frame["level"] == "county") | (city & ~units_frame["region_code"].isin(parents))


@cache
def _long(year: int) -> pd.DataFrame:
    u = _units(year)
    cols = [f"{s[0]}_{g}" for s in SEXES for g in AGE_GROUPS]  # region-major, then sex, then age
    n, k = len(u), len(AGE_GROUPS)
    bounds = [age_bounds(g) for g in AGE_GROUPS]
    return pd.DataFrame({
        "region_code": np.repeat(u["region_code"].to_numpy(), 2 * k),
        "region_name": np.repeat(u["region_name"].to_numpy(), 2 * k),
        "census_year": np.full(n * 2 * k, year),
        "sex": np.tile(np.repeat(np.array(SEXES, dtype=object), k), n),
        "age_group": np.tile(np.array(AGE_GROUPS * 2, dtype=object), n),
        "age_lo": np.tile([b[0] for b in bounds] * 2, n),
        "age_hi": pd.array(np.tile([b[1] for b in bounds] * 2, n), dtype="Int64"),
        "persons": pd.array(u[cols].to_numpy(dtype="float64").ravel(), dtype="Int64"),
    })


def read_census(year: int) -> pd.DataFrame:
    """The long table of one census: region_code (str), region_name, census_year (int), sex ('male'|'female'),
    age_group (AGE_GROUPS), age_lo (int), age_hi (Int64, <NA> for 85+), persons (Int64; <NA> where the file
    prints nothing). Every unit of `units(year)`, in file order, male before female, groups in age order."""
    return _long(_check_year(year)).copy()
