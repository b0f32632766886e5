"""The map of gaps (一张图): pure builders — a table of map values from the gap table, and the plotly figure.

Input contract (the gap model's table, see models/planning/gaps.py): one row per region_code × service × year with columns
region_code, region_name, service, year, demand, supply, gap, target, target_gap, method_code (and optionally
formula, reason_codes, source ...); the codes are rendered here in the map's language. Values in base units
(beds, places). Missing numbers are NaN and drawn as "no data" (a separate grey trace, hover 未提供), never as zero.
Offline and without WebGL: the regions are plain SVG polygons (go.Scatter, fill="toself") from our own GeoJSON on
hidden cartesian axes, so the map draws in headless browsers, on office PCs without a GPU and in kaleido exports
(go.Choroplethmap needs WebGL; go.Choropleth would fetch world topojson from a CDN).
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale
from plotly.subplots import make_subplots

from models.core.catalogue import SERVICES, indicator, label
from models.core.formatting import fmt_number
from models.core.i18n import t
from models.planning.gaps import method_text, reason_text
from models.regions import geo

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


def row_sources(row: dict) -> list[str]:
    """The source documents a gap row cites: its `source`/`sources` column if any, then the `source` of every
    item of its `inputs` (list of dicts, as models.planning.gaps returns), in order, without repeats."""
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

    In: the gap model's table (models.planning.gaps.gap_table / plan_gaps). `measure`:
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
                reason = reason_text(r.get("reason_codes"), lang) or t("no_data", lang)
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
                reason = reason_text(r.get("reason_codes"), lang) or t("map_reason_no_base", lang)
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
        if method_text(r.get("method_code"), lang):
            lines.append(f"{t('map_method', lang)}: {method_text(r.get('method_code'), lang)}")
        sources = row_sources(r)
        if sources:
            lines.append(f"{t('source', lang)}: {_short('; '.join(sources))}")
        out.append({"region_code": str(r["region_code"]), "region_name": r.get("region_name") or "",
                    "value": value, "unit": value_unit, "hover": "<br>".join(lines), "reason": reason})
    return pd.DataFrame(out, columns=MAP_COLUMNS)


def _short(text: str, width: int = 60) -> str:
    """Hover lines stay readable: long source lists are cut with an ellipsis (the full list is in the brief)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _ring_area_centroid(ring) -> tuple[float, float, float]:
    """Signed area and centroid of a closed ring of (x, y) points (shoelace formula)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return a / 2, cx / (3 * a), cy / (3 * a)


def _crossings(y: float, rings) -> list[float]:
    """Sorted x where the horizontal line at `y` crosses the rings' edges."""
    return sorted(x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                  for ring in rings for (x0, y0), (x1, y1) in zip(ring, ring[1:]) if (y0 > y) != (y1 > y))


def _label_point(rings) -> tuple[float, float]:
    """A point inside the region (outer rings minus holes, even–odd rule): the centroid of its largest ring, or
    (for a concave shape, or a centroid in a hole such as 宁河区's enclave) the middle of the widest inside
    stretch of the horizontal line through that centroid."""
    _, cx, cy = _ring_area_centroid(max(rings, key=lambda r: abs(_ring_area_centroid(r)[0])))
    xs = _crossings(cy, rings)
    spans = list(zip(xs[::2], xs[1::2]))
    if not spans or any(a <= cx <= b for a, b in spans):
        return cx, cy
    a, b = max(spans, key=lambda s: s[1] - s[0])
    return (a + b) / 2, cy


def _project(shapes: dict) -> dict[str, list[list[tuple[float, float]]]]:
    """Region code → its rings (outer rings and holes) as x/y: equirectangular, x = lon·cos(mean latitude),
    y = lat, so with equal axis scales the shapes keep their proportions."""
    lats = [y for f in shapes["features"] for poly in f["geometry"]["coordinates"] for _, y in poly[0]]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    return {f["id"]: [[(x * k, y) for x, y in ring] for poly in f["geometry"]["coordinates"] for ring in poly]
            for f in shapes["features"]}


def _colour_axis(zs: list[float], percent: bool) -> dict:
    """Colour scale and range: gaps in reds from 0 (a single region still gets a readable scale); red–blue
    centred on 0 when some region has a surplus; target achievement (percent) red below 100 %, blue above."""
    if zs and (percent or min(zs) < 0):
        mid = 100.0 if percent else 0.0
        span = max(abs(max(zs) - mid), abs(min(zs) - mid)) or 1.0
        return dict(colorscale="RdBu" if percent else "RdBu_r", cmin=mid - span, cmax=mid + span)
    return dict(colorscale="OrRd", cmin=0, cmax=max(zs) if zs and max(zs) > 0 else 1)


def _colour(value: float, axis: dict) -> str:
    """The colour the shared colour axis gives `value` (clipped to its range)."""
    span = (axis["cmax"] - axis["cmin"]) or 1.0
    share = min(1.0, max(0.0, (value - axis["cmin"]) / span))
    return sample_colorscale(get_colorscale(axis["colorscale"]), [share])[0]


def _draw_regions(fig: go.Figure, shapes: dict, rings: dict, values: dict, hovers: dict, axis: dict, no_data: str,
                  *, col: int = 1) -> None:
    """Draw one map (subplot `col`): a filled polygon per region (its value's colour, or grey without one), the
    "data" markers on the shared colour axis (customdata = [code, name, hover]; clicking one selects it) and the
    grey "no data" markers; hidden axes with equal scales."""
    names = {f["id"]: f["properties"]["district"] for f in shapes["features"]}
    # larger regions first, so an enclave is never hidden under its surrounding region
    order = sorted(rings, key=lambda c: -max(abs(_ring_area_centroid(r)[0]) for r in rings[c]))
    for code in order:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in rings[code]:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
        have = code in values
        hover = hovers.get(code, "") if have else "<br>".join(h for h in (no_data, hovers.get(code)) if h)
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", hoveron="fills", hoverinfo="text",
            text=f"<b>{names[code]}</b><br>{hover}", name=names[code], meta=code, showlegend=False,
            fillcolor=_colour(values[code], axis) if have else NO_DATA_COLOUR,
            line=dict(color="white", width=0.8)), row=1, col=col)
    points = {c: _label_point(rings[c]) for c in order}
    have = [c for c in names if c in values]
    missing = [c for c in names if c not in values]
    if have:
        fig.add_trace(go.Scatter(
            x=[points[c][0] for c in have], y=[points[c][1] for c in have], mode="markers", name="data",
            customdata=[[c, names[c], hovers.get(c, "")] for c in have], showlegend=False,
            marker=dict(size=8 if len(names) <= 100 else 4, color=[values[c] for c in have], coloraxis="coloraxis",
                        line=dict(color="white", width=1)),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<extra></extra>"), row=1, col=col)
    if missing:
        fig.add_trace(go.Scatter(
            x=[points[c][0] for c in missing], y=[points[c][1] for c in missing], mode="markers",
            name="no data", customdata=[[c, names[c], hovers.get(c) or ""] for c in missing],
            showlegend=False, marker=dict(size=6, color=NO_DATA_COLOUR, line=dict(color="#9e9e9e", width=1)),
            hovertemplate="<b>%{customdata[1]}</b><br>" + no_data + "<extra></extra>"), row=1, col=col)
    suffix = "" if col == 1 else str(col)
    # equal scales: the map shrinks its own box (centred, right under its title) instead of padding the axes
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False, constrain="domain", row=1, col=col)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False, scaleanchor=f"x{suffix}", scaleratio=1,
                     constrain="domain", constraintoward="top", row=1, col=col)


def _layout(fig: go.Figure, *, title: str, colour_title: str, axis: dict, height: int) -> None:
    top = 70 if title else 40
    fig.update_layout(
        title=dict(text=title, x=0.01), font=dict(family=FONT), height=height,
        margin=dict(l=10, r=10, t=top, b=10), plot_bgcolor="white", paper_bgcolor="white",
        coloraxis=dict(colorbar=dict(title=dict(text=colour_title), thickness=14), **axis),
        clickmode="event+select", hovermode="closest",
    )


def gap_map(table: pd.DataFrame, *, sets: tuple[str, ...] | list[str] = tuple(geo.REGION_SETS),
            title: str = "", colour_title: str = "", lang: str = "zh", height: int = 520,
            width: int = 560) -> go.Figure:
    """A map per region set (side by side), coloured by `table.value`; regions without a value are grey.

    In: `table` as returned by map_table (region_code, region_name, value, unit, hover, reason); `sets` ids of
    models.regions.geo; `height` the figure height in px; `width` is kept for callers but no longer needed (the maps
    share the figure's width in proportion to their shapes' width/height and scale with the container).
    Out: a figure of plain SVG on cartesian axes (no WebGL, no tiles, no CDN topojson, so it draws in headless
    browsers, on PCs without a GPU and in kaleido exports). Per set (one subplot each, axes hidden, y anchored
    to x so shapes keep their proportions):
      - one go.Scatter per region (fill="toself" from its GeoJSON rings, name = region name, meta = region
        code), filled with its value's colour sampled from the colour scale, or NO_DATA_COLOUR without a value
        (never coloured as zero); hover text on the fill;
      - a marker trace named "data" at the regions' label points: customdata = [code, name, hover],
        marker.color = values on the shared colour axis (colour bar; clicking a marker selects the point);
      - a marker trace named "no data" (grey, hover 未提供) for the regions without a value.
    Colours: gaps in reds (red–blue centred on 0 when some region has a surplus); target achievement
    (percent) red below 100 %, blue above; the range covers the drawn regions only.
    """
    sets = list(sets)
    values = {str(c): float(v) for c, v in zip(table["region_code"], table["value"]) if not _missing(v)}
    hovers = dict(zip(table["region_code"].astype(str), table["hover"]))
    no_data = t("no_data", lang)
    shapes = {s: geo.boundaries([s]) for s in sets}
    rings = {s: _project(shapes[s]) for s in sets}
    zs = [values[c] for s in sets for c in rings[s] if c in values]  # not e.g. a whole municipality's value
    percent = bool(len(table)) and bool(table["unit"].eq("percent").all())
    axis = _colour_axis(zs, percent)

    def aspect(s: str) -> float:
        pts = [p for rs in rings[s].values() for r in rs for p in r]
        w = max(p[0] for p in pts) - min(p[0] for p in pts)
        h = max(p[1] for p in pts) - min(p[1] for p in pts)
        return min(2.0, max(0.6, w / h if h else 1.0))

    fig = make_subplots(rows=1, cols=len(sets), subplot_titles=[geo.set_label(s, lang) for s in sets],
                        column_widths=[aspect(s) for s in sets], horizontal_spacing=0.02)
    for i, set_id in enumerate(sets, start=1):
        _draw_regions(fig, shapes[set_id], rings[set_id], values, hovers, axis, no_data, col=i)
    _layout(fig, title=title, colour_title=colour_title, axis=axis, height=height)
    return fig


# -- any per-region value on any set of boundaries (issue 20: the census regions) --------------------------------
# The census measures, and the growth 2025→2030 of a projected indicator (growth_table); any numeric per-region
# column can be drawn the same way. Column → unit of the value (labels: i18n key map_col_<column>).
CENSUS_MEASURES = ("share_60plus_2020", "share_80plus_2020")
GROWTH_INDICATORS = ("elderly_60plus", "elderly_80plus")
_CENSUS_UNITS = {"share_60plus_2020": "percent", "share_80plus_2020": "percent",
                 "growth_elderly_60plus": "percent", "growth_elderly_80plus": "percent"}
# Demand from the gap model (model projection, medium; each region's standards: its plan's, its province's, else the
# national ones): demand_<service> in beds/places and demand_per_1000_<service> per 1000 persons of the population
# behind the demand (the gap rows' population_indicator; DEMAND_BASE when a row does not say).
DEMAND_MEASURES = tuple(f"demand_{s}" for s in SERVICES) + tuple(f"demand_per_1000_{s}" for s in SERVICES)
DEMAND_YEARS = (2025, 2030, 2035)
DEMAND_BASE = {"elderly_beds": "elderly_60plus", "nursing_beds": "elderly_60plus",
               "childcare_places": "population_resident"}
_CENSUS_UNITS.update({f"demand_{s}": indicator(s).unit for s in SERVICES})
_CENSUS_UNITS.update({f"demand_per_1000_{s}": "per_1000" for s in SERVICES})


def demand_service(column: str) -> str:
    """The service of a demand measure ('demand_per_1000_elderly_beds' → 'elderly_beds')."""
    return column.removeprefix("demand_per_1000_").removeprefix("demand_")


def _base_of(code: str, indicators: dict, default: str, pop: dict) -> tuple[str, float]:
    """The population indicator behind a region's demand (its gap row's, else `default`) and its value."""
    i = indicators.get(code)
    i = i if isinstance(i, str) and i else default
    return i, pop.get((code, i), math.nan)


def demand_table(gaps: pd.DataFrame, population: pd.DataFrame, registry: pd.DataFrame, codes, *, year: int,
                 lang: str = "zh") -> pd.DataFrame:
    """Demand in `year` for every region of `codes` (the map's units), per service, from the gap table.

    In: gaps — the gap model's table (region_code, service, year, demand, population_indicator, reason_codes; whole
    numbers, models.report.overview.gaps_for); population — tidy rows region_code, indicator, year, value (persons)
    of the same projection; registry — the census regions (region_code, prefecture_code, province_code,
    county_tier), to find a unit's counties.
    A unit with a demand of its own in the gap table keeps it. A unit without one (no row, or NaN) gets the sum of
    its counties' demand (the registry's county tier with that prefecture_code; for a municipality, that
    province_code) when every one of them has a demand and a population, else NaN with the reason of its own row
    (without one: of the first county without a demand).
    Out: one row per code: region_code, and per service s: demand_<s> (beds/places), base_<s> (the population the
    per-1000 figure is of, summed for an aggregate), base_indicator_<s>, demand_per_1000_<s> = demand / base × 1000
    rounded to 0.1 (recomputed from the sums for an aggregate; the rounding keeps the whole-count ceiling of each
    demand, e.g. 30.9001 vs 30.9002, from spreading the colour scale where the standard is the same), counties_<s> (number of counties summed; 0 = the unit's own row),
    reason_<s> (why the demand is unknown, '' when known).
    """
    codes = [str(c) for c in codes]
    g = gaps[gaps["year"].astype("Int64") == int(year)]
    g = g.assign(region_code=g["region_code"].astype(str))
    pop = population[population["year"].astype(int) == int(year)]
    pop = dict(zip(zip(pop["region_code"].astype(str), pop["indicator"]), pop["value"].astype(float)))
    reg = registry.assign(region_code=registry["region_code"].astype(str))
    counties = reg[reg["county_tier"].fillna(False).astype(bool)]
    by_prefecture = counties.groupby(counties["prefecture_code"].astype(str))["region_code"].apply(list).to_dict()
    by_province = counties.groupby(counties["province_code"].astype(str))["region_code"].apply(list).to_dict()
    out = pd.DataFrame({"region_code": codes})
    for service in SERVICES:
        rows = g[g["service"] == service].drop_duplicates("region_code").set_index("region_code")
        demand = rows["demand"].astype(float).to_dict()
        ind = rows["population_indicator"].to_dict() if "population_indicator" in rows else {}
        reasons = rows["reason_codes"].to_dict() if "reason_codes" in rows else {}

        cols: dict[str, list] = {k: [] for k in ("demand", "base", "base_indicator", "per_1000", "counties",
                                                 "reason")}
        for code in codes:
            d = demand.get(code, math.nan)
            i, b = _base_of(code, ind, DEMAND_BASE[service], pop)
            n, why = 0, reasons.get(code)
            if math.isnan(d):
                members = by_prefecture.get(code) or by_province.get(code) or []
                parts = [(m, demand.get(m, math.nan), _base_of(m, ind, DEMAND_BASE[service], pop)) for m in members]
                if parts and all(not math.isnan(x) and not math.isnan(bm) for _, x, (_, bm) in parts):
                    d, b, n = sum(x for _, x, _ in parts), sum(bm for _, _, (_, bm) in parts), len(parts)
                    i = parts[0][2][0]
                elif code not in reasons:  # no row of its own: why its counties cannot be summed
                    why = next((reasons.get(m) for m, x, _ in parts if math.isnan(x) and reasons.get(m)), None)
            known = not math.isnan(d)
            cols["demand"].append(d)
            cols["base"].append(b)
            cols["base_indicator"].append(i)
            cols["per_1000"].append(round(d / b * 1000, 1) if known and b and not math.isnan(b) else math.nan)
            cols["counties"].append(n)
            cols["reason"].append("" if known else (reason_text(why, lang) or t("no_data", lang)))
        out[f"demand_{service}"] = cols["demand"]
        out[f"base_{service}"] = cols["base"]
        out[f"base_indicator_{service}"] = cols["base_indicator"]
        out[f"demand_per_1000_{service}"] = cols["per_1000"]
        out[f"counties_{service}"] = cols["counties"]
        out[f"reason_{service}"] = cols["reason"]
    return out


def growth_table(projections: pd.DataFrame, indicator: str, *, start: int = 2025, end: int = 2030,
                 method: str = "model", scenario: str = "medium") -> pd.DataFrame:
    """Growth of a projected indicator per region, in percent: 100 × (value(end) / value(start) − 1), from the tidy
    projection table (region_code, indicator, year, method, scenario, value; forecasting.projection). Only the
    regions with both years (and value(start) > 0). Columns: region_code, growth_<indicator> (percent),
    <indicator>_<start>, <indicator>_<end>."""
    rows = projections[(projections["indicator"] == indicator) & (projections["method"] == method)
                       & (projections["scenario"] == scenario) & projections["year"].isin([start, end])]
    wide = rows.pivot_table(index="region_code", columns="year", values="value", aggfunc="first")
    if start not in wide.columns or end not in wide.columns:
        return pd.DataFrame(columns=["region_code", f"growth_{indicator}", f"{indicator}_{start}",
                                     f"{indicator}_{end}"])
    wide = wide[(wide[start] > 0) & wide[end].notna()]
    return pd.DataFrame({"region_code": wide.index.astype(str),
                         f"growth_{indicator}": (100 * (wide[end] / wide[start] - 1)).round(2).to_numpy(),
                         f"{indicator}_{start}": wide[start].to_numpy(),
                         f"{indicator}_{end}": wide[end].to_numpy()}).reset_index(drop=True)


def region_value_table(regions: pd.DataFrame, column: str, *, unit: str | None = None,
                       lang: str = "zh") -> pd.DataFrame:
    """One row per region of `regions` (region_code, region_name and `column`; population_2020,
    elderly_60plus_2020, elderly_80plus_2020 shown in the hover when present): the value the map colours and its
    hover text. unit: the value's unit id (default: percent for the census shares, else person).
    Out: MAP_COLUMNS; value NaN (drawn grey, 未提供) where the column is empty."""
    if column not in regions.columns:
        raise ValueError(f"未知地图指标 {column!r} / unknown measure")
    unit = unit or _CENSUS_UNITS.get(column, "person")
    out = []
    for r in regions.to_dict("records"):
        value = _num(r.get(column))
        lines = [f"{t(f'map_col_{column}', lang) if column in _CENSUS_UNITS else column}: "
                 + (fmt_number(value, unit, lang) if not math.isnan(value) else t("no_data", lang))]
        for col, key in (("population_2020", "map_col_population_2020"),
                         ("elderly_60plus_2020", "map_col_elderly_60plus_2020"),
                         ("elderly_80plus_2020", "map_col_elderly_80plus_2020")):
            if col in r and col != column:
                lines.append(f"{t(key, lang)}: {fmt_number(_num(r[col]), 'person', lang)}")
        for ind in GROWTH_INDICATORS:
            if column == f"growth_{ind}" and f"{ind}_2025" in r:
                lines.append(f"{label(ind, lang)} 2025 → 2030: {fmt_number(_num(r[f'{ind}_2025']), 'person', lang)}"
                             f" → {fmt_number(_num(r.get(f'{ind}_2030')), 'person', lang)}")
        reason = "" if not math.isnan(value) else t("no_data", lang)
        if column in DEMAND_MEASURES:
            lines, reason = _demand_hover(r, column, lines, lang)
        source = ("map_demand_source" if column in DEMAND_MEASURES else
                  "map_projection_source" if column.startswith("growth_") else "map_census_source")
        lines.append(f"{t('source', lang)}: {t(source, lang)}")
        out.append({"region_code": str(r["region_code"]), "region_name": r.get("region_name") or "",
                    "value": value, "unit": unit, "hover": "<br>".join(lines), "reason": reason})
    return pd.DataFrame(out, columns=MAP_COLUMNS)


def _demand_hover(r: dict, column: str, lines: list[str], lang: str) -> tuple[list[str], str]:
    """The hover lines of a demand measure (demand, per 1000, the population, the counties summed) and the reason
    when it is unknown (a demand_table row)."""
    s = demand_service(column)
    demand, base, per = _num(r.get(f"demand_{s}")), _num(r.get(f"base_{s}")), _num(r.get(f"demand_per_1000_{s}"))
    reason = str(r.get(f"reason_{s}") or "") if math.isnan(_num(r.get(column))) else ""
    lines = list(lines)
    if column != f"demand_{s}":
        lines.append(f"{t(f'map_col_demand_{s}', lang)}: {fmt_number(demand, indicator(s).unit, lang)}")
    else:
        lines.append(f"{t(f'map_col_demand_per_1000_{s}', lang)}: {fmt_number(per, 'per_1000', lang)}")
    ind = r.get(f"base_indicator_{s}") or DEMAND_BASE[s]
    lines.append(f"{label(ind, lang)}: {fmt_number(base, 'person', lang)}")
    n = _num(r.get(f"counties_{s}"))
    n = 0 if math.isnan(n) else int(n)
    if n:
        lines.append(t("map_demand_summed", lang, n=n))
    if reason:
        lines.append(f"{t('note', lang)}: {_short(reason)}")
    return lines, reason or ("" if not math.isnan(_num(r.get(column))) else t("no_data", lang))


def value_map(table: pd.DataFrame, shapes: dict, *, title: str = "", colour_title: str = "", lang: str = "zh",
              height: int = 560) -> go.Figure:
    """One map of `shapes` (a GeoJSON FeatureCollection, feature id = region code, properties.district = name,
    e.g. models.regions.geo.prefecture_boundaries()) coloured by `table.value` (as region_value_table returns),
    on a sequential scale from the lowest to the highest value drawn; regions without a value are grey (never 0).
    Plain SVG like gap_map (no WebGL, tiles or CDN): a filled polygon per region, "data" / "no data" markers."""
    values = {str(c): float(v) for c, v in zip(table["region_code"], table["value"]) if not _missing(v)}
    hovers = dict(zip(table["region_code"].astype(str), table["hover"]))
    rings = _project(shapes)
    zs = [values[c] for c in rings if c in values]
    low, high = (min(zs), max(zs)) if zs else (0.0, 1.0)
    axis = dict(colorscale="OrRd", cmin=low, cmax=high if high > low else low + 1)
    fig = make_subplots(rows=1, cols=1)
    _draw_regions(fig, shapes, rings, values, hovers, axis, t("no_data", lang))
    _layout(fig, title=title, colour_title=colour_title, axis=axis, height=height)
    return fig
