"""总览 (leadership overview): per region the gaps of the three services, how much of each target is reached, the
difference from the plan's own figure, a one-sentence headline, the gap chart, and why each number is what it is.
Few regions: one card each, nested by the region hierarchy. Many (> CARD_LIMIT): totals by province/city, a sorted,
paged table, and one region's card at a time."""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from models.brief import brief_bytes, build_brief
from models.catalogue import SERVICES, indicator, label
from models.charts import gap_chart, gap_trend_chart
from models.charts_map import method_text
from models.formatting import fmt_number
from models.gaps import YEARS
from models.i18n import t
from models.overview import (
    ASSUMPTIONS,
    CARD_LIMIT,
    aggregate,
    delta_text,
    explanation,
    hierarchy,
    kpi_text,
    kpis,
    region_names,
    region_table,
    sort_and_page,
)
from models.paths import ROOT
from ui import cache
from ui.state import lang

L = lang()
WORKBENCH = "pages/workbench.py"
st.title(t("page_overview", L))
st.caption(t("ov_intro", L))

c1, c2 = st.columns([1, 3])
years = list(YEARS)
year = c1.selectbox(t("ov_year", L), years, index=years.index(2025), key="ov_year")
assumptions = c2.radio(t("ov_assumptions", L), ASSUMPTIONS, horizontal=True, key="ov_assumptions",
                       format_func=lambda a: t(f"ov_assumptions_{a}", L))

regions = cache.regions()
names = region_names(regions, L)
national = cache.gaps(assumptions, years=(year,), explain=False)  # every region, no explanation text
kpi = kpis(national, year=year)
codes = list(dict.fromkeys(kpi["region_code"]))
if not codes:
    st.info(t("ov_no_rows", L))
    st.stop()
tree = hierarchy(regions, codes, lang=L)
paths = dict(zip(tree["code"], tree["path_label"]))


def workbench_link(code: str) -> None:
    if not (ROOT / WORKBENCH).exists():  # the planner workbench may not be installed yet
        return
    try:
        st.page_link(WORKBENCH, label=t("ov_open_workbench", L, region=names.get(code, code)), icon="🧮",
                     query_params={"region": code, "year": str(year), "lang": L})
    except StreamlitAPIException:
        pass


def metric_row(rows, measure: str) -> None:
    cols = st.columns(len(SERVICES))
    for col, r in zip(cols, rows):
        unit = indicator(r["service"]).unit
        if measure == "gap":
            delta = delta_text(r, L)
            stated = fmt_number(r["gap_stated"], unit, L) if delta is not None else t("ov_no_stated_gap", L)
            col.metric(t("ov_gap", L, service=label(r["service"], L)), kpi_text(r, "gap", L), delta=delta,
                       delta_color="off", delta_arrow="auto" if r["gap_delta"] else "off",
                       delta_description=t("ov_delta_vs_plan", L) if delta is not None else None,
                       help=t("ov_help_gap", L, demand=fmt_number(r["demand"], unit, L),
                              supply=fmt_number(r["supply"], unit, L), stated=stated)
                       + ("\n\n" + r["formula"] if r["formula"] else ""))
        else:
            col.metric(t("ov_achieved", L, service=label(r["service"], L)), kpi_text(r, "achieved_share", L),
                       help=t("ov_help_achieved", L, supply=fmt_number(r["supply"], unit, L),
                              target=fmt_number(r["target"], unit, L)))


def explain_block(rows) -> None:
    with st.expander(t("ov_explain", L)):
        for r in rows:
            e = explanation(r, L)
            st.markdown(f"**{label(r['service'], L)}** · {method_text(r['method'], L)}")
            if e["formula"]:
                st.code(e["formula"], language=None, wrap_lines=True)
            if e["reason"]:
                st.caption(e["reason"])
            if e["inputs"]:
                st.dataframe(
                    [{t("ov_input_name", L): i["name"], t("value", L): i["value"], t("year", L): i["year"],
                      "ID": i["fact_id"], t("quote", L): i["quote"], t("source", L): i["source"]} for i in e["inputs"]],
                    hide_index=True, width="stretch",
                    column_config={t("year", L): st.column_config.NumberColumn(format="%d")})


def card(code: str, explained, children: dict) -> None:
    """One region: headline, gap and achievement metrics, the gap chart, the explanation; its children inside."""
    rows = kpis(explained, year=year).to_dict("records")
    with st.container(border=True, key=f"ov_card_{code}"):
        st.subheader(names.get(code, code))
        if paths.get(code, "") != names.get(code, code):
            st.caption(paths.get(code, ""))
        st.markdown(f"##### {build_brief(explained, regions=[code], year=year, lang=L, names=names).headline}")
        metric_row(rows, "gap")
        metric_row(rows, "achieved_share")
        missing = [r for r in rows if r["gap"] != r["gap"]]
        for r in missing:
            reason = explanation(r, L)["reason"] or t("no_data", L)
            st.caption(t("ov_missing", L, what=t("ov_gap", L, service=label(r["service"], L)), reason=reason))
        st.plotly_chart(gap_chart(explained, lang=L, title=t("ov_chart_title", L, region=names.get(code, code),
                                                             year=year)),
                        key=f"ov_chart_{code}", width="stretch", config={"displaylogo": False})
        explain_block(rows)
        workbench_link(code)
        for child in children.get(code, []):
            card(child, region_rows(child), children)


def region_rows(code: str):
    if code in small_explained:
        return small_explained[code]
    g = cache.gaps(assumptions, years=(year,), region=code, explain=True)
    return g[g["year"] == year]


small_explained: dict = {}
if len(codes) <= CARD_LIMIT:
    every = cache.gaps(assumptions, years=(year,), explain=True)
    small_explained = {c: g for c, g in every.groupby("region_code")}
    children: dict = {}
    roots = []
    for r in tree[tree["has_data"]].to_dict("records"):
        (children.setdefault(r["card_parent"], []) if r["card_parent"] else roots).append(r["code"])
    with st.expander(t("ov_hierarchy", L)):
        st.markdown("\n".join(f"{'  ' * int(r['depth'])}- {r['name']}"
                              + ("" if r["has_data"] else f" {t('ov_no_data_region', L)}")
                              for r in tree.to_dict("records")))
    for code in roots:
        card(code, region_rows(code), children)
    st.divider()
    focus = st.selectbox(t("ov_focus", L), codes, key="ov_focus",
                         index=codes.index("500103") if "500103" in codes else 0,
                         format_func=lambda c: f"{names.get(c, c)} ({c})")
else:
    st.info(t("ov_many_regions", L, n=len(codes)))
    level = st.radio(t("ov_level", L), ("province", "city"), horizontal=True, key="ov_level",
                     format_func=lambda v: t(f"ov_level_{v}", L))
    provinces = sorted(set(tree.loc[tree["has_data"], "province_code"]))
    p1, p2 = st.columns(2)
    province = p1.selectbox(t("ov_province", L), ["*"] + provinces, key="ov_province",
                            format_func=lambda c: t("all", L) if c == "*" else names.get(c, c))
    agg = aggregate(kpi, tree, level=level, lang=L, within=None if province == "*" else province)
    shown = agg[["group_name", "regions"]].copy()
    shown.columns = [t("ov_col_group", L), t("ov_col_regions", L)]
    for s in SERVICES:
        shown[t("ov_col_gap", L, service=label(s, L))] = agg[f"gap_{s}"]
        shown[t("ov_col_known", L, service=label(s, L))] = agg[f"known_{s}"]
        shown[t("ov_col_achieved", L, service=label(s, L))] = agg[f"achieved_{s}"].round(1)
    st.subheader(t("ov_aggregate", L))
    st.dataframe(shown, hide_index=True, width="stretch")

    table = region_table(kpi, tree)
    if province != "*":
        table = table[table["province_code"] == province]
        cities = sorted(set(table["city_code"]) - {province})
        if cities:
            city = p2.selectbox(t("ov_city", L), ["*"] + cities, key="ov_city",
                                format_func=lambda c: t("all", L) if c == "*" else names.get(c, c))
            if city != "*":
                table = table[table["city_code"] == city]
    st.subheader(t("ov_table", L) + " · " + t("ov_region_count", L, n=len(table)))
    sort_cols = [f"gap_{s}" for s in SERVICES] + [f"achieved_{s}" for s in SERVICES] + ["region_code"]
    s1, s2, s3 = st.columns([3, 1, 1])
    by = s1.selectbox(t("ov_sort", L), sort_cols, key="ov_sort",
                      format_func=lambda c: c if c == "region_code" else t(
                          "ov_col_gap" if c.startswith("gap_") else "ov_col_achieved", L,
                          service=label(c.split("_", 1)[1], L)))
    desc = s2.toggle(t("ov_sort_desc", L), value=True, key="ov_desc")
    _, pages = sort_and_page(table, by=by, ascending=not desc)
    page = s3.number_input(t("ov_page", L, n=pages), min_value=1, max_value=pages, value=1, step=1, key="ov_page_no")
    rows_page, _ = sort_and_page(table, by=by, ascending=not desc, page=int(page))
    view = rows_page[["region_code", "region_name", "path_label"]].copy()
    view.columns = ["ID", t("region", L), t("ov_col_path", L)]
    for s in SERVICES:
        unit = indicator(s).unit
        view[t("ov_col_gap", L, service=label(s, L))] = [fmt_number(v, unit, L) for v in rows_page[f"gap_{s}"]]
        view[t("ov_col_stated", L, service=label(s, L))] = [fmt_number(v, unit, L) for v in rows_page[f"gap_stated_{s}"]]
        view[t("ov_col_achieved", L, service=label(s, L))] = [fmt_number(v, "percent", L)
                                                              for v in rows_page[f"achieved_{s}"]]
    st.dataframe(view, hide_index=True, width="stretch")
    focus_options = list(table["region_code"]) or codes
    focus = st.selectbox(t("ov_region", L), focus_options, key="ov_region",
                         index=focus_options.index("500103") if "500103" in focus_options else 0,
                         format_func=lambda c: f"{names.get(c, c)} ({c})")
    card(focus, region_rows(focus), {})

# The focus region: trend over the years and the one-page brief.
st.subheader(t("ov_focus_header", L, region=names.get(focus, focus)))
all_years = cache.gaps(assumptions, region=focus, explain=False)
service = st.segmented_control(t("ov_trend_service", L), SERVICES, default=SERVICES[0], key="ov_trend_service",
                               format_func=lambda s: label(s, L)) or SERVICES[0]
st.plotly_chart(gap_trend_chart(all_years, service=service, lang=L,
                                title=t("ov_trend_title", L, region=names.get(focus, focus), service=label(service, L))),
                key="ov_trend", width="stretch", config={"displaylogo": False})
focus_rows = region_rows(focus)
row = st.container(horizontal=True)
for fmt, mime in (("png", "image/png"), ("pdf", "application/pdf")):
    row.download_button(
        t(f"brief_download_{fmt}", L), key=f"ov_brief_{fmt}", file_name=f"brief_{focus}_{year}.{fmt}", mime=mime,
        on_click="ignore", icon=":material/download:",
        data=lambda fmt=fmt: brief_bytes(focus_rows, regions=[focus], year=year, lang=L, fmt=fmt, names=names))
workbench_link(focus)
