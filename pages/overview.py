"""总览 (leadership overview). First screen (1440×900): every region compared — the gap of the three services and
the distance to the plan's target per region, sorted (most complete first), beside a compact table with the plan's
own figure and the difference; a year switch (2025 from the plans, 2030 and 2035 from the projection).
Below: 终期评估 (the 2025 targets against actual figures, with an import template where none exists), each region in
detail (tabs), the focus region's trend and the one-page brief. Above CARD_LIMIT regions: totals by province/city
and a sorted, paged table instead of the comparison chart; there the focus region's charts are drawn on demand
(a collapsed expander each), so the first screen is the tables and the browser need not load the chart library.
Each card's "how these numbers are computed" is drawn only once opened (issue 20: first render in Chromium)."""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from models.core.catalogue import SERVICES, indicator, label
from models.core.formatting import MISSING, cell, fmt_number, is_missing, labelled
from models.core.i18n import t
from models.core.paths import ROOT
from models.report.brief import brief_bytes, source_title
from models.report.charts import comparison_chart
from models.report.overview import (
    CARD_LIMIT,
    COMPARE_YEARS,
    RANKING_SORTS,
    REVIEW_YEAR,
    compare_table,
    default_focus,
    delta_text,
    explanation,
    kpi_text,
    missing_line,
    review_template,
    review_templates,
    sort_and_page,
)
from ui import cache
from ui.downloads import brief_downloads
from ui.missing import missing_input_line
from ui.region_picker import pick_region
from ui.state import lang

L = lang()
WORKBENCH = "pages/workbench.py"
st.title(t("page_overview", L))

year = st.segmented_control(t("ov_compare_year", L), COMPARE_YEARS, default=COMPARE_YEARS[0], key="ov_year",
                            format_func=lambda y: t(f"ov_compare_year_{y}", L)) or COMPARE_YEARS[0]
# 2025: the plans' own populations and standards; later years: the projection (medium) with the plans' standards
assumptions = "plan" if year == REVIEW_YEAR else "model"

# every region's KPI, hierarchy and comparison: computed once per data version, year and language (ui/cache.py)
ov = cache.overview(year, L)
codes, names, tree, paths = ov.codes, ov.names, ov.tree, ov.paths
if not codes:
    st.info(t("ov_no_rows", L))
    st.stop()


def workbench_link(code: str) -> None:
    if not (ROOT / WORKBENCH).exists():  # the planner workbench may not be installed yet
        return
    try:
        st.page_link(WORKBENCH, label=t("ov_open_workbench", L, region=names.get(code, code)),
                     icon=":material/calculate:", query_params={"region": code, "year": str(year), "lang": L})
    except StreamlitAPIException:
        pass


def supply_year(r) -> str:
    """The year of a supply count as shown (a 2020 stock is labelled 2020, not "2025 现有")."""
    y = r.get("supply_year")
    return MISSING if is_missing(y) else str(int(y))


def metric_row(rows, measure: str) -> None:
    """Metrics for the known figures only; the missing ones are named in one quiet line (missing_line)."""
    known = [r for r in rows if r[measure] == r[measure]]
    if not known:
        return
    cols = st.columns(len(SERVICES))
    for col, r in zip(cols, known):
        unit = indicator(r["service"]).unit
        if measure == "gap":
            delta = delta_text(r, L)
            stated = fmt_number(r["gap_stated"], unit, L) if delta is not None else t("ov_no_stated_gap", L)
            col.metric(t("ov_gap", L, service=label(r["service"], L)), kpi_text(r, "gap", L), delta=delta,
                       delta_color="off", delta_arrow="auto" if r["gap_delta"] else "off",
                       delta_description=t("ov_delta_vs_plan", L) if delta is not None else None,
                       help=t("ov_help_gap_year", L, demand=fmt_number(r["demand"], unit, L),
                              supply=fmt_number(r["supply"], unit, L), stated=stated, year=supply_year(r))
                       + ("\n\n" + labelled(r["formula"], L) if r["formula"] else ""))
        else:
            col.metric(t("ov_achieved", L, service=label(r["service"], L)), kpi_text(r, "achieved_share", L),
                       help=t("ov_help_achieved_year", L, supply=fmt_number(r["supply"], unit, L),
                              target=fmt_number(r["target"], unit, L), year=supply_year(r)))


def explain_block(rows, code: str) -> None:
    """The formulas and their inputs, computed and sent only once the expander is opened (a lazy expander: its code
    blocks and input tables cost the browser about a second on the first render, issue 20);
    st.session_state[f"ov_explain_{code}"] holds whether it is open."""
    with st.expander(t("ov_explain", L), key=f"ov_explain_{code}", on_change="rerun") as box:
        if not box.open:
            return
        for r in rows:
            e = explanation(r, L)
            st.markdown(f"**{label(r['service'], L)}** · {e['method']}")
            if e["formula"]:
                st.code(labelled(e["formula"], L), language=None, wrap_lines=True)
            if e["reason"]:
                st.caption(e["reason"])
            if e["inputs"]:
                st.dataframe(
                    [{t("ov_input_name", L): labelled(i["name"], L), t("value", L): cell(i["value"], lang=L),
                      t("year", L): MISSING if is_missing(i["year"]) else str(int(i["year"])), "ID": i["fact_id"],
                      t("quote", L): i["quote"], t("source", L): source_title(i["source"], L),
                      t("note", L): i["note"] or MISSING} for i in e["inputs"]],
                    hide_index=True, width="stretch")


def on_demand(key: str, text: str):
    """A collapsed expander for a chart, whose content runs only once it is opened (`.open`;
    st.session_state[key]). With every county loaded the overview's first screen is tables: a chart below the fold
    would make the browser load and run the chart library (~4.7 MB of script) before the first table appears
    (issue 20)."""
    return st.expander(text, key=key, on_change="rerun", icon=":material/bar_chart:")


def card(code: str, *, charts_on_demand: bool = False) -> None:
    """One region: headline, the known gaps and target shares, one line for what the plan does not give, the gap
    chart (behind a lazy expander when `charts_on_demand`), the explanation (computed once per data version:
    ui/cache.overview_card)."""
    c = cache.overview_card(year, L, code)
    rows = c.rows
    with st.container(key=f"ov_card_{code}"):
        st.subheader(names.get(code, code))
        if paths.get(code, "") != names.get(code, code):
            st.caption(paths.get(code, ""))
        st.markdown(f"##### {c.headline}")
        metric_row(rows, "gap")
        metric_row(rows, "achieved_share")
        quiet = missing_line(rows, L)
        if quiet:
            st.caption(quiet)
        missing_input_line(rows, code=code, name=names.get(code, code), lang=L, key=f"ov_missing_{code}")
        if charts_on_demand:  # one state for whichever region is the focus
            with on_demand("ov_chart_open", t("ov_chart_open", L)) as box:
                if box.open:
                    st.plotly_chart(c.chart, key=f"ov_chart_{code}", width="stretch", config={"displaylogo": False})
        else:
            st.plotly_chart(c.chart, key=f"ov_chart_{code}", width="stretch", config={"displaylogo": False})
        explain_block(rows, code)
        workbench_link(code)


def region_rows(code: str):
    g = cache.gaps(assumptions, years=(year,), region=code, explain=True)
    return g[g["year"] == year]


def final_review_section() -> None:
    """终期评估: each 2025 target in the plan's own form against the latest actual of 2025 or later, with its
    source and the national result; the regions with actuals but no targets; a prefilled import template (every
    reviewable figure) for each region without an actual."""
    st.subheader(t("ov_review", L, year=REVIEW_YEAR))
    st.caption(t("rv_intro", L, year=REVIEW_YEAR))
    table, without, no_targets = cache.overview_review(REVIEW_YEAR, L)  # once per data version and language
    st.dataframe(table, hide_index=True, width="stretch", key="ov_review_table")
    if no_targets:
        st.caption(t("rv_no_targets", L, year=REVIEW_YEAR))
        sep = "、" if L == "zh" else ", "
        st.text("\n".join(t("rv_no_targets_line", L, region=names.get(c, c), year=REVIEW_YEAR,
                            what=sep.join(label(i, L) for i in inds)) for c, inds in no_targets.items()))
    if not without:
        return
    st.caption(t("ov_r_missing_regions", L, year=REVIEW_YEAR) + " " + t("rv_template_note", L))
    row = st.container(horizontal=True)
    if len(without) > CARD_LIMIT:  # thousands of regions: one file for all of them, not a button each
        row.download_button(t("ov_r_template_all", L, n=len(without)), key="ov_tpl_all",
                            data=lambda: review_templates({c: names.get(c, c) for c in without}, year=REVIEW_YEAR),
                            file_name=f"import_template_{REVIEW_YEAR}.csv", mime="text/csv",
                            on_click="ignore", icon=":material/download:")
        return
    for c in without:
        row.download_button(t("ov_r_template", L, region=names.get(c, c)), key=f"ov_tpl_{c}",
                            data=lambda c=c: review_template(c, names.get(c, c), year=REVIEW_YEAR),
                            file_name=f"import_template_{c}_{REVIEW_YEAR}.csv", mime="text/csv",
                            on_click="ignore", icon=":material/download:")


def focus_picker(options: list[str], target: str) -> None:
    """The region chooser (province → prefecture → county, or search) for the focus region: a pick among `options`
    sets the focus box `target` (through a callback, before the box is drawn)."""
    def on_pick(code: str) -> None:
        if code in options:
            st.session_state[target] = code

    with st.expander(t("picker_header", L), key="ov_pick_open", on_change="rerun") as box:
        if box.open:  # drawn only while open: restricting ~3,000 regions and their labels on every rerun otherwise
            pick_region(cache.choosable_regions(), key="ov_pick", lang=L, allowed=options, on_pick=on_pick)


if len(codes) <= CARD_LIMIT:
    # -- first screen: every region compared -------------------------------------------------------------------
    cmp = ov.comparison
    left, right = st.columns([11, 9], vertical_alignment="top")
    left.plotly_chart(comparison_chart(cmp, lang=L, names=names, title=t("ov_compare_title", L, year=year),
                                       height=max(380, 60 * len(codes) + 130)),
                      key="ov_compare", width="stretch", config={"displaylogo": False, "displayModeBar": False})
    right.dataframe(compare_table(cmp, names=names, lang=L), hide_index=True, width="stretch", height=420,
                    key="ov_compare_table")
    st.caption(t("ov_compare_note_plan", L) if assumptions == "plan" else t("ov_compare_note_model", L, year=year))
    ordered = list(dict.fromkeys(cmp["region_code"]))

    final_review_section()

    st.subheader(t("ov_details", L))
    with st.expander(t("ov_hierarchy", L)):
        st.markdown("\n".join(f"{'  ' * int(r['depth'])}- {r['name']}"
                              + ("" if r["has_data"] else f" {t('ov_no_data_region', L)}")
                              for r in tree.to_dict("records")))
    for code, tab in zip(ordered, st.tabs([names.get(c, c) for c in ordered])):
        with tab:
            card(code)
    st.divider()
    focus_picker(ordered, "ov_focus")
    focus = st.selectbox(t("ov_focus", L), ordered, key="ov_focus", index=ordered.index(default_focus(ordered)),
                         format_func=lambda c: f"{names.get(c, c)} ({c})")
else:
    st.info(t("ov_many_regions", L, n=len(codes)))
    level = st.radio(t("ov_level", L), ("province", "city"), horizontal=True, key="ov_level",
                     format_func=lambda v: t(f"ov_level_{v}", L))
    provinces = sorted(set(tree.loc[tree["has_data"], "province_code"]))
    p1, p2 = st.columns(2)
    province = p1.selectbox(t("ov_province", L), ["*"] + provinces, key="ov_province",
                            format_func=lambda c: t("all", L) if c == "*" else names.get(c, c))
    agg = cache.overview_aggregate(year, L, level=level, within=None if province == "*" else province)
    shown = agg[["group_name", "regions"]].copy()
    shown.columns = [t("ov_col_group", L), t("ov_col_regions", L)]
    for s in SERVICES:
        shown[t("ov_col_gap", L, service=label(s, L))] = agg[f"gap_{s}"]
        shown[t("ov_col_known", L, service=label(s, L))] = agg[f"known_{s}"]
        shown[t("ov_col_achieved", L, service=label(s, L))] = agg[f"achieved_{s}"].round(0)  # no decimals here
    st.subheader(t("ov_aggregate", L))
    st.dataframe(shown, hide_index=True, width="stretch")

    table = ov.regions_wide
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
        view[t("ov_col_gap", L, service=label(s, L))] = [cell(v, unit, L) for v in rows_page[f"gap_{s}"]]
        view[t("ov_col_stated", L, service=label(s, L))] = [cell(v, unit, L) for v in rows_page[f"gap_stated_{s}"]]
        view[t("ov_col_achieved", L, service=label(s, L))] = [cell(v, "percent", L, digits=0)
                                                              for v in rows_page[f"achieved_{s}"]]
    st.dataframe(view, hide_index=True, width="stretch")
    focus_options = list(table["region_code"]) or codes
    focus_picker(focus_options, "ov_region")
    focus = st.selectbox(t("ov_region", L), focus_options, key="ov_region",
                         index=focus_options.index(default_focus(focus_options)),
                         format_func=lambda c: f"{names.get(c, c)} ({c})")
    card(focus, charts_on_demand=True)
    final_review_section()



def province_ranking_section() -> None:
    """A province's counties ranked by demand growth 2025→2030 and by demand per 1,000 elderly (both: absolute
    gaps across regions of very different size mislead), as a table and a chart (ui/cache.province_ranking)."""
    st.subheader(t("rk_header", L))
    st.caption(t("rk_intro", L, base=REVIEW_YEAR, year=2030))
    # the chooser, the ranking and its chart are drawn once this is opened (the first render draws no chooser of
    # ~3,000 regions and loads no chart library for them: issue 20)
    with st.expander(t("rk_open", L), key="ov_rank_open", on_change="rerun",
                     icon=":material/format_list_numbered:") as box:
        if box.open:
            ranking_body()


def ranking_body() -> None:
    """The region chooser and, once a region is chosen, its province's counties ranked (table and chart)."""
    regs = cache.choosable_regions()
    picked = pick_region(regs, key="ov_rank", lang=L)
    if not picked:
        st.caption(t("rk_choose_province", L))
        return
    row = regs.set_index("region_code").loc[picked]
    province = picked if row["level"] == "province" else (row["province_code"] or picked)
    c1, c2 = st.columns(2)
    service = c1.segmented_control(t("rk_service", L), SERVICES, default=SERVICES[0], key="ov_rank_service",
                                   format_func=lambda s: label(s, L)) or SERVICES[0]
    by = c2.segmented_control(t("rk_sort", L), RANKING_SORTS, default=RANKING_SORTS[0], key="ov_rank_by",
                              format_func=lambda b: t(f"rk_sort_{b}", L)) or RANKING_SORTS[0]
    ranking, view, chart = cache.province_ranking(province, service, by, L)
    if ranking.empty:
        st.caption(t("rk_none", L, province=regs.set_index("region_code")["region_name"].get(province, province)))
        return
    st.caption(t("rk_units", L, n=len(ranking)))
    st.plotly_chart(chart, key="ov_rank_chart", width="stretch", config={"displaylogo": False})
    st.dataframe(view, hide_index=True, width="stretch", key="ov_rank_table")


province_ranking_section()

# The focus region: trend over the years and the one-page brief.
st.subheader(t("ov_focus_header", L, region=names.get(focus, focus)))


def trend() -> None:
    service = st.segmented_control(t("ov_trend_service", L), SERVICES, default=SERVICES[0], key="ov_trend_service",
                                   format_func=lambda s: label(s, L)) or SERVICES[0]
    st.plotly_chart(cache.overview_trend(year, L, focus, service), key="ov_trend", width="stretch",
                    config={"displaylogo": False})


if len(codes) <= CARD_LIMIT:  # the comparison chart is on the first screen already
    trend()
else:
    with on_demand("ov_trend_open", t("ov_trend_open", L)) as box:
        if box.open:
            trend()
focus_rows = region_rows(focus)
brief_downloads(f"brief_{focus}_{year}", "ov_brief",
                lambda fmt: brief_bytes(focus_rows, regions=[focus], year=year, lang=L, fmt=fmt, names=names), L)
workbench_link(focus)
