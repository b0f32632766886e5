"""预测导出 (analyst export): projections and gaps as tables, filtered by region, indicator, method and scenario;
CSV (UTF-8 with BOM) of all rows or of the visible ones, an Excel workbook (projections, gaps, assumptions, sources)
holding exactly the visible rows, and the plans' own indicator-table shape. Every export records scenario,
assumptions and generation date in columns of its own; each row keeps its own method and scenario."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from forecasting.exports import build
from forecasting.projection import METHODS, SCENARIOS
from models.core.catalogue import SERVICES, label
from models.core.i18n import t
from models.planning.gaps import YEARS
from models.report.overview import region_names
from models.report.tables import (
    ExportContext,
    csv_export,
    for_display,
    gaps_table,
    labelled,
    projections_table,
)
from ui import cache
from ui.state import lang

L = lang()
st.title(t("page_export", L))
st.caption(t("ex_intro", L))

regions = cache.regions()
names = region_names(regions, L)
all_projections = cache.projections()
projections = projections_table(all_projections, names=names, lang=L)
facts = cache.all_facts()

c1, c2, c3, c4 = st.columns([2, 1, 3, 3])  # the method selector holds "The plan's own arithmetic" uncut
method = c1.selectbox(t("ex_method", L), METHODS, key="ex_method", format_func=lambda m: t(f"ex_method_{m}", L))
scenario = c2.selectbox(t("ex_scenario", L), SCENARIOS, index=SCENARIOS.index("medium"), key="ex_scenario",
                        format_func=lambda s: t(f"ex_scenario_{s}", L))
region_codes = sorted(set(projections["region_code"]) | set(cache.gaps("plan")["region_code"].astype(str)))
chosen_regions = c3.multiselect(t("ex_regions", L), region_codes, key="ex_regions",
                                placeholder=t("ov_multiselect_placeholder", L),
                                format_func=lambda c: f"{names.get(c, c)} ({c})")
indicator_ids = list(dict.fromkeys(list(projections["indicator"]) + list(SERVICES)))
chosen_indicators = c4.multiselect(t("ex_indicators", L), indicator_ids, key="ex_indicators",
                                   placeholder=t("ov_multiselect_placeholder", L),
                                   format_func=lambda i: label(i, L))
st.caption(t("ex_scenario_note", L))

# every filter of the page applies to the visible tables, the visible CSVs and the workbook alike
export = build(all_projections, lambda m, s: cache.gaps(m, scenario=s), facts, names=names,
               regions=chosen_regions or None, indicators=chosen_indicators or None, methods=[method],
               scenarios=[scenario], lang=L, generated=dt.date.today())
ctx = export.ctx
meta = ctx.meta(L)
st.info(t("ex_stamp", L, scenario=f"{t(f'ex_method_{method}', L)} / {t(f'ex_scenario_{scenario}', L)}",
          assumptions=meta["export_assumptions"], date=meta["generated_on"]))
st.caption(t("ex_rows_own_labels", L))
full_ctx = ExportContext(assumptions="all", scenario="all", generated=ctx.generated)
visible_projections, visible_gaps = export.projections, export.gaps
all_gaps = gaps_table(cache.gaps(method, scenario=scenario), lang=L, assumptions=method, scenario=scenario)
year_column = {column_id: st.column_config.NumberColumn(format="%d") for column_id in
               (t("col_year", L), t("col_population_year", L))}


def downloads(name: str, visible, full, full_ctx, full_name: str) -> None:
    row = st.container(horizontal=True)
    row.download_button(t("ex_csv_visible", L), key=f"ex_{name}_visible", file_name=f"{name}_{method}_{scenario}_visible.csv",
                        mime="text/csv", on_click="ignore", icon=":material/download:",
                        data=lambda: csv_export(visible, ctx, lang=L))
    row.download_button(t("ex_csv_full", L), key=f"ex_{name}_full", file_name=full_name,
                        mime="text/csv", on_click="ignore", icon=":material/download:",
                        data=lambda: csv_export(full, full_ctx, lang=L))


tab_p, tab_g, tab_t = st.tabs([t("ex_projections", L), t("ex_gaps", L), t("ex_plan_table", L)])
with tab_p:
    st.caption(t("ex_rows", L, n=len(visible_projections), total=len(projections)))
    st.dataframe(labelled(for_display(visible_projections.drop(columns=["method_detail", "inputs"])), L),
                 hide_index=True, width="stretch", column_config=year_column, key="ex_projections_table")
    downloads("projections", visible_projections, projections, full_ctx, "projections_all.csv")
with tab_g:
    st.caption(t("ex_rows", L, n=len(visible_gaps), total=len(all_gaps)))
    st.dataframe(labelled(for_display(visible_gaps.drop(columns=["inputs"])), L), hide_index=True, width="stretch",
                 column_config=year_column, key="ex_gaps_table")
    downloads("gaps", visible_gaps, all_gaps, ctx, f"gaps_{method}_{scenario}.csv")
with tab_t:
    years = list(YEARS)
    year = st.selectbox(t("ex_year", L), years, index=years.index(2025), key="ex_plan_year")
    plan_table = build(all_projections, lambda m, s: cache.gaps(m, scenario=s), facts, names=names,
                       regions=chosen_regions or None, methods=[method], scenarios=[scenario], year=year,
                       lang=L).plan_table if year != 2025 else export.plan_table
    st.dataframe(labelled(for_display(plan_table), L), hide_index=True, width="stretch", key="ex_plan_table")
    st.download_button(t("ex_csv_visible", L), key="ex_plan_table_csv", file_name=f"plan_table_{year}_{method}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:",
                       data=lambda: csv_export(plan_table, ctx, lang=L))

st.download_button(t("ex_xlsx", L), key="ex_xlsx", file_name=f"forecast_{method}_{scenario}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                   icon=":material/table_view:", type="primary", data=lambda: export.xlsx(facts))
