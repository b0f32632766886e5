"""Chart builders for the planner workbench: pure functions of forecasting.workbench's frames, returning plotly figures.

Missing numbers (NaN) are not drawn (plotly gaps), and are named 未提供 in hover texts, never drawn as 0. Services take
their colours from models.report.charts.SERVICE_COLOURS (one place); methods and scenarios have theirs here. Years on an
axis are whole numbers (dtick 1, format "d").
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from models.core.catalogue import SERVICES, indicator, label
from models.core.formatting import fmt_number
from models.core.i18n import t
from models.report.charts import FONT, SERVICE_COLOURS, TARGET_COLOUR

METHOD_COLOURS = {"stated": "#7a7a7a", "plan": "#2f6fa8", "model": "#8e5bb5", "override": "#d98c1f"}
BAND_COLOURS = {"95": "rgba(142, 91, 181, 0.15)", "80": "rgba(142, 91, 181, 0.30)"}
SCENARIO_PALETTE = ["#2f6fa8", "#d98c1f", "#3f9a5b", "#c2553a"]


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _values(col) -> list:
    return [None if _missing(v) else float(v) for v in col]


def _years(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(dtick=1, tickformat="d")
    return fig


def _layout(fig: go.Figure, *, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.01), font=dict(family=FONT, size=14), height=height,
                      margin=dict(l=10, r=10, t=60 if title else 20, b=10), legend=dict(orientation="h", y=-0.18),
                      plot_bgcolor="white", paper_bgcolor="white", hoverlabel=dict(font_size=13))
    fig.update_yaxes(gridcolor="#e5e5e5", separatethousands=True, tickformat=",~r")  # 300,000 not "300k": planners read full numbers
    return fig


def method_label(method: str, lang: str) -> str:
    return t(f"wb_method_{method}", lang)


def _unit(service: str) -> str:
    return indicator(service).unit


# -- projection fan chart ------------------------------------------------------------------------------------------------
def fan_chart(projections: pd.DataFrame, *, indicator_id: str = "elderly_60plus", lang: str = "zh",
              scenario: str = "medium", chosen: str | None = None) -> go.Figure:
    """The model's medium path with its 95% and 80% bands (shaded), and the plan, model and override paths of
    `scenario` as lines (the `chosen` method drawn thicker). In: Evaluation.projections (persons by year)."""
    p = projections[projections["indicator"] == indicator_id]
    unit = indicator(indicator_id).unit
    fig = go.Figure()
    fan = p[(p["method"] == "model") & (p["scenario"] == "medium")].sort_values("year")
    for level in ("95", "80"):
        lo, hi = fan[f"lower_{level}"], fan[f"upper_{level}"]
        has = lo.notna() & hi.notna()
        if not has.any():
            continue
        years = list(fan.loc[has, "year"].astype(int))
        fig.add_trace(go.Scatter(x=years + years[::-1], y=_values(hi[has]) + _values(lo[has])[::-1], fill="toself",
                                 fillcolor=BAND_COLOURS[level], line=dict(width=0), hoverinfo="skip",
                                 name=t(f"wb_band_{level}", lang)))
    for method in ("plan", "model", "override"):
        m = p[(p["method"] == method) & (p["scenario"] == scenario)].sort_values("year")
        if m.empty:
            continue
        name = method_label(method, lang) + (t("wb_chosen", lang) if method == chosen else "")
        hover = [f"{int(y)}: {fmt_number(v, unit, lang)}<br>{n}" for y, v, n in zip(m["year"], m["value"], m["note"])]
        fig.add_trace(go.Scatter(x=list(m["year"].astype(int)), y=_values(m["value"]), mode="lines+markers",
                                 name=name, line=dict(color=METHOD_COLOURS[method], width=4 if method == chosen else 2),
                                 marker=dict(size=5), hovertext=hover, hoverinfo="text"))
    _layout(fig, title=t("wb_fan_title", lang, indicator=label(indicator_id, lang)))
    return _years(fig)


# -- supply (with pipeline) vs demand ------------------------------------------------------------------------------------
def supply_demand_chart(gaps: pd.DataFrame, *, lang: str = "zh") -> go.Figure:
    """One panel per service: demand, current supply and supply with the pipeline by year, and the plan target as
    markers. In: Evaluation.gaps (beds / places)."""
    fig = make_subplots(rows=1, cols=len(SERVICES), subplot_titles=[label(s, lang) for s in SERVICES],
                        horizontal_spacing=0.06)
    traces, cols = [], []  # added to their panels in one add_traces call
    for i, s in enumerate(SERVICES, start=1):
        g = gaps[gaps["service"] == s].sort_values("year")
        years = list(g["year"].astype(int))
        colour, unit = SERVICE_COLOURS[s], _unit(s)
        with_pipe = g["supply_existing"] + g["pipeline"].fillna(0)
        series = [("wb_demand", g["demand"], dict(color=colour, width=3), "lines+markers"),
                  ("wb_supply_existing", g["supply_existing"], dict(color=colour, width=2, dash="dot"), "lines"),
                  ("wb_supply_pipeline", with_pipe, dict(color=colour, width=2, dash="dash"), "lines")]
        for key, vals, line, mode in series:
            traces.append(go.Scatter(x=years, y=_values(vals), mode=mode, line=line, name=t(key, lang),
                                     legendgroup=key, showlegend=i == 1, hovertext=[
                                         f"{y}: {fmt_number(v, unit, lang)}" for y, v in zip(years, vals)],
                                     hoverinfo="text+name"))
            cols.append(i)
        tg = g[g["target"].notna()]
        traces.append(go.Scatter(x=list(tg["year"].astype(int)), y=_values(tg["target"]), mode="markers",
                                 marker=dict(symbol="line-ew-open", size=18, color=TARGET_COLOUR,
                                             line=dict(width=3)),
                                 name=t("wb_target", lang), legendgroup="target", showlegend=i == 1,
                                 hovertext=[f"{int(y)}: {fmt_number(v, unit, lang)}"
                                            for y, v in zip(tg["year"], tg["target"])], hoverinfo="text+name"))
        cols.append(i)
    fig.add_traces(traces, rows=[1] * len(traces), cols=cols)
    _layout(fig, title=t("wb_supply_title", lang), height=400)
    fig.update_xaxes(dtick=5, tickformat="d")  # 16 years in a narrow panel: every fifth year labelled
    fig.update_yaxes(rangemode="tozero")
    return fig


# -- gap waterfall ----------------------------------------------------------------------------------------------------
def waterfall_chart(waterfall: pd.DataFrame, *, service: str, year: int, lang: str = "zh") -> go.Figure:
    """Current supply → pipeline → to the target → beyond the target → projected demand (beds / places).
    In: Evaluation.waterfall. Steps whose value is unknown are left out and named 未提供 in the title."""
    w = waterfall[waterfall["service"] == service]
    known = w[w["value"].notna()]
    unit = _unit(service)
    fig = go.Figure(go.Waterfall(
        x=[t(f"wb_step_{s}", lang) for s in known["step"]], y=_values(known["value"]), measure=list(known["measure"]),
        text=[fmt_number(v, unit, lang) for v in known["value"]], textposition="outside",
        hovertext=list(known["formula"]), hoverinfo="text",
        increasing=dict(marker=dict(color="#c2553a")), decreasing=dict(marker=dict(color="#3f9a5b")),
        totals=dict(marker=dict(color=SERVICE_COLOURS[service])), connector=dict(line=dict(color="#999999"))))
    title = t("wb_waterfall_title", lang, year=year, service=label(service, lang))
    missing = w[w["value"].isna()]
    if len(missing):
        title += " · " + "、".join(f"{t(f'wb_step_{s}', lang)} {t('no_data', lang)}" for s in missing["step"])
    return _layout(fig, title=title)


# -- tornado ------------------------------------------------------------------------------------------------------------
def assumption_label(name: str, lang: str) -> str:
    return t(f"wb_a_{name}", lang)


def tornado_chart(sens: pd.DataFrame, *, service: str, year: int, lang: str = "zh") -> go.Figure:
    """Change of the `year` gap of `service` when each assumption moves down / up by its step: horizontal bars,
    the largest impact on top. Assumptions without a number (NaN impact) are left out (the page lists why).
    In: forecasting.workbench.sensitivity."""
    s = sens[(sens["service"] == service) & sens["impact"].notna()].sort_values("impact", ascending=True)
    unit = _unit(service)
    names = [f"{assumption_label(a, lang)} {st}" for a, st in zip(s["assumption"], s["step"])]
    fig = go.Figure()
    for side, colour in (("low", "#3f9a5b"), ("high", "#c2553a")):
        vals = s[f"delta_{side}"]
        hover = [f"{n}: {fmt_number(v0, '', lang)} → {fmt_number(v1, '', lang)}<br>{t('map_gap', lang)} "
                 f"{fmt_number(g0, unit, lang)} → {fmt_number(g1, unit, lang)}"
                 for n, v0, v1, g0, g1 in zip(names, s["base_value"], s[f"{side}_value"], s["gap_base"],
                                              s[f"gap_{side}"])]
        fig.add_trace(go.Bar(y=names, x=_values(vals), orientation="h", name=t(f"wb_tornado_{side}", lang),
                             marker_color=colour, hovertext=hover, hoverinfo="text"))
    _layout(fig, title=t("wb_tornado_title", lang, year=year, service=label(service, lang)),
            height=max(260, 60 + 36 * len(s)))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=t("wb_tornado_axis", lang, unit=t(f"unit_short_{unit}", lang)), zeroline=True,
                     zerolinecolor="#333333", separatethousands=True)
    return fig


# -- methods and scenarios side by side ---------------------------------------------------------------------------------
def methods_chart(methods: pd.DataFrame, *, year: int, lang: str = "zh") -> go.Figure:
    """The gap of each service by method (as stated, plan, model, override) as grouped bars.
    In: Evaluation.methods."""
    fig = go.Figure()
    for method in ("stated", "plan", "model", "override"):
        m = methods[methods["method"] == method].set_index("service").reindex(SERVICES)
        if m["gap"].isna().all():
            continue
        chosen = bool(m["chosen"].fillna(False).any())
        fig.add_trace(go.Bar(x=[label(s, lang) for s in SERVICES], y=_values(m["gap"]),
                             name=method_label(method, lang) + (t("wb_chosen", lang) if chosen else ""),
                             marker_color=METHOD_COLOURS[method],
                             text=[fmt_number(v, _unit(s), lang) for v, s in zip(m["gap"], SERVICES)],
                             textposition="outside"))
    _layout(fig, title=t("wb_methods_title", lang, year=year))
    fig.update_layout(barmode="group")
    return fig


def scenarios_chart(compare: pd.DataFrame, *, year: int, lang: str = "zh") -> go.Figure:
    """Gaps of saved scenarios by service as grouped bars, one colour per scenario.
    In: forecasting.workbench.compare_scenarios (name, service, gap)."""
    fig = go.Figure()
    for i, (name, g) in enumerate(compare.groupby("name", sort=False)):
        g = g.set_index("service").reindex(SERVICES)
        fig.add_trace(go.Bar(x=[label(s, lang) for s in SERVICES], y=_values(g["gap"]), name=str(name),
                             marker_color=SCENARIO_PALETTE[i % len(SCENARIO_PALETTE)],
                             text=[fmt_number(v, _unit(s), lang) for v, s in zip(g["gap"], SERVICES)],
                             textposition="outside"))
    _layout(fig, title=t("wb_compare_title", lang, year=year))
    fig.update_layout(barmode="group")
    return fig
