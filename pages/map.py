"""一张图: the chosen gap (or target achievement) on a map of Tianjin's and Chongqing's districts and Cangzhou's
counties; click a region to open its workbench; download the one-page leadership brief (PNG, PDF)."""
import html

import streamlit as st
from streamlit.errors import StreamlitAPIException

from models.core.catalogue import SERVICES, label
from models.core.formatting import MISSING, fmt_number
from models.core.i18n import t
from models.planning.gaps import YEARS
from models.regions import geo
from models.report.brief import brief_bytes
from models.report.charts_map import MEASURES, gap_map, map_table, measure_label
from ui import cache
from ui.downloads import brief_downloads
from ui.state import lang

L = lang()
st.title(t("page_map", L))

c1, c2, c3, c4 = st.columns([2, 2, 1, 3])
service = c1.selectbox(t("map_service", L), SERVICES, key="map_service", format_func=lambda s: label(s, L))
measure = c2.selectbox(t("map_measure", L), MEASURES, key="map_measure",
                       format_func=lambda m: t(f"map_measure_choice_{m}", L))
years = list(YEARS)
year = c3.selectbox(t("map_year", L), years, index=years.index(2025), key="map_year")
sets = c4.multiselect(t("map_sets", L), list(geo.REGION_SETS), default=list(geo.REGION_SETS), key="map_sets",
                      placeholder=t("ov_multiselect_placeholder", L),
                      format_func=lambda s: geo.set_label(s, L)) or list(geo.REGION_SETS)

gaps = cache.plan_gaps((year,))
table = map_table(gaps, service=service, year=year, measure=measure, lang=L)
fig = gap_map(table, sets=sets, title=f"{measure_label(measure, service, L)} · {year}",
              colour_title=measure_label(measure, service, L), lang=L)
event = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="map_chart", width="stretch",
                        config={"scrollZoom": False, "displaylogo": False})
st.caption(t("map_click_hint", L))

points = (event.selection.points if event and event.selection else []) or []
# The clickable points are the region markers ("data" / "no data" traces): customdata = [code, name, hover].
clicked = next((str(p["customdata"][0]) for p in points if p.get("customdata")), None)
if clicked:
    try:
        st.switch_page("pages/workbench.py", query_params={"region": clicked, "year": str(year), "lang": L})
    except StreamlitAPIException:
        st.info(t("map_workbench_missing", L))

drawn = set(geo.region_codes(sets))
with_data = table[table["value"].notna()]
off_map = with_data[~with_data["region_code"].isin(drawn)]
if not off_map.empty:
    st.caption(t("map_off_map", L, names="、".join(off_map["region_name"])))
links = " · ".join(f'<a href="workbench?region={c}&year={year}&lang={L}" target="_self">{html.escape(n)}</a>'
                   for c, n in zip(table["region_code"], table["region_name"]))
if links:
    st.markdown(f'<div data-testid="map-workbench-links">{links}</div>', unsafe_allow_html=True)

with st.expander(t("map_table", L)):
    shown = table.assign(shown=[fmt_number(v, u, L) for v, u in zip(table["value"], table["unit"])])
    shown = shown[["region_code", "region_name", "shown", "reason"]].fillna(MISSING)
    shown["reason"] = shown["reason"].replace("", MISSING)
    shown.columns = [t("region", L) + " ID", t("region", L), measure_label(measure, service, L), t("note", L)]
    st.dataframe(shown, hide_index=True, width="stretch")

st.subheader(t("brief_header", L))
codes = list(dict.fromkeys(gaps["region_code"].astype(str)))
names = dict(zip(gaps["region_code"].astype(str), gaps["region_name"]))
default = [clicked] if clicked in codes else ([c for c in codes if c == "500103"] or codes[:1])
chosen = st.multiselect(t("brief_regions", L), codes, default=default, key="brief_regions",
                        placeholder=t("ov_multiselect_placeholder", L),
                        format_func=lambda c: f"{names.get(c) or c} ({c})")
if chosen:
    stem = f"brief_{'_'.join(chosen) if len(chosen) <= 3 else f'{len(chosen)}regions'}_{year}"
    brief_downloads(stem, "brief", lambda fmt, chosen=tuple(chosen): brief_bytes(gaps, regions=chosen, year=year,
                                                                                 lang=L, fmt=fmt), L)
