"""Queries on the sourced figures: facts, regions, documents, reference series (base + user data)."""
from __future__ import annotations

import pandas as pd

from models.intake.sources import ARTEFACT
from models.store.database import Database, default

FACT_COLUMNS = ["fact_id", "region_code", "region_name", "indicator", "year", "value", "text_value", "unit",
                "basis", "kind", "comparator", "attribute", "department", "source", "quote", "note", "origin"]

_FACTS_SQL = """
SELECT fact_id, region_code, region_name, indicator, year, value, text_value, unit, basis, kind, comparator,
       attribute, department, source, quote, note, 'plan' AS origin FROM facts
UNION ALL
SELECT fact_id, region_code, region_name, indicator, year, value, text_value, unit, basis, kind, comparator,
       attribute, department, source, quote, note, 'user' AS origin FROM user_facts
"""


def _db(db: Database | None) -> Database:
    return db or default()


def all_facts(db: Database | None = None, *, region: str | None = None,
              include_superseded: bool = False) -> pd.DataFrame:
    """Every figure (plans and user imports), one row each, ordered by region, then document order.

    A planner's correction of a plan figure is a user fact `<plan fact_id>@user`; it supersedes the plan figure,
    which is left out unless `include_superseded` (then column `superseded` marks it).
    Columns: FACT_COLUMNS; value in base units (persons, beds, places, percent numbers), year as Int64.
    """
    sql = f"SELECT * FROM ({_FACTS_SQL})"
    params: list = []
    if region:
        sql += " WHERE region_code = ?"
        params.append(region)
    sql += " ORDER BY region_code, origin, fact_id"
    df = _db(db).query(sql, params)
    df["year"] = df["year"].astype("Int64")
    corrected = {f[:-len("@user")] for f in df.loc[df["origin"] == "user", "fact_id"] if f.endswith("@user")}
    superseded = (df["origin"] == "plan") & df["fact_id"].isin(corrected)
    if include_superseded:
        return df.assign(superseded=superseded)
    return df[~superseded].reset_index(drop=True)


def regions(db: Database | None = None) -> pd.DataFrame:
    """Regions (GB/T 2260 code, names, level, parent, role): base regions plus user-added ones."""
    return _db(db).query(
        "SELECT code, name_zh, name_en, level, parent_code, role FROM regions "
        "UNION ALL SELECT code, name_zh, name_en, level, parent_code, 'user' FROM user_regions "
        "WHERE code NOT IN (SELECT code FROM regions) ORDER BY code")


def require_regions(codes, db: Database | None = None) -> list[str]:
    """The codes, checked against the known regions; ValueError (zh/en) naming the unknown ones."""
    codes = [codes] if isinstance(codes, str) else list(codes)
    unknown = [c for c in codes if c not in set(regions(db)["code"])]
    if unknown:
        raise ValueError(f"未知地区代码 {', '.join(unknown)} / unknown region code")
    return codes


def region_name(code: str, lang: str = "zh", db: Database | None = None) -> str:
    """The region's name in `lang`: from the regions (base and user-added), else from the census registry (every
    county of the 2020 census), else the code itself."""
    r = regions(db).set_index("code")
    if code not in r.index:
        found = _db(db).query("SELECT region_name, name_en FROM region_registry WHERE region_code = ?", [code])
        if found.empty:
            return code
        zh, en = found.iat[0, 0], found.iat[0, 1]
        return (en or zh) if lang == "en" else zh
    row = r.loc[code]
    return (row["name_en"] or row["name_zh"]) if lang == "en" else row["name_zh"]


def documents(db: Database | None = None) -> pd.DataFrame:
    return _db(db).query("SELECT source, region_code, title, length(text) AS chars FROM documents ORDER BY source")


def document_text(source: str, db: Database | None = None) -> str:
    text = _db(db).scalar("SELECT text FROM documents WHERE source = ?", [source])
    if text is None:
        raise KeyError(f"no document {source!r}")
    return text


def readable(text: str) -> str:
    """Display form of document text: the scraping artefact shown as the 天津市 it stands for."""
    return text.replace(ARTEFACT, "天津市")


def quote_in_context(source: str, quote: str, *, width: int = 300, db: Database | None = None) -> dict:
    """The passage around a quote: {'before', 'quote', 'after', 'start'}; start is -1 if the quote is not found."""
    text = document_text(source, db)
    start = text.find(quote)
    if start < 0:
        return {"before": "", "quote": quote, "after": "", "start": -1}
    end = start + len(quote)
    return {"before": text[max(0, start - width):start], "quote": quote,
            "after": text[end:end + width], "start": start}


def reference_series(db: Database | None = None, *, region: str | None = None,
                     indicator: str | None = None) -> pd.DataFrame:
    """Real yearly/census points (region_code, indicator, year, value, unit, basis, provenance), plus user series."""
    # `published`: the year a figure was first published (vintage runs); a user's own series counts from year + 1
    sql = ("SELECT region_code, indicator, year, value, unit, basis, derived, source, quote, note, 'reference' AS origin,"
           " published FROM series UNION ALL SELECT region_code, indicator, year, value, unit, basis, 'no', source, '',"
           " note, 'user', year + 1 FROM user_series")
    where, params = [], []
    if region:
        where.append("region_code = ?")
        params.append(region)
    if indicator:
        where.append("indicator = ?")
        params.append(indicator)
    sql = f"SELECT * FROM ({sql})" + (" WHERE " + " AND ".join(where) if where else "")
    df = _db(db).query(sql + " ORDER BY region_code, indicator, year", params)
    df["year"] = df["year"].astype("Int64")
    df["published"] = df["published"].astype("Int64")
    return df


def projects(db: Database | None = None, *, region: str | None = None) -> pd.DataFrame:
    sql, params = "SELECT * FROM projects", []
    if region:
        sql += " WHERE region_code = ?"
        params.append(region)
    df = _db(db).query(sql + " ORDER BY project_id", params)
    for c in ("start_year", "end_year"):
        df[c] = df[c].astype("Int64")
    return df
