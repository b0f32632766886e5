"""Chart builders for the overview and export pages: pure functions of the gap table, returning plotly figures.

In: rows of the gap model's table (models/planning/gaps.py: region_code, region_name, service, year, demand, supply, gap,
target, ...; base units: beds, places). Missing numbers (NaN) are not drawn and are named 未提供 in the hover,
never drawn as 0. Colours: one per service (SERVICE_COLOURS), defined here once; supply is the service colour
lightened, demand the full colour, the plan's target a dark line marker. Years on an axis are whole numbers.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from models.core.catalogue import SERVICES, indicator, label
from models.core.formatting import fmt_number
from models.core.i18n import t

FONT = "Noto Sans CJK SC"
SERVICE_COLOURS = {"elderly_beds": "#2f6fa8", "nursing_beds": "#c2553a", "childcare_places": "#3f9a5b"}
TARGET_COLOUR = "#1a1a1a"
SUPPLY_OPACITY = 0.45  # supply bars: the service colour, lighter; demand bars: the full colour
# gap_chart (one region, x = services): one colour per trace, so that the legend's square is the bars' colour
SUPPLY_COLOUR, DEMAND_COLOUR = "#9fb3c8", "#1f4e79"
MISSING_COLOUR = "#9a9a9a"
RANGE_FACTOR = 1.6  # comparison_chart: each panel's axis reaches 1.6 × its largest value
INSIDE_SHARE = 0.55  # a gap bar longer than this share of the largest carries its value inside


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _values(col: pd.Series) -> list:
    """Plotly gaps (None) for missing numbers, never 0."""
    return [None if _missing(v) else float(v) for v in col]


def _fmt(values, services, lang) -> list[str]:
    return [fmt_number(v, indicator(s).unit, lang) for v, s in zip(values, services)]


def _layout(fig: go.Figure, *, title: str, height: int) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.01), font=dict(family=FONT, size=15), height=height,
                      barmode="group", margin=dict(l=10, r=10, t=60 if title else 20, b=10),
                      legend=dict(orientation="h", y=-0.15), plot_bgcolor="white", paper_bgcolor="white",
                      hoverlabel=dict(font_size=14))
    fig.update_yaxes(rangemode="tozero", gridcolor="#e5e5e5", tickformat=",d")
    return fig


def _hover(rows: pd.DataFrame, lang: str) -> list[str]:
    out = []
    for r in rows.to_dict("records"):
        unit = indicator(r["service"]).unit
        out.append("<br>".join([
            f"<b>{r.get('region_name') or r['region_code']}</b> · {label(r['service'], lang)} · {int(r['year'])}",
            f"{t('map_demand', lang)}: {fmt_number(r.get('demand'), unit, lang)}",
            f"{t('map_supply', lang)}: {fmt_number(r.get('supply'), unit, lang)}",
            f"{t('map_gap', lang)}: {fmt_number(r.get('gap'), unit, lang)}",
            f"{t('map_target', lang)}: {fmt_number(r.get('target'), unit, lang)}"]))
    return out


def gap_chart(rows: pd.DataFrame, *, lang: str = "zh", title: str = "", height: int = 380) -> go.Figure:
    """One region in one year, x = the three services: supply and projected demand side by side (the gap is the
    difference), the plan's target as a marker line over them.

    In: gap rows of one region and year (any subset of SERVICES). Out: a figure with traces (meta = id) "supply"
    (SUPPLY_COLOUR), "demand" (DEMAND_COLOUR: each trace one colour, so the legend matches the bars) and "target"
    (markers; NaN targets left out).
    """
    rows = rows.set_index("service").reindex([s for s in SERVICES if s in set(rows["service"])]).reset_index()
    x = [label(s, lang) for s in rows["service"]]
    hover = _hover(rows, lang)
    n = _trace_names(lang)
    # the supply says the year of its count: a 2020 stock in a 2025 chart is "现有（2020年）", not "2025 现有"
    years = sorted({int(y) for y in rows["supply_year"].dropna()}) if "supply_year" in rows else []
    if years:
        n["supply"] = t("ov_supply_of_year", lang, year="/".join(map(str, years)))
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=_values(rows["supply"]), name=n["supply"], meta="supply",
                         marker=dict(color=SUPPLY_COLOUR), text=_fmt(rows["supply"], rows["service"], lang),
                         textposition="outside", hovertext=hover, hoverinfo="text",
                         legendrank=1))
    fig.add_trace(go.Bar(x=x, y=_values(rows["demand"]), name=n["demand"], meta="demand",
                         marker=dict(color=DEMAND_COLOUR), text=_fmt(rows["demand"], rows["service"], lang),
                         textposition="outside", hovertext=hover, hoverinfo="text", legendrank=2))
    fig.add_trace(go.Scatter(x=x, y=_values(rows["target"]), name=n["target"], meta="target", mode="markers",
                             marker=dict(symbol="line-ew", size=70, line=dict(width=4, color=TARGET_COLOUR)),
                             hovertext=hover, hoverinfo="text", legendrank=3))
    return _layout(fig, title=title, height=height)


def supply_demand_chart(rows: pd.DataFrame, *, service: str, lang: str = "zh", title: str = "",
                        height: int = 420, names: dict | None = None) -> go.Figure:
    """Several regions, one service, one year: supply vs demand bars per region, the target as a marker.

    In: gap rows (one per region) of `service`; `names` code → display name (default: region_name).
    Out: traces (meta) "supply", "demand", "target", all in the service's colour.
    """
    if service not in SERVICES:
        raise ValueError(f"未知服务 {service!r} / unknown service (one of {', '.join(SERVICES)})")
    rows = rows[rows["service"] == service]
    names = names or {}
    x = [names.get(c) or n or c for c, n in zip(rows["region_code"], rows["region_name"])]
    colour = SERVICE_COLOURS[service]
    hover = _hover(rows, lang)
    n = _trace_names(lang)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=_values(rows["supply"]), name=n["supply"], meta="supply", marker=dict(color=colour, opacity=SUPPLY_OPACITY),
                         hovertext=hover, hoverinfo="text"))
    fig.add_trace(go.Bar(x=x, y=_values(rows["demand"]), name=n["demand"], meta="demand", marker=dict(color=colour),
                         hovertext=hover, hoverinfo="text"))
    fig.add_trace(go.Scatter(x=x, y=_values(rows["target"]), name=n["target"], meta="target", mode="markers",
                             marker=dict(symbol="line-ew", size=36, line=dict(width=4, color=TARGET_COLOUR)),
                             hovertext=hover, hoverinfo="text"))
    return _layout(fig, title=title, height=height)


def gap_trend_chart(rows: pd.DataFrame, *, service: str, lang: str = "zh", title: str = "",
                    height: int = 360) -> go.Figure:
    """One region and service over the years: projected demand and supply as lines, the target as markers in the
    years the plan states one. Years are whole numbers on the axis (dtick 1).

    In: gap rows of one region (several years). Out: traces (meta) "demand", "supply", "target".
    """
    if service not in SERVICES:
        raise ValueError(f"未知服务 {service!r} / unknown service (one of {', '.join(SERVICES)})")
    rows = rows[rows["service"] == service].sort_values("year")
    years = [int(y) for y in rows["year"]]
    colour = SERVICE_COLOURS[service]
    hover = _hover(rows, lang)
    n = _trace_names(lang)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=years, y=_values(rows["demand"]), name=n["demand"], meta="demand", mode="lines+markers",
                             line=dict(color=colour, width=3), hovertext=hover, hoverinfo="text"))
    fig.add_trace(go.Scatter(x=years, y=_values(rows["supply"]), name=n["supply"], meta="supply", mode="lines+markers",
                             line=dict(color=colour, width=3, dash="dot"), opacity=0.7, hovertext=hover,
                             hoverinfo="text"))
    fig.add_trace(go.Scatter(x=years, y=_values(rows["target"]), name=n["target"], meta="target", mode="markers",
                             marker=dict(symbol="line-ew", size=26, line=dict(width=4, color=TARGET_COLOUR)),
                             hovertext=hover, hoverinfo="text"))
    fig = _layout(fig, title=title, height=height)
    fig.update_xaxes(dtick=1, tickformat="d")
    return fig


def _wrap(text: str, width: int = 12) -> str:
    """A label longer than `width` characters broken at its last space (Chinese labels are short and stay)."""
    if len(text) <= width or " " not in text:
        return text
    head, _, tail = text.rpartition(" ")
    return f"{head}<br>{tail}"


def _trace_names(lang: str) -> dict:
    """Legend labels of the trace ids (each trace keeps its id in `meta`)."""
    return {"supply": t("map_supply", lang), "demand": t("ov_demand_projected", lang),
            "target": t("map_target", lang), "target_gap": t("ov_compare_target_gap", lang)}


def comparison_chart(cmp: pd.DataFrame, *, lang: str = "zh", title: str = "", names: dict | None = None,
                     height: int = 420) -> go.Figure:
    """Every region at a glance: one panel per service (its own scale), y = the regions in the comparison's order
    (the most complete first, at the top), a bar of the gap (demand − supply) in the service's colour, a black
    tick at the target gap (target − supply); a region whose plan gives neither shows a grey "规划未给出".

    In: models.report.overview.comparison(...) rows (region_code, region_name, service, gap, target_gap, rank, …; whole
    beds and places; NaN = missing), `names` code → display name. Out: a figure; traces (meta) "gap:<service>",
    "target_gap:<service>", "missing:<service>"; the legend names each service's gap in its bar colour.
    """
    from plotly.subplots import make_subplots

    names = names or {}
    order = list(dict.fromkeys(cmp.sort_values("rank", kind="stable")["region_code"]))
    display = {c: names.get(c) or n or c for c, n in zip(cmp["region_code"], cmp["region_name"])}
    y = [display[c] for c in order]
    titles = [_wrap(label(s, lang)) for s in SERVICES]  # a long English label on two lines: panels are narrow
    fig = make_subplots(rows=1, cols=len(SERVICES), shared_yaxes=True, horizontal_spacing=0.07,
                        subplot_titles=titles)
    n = _trace_names(lang)
    for i, service in enumerate(SERVICES, start=1):
        part = cmp[cmp["service"] == service].set_index("region_code").reindex(order)
        unit = indicator(service).unit
        gap, tgap = _values(part["gap"]), _values(part["target_gap"])
        hover = _hover(part.reset_index().assign(service=service, year=part["year"].fillna(0).values), lang)
        top = max([v for v in gap + tgap if v is not None] or [1.0])
        # The value is written without its unit (the panel title names the service) inside a long bar, after a short
        # one: with the axis to RANGE_FACTOR × the largest value, neither can run into the next panel or off the chart
        # (tests/browser/test_chart_labels.py: 1440×900 and 1280×800, both languages).
        inside = [v is not None and v > INSIDE_SHARE * top for v in gap]
        fig.add_trace(go.Bar(
            y=y, x=gap, orientation="h", name=t("ov_gap", lang, service=label(service, lang)), meta=f"gap:{service}",
            marker=dict(color=SERVICE_COLOURS[service]),
            text=[fmt_number(v, unit, lang, with_unit=False) if v is not None else "" for v in gap],
            textposition=["inside" if k else "outside" for k in inside], insidetextanchor="end",
            insidetextfont=dict(color="white"), outsidetextfont=dict(color="#222"), constraintext="none",
            cliponaxis=False, hovertext=hover, hoverinfo="text", legendrank=i),
            row=1, col=i)
        fig.add_trace(go.Scatter(
            y=y, x=tgap, mode="markers", name=n["target_gap"], meta=f"target_gap:{service}",
            marker=dict(symbol="line-ns", size=26, line=dict(width=3, color=TARGET_COLOUR)),
            hovertext=hover, hoverinfo="text", showlegend=i == 1, legendrank=10), row=1, col=i)
        fig.update_xaxes(range=[0, top * RANGE_FACTOR], row=1, col=i)  # room for a value written after a short bar
        none = [yy for yy, g, tg in zip(y, gap, tgap) if g is None and tg is None]
        fig.add_trace(go.Scatter(
            y=none, x=[0] * len(none), mode="text", text=[t("ov_compare_missing", lang)] * len(none),
            textposition="middle right", textfont=dict(color=MISSING_COLOUR, size=12), meta=f"missing:{service}",
            hoverinfo="skip", showlegend=False), row=1, col=i)
    wrapped = any("<br>" in x for x in titles)
    # the title at the top of the figure, the panel titles (one or two lines) below it, never on it
    fig.update_layout(title=dict(text=title, x=0.01, yref="container", y=0.99, yanchor="top"),
                      font=dict(family=FONT, size=14), height=height,
                      margin=dict(l=10, r=20, t=(75 if title else 40) + (22 if wrapped else 0), b=10),
                      plot_bgcolor="white",
                      paper_bgcolor="white", bargap=0.35, hoverlabel=dict(font_size=14),
                      # below the axis ticks, never on them
                      legend=dict(orientation="h", yanchor="top", y=-0.14, x=0, font=dict(size=13)))
    fig.update_xaxes(rangemode="tozero", gridcolor="#e5e5e5", tickformat="~s", nticks=4, zeroline=True,
                     zerolinecolor="#999")
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=15))
    for a in fig.layout.annotations:  # the panel titles: one service each, in its colour
        a.font = dict(size=15, color="#222")
    return fig


def ranking_chart(ranking: pd.DataFrame, *, service: str, lang: str = "zh", title: str = "",
                  growth_label: str = "", per_1000_label: str = "", limit: int = 40) -> go.Figure:
    """A province's counties side by side (models.report.overview.county_ranking, in its order): demand growth (%)
    on the left, demand per 1,000 on the right, one bar each, the first `limit` units; a missing number has no bar
    (never 0)."""
    from plotly.subplots import make_subplots

    r = ranking.head(limit).iloc[::-1]  # the first-ranked on top
    names = [f"{n}" for n in r["region_name"]]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=(growth_label, per_1000_label))
    colour = SERVICE_COLOURS.get(service, DEMAND_COLOUR)
    growth, per = _values(r["demand_growth"]), _values(r["demand_per_1000"])
    fig.add_trace(go.Bar(y=names, x=growth, orientation="h", marker_color=colour, name=growth_label,
                         text=["" if v is None else f"{v:,.1f}%" for v in growth], textposition="outside",
                         hovertemplate="%{y}: %{x:,.1f}%<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Bar(y=names, x=per, orientation="h", marker_color=colour, opacity=SUPPLY_OPACITY + 0.3,
                         name=per_1000_label, text=["" if v is None else f"{v:,.1f}" for v in per],
                         textposition="outside", hovertemplate="%{y}: %{x:,.1f}<extra></extra>"), row=1, col=2)
    _layout(fig, title=title, height=max(320, 22 * len(r) + 120))
    fig.update_layout(showlegend=False)
    fig.update_yaxes(tickformat=None)
    fig.update_xaxes(gridcolor="#e5e5e5")
    return fig
