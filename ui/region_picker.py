"""Choose a region: province → prefecture → county, or search by name or code (workbench, overview, map).

The regions come from models.store.census.choosable_regions (the census registry and the regions planners imported),
through ui.cache. Labels carry the name and the code ("渝中区 (500103)"; English: the English name where the
registry has one). The pure parts (labels, search, the options of each box) are plain functions, tested without
Streamlit; `pick_region` lays the widgets out.

Session-state keys (for AppTest and the URL code of a page): `{key}_q` (search text), `{key}_hit` (the search's
choice), `{key}_province`, `{key}_prefecture`, `{key}_county` (codes; '' = not chosen).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from models.core.i18n import t

SEARCH_LIMIT = 50  # matches offered at once; a longer list asks for a narrower search


def label(row, lang: str = "zh") -> str:
    """'渝中区 (500103)'; in English the English name when there is one."""
    name = (row.get("name_en") or row["region_name"]) if lang == "en" else row["region_name"]
    return f"{name} ({row['region_code']})"


def search(regions: pd.DataFrame, text: str, *, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Regions whose code starts with `text` or whose Chinese or English name contains it (case-insensitive);
    exact code or name first, then in registry order; at most `limit` rows. Blank text → no rows."""
    text = (text or "").strip()
    if not text:
        return regions.iloc[0:0]
    low = text.lower()
    hit = (regions["region_code"].str.startswith(text) | regions["region_name"].str.contains(text, regex=False)
           | regions["name_en"].fillna("").str.lower().str.contains(low, regex=False))
    found = regions[hit]
    exact = (found["region_code"] == text) | (found["region_name"] == text)
    return pd.concat([found[exact], found[~exact]]).head(limit)


def provinces(regions: pd.DataFrame) -> list[str]:
    return regions.loc[regions["level"] == "province", "region_code"].tolist()


def prefectures(regions: pd.DataFrame, province: str) -> list[str]:
    """The prefecture tier of a province: its prefectures (level city) and the county-level units directly under it
    (济源市, 仙桃市 …), in registry order."""
    inside = regions[regions["province_code"] == province]
    direct = (inside["level"] == "county") & (inside["prefecture_code"] == "") & (inside["parent_code"] == province)
    return inside.loc[(inside["level"] == "city") | direct, "region_code"].tolist()


def counties(regions: pd.DataFrame, prefecture: str) -> list[str]:
    """The county-level units listed under a prefecture (its 市辖区 / 县 tier for a municipality)."""
    rows = regions[(regions["level"] == "county") & (regions["prefecture_code"] == prefecture)]
    return rows["region_code"].tolist()


def restrict(regions: pd.DataFrame, allowed) -> pd.DataFrame:
    """Only the allowed regions and the ancestors needed to reach them (a province or prefecture with an allowed
    region below it)."""
    if allowed is None:
        return regions
    allowed = {str(c) for c in allowed}
    keep = regions["region_code"].isin(allowed)
    inside = regions[keep]
    needed = set(inside["province_code"]) | set(inside["prefecture_code"]) | set(inside["parent_code"])
    return regions[keep | regions["region_code"].isin(needed)]


def chosen(province: str, prefecture: str, county: str, allowed=None) -> str | None:
    """The deepest choice that is allowed (county, else prefecture, else province), or None."""
    for code in (county, prefecture, province):
        if code and (allowed is None or code in allowed):
            return code
    return None


def current(key: str, allowed=None) -> str | None:
    """The region the chooser's widgets hold now (session state): the search's choice while a search is typed,
    else the deepest allowed of county, prefecture, province."""
    ss = st.session_state
    if str(ss.get(f"{key}_q") or "").strip() and ss.get(f"{key}_hit"):
        return ss[f"{key}_hit"]
    return chosen(ss.get(f"{key}_province") or "", ss.get(f"{key}_prefecture") or "",
                  ss.get(f"{key}_county") or "", allowed)


def pick_region(regions: pd.DataFrame, *, key: str, lang: str = "zh", default: str | None = None,
                allowed=None, container=None, on_pick=None) -> str | None:
    """Lay out the chooser in `container` (default: the main area) and return the chosen region code or None.

    regions: choosable_regions(); default: the code chosen when the widgets are new; allowed: the codes the caller
    can use (e.g. the workbench's regions; None = all); on_pick(code): called as a Streamlit callback (before the
    next run of the script, so it may set other widgets' state) whenever a change of the chooser picks a region."""
    box = container if container is not None else st
    ss = st.session_state
    allowed_set = None if allowed is None else {str(c) for c in allowed}

    regs = restrict(regions, allowed)

    def hits_for(text: str) -> pd.DataFrame:
        hits = search(regs, text)
        return hits if allowed_set is None else hits[hits["region_code"].isin(allowed_set)]

    def changed() -> None:
        text = str(ss.get(f"{key}_q") or "")
        if text.strip():  # a new search picks its first match at once (the box of matches shows the others)
            hits = hits_for(text)
            if ss.get(f"{key}_hit") not in set(hits["region_code"]):
                ss[f"{key}_hit"] = hits["region_code"].iloc[0] if len(hits) else None
        code = current(key, allowed_set)
        if on_pick is not None and code:
            on_pick(code)

    cb = {"on_change": changed}
    by_code = regs.set_index("region_code", drop=False)
    if default and default in by_code.index and f"{key}_province" not in ss:
        row = by_code.loc[default]
        ss[f"{key}_province"] = row["province_code"] or (default if row["level"] == "province" else "")
        pref = row["prefecture_code"] if row["level"] == "county" else ""
        if row["level"] == "city" or (row["level"] == "county" and not pref):
            pref = default
        ss[f"{key}_prefecture"] = pref if pref != ss[f"{key}_province"] else ""
        ss[f"{key}_county"] = default if row["level"] == "county" and pref != default else ""

    def fmt(code: str) -> str:
        return t("picker_any", lang) if code == "" else label(by_code.loc[code], lang)

    query = box.text_input(t("picker_search", lang), key=f"{key}_q", placeholder=t("picker_search_hint", lang), **cb)
    if query.strip():
        hits = hits_for(query)
        if hits.empty:
            box.caption(t("picker_no_match", lang, text=query.strip()))
        else:
            return box.selectbox(t("picker_matches", lang, n=len(hits)), hits["region_code"].tolist(),
                                 key=f"{key}_hit", format_func=fmt, **cb)
    prov_options = [""] + provinces(regs)
    if ss.get(f"{key}_province") not in prov_options:
        ss[f"{key}_province"] = ""
    province = box.selectbox(t("picker_province", lang), prov_options, key=f"{key}_province", format_func=fmt, **cb)
    pref_options = [""] + (prefectures(regs, province) if province else [])
    if ss.get(f"{key}_prefecture") not in pref_options:
        ss[f"{key}_prefecture"] = ""
    prefecture = box.selectbox(t("picker_prefecture", lang), pref_options, key=f"{key}_prefecture",
                               format_func=fmt, disabled=not province, **cb)
    county_options = [""] + (counties(regs, prefecture) if prefecture else [])
    if ss.get(f"{key}_county") not in county_options:
        ss[f"{key}_county"] = ""
    county = box.selectbox(t("picker_county", lang), county_options, key=f"{key}_county", format_func=fmt,
                           disabled=len(county_options) == 1, **cb)
    return chosen(province, prefecture, county, allowed_set)
