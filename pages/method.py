"""方法与检验 (method and check): entrants turning 60, the vintage-2020 check against 2021–2025 (China's 60+, and every
level: nation, province, county), the 60+ paths to 2035 with bands, the census projection's raking factors per
province, and the method statement. Layout only: forecasting.method_report computes everything."""
from __future__ import annotations

import streamlit as st

from models.core.formatting import cell
from models.core.i18n import t
from models.report.charts_method import (
    backtest_chart,
    births_chart,
    entrants_chart,
    levels_table,
    paths_chart,
    raking_table,
)
from models.report.overview import region_names
from ui import cache
from ui.state import lang

L = lang()
st.title(t("page_method", L))
report = cache.method_report()
names = region_names(cache.regions(), L)
st.subheader(t("me_entrants", L))
st.plotly_chart(entrants_chart(report.entrants, L), width="stretch")
st.caption(t("me_wpp_cite", L))
st.subheader(t("me_backtest", L))
st.plotly_chart(backtest_chart(report.backtest, L), width="stretch")
table = report.summary.assign(method=[t(f"me_m_{m}", L) for m in report.summary["method"]])
table = table.rename(columns={"method": t("me_method", L), "n": "n", "mape": "MAPE %", "coverage_80": t("me_coverage", L),
                              "n_interval": t("me_n_interval", L)})
# every cell formatted ("—" where a method has no interval), never a raw float, None or nan
table = table.assign(**{c: [cell(v, "", L, digits=1) for v in table[c]] for c in table.columns
                        if c != t("me_method", L) and table[c].dtype.kind == "f"})
st.dataframe(table, hide_index=True)
st.subheader(t("me_levels", L))
st.dataframe(levels_table(report.levels, L), hide_index=True)
st.caption(t("me_levels_note", L))
unchecked = [t(f"me_level_{lv}", L) for lv, g in report.levels.groupby("level", sort=False) if g["n"].sum() == 0]
if unchecked:
    st.caption(t("me_levels_none", L, levels="、".join(unchecked) if L == "zh" else ", ".join(unchecked)))
st.subheader(t("me_paths", L))
st.plotly_chart(paths_chart(report.paths, names, L), width="stretch")
st.caption(t("me_theta", L, theta=f"{report.theta:.3f}", se=f"{report.theta_se:.3f}"))
st.subheader(t("me_raking", L))
if report.raking.empty:
    st.info(t("me_raking_none", L))
else:
    st.caption(t("me_raking_note", L))
    st.dataframe(raking_table(report.raking, names, L), hide_index=True)
st.subheader(t("me_births", L))
st.plotly_chart(births_chart(report.births, L), width="stretch")
st.caption(t("me_wpp_cite", L))
with st.expander(t("me_text", L), expanded=True):
    st.markdown(cache.method_text(L))
