"""The map of gaps (一张图): pure builders — a table of map values from the gap table, and the plotly figure.

Input contract (the gap model's table, see models/gaps.py): one row per region_code × service × year with columns
region_code, region_name, service, year, demand, supply, gap, target, target_gap, method (and optionally formula,
reason, source ...). Values in base units (beds, places). Missing numbers are NaN and drawn as "no data"
(a separate grey trace, hover 未提供), never as zero.
Offline: go.Choroplethmap on our own GeoJSON with map style "white-bg" (no tile server, no CDN topojson).
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from models import geo
from models.catalogue import SERVICES, indicator, label
from models.formatting import fmt_number
from models.i18n import t

FONT = "Noto Sans CJK SC"
NO_DATA_COLOUR = "#d9d9d9"
# What the map colours: the absolute gap, the gap per 1000 of the service's reference population, or how much
# of the plan's target the current supply already reaches.
MEASURES = ("gap", "gap_per_1000", "achievement")
MAP_COLUMNS = ["region_code", "region_name", "value", "unit", "hover", "reason"]


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _num(x) -> float:
    return math.nan if _missing(x) else float(x)


def measure_label(measure: str, service: str, lang: str = "zh") -> str:
    """'养老床位缺口（张）' etc.: the legend title of a measure for a service."""
    unit = indicator(service).unit
    key = {"gap": "map_measure_gap", "gap_per_1000": "map_measure_gap_per_1000",
           "achievement": "map_measure_achievement"}[measure]
    return t(key, lang, service=label(service, lang), unit=t(f"unit_short_{unit}", lang))


def method_text(method, lang: str = "zh") -> str:
    """The gap model's bilingual method text ('每千名老年人床位标准 / beds per 1000 elderly；人口：stated') in one
    language, without the population part."""
    if _missing(method) or not str(method).strip():
        return ""
    first = str(method).split("；")[0]
    zh, _, en = first.partition(" / ")
    return (en or zh).strip() if lang == "en" else zh.strip()


def lang_text(text, lang: str = "zh") -> str:
    """The gap model's bilingual texts ('需求：未提供… / no …；供给：…') in one language: each '；'-separated part
    keeps its Chinese side (before ' / ') or its English side."""
    if _missing(text) or not str(text).strip():
        return ""
    parts = []
    for part in str(text).split("；"):
        zh, sep, en = part.partition(" / ")
        parts.append((en if (lang == "en" and sep) else zh).strip())
    return ("; " if lang == "en" else "；").join(p for p in parts if p)


def row_sources(row: dict) -> list[str]:
    """The source documents a gap row cites: its `source`/`sources` column if any, then the `source` of every
    item of its `inputs` (list of dicts, as models.gaps returns), in order, without repeats."""
    out: list[str] = []
    for col in ("source", "sources"):
        v = row.get(col)
        if not _missing(v) and str(v).strip():
            out += [x.strip() for x in str(v).replace("；", ";").split(";") if x.strip()]
    inputs = row.get("inputs")
    if isinstance(inputs, list):
        out += [str(i.get("source")).strip() for i in inputs if isinstance(i, dict) and i.get("source")]
    return list(dict.fromkeys(out))


def per_1000_base(row: dict) -> float:
    """The population the gap is expressed per 1000 of (persons): the population the gap model used for the
    demand (`population_indicator`: 60+ for beds, resident population for places), read from its `inputs`;
    a `per_1000_base` column wins. NaN when the row does not say."""
    if not _missing(row.get("per_1000_base")):
        return float(row["per_1000_base"])
    name = row.get("population_indicator")
    for item in row.get("inputs") or []:
        if isinstance(item, dict) and name and item.get("name") == name and not _missing(item.get("value")):
            return float(item["value"])
    return math.nan


def map_table(gaps: pd.DataFrame, *, service: str, year: int, measure: str = "gap",
              lang: str = "zh") -> pd.DataFrame:
    """One row per region of the gap table for `service` in `year`: the value the map colours, and its hover text.

    In: the gap model's table (models.gaps.gap_table / plan_gaps). `measure`:
      - "gap": the model's gap (demand − supply), in beds/places;
      - "gap_per_1000": gap per 1000 persons of the population behind the demand (see per_1000_base);
      - "achievement": the model's achieved_share (supply as percent of the plan's target).
    Out: columns MAP_COLUMNS (value NaN with a reason when an input is missing; never 0 for missing).
    """
    if service not in SERVICES:
        raise ValueError(f"未知服务 {service!r} / unknown service (one of {', '.join(SERVICES)})")
    if measure not in MEASURES:
        raise ValueError(f"未知地图指标 {measure!r} / unknown measure (one of {', '.join(MEASURES)})")
    rows = gaps[(gaps["service"] == service) & (gaps["year"].astype("Int64") == int(year))]
    unit = indicator(service).unit
    out = []
    for r in rows.to_dict("records"):
        demand, supply, gap_, target = (_num(r.get(c)) for c in ("demand", "supply", "gap", "target"))
        reason = ""
        if measure == "gap":
            value, value_unit = gap_, unit
            if math.isnan(value):
                reason = lang_text(r.get("reason"), lang) or t("no_data", lang)
        elif measure == "achievement":
            value_unit = "percent"
            value = _num(r.get("achieved_share"))
            if math.isnan(value):
                reason = t("map_reason_no_target", lang)
        else:
            value_unit = "per_1000"
            base = per_1000_base(r)
            value = gap_ / base * 1000 if (base and not math.isnan(base) and not math.isnan(gap_)) else math.nan
            if math.isnan(value):
                reason = lang_text(r.get("reason"), lang) or t("map_reason_no_base", lang)
        lines = [
            f"{label(service, lang)} · {int(year)}",
            f"{t('map_demand', lang)}: {fmt_number(demand, unit, lang)}",
            f"{t('map_supply', lang)}: {fmt_number(supply, unit, lang)}",
            f"{t('map_gap', lang)}: {fmt_number(gap_, unit, lang)}",
            f"{t('map_target', lang)}: {fmt_number(target, unit, lang)}",
        ]
        if measure != "gap":
            lines.append(f"{measure_label(measure, service, lang)}: "
                         + (fmt_number(value, value_unit, lang) if not math.isnan(value) else reason))
        if method_text(r.get("method"), lang):
            lines.append(f"{t('map_method', lang)}: {method_text(r.get('method'), lang)}")
        sources = row_sources(r)
        if sources:
            lines.append(f"{t('source', lang)}: {_short('; '.join(sources))}")
        out.append({"region_code": str(r["region_code"]), "region_name": r.get("region_name") or "",
                    "value": value, "unit": value_unit, "hover": "<br>".join(lines), "reason": reason})
    return pd.DataFrame(out, columns=MAP_COLUMNS)


def _short(text: str, width: int = 60) -> str:
    """Hover lines stay readable: long source lists are cut with an ellipsis (the full list is in the brief)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _bbox(coords) -> tuple[float, float, float, float]:
    xs = [x for poly in coords for x, _ in poly[0]]
    ys = [y for poly in coords for _, y in poly[0]]
    return min(xs), min(ys), max(xs), max(ys)


def _feature(shapes: dict, code: str) -> dict:
    return next(f for f in shapes["features"] if f["id"] == code)


def _centre(shapes: dict, code: str) -> tuple[float, float]:
    x0, y0, x1, y1 = _bbox(_feature(shapes, code)["geometry"]["coordinates"])
    return (x0 + x1) / 2, (y0 + y1) / 2


def _is_small(shapes: dict, code: str) -> bool:
    """True when the region's bounding box is under 1/150 of the set's (hard to find, let alone click)."""
    x0, y0, x1, y1 = _bbox(_feature(shapes, code)["geometry"]["coordinates"])
    boxes = [_bbox(f["geometry"]["coordinates"]) for f in shapes["features"]]
    X0, Y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    X1, Y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return (x1 - x0) * (y1 - y0) * 150 < (X1 - X0) * (Y1 - Y0)


def _view(shapes: dict, *, width: float, height: float) -> tuple[dict, float]:
    """Centre and zoom that fit the features' bounding box into a `width` × `height` px map (web mercator,
    512-px tiles as maplibre uses). Needed because map subplots have no fitbounds."""
    xs, ys = [], []
    for f in shapes["features"]:
        for poly in f["geometry"]["coordinates"]:
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    x0, x1, y0, y1 = min(xs), max(xs), merc(min(ys)), merc(max(ys))
    lat_c = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    zoom_x = math.log2(width * 360 / (512 * max(x1 - x0, 1e-6)))
    zoom_y = math.log2(height * 2 * math.pi / (512 * max(y1 - y0, 1e-6)))
    return {"lon": (x0 + x1) / 2, "lat": lat_c}, round(min(zoom_x, zoom_y) - 0.15, 2)


def gap_map(table: pd.DataFrame, *, sets: tuple[str, ...] | list[str] = tuple(geo.REGION_SETS),
            title: str = "", colour_title: str = "", lang: str = "zh", height: int = 520,
            width: int = 560) -> go.Figure:
    """A map per region set (side by side), coloured by `table.value`; regions without a value are grey.

    In: `table` as returned by map_table (region_code, region_name, value, unit, hover, reason); `sets` ids of
    models.geo; `width`/`height` the expected size in px (each map's zoom fits its regions into that share; keep
    `width` at the narrowest likely container, since map subplots clip rather than shrink).
    Out: a figure with, per set, a trace named "data" (go.Choroplethmap: locations = region codes, z = values,
    one shared colour axis) and a trace named "no data" (grey, hover 未提供). Offline: map style "white-bg"
    (no tiles, no topojson download: plotly's go.Choropleth would fetch world_110m.json from a CDN).
    Colours: gaps in reds (red–blue centred on 0 when some region has a surplus); target achievement
    (percent) red below 100 %, blue above.
    """
    sets = list(sets)
    values = {str(c): v for c, v in zip(table["region_code"], table["value"]) if not _missing(v)}
    hovers = dict(zip(table["region_code"].astype(str), table["hover"]))
    fig = make_subplots(rows=1, cols=len(sets), specs=[[{"type": "map"}] * len(sets)],
                        subplot_titles=[geo.set_label(s, lang) for s in sets], horizontal_spacing=0.01)
    no_data = t("no_data", lang)
    top = 70 if title else 40
    layout: dict = {}
    drawn: list[float] = []  # the colour range covers the drawn regions only (not e.g. a whole municipality)
    for i, set_id in enumerate(sets, start=1):
        shapes = geo.boundaries([set_id])
        names = {f["id"]: f["properties"]["district"] for f in shapes["features"]}
        have = [c for c in names if c in values]
        missing = [c for c in names if c not in values]
        subplot = "map" if i == 1 else f"map{i}"
        drawn += [values[c] for c in have]
        if have:
            fig.add_trace(go.Choroplethmap(
                geojson=shapes, featureidkey="id", locations=have, z=[values[c] for c in have],
                coloraxis="coloraxis", name="data", subplot=subplot,
                customdata=[[names[c], hovers.get(c, "")] for c in have],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
                marker_line_color="white", marker_line_width=0.8))
        if missing:
            fig.add_trace(go.Choroplethmap(
                geojson=shapes, featureidkey="id", locations=missing, z=[0] * len(missing),
                colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], showscale=False, name="no data",
                subplot=subplot, customdata=[[names[c], hovers.get(c) or no_data] for c in missing],
                hovertemplate="<b>%{customdata[0]}</b><br>" + no_data + "<extra></extra>",
                marker_line_color="white", marker_line_width=0.8))
        small = [c for c in have if _is_small(shapes, c)]
        if small:  # a dot on districts too small to see at this zoom (渝中区, 和平区): same colour, same hover
            pts = {c: _centre(shapes, c) for c in small}
            fig.add_trace(go.Scattermap(
                lat=[pts[c][1] for c in small], lon=[pts[c][0] for c in small], mode="markers", name="small",
                subplot=subplot, marker=dict(size=11, color=[values[c] for c in small], coloraxis="coloraxis"),
                customdata=[[names[c], hovers.get(c, ""), c] for c in small],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>", showlegend=False))
        center, zoom = _view(shapes, width=(width - 80) / len(sets), height=height - top - 20)
        layout[subplot] = dict(style="white-bg", center=center, zoom=zoom)
    zs = drawn
    percent = bool(len(table)) and table["unit"].eq("percent").all()
    if zs and (percent or min(zs) < 0):
        mid = 100.0 if percent else 0.0
        span = max(abs(max(zs) - mid), abs(min(zs) - mid)) or 1.0
        coloraxis = dict(colorscale="RdBu" if percent else "RdBu_r", cmin=mid - span, cmax=mid + span)
    else:  # gaps from 0 up: a single region still gets a readable scale
        coloraxis = dict(colorscale="OrRd", cmin=0, cmax=max(zs) if zs and max(zs) > 0 else 1)
    fig.update_layout(
        title=dict(text=title, x=0.01), font=dict(family=FONT), height=height,
        margin=dict(l=10, r=10, t=top, b=10),
        coloraxis=dict(colorbar=dict(title=dict(text=colour_title), thickness=14), **coloraxis),
        clickmode="event+select", **layout,
    )
    return fig
