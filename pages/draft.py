"""十五五测算 (the 2030 draft): the indicator table in the plans' shape from the population projection and the 2030
standards, the additions per year 2026–2030, the targets under the projection's 80 % band and the 测算说明; a
planner changes a standard and sees the draft change; CSV, Excel and Word downloads."""
from __future__ import annotations

import streamlit as st

from models.core.export import csv_bytes
from models.core.formatting import fmt_number
from models.core.i18n import t
from models.planning.targets import TARGET_YEAR
from models.report.draft import (
    additions,
    band_table,
    csv_frame,
    docx,
    explanation,
    indicator_label,
    plan_table,
    targets_template,
    xlsx,
)
from models.report.overview import region_names
from ui import cache
from ui.region_picker import pick_region
from ui.state import lang

L = lang()
st.title(t("page_draft", L))
st.caption(t("dr_intro", L, year=TARGET_YEAR))

# every region: the plan and imported ones first, then every census unit (province → prefecture → county, or search)
ss = st.session_state
choosable = cache.choosable_regions()
names = {c: (en if L == "en" and isinstance(en, str) and en else zh)
         for c, zh, en in zip(choosable["region_code"], choosable["region_name"], choosable["name_en"])}
names.update(region_names(cache.regions(), L))
codes = list(dict.fromkeys([*region_names(cache.regions(), L), *choosable["region_code"]]))
if ss.get("dr_region") not in codes:
    ss["dr_region"] = "500103" if "500103" in codes else codes[0]


def on_pick(code: str) -> None:
    if code in codes:
        ss["dr_region"] = code


with st.expander(t("picker_header", L)):
    pick_region(choosable, key="dr_pick", lang=L, default=ss["dr_region"], on_pick=on_pick)
region = st.selectbox(t("dr_region", L), codes, key="dr_region", format_func=lambda c: f"{names.get(c, c)} ({c})")
base = cache.draft(region, TARGET_YEAR)
if isinstance(base, Exception):
    st.warning(base.message(L))
    st.stop()

# the standards, prefilled with the ones the draft used; a change recomputes the draft
FIELDS = (("beds_per_1000_elderly", "dr_beds_per_1000", 0.5), ("nursing_share", "dr_nursing_share", 1.0),
          ("places_per_1000", "dr_places_per_1000", 0.1))
st.subheader(t("dr_standards", L))
spec = {}
for col, (name, key, step) in zip(st.columns(len(FIELDS)), FIELDS):
    default = base.standards.get(name)
    if default is None:
        continue
    value = col.number_input(t(key, L), min_value=0.0, max_value=100.0 if name == "nursing_share" else 1000.0,
                             value=float(default), step=step, key=f"dr_{name}_{region}")
    if abs(value - default) > 1e-9:
        spec[name] = float(value)
d = cache.draft(region, TARGET_YEAR, spec) if spec else base
if isinstance(d, Exception):
    st.warning(d.message(L))
    st.stop()
if spec:
    st.caption(t("dr_standard_changed", L) + "：" + "，".join(f"{k} = {v:g}" for k, v in spec.items()))

st.subheader(t("dr_title", L, year=TARGET_YEAR))
st.dataframe(plan_table(d.table, lang=L), hide_index=True, width="stretch", key="dr_table")
no_base = d.table[d.table["base_value"].isna()]
if len(no_base):  # a base the draft does not have says why (the CSV's base_source)
    if L == "zh":
        st.caption(t("dr_base_missing", L) + "；".join(
            f"{indicator_label(i, L)}（{str(why).removeprefix('未提供：')}）"
            for i, why in zip(no_base["indicator"], no_base["base_source"])))
    else:
        st.caption(t("dr_base_missing", L) + ", ".join(indicator_label(i, L) for i in no_base["indicator"]) + ".")

left, right = st.columns(2)
with left:
    st.subheader(t("dr_additions", L))
    add = additions(d.table)
    if len(add):
        units = dict(zip(d.table["indicator"], d.table["unit"]))
        wide = add.pivot(index="indicator", columns="year", values="addition")
        st.dataframe([{t("dr_col_indicator", L): indicator_label(i, L),
                       **{str(y): fmt_number(wide.loc[i, y], units[i], L) for y in wide.columns}}
                      for i in d.table["indicator"] if i in wide.index],
                     hide_index=True, width="stretch", key="dr_additions")
with right:
    st.subheader(t("dr_bands", L))
    st.dataframe(band_table(d.table, lang=L), hide_index=True, width="stretch", key="dr_bands")

with st.expander(t("dr_explain", L), expanded=True):
    if L != "zh":
        st.caption(t("dr_explain_in_chinese", L))
    with st.container(key="dr_notes_zh"):  # a document text in Chinese for the draft plan (a data value)
        for p in explanation(d.table, region_name=d.region_name):
            st.text(p)  # sources and quotes are text, never markdown

row = st.container(horizontal=True)
stem = f"draft_{region}_{TARGET_YEAR}"
row.download_button(t("dr_download_csv", L), key="dr_csv", data=csv_bytes(csv_frame(d.table)),
                    file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", icon=":material/download:")
row.download_button(t("dr_download_xlsx", L), key="dr_xlsx", data=lambda: xlsx(d.table, region_name=d.region_name),
                    file_name=f"{stem}.xlsx", on_click="ignore", icon=":material/download:",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
row.download_button(t("dr_download_docx", L), key="dr_docx", data=lambda: docx(d.table, region_name=d.region_name),
                    file_name=f"{stem}.docx", on_click="ignore", icon=":material/download:",
                    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
row.download_button(t("dr_targets_template", L, year=TARGET_YEAR), key="dr_targets_tpl", file_name=f"targets_{region}_{TARGET_YEAR}.csv",
                    data=lambda: targets_template(d.table, region_code=region, region_name=d.region_name,
                                                  standards=d.standards),
                    mime="text/csv", on_click="ignore", icon=":material/upload_file:")
st.caption(t("dr_targets_note", L, year=TARGET_YEAR))
