"""一张图: the chosen gap (or target achievement) on a map of Tianjin's and Chongqing's districts and Cangzhou's
counties; click a region to open its workbench. Below, the census map: every prefecture of the country, or every
county of the chosen region's province where the repository has county boundaries (Tianjin, Chongqing; otherwise
the province's prefectures), coloured by the 2020 share aged 60+ or 80+, by the growth 2025→2030 of the 60+ / 80+
(model projection of every region), or by demand (beds, nursing beds, places; absolute or per 1,000) in 2025, 2030
or 2035 from the gap model of every region (a prefecture without its own row: its counties summed); the region
chooser (province → prefecture → county, or search). Last, the one-page leadership brief (PNG, PDF)."""
import html

import streamlit as st
from streamlit.errors import StreamlitAPIException

from models.core.catalogue import SERVICES, label
from models.core.formatting import MISSING, fmt_number
from models.core.i18n import t
from models.planning.gaps import YEARS
from models.regions import geo
from models.report.brief import brief_bytes
from models.report.charts_map import (
    CENSUS_MEASURES,
    DEMAND_MEASURES,
    DEMAND_YEARS,
    GROWTH_INDICATORS,
    MEASURES,
    demand_service,
    demand_table,
    gap_map,
    growth_table,
    map_table,
    measure_label,
    region_value_table,
    value_map,
)
from models.report.overview import scenario_population
from ui import cache
from ui.downloads import brief_downloads
from ui.region_picker import pick_region
from ui.state import lang, mirror_region, url_region

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

# -- the census regions (issue 20): every prefecture of the country, or every county of a chosen province --------
st.subheader(t("map_census_header", L))
census_regions = cache.region_table()
pick_col, map_col = st.columns([1, 3])
with pick_col:
    picked = pick_region(cache.choosable_regions(), key="map_pick", lang=L, container=pick_col,
                         default=url_region())
    mirror_region(picked)
    growth_measures = tuple(f"growth_{i}" for i in GROWTH_INDICATORS)
    census_measure = st.selectbox(t("map_census_measure", L), CENSUS_MEASURES + growth_measures + DEMAND_MEASURES,
                                  key="map_census_measure", format_func=lambda m: t(f"map_col_{m}", L))
    demand_year = 2030
    if census_measure in DEMAND_MEASURES:
        demand_year = st.selectbox(t("map_census_year", L), DEMAND_YEARS, index=DEMAND_YEARS.index(2030),
                                   key="map_census_year")
by_code = census_regions.set_index("region_code", drop=False)
province = None
if picked in by_code.index:
    province = by_code.loc[picked, "province_code"] or None
province_name = by_code.loc[province, "region_name"] if province in by_code.index else ""
shapes = geo.county_boundaries(province) if province else None
if shapes is not None:
    scope = t("map_census_scope_counties", L, name=province_name)
else:
    shapes = geo.prefecture_boundaries(province)
    scope = (t("map_census_scope_prefectures", L, name=province_name) if province
             else t("map_census_scope_country", L))
drawn_codes = [f["id"] for f in shapes["features"]]
drawn = census_regions[census_regions["region_code"].isin(drawn_codes)]
growth_note = ""
title = t(f"map_col_{census_measure}", L)
if census_measure.startswith("growth_"):  # from the model projection of every region (cached, shared)
    projection, _ = cache.every_region_model(cache.data_version(), demand_year)
    growth = growth_table(projection, census_measure.removeprefix("growth_"))
    if growth.empty:  # the 80+ are not a column of the projection table: the census projection's own (every unit)
        growth = cache.census_growth(census_measure.removeprefix("growth_"))
    drawn = drawn.drop(columns=[c for c in growth.columns if c != "region_code" and c in drawn])
    drawn = drawn.merge(growth, on="region_code", how="left")
    growth_note = t("map_growth_coverage", L, n=int(drawn[census_measure].notna().sum()))
elif census_measure in DEMAND_MEASURES:  # the gap model of every region (model, medium), counties summed if need be
    projection, model_gaps = cache.every_region_model(cache.data_version(), demand_year)
    demand = demand_table(model_gaps, scenario_population(projection), census_regions, drawn["region_code"],
                          year=demand_year, lang=L)
    drawn = drawn.merge(demand, on="region_code", how="left")
    service_of = demand_service(census_measure)
    growth_note = t("map_demand_coverage", L, n=int(drawn[census_measure].notna().sum()), year=demand_year,
                    summed=int((drawn[census_measure].notna() & (drawn[f"counties_{service_of}"] > 0)).sum()))
    title = f"{title} · {demand_year}"
values = region_value_table(drawn, census_measure, lang=L)
with map_col:
    st.plotly_chart(value_map(values, shapes, title=f"{title} · {scope}",
                              colour_title=t(f"map_col_{census_measure}", L), lang=L),
                    key="map_census_chart", width="stretch", config={"scrollZoom": False, "displaylogo": False})
notes = [n for n in (growth_note,) if n]
if province and geo.county_boundaries(province) is None:
    notes.insert(0, t("map_census_no_counties", L, name=province_name))
if not growth_note and set(drawn_codes) - set(values.loc[values["value"].notna(), "region_code"]):
    notes.append(t("map_census_grey", L))
st.caption(" ".join(notes))
if picked in by_code.index:
    r = by_code.loc[picked]
    st.caption(t("map_census_region_figures", L, name=r["region_name"], code=picked,
                 pop=fmt_number(r["population_2020"], "person", L), e60=fmt_number(r["elderly_60plus_2020"], "person", L),
                 s60=fmt_number(r["share_60plus_2020"], "percent", L),
                 e80=fmt_number(r["elderly_80plus_2020"], "person", L),
                 s80=fmt_number(r["share_80plus_2020"], "percent", L),
                 inf=fmt_number(r["infants_0_3_2020"], "person", L)))

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
