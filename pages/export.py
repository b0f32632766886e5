"""预测导出 (analyst export): projections and gaps as tables, filtered by region, indicator, method and scenario;
CSV (UTF-8 with BOM) of all rows or of the visible ones, an Excel workbook (projections, gaps, assumptions, sources)
and the plans' own indicator-table shape. Every export records scenario, assumptions and generation date."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from forecasting.projection import METHODS, SCENARIOS
from models.core.catalogue import SERVICES, label
from models.core.i18n import t
from models.planning.gaps import YEARS
from models.report.overview import region_names
from models.report.tables import (
    ExportContext,
    csv_export,
    filter_gaps,
    filter_projections,
    for_display,
    gaps_table,
    plan_indicator_table,
    projections_table,
    workbook,
)
from ui import cache
from ui.state import lang

L = lang()
st.title(t("page_export", L))
st.caption(t("ex_intro", L))

regions = cache.regions()
names = region_names(regions, L)
projections = projections_table(cache.projections(), names=names, lang=L)
facts = cache.all_facts()

c1, c2, c3, c4 = st.columns([1, 1, 2, 2])
method = c1.selectbox(t("ex_method", L), METHODS, key="ex_method", format_func=lambda m: t(f"ex_method_{m}", L))
scenario = c2.selectbox(t("ex_scenario", L), SCENARIOS, index=SCENARIOS.index("medium"), key="ex_scenario",
                        format_func=lambda s: t(f"ex_scenario_{s}", L))
raw_gaps = cache.gaps(method, scenario=scenario)
gaps = gaps_table(raw_gaps, lang=L)
region_codes = sorted(set(projections["region_code"]) | set(gaps["region_code"]))
chosen_regions = c3.multiselect(t("ex_regions", L), region_codes, key="ex_regions",
                                placeholder=t("ov_multiselect_placeholder", L),
                                format_func=lambda c: f"{names.get(c, c)} ({c})")
indicator_ids = list(dict.fromkeys(list(projections["indicator"]) + list(SERVICES)))
chosen_indicators = c4.multiselect(t("ex_indicators", L), indicator_ids, key="ex_indicators",
                                   placeholder=t("ov_multiselect_placeholder", L),
                                   format_func=lambda i: label(i, L))
st.caption(t("ex_scenario_note", L))

filters = tuple((k, tuple(v)) for k, v in (("regions", chosen_regions), ("indicators", chosen_indicators)) if v)
ctx = ExportContext(assumptions=method, scenario=scenario, generated=dt.date.today(), filters=filters)
meta = ctx.meta()
st.info(t("ex_stamp", L, scenario=meta["scenario"], assumptions=meta["assumptions"], date=meta["generated_on"]))

visible_projections = filter_projections(projections, regions=chosen_regions or None,
                                         indicators=chosen_indicators or None, methods=[method], scenarios=[scenario])
visible_gaps = filter_gaps(gaps, regions=chosen_regions or None, indicators=chosen_indicators or None)
year_column = {"year": st.column_config.NumberColumn(format="%d"),
               "population_year": st.column_config.NumberColumn(format="%d")}


def downloads(name: str, visible, full) -> None:
    row = st.container(horizontal=True)
    row.download_button(t("ex_csv_visible", L), key=f"ex_{name}_visible", file_name=f"{name}_{method}_{scenario}_visible.csv",
                        mime="text/csv", on_click="ignore", icon=":material/download:",
                        data=lambda: csv_export(visible, ctx))
    row.download_button(t("ex_csv_full", L), key=f"ex_{name}_full", file_name=f"{name}_{method}_{scenario}.csv",
                        mime="text/csv", on_click="ignore", icon=":material/download:",
                        data=lambda: csv_export(full, ctx))


tab_p, tab_g, tab_t = st.tabs([t("ex_projections", L), t("ex_gaps", L), t("ex_plan_table", L)])
with tab_p:
    st.caption(t("ex_rows", L, n=len(visible_projections), total=len(projections)))
    st.dataframe(for_display(visible_projections), hide_index=True, width="stretch", column_config=year_column,
                 key="ex_projections_table")
    downloads("projections", visible_projections, projections)
with tab_g:
    st.caption(t("ex_rows", L, n=len(visible_gaps), total=len(gaps)))
    st.dataframe(for_display(visible_gaps.drop(columns=["inputs"])), hide_index=True, width="stretch",
                 column_config=year_column,
                 key="ex_gaps_table")
    downloads("gaps", visible_gaps, gaps)
with tab_t:
    years = list(YEARS)
    year = st.selectbox(t("ex_year", L), years, index=years.index(2025), key="ex_plan_year")
    plan_table = plan_indicator_table(raw_gaps, facts, year=year, lang=L, regions=chosen_regions or None, names=names)
    st.dataframe(for_display(plan_table), hide_index=True, width="stretch", key="ex_plan_table")
    st.download_button(t("ex_csv_visible", L), key="ex_plan_table_csv", file_name=f"plan_table_{year}_{method}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:",
                       data=lambda: csv_export(plan_table, ctx))

st.download_button(t("ex_xlsx", L), key="ex_xlsx", file_name=f"forecast_{method}_{scenario}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                   icon=":material/table_view:", type="primary",
                   data=lambda: workbook(projections=projections, gaps=gaps, facts=facts, ctx=ctx, raw_gaps=raw_gaps,
                                         plan_table=plan_indicator_table(raw_gaps, facts, year=year, lang=L,
                                                                         names=names)))
