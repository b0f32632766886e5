"""Charts of the page 方法与检验: pure functions of the frames forecasting.method_report returns."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from models.core.i18n import t


def entrants_chart(entrants: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Bars: persons turning 60 each year (万人), WPP births × survival."""
    fig = go.Figure(go.Bar(x=entrants["year"], y=entrants["entrants_60"] / 1e4, name=t("me_entrants_60", lang),
                           customdata=entrants[["cohort"]],
                           hovertemplate="%{x}: %{y:,.0f}" + ("万人" if lang == "zh" else " ×10k") +
                           " (%{customdata[0]})<extra></extra>"))
    fig.update_layout(yaxis_title="万人" if lang == "zh" else "10k persons", height=360, margin=dict(t=20, b=30))
    fig.update_xaxes(dtick=2, tickformat="d")
    return fig


def backtest_chart(rows: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Published 60+ 2021–2025 against each method's vintage-2020 projection (亿人), the model's 80 % band."""
    fig = go.Figure()
    model = rows[rows["method"] == "model"]
    fig.add_trace(go.Scatter(x=list(model["year"]) + list(model["year"])[::-1],
                             y=list(model["upper_80"] / 1e8) + list(model["lower_80"] / 1e8)[::-1], fill="toself",
                             line=dict(width=0), fillcolor="rgba(31,119,180,0.15)", name=t("me_band80", lang)))
    for method, color in (("model", "#1f77b4"), ("ets", "#ff7f0e"), ("naive", "#7f7f7f")):
        g = rows[rows["method"] == method]
        name = t(f"me_m_{method}", lang)
        fig.add_trace(go.Scatter(x=g["year"], y=g["value"] / 1e8, mode="lines+markers", name=name,
                                 line=dict(color=color), customdata=g[["error_pct"]],
                                 hovertemplate="%{x}: %{y:.3f} (%{customdata[0]:+.1f}%)<extra>" + name + "</extra>"))
    actual = rows.drop_duplicates("year")
    fig.add_trace(go.Scatter(x=actual["year"], y=actual["actual"] / 1e8, mode="markers", name=t("me_actual", lang),
                             marker=dict(color="black", size=10, symbol="diamond")))
    fig.update_layout(yaxis_title="亿人" if lang == "zh" else "100 million", height=380, margin=dict(t=20, b=30))
    fig.update_xaxes(dtick=1, tickformat="d")
    return fig


def paths_chart(paths: pd.DataFrame, names: dict, lang: str = "zh") -> go.Figure:
    """60+ to 2035 for China and the provinces with figures, indexed to 2025 = 100, 80 % bands."""
    fig = go.Figure()
    for code, g in paths.groupby("region_code", sort=False):
        g = g[g["year"] >= 2020]
        base = float(g.loc[g["year"] == 2025, "value"].iloc[0])
        name = names.get(code, code)
        fc = g[g["lower_80"].notna()]
        fig.add_trace(go.Scatter(x=list(fc["year"]) + list(fc["year"])[::-1],
                                 y=list(fc["upper_80"] / base * 100) + list(fc["lower_80"] / base * 100)[::-1],
                                 fill="toself", line=dict(width=0), opacity=0.2, showlegend=False, hoverinfo="skip",
                                 name=name))
        fig.add_trace(go.Scatter(x=g["year"], y=g["value"] / base * 100, mode="lines", name=name,
                                 customdata=g[["value"]] / 1e4,
                                 hovertemplate="%{x}: %{y:.1f} (%{customdata[0]:,.1f}" +
                                 ("万人" if lang == "zh" else " ×10k") + ")<extra>" + name + "</extra>"))
    fig.update_layout(yaxis_title="2025 = 100", height=400, margin=dict(t=20, b=30))
    fig.update_xaxes(dtick=1, tickformat="d")
    return fig


def births_chart(births: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Births (万人): NBS observed, the model's path with its 80 % band, WPP 2024 beside them."""
    fig = go.Figure()
    m = births[births["model"].notna()]
    fig.add_trace(go.Scatter(x=list(m["year"]) + list(m["year"])[::-1],
                             y=list(m["upper_80"] / 1e4) + list(m["lower_80"] / 1e4)[::-1], fill="toself",
                             line=dict(width=0), fillcolor="rgba(31,119,180,0.15)", name=t("me_band80", lang)))
    fig.add_trace(go.Scatter(x=m["year"], y=m["model"] / 1e4, mode="lines", name=t("me_births_model", lang),
                             line=dict(color="#1f77b4")))
    o = births[births["observed"].notna()]
    fig.add_trace(go.Bar(x=o["year"], y=o["observed"] / 1e4, name=t("me_births_observed", lang),
                         marker_color="#7f7f7f"))
    fig.add_trace(go.Scatter(x=births["year"], y=births["wpp"] / 1e4, mode="lines", name=t("me_births_wpp", lang),
                             line=dict(color="#ff7f0e", dash="dash")))
    fig.update_layout(yaxis_title="万人" if lang == "zh" else "10k persons", height=360, margin=dict(t=20, b=30))
    fig.update_xaxes(dtick=2, tickformat="d")
    return fig


def levels_table(levels: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The backtest per level (nation, province, county) and method as a readable table: labels in `lang`, MAPE and
    the 80 % coverage as formatted text (coverage with its count, e.g. "79.7% (110/138)"); a pair with no published
    figure reads "未提供", naive (no interval) "—"."""
    from models.core.formatting import MISSING, fmt_number

    rows = []
    for r in levels.to_dict("records"):
        n, k = int(r["n"]), int(r["n_interval"])
        inside = round(r["coverage_80"] * k) if k else 0
        rows.append({t("me_level", lang): t(f"me_level_{r['level']}", lang),
                     t("me_method", lang): t(f"me_m_{r['method']}", lang),
                     t("me_n_regions", lang): f"{int(r['n_regions']):,d}",
                     t("me_n_values", lang): f"{n:,d}",
                     "MAPE %": fmt_number(r["mape"], "percent", lang, with_unit=False, digits=2) if n else
                     t("me_no_figures", lang),
                     t("me_coverage", lang): (f"{fmt_number(r['coverage_80'] * 100, 'percent', lang, digits=1)} "
                                              f"({inside}/{k})") if k else MISSING if n else t("me_no_figures", lang)})
    return pd.DataFrame(rows)


def raking_table(raking: pd.DataFrame, names: dict, lang: str = "zh") -> pd.DataFrame:
    """The census projection's raking factors (forecasting.method_report.raking_report) as a readable table: one row
    per province (the nation's row first: the provinces scaled to the national paths) and age band, the factor of
    each year as the signed change it makes (factor − 1, in %, one decimal: 1.003 → +0.3%), and the largest
    deviation from 1 the same way. Names and bands in
    `lang`; no raw floats."""
    from models.core.formatting import MISSING, is_missing

    years = [c for c in raking.columns if str(c).isdigit()]
    band_order = {"young": 0, "mid": 1, "old": 2}
    r = raking.assign(_nation=raking["level"] != "nation", _band=raking["band"].map(band_order))
    r = r.sort_values(["_nation", "province_code", "_band"], kind="stable")
    rows = []
    for x in r.to_dict("records"):
        values = [x[y] for y in years if not is_missing(x[y])]
        worst = max(values, key=lambda v: abs(v - 1)) if values else None
        row = {t("me_rk_province", lang): names.get(x["province_code"]) or x["province_name"] or x["province_code"],
               t("me_rk_step", lang): t(f"me_rk_level_{x['level']}", lang),
               t("me_rk_band", lang): t(f"me_rk_band_{x['band']}", lang)}
        row.update({str(y): MISSING if is_missing(x[y]) else f"{(x[y] - 1) * 100:+.1f}%" for y in years})
        row[t("me_rk_largest", lang)] = MISSING if worst is None else f"{(worst - 1) * 100:+.1f}%"
        rows.append(row)
    return pd.DataFrame(rows)
