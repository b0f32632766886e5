"""Read the versioned source files under data/ into tidy pandas frames (the input of the database build).

Nothing here touches DuckDB. Every frame keeps its provenance columns (source, quote, note).
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd

from models.core.paths import CENSUS, DATA, DOCUMENTS, FACTS, REFERENCE

FACT_COLUMNS = ["fact_id", "region_code", "region_name", "indicator", "year", "value", "text_value", "unit",
                "basis", "kind", "comparator", "attribute", "department", "source", "quote", "note"]
KINDS = ("observed", "plan_projection", "target", "standard", "assumption")
ARTEFACT = "365bet网上娱乐_365BETAPP官网_365体育平台网址"  # scraping artefact in 004_…txt that stands for 天津市

# The region each plan document is about (the plan's own region).
DOCUMENT_REGIONS = {
    "000_6662623520ea0542.txt": ("120110", "东丽区“一老一小”整体解决方案"),
    "001_8d972140f92ba7bd.txt": ("120101", "和平区开展积极应对人口老龄化重点联系城市工作方案"),
    "002_51a7105132515ef9.txt": ("500103", "渝中区“一老一小”整体解决方案"),
    "003_08cc2d5c92fc9151.txt": ("130981", "泊头市“一老一小”整体解决方案"),
    "004_667006be4995fced.txt": ("120000", "天津市“一老一小”整体解决方案"),
}


def _csv(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", **kw)


def source_files() -> list[Path]:
    """Every file the database is built from, in a stable order (their hash decides when to rebuild)."""
    files = [DATA / "indicators.csv", DATA / "units.csv", DATA / "regions.csv", DATA / "standards.csv"]
    files += listing(FACTS, "*.csv") + listing(REFERENCE, "*.csv") + listing(DOCUMENTS, "*.txt")
    files += listing(CENSUS, "*.csv.gz")  # the censuses' compact copies (models/regions/census.py)
    return [f for f in files if f.exists()]


_LISTINGS: dict[tuple, tuple] = {}


def listing(folder: Path, pattern: str) -> list[Path]:
    """sorted(folder.glob(pattern)), listed again only when the folder's modification time changes (a file added,
    removed or renamed): every page rerun asks for the sources' stamp, and globbing the folders was most of it."""
    try:
        mtime = folder.stat().st_mtime_ns
    except FileNotFoundError:
        return []
    hit = _LISTINGS.get((folder, pattern))
    if hit is None or hit[0] != mtime:
        hit = (mtime, sorted(folder.glob(pattern)))
        # a folder changed in the last two seconds may change again within the same timestamp tick (as git's
        # "racy" index entries): list it again next time rather than trust its time
        if time.time_ns() - mtime > 2_000_000_000:
            _LISTINGS[(folder, pattern)] = hit
    return list(hit[1])


def source_stamp() -> tuple:
    """A cheap fingerprint (names, sizes, modification times) to decide whether to hash again."""
    out = []
    for f in source_files():
        try:
            st = f.stat()
        except FileNotFoundError:  # removed since it was listed: the next stamp differs anyway
            continue
        out.append((f.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def source_hash() -> str:
    h = hashlib.sha256()
    for f in source_files():
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def read_regions() -> pd.DataFrame:
    return _csv(DATA / "regions.csv")


def read_documents() -> pd.DataFrame:
    rows = []
    for path in sorted(DOCUMENTS.glob("*.txt")):
        region, title = DOCUMENT_REGIONS.get(path.name, ("", path.stem))
        rows.append({"source": path.name, "region_code": region, "title": title,
                     "text": path.read_text(encoding="utf-8")})
    return pd.DataFrame(rows, columns=["source", "region_code", "title", "text"])


def _number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", None), errors="raise").astype("Float64")


def read_facts() -> pd.DataFrame:
    """All curated plan figures (data/facts/<region>.csv), one row per figure, typed."""
    frames = [_csv(p) for p in sorted(FACTS.glob("*.csv"))
              if not p.name.startswith(("relations_", "new_indicators_", "projects"))]
    if not frames:
        return pd.DataFrame(columns=FACT_COLUMNS)
    df = pd.concat(frames, ignore_index=True)[FACT_COLUMNS]
    df["value"] = _number(df["value"])
    df["year"] = pd.to_numeric(df["year"]).astype("Int64")
    return df


def read_relations() -> pd.DataFrame:
    cols = ["relation_id", "region_code", "op", "result_fact", "input_facts", "param", "description"]
    frames = [_csv(p) for p in sorted(FACTS.glob("relations_*.csv"))]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def read_projects() -> pd.DataFrame:
    path = FACTS / "projects.csv"
    if not path.exists():
        return pd.DataFrame(columns=["project_id", "region_code", "name", "start_year", "end_year", "indicator",
                                     "capacity", "unit", "source", "quote"])
    df = _csv(path)
    for c in ("start_year", "end_year"):
        df[c] = pd.to_numeric(df[c].replace("", None)).astype("Int64")
    for c in ("capacity", "investment_10k_yuan", "central_investment_10k_yuan"):
        if c in df:
            df[c] = _number(df[c])
    return df


def read_standards() -> pd.DataFrame:
    path = DATA / "standards.csv"
    return _csv(path) if path.exists() else pd.DataFrame()


# Reference series (../shared/data, copied to data/reference): map their names to catalogue ids and codes.
_AREA_CODES = {"China": "100000", "China (national)": "100000", "Tianjin": "120000", "Chongqing": "500000",
               "Hebei": "130000", "Tianjin/Heping (和平区)": "120101", "Tianjin/Dongli (东丽区)": "120110",
               "Tianjin/Xiqing (西青区)": "120111", "Tianjin/Binhai (滨海新区)": "120116"}
_REF_INDICATORS = {
    "resident_population": ("population_resident", None), "registered_population": ("population_registered", "户籍"),
    "pop_60plus": ("elderly_60plus", None), "registered_pop_60plus": ("elderly_60plus", "户籍"),
    "pop_65plus": ("elderly_65plus", None), "share_60plus": ("aging_rate", None),
    "share_65plus": ("aging_rate_65", None), "births": ("births", None), "birth_rate": ("birth_rate", None),
    "pop_0_14": ("population_0_14", None), "share_0_14": ("share_0_14", None),
    "pop_15_59": ("population_15_59", None), "share_15_59": ("share_15_59", None),
    "elderly_care_beds": ("elderly_beds", None), "beds_per_1000_elderly": ("beds_per_1000_elderly", None),
    "elderly_care_institutions": ("care_institutions", None),
    "childcare_places_per_1000_population": ("childcare_places_per_1000", None),
}
_REF_UNITS = {"persons": (1, "person"), "10k persons": (1e4, "person"), "%": (1, "percent"),
              "permille": (1, "permille"), "10k beds": (1e4, "bed"), "count": (1, "facility"),
              "beds per 1000 aged 60+": (1, "per_1000"), "places per 1000 residents": (1, "per_1000")}
SERIES_COLUMNS = ["region_code", "indicator", "year", "value", "unit", "basis", "derived", "source", "quote", "note",
                  "published"]
# Long files with region_code, indicator, year, value, unit, source, quote (+ published, derived, note): the outcomes
# published after the plans (2021–2025) and the sourced elderly history. Indicator names → catalogue ids.
_LONG_FILES = ("official_2021_2025.csv", "elderly_history.csv")
_LONG_INDICATORS = {"population": "population_resident", "births": "births", "birth_rate": "birth_rate",
                    "elderly_60plus": "elderly_60plus", "elderly_share": "aging_rate",
                    "elderly_65plus": "elderly_65plus", "elderly_65_share": "aging_rate_65",
                    "elderly_beds": "elderly_beds"}
_LONG_UNITS = {"persons": "person", "permille": "permille", "percent": "percent", "beds": "bed"}


def published_year(year: int, published: str = "") -> int:
    """The year a figure was first published: an explicit date's year, else the year after the figure's year (NBS
    year-end communiqués come out in February–March of the next year; census bulletins the spring after)."""
    text = str(published or "").strip()
    if text[:4].isdigit():
        return int(text[:4])
    return int(year) + 1


def read_reference_series() -> pd.DataFrame:
    """Real reference series as long rows (region_code, indicator, year, value in base units, provenance).

    Rows whose indicator has no catalogue id (e.g. a suspect census difference) are left out, and said so by
    `skipped_reference_rows()`.
    """
    rows = []
    for name in _LONG_FILES:
        path = REFERENCE / name
        if not path.exists():
            continue
        for r in _csv(path).to_dict("records"):
            ind, unit = _LONG_INDICATORS.get(r["indicator"]), _LONG_UNITS.get(r["unit"])
            if ind is None or unit is None:
                continue
            rows.append((r["region_code"], ind, int(r["year"]), float(r["value"]), unit,
                         "常住" if unit == "person" and ind != "elderly_beds" else "", r.get("derived", "no") or "no",
                         r["source"], r["quote"], r.get("note", ""), published_year(r["year"], r.get("published", ""))))
    prov = _csv(REFERENCE / "province_population_2005_2024.csv")
    for r in prov.to_dict("records"):
        rows.append((r["region_code"], "population_resident", int(r["year"]), float(r["population_10k"]) * 1e4,
                     "person", "常住", "no", "NBS table E0103, as copied in GitHub pik-piam/PyPSA-China-PIK@4cb3683c "
                     "resources/data/population/historical_population.csv", f"{r['region_en']},{r['year']},"
                     f"{r['population_10k']}", r["basis"], published_year(r["year"])))
    nat = _csv(REFERENCE / "china_national_population_birthrate.csv")
    for r in nat.itertuples():
        if r.yearend_total_population_10k:
            rows.append(("100000", "population_resident", int(r.year), float(r.yearend_total_population_10k) * 1e4,
                         "person", "常住", "no", r.source_population, r.quote_population, "NBS year-end total population",
                         published_year(r.year)))
        if r.birth_rate_permille:
            rows.append(("100000", "birth_rate", int(r.year), float(r.birth_rate_permille), "permille", "", "no",
                         r.source_birthrate, r.quote_birthrate, "NBS crude birth rate", published_year(r.year)))
    for name in ("population_points.csv", "supply_elderly_beds_childcare.csv"):
        df = _csv(REFERENCE / name)
        for r in df.to_dict("records"):
            ind = _REF_INDICATORS.get(r["indicator"])
            unit = _REF_UNITS.get(r["unit"])
            if ind is None or unit is None or r["area"] not in _AREA_CODES:
                continue
            basis = ind[1] or ("户籍" if "registered" in r.get("basis", "") else "常住")
            rows.append((_AREA_CODES[r["area"]], ind[0], int(r["year"]), float(r["value"]) * unit[0], unit[1],
                         basis if unit[1] == "person" else "", r.get("derived", "no") or "no", r["source"],
                         r["quote"], (r.get("basis", "") + " " + r.get("note", "")).strip(), published_year(r["year"])))
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    out["year"] = out["year"].astype("Int64")
    return out.drop_duplicates(["region_code", "indicator", "year", "basis"], keep="first").reset_index(drop=True)
