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


class SourceError(ValueError):
    """A versioned source file that must not be built (issue 22: a plan figure its quote does not state)."""


def check_plan_figures(facts: pd.DataFrame) -> None:
    """Every plan figure with a value must state it in its quote (models.intake.extract.value_in_quote: the same
    number rules as extraction, 万 and a table's bare number included); rows whose note starts with DERIVED are
    computed by the curators and say so. Raises SourceError naming every fact that fails."""
    from models.intake.extract import value_in_quote

    bad = [f"{r.fact_id}（{r.value:g}，原文“{str(r.quote)[:40]}”）"
           for r in facts.itertuples()
           if not pd.isna(r.value) and not str(r.note).startswith("DERIVED")
           and not value_in_quote(str(r.quote), float(r.value))]
    if bad:
        raise SourceError(f"规划数据的数值不在其原文中，未构建数据库：{'；'.join(bad[:10])} / a plan figure's value is not "
                          f"in its quote, the database was not built: {', '.join(b.split('（')[0] for b in bad[:10])}")


def figure_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Plan figures that differ between two builds (value or quote), added or removed: fact_id, region_code,
    indicator, year, change (changed | added | removed), old_value, new_value, old_quote, new_quote."""
    cols = ["fact_id", "region_code", "indicator", "year", "value", "quote"]
    both = before[cols].merge(after[cols], on="fact_id", how="outer", suffixes=("_old", "_new"), indicator=True)
    same_value = (both["value_old"] == both["value_new"]) | (both["value_old"].isna() & both["value_new"].isna())
    keep = (both["_merge"] != "both") | ~same_value.fillna(False).astype(bool) | (both["quote_old"] != both["quote_new"])
    both = both[keep]
    change = both["_merge"].map({"both": "changed", "left_only": "removed", "right_only": "added"}).astype(str)

    def pick(c: str) -> pd.Series:  # the new build's value, or the old one for a removed figure
        return both[f"{c}_new"].where(both["_merge"] != "left_only", both[f"{c}_old"])

    return pd.DataFrame({"fact_id": both["fact_id"], "region_code": pick("region_code"),
                         "indicator": pick("indicator"), "year": pd.array(pick("year"), dtype="Int64"),
                         "change": change, "old_value": pd.array(both["value_old"], dtype="Float64"),
                         "new_value": pd.array(both["value_new"], dtype="Float64"),
                         "old_quote": both["quote_old"].astype(object), "new_quote": both["quote_new"].astype(object)})


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


# -- issue 23: national 十四五 results and 十五五 targets (data/reference/policy_2025_2030.csv) --------------------
POLICY_COLUMNS = ["level", "region", "indicator", "year", "kind", "value", "unit", "document", "issuer", "date",
                  "source", "quote", "check"]


def read_policy() -> pd.DataFrame:
    """The national policy figures: one row per figure (POLICY_COLUMNS), year as int, value as float (NaN for a
    text-only row), with the document, its issuer and date, the source page and the verbatim quote."""
    path = REFERENCE / "policy_2025_2030.csv"
    if not path.exists():
        return pd.DataFrame(columns=POLICY_COLUMNS)
    df = _csv(path)
    df["year"] = df["year"].astype(int)
    df["value"] = _number(df["value"])
    return df[POLICY_COLUMNS]


def read_official() -> pd.DataFrame:
    """data/reference/official_2021_2025.csv (published outcomes 2021–2025) typed: year int, value float."""
    df = _csv(REFERENCE / "official_2021_2025.csv")
    df["year"] = df["year"].astype(int)
    df["value"] = _number(df["value"])
    return df


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
# published after the plans (2021–2025), the sourced elderly history, and the county outcomes found so far (Chongqing
# districts 2021, 2023). Indicator names → catalogue ids.
_LONG_FILES = ("official_2021_2025.csv", "elderly_history.csv", "county_outcomes_2021_2023.csv")
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
