"""规划测算 (planner workbench): choose a region and year, change any assumption, and see the gap, its projection,
supply and pipeline, waterfall, sensitivity and the three methods side by side; save and compare named scenarios.
Layout only: the state lives in the URL (ui.state), numbers come from forecasting.workbench through ui.cache."""
import math

import pandas as pd
import streamlit as st

from forecasting.workbench import (
    ASSUMPTION_RANGES,
    METHODS,
    PLANNER_OVERRIDE,
    PROJECTION_FIELDS,
    STANDARD_FIELDS,
    UNITS,
    PlannerScenario,
    waterfall,
)
from models.core.catalogue import SERVICES, indicator, label
from models.core.formatting import MISSING, cell, fmt_number, is_missing, labelled
from models.core.i18n import t
from models.core.messages import MessageError
from models.core.text import md
from models.planning.gaps import YEARS, reason_text
from models.report.brief import source_title
from models.report.charts_workbench import (
    assumption_label,
    fan_chart,
    method_label,
    methods_chart,
    scenarios_chart,
    supply_demand_chart,
    tornado_chart,
    waterfall_chart,
)
from models.store import scenarios as store
from ui import cache, state
from ui.auth import current_account, editor_gate
from ui.missing import missing_input_line
from ui.region_picker import pick_region
from ui.state import lang

L = lang()
ss = st.session_state
st.title(t("page_workbench", L))
data = cache.wb_data()
REGIONS = data.regions()
NAMES = dict(data.names)
BED_METHODS = ("per_1000", "institutional", "needs")
PAIR = {"elderly_growth": "aging_rate_increment", "aging_rate_increment": "elderly_growth"}
UNIT_IDS = {"%/yr": "percent", "pp/yr": "percentage_point", "‰": "permille"}


def plan_bed_method(d: dict) -> str:
    """The plan's bed method, or per_1000 when the plan names none (its value is then NaN, as for 泊头)."""
    v = d["bed_method"]["value"]
    return v if isinstance(v, str) and v else "per_1000"


def seed(ps: PlannerScenario) -> None:
    """Put a scenario into the widgets (before they are drawn)."""
    d = cache.wb_defaults(ps.region)
    ss["wb_region"], ss["wb_year"], ss["wb_method"], ss["wb_scenario"] = ps.region, ps.year, ps.method, ps.scenario
    ss["wb_bed_method"] = ps.bed_method or plan_bed_method(d)
    for name in PROJECTION_FIELDS + STANDARD_FIELDS:
        v = getattr(ps, name)
        v = v if v is not None else d[name]["value"]
        ss[f"wb_{name}"] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def from_widgets() -> PlannerScenario:
    """The widgets → PlannerScenario: a value equal to the plan's default is 'not set' (None)."""
    region = ss["wb_region"]
    d = cache.wb_defaults(region)
    values = {}
    for name in PROJECTION_FIELDS + STANDARD_FIELDS:
        v, dv = ss.get(f"wb_{name}"), d[name]["value"]
        same = v is None or (dv is not None and not pd.isna(dv) and math.isclose(v, float(dv), abs_tol=1e-9))
        values[name] = None if same else float(v)
    bed = ss.get("wb_bed_method")
    values["bed_method"] = None if bed == plan_bed_method(d) else bed
    return PlannerScenario(region, year=int(ss["wb_year"]), method=ss["wb_method"], scenario=ss["wb_scenario"],
                           **values)


# -- callbacks (run before the script, so they may set widget values) -------------------------------------------------
def on_region() -> None:
    seed(PlannerScenario(ss["wb_region"], year=int(ss["wb_year"])))


def on_pick(code: str) -> None:
    if code != ss["wb_region"]:
        ss["wb_region"] = code
        on_region()


def on_rate(name: str) -> None:
    if ss["wb_method"] != "override":
        ss["wb_method"] = "override"
        ss["_wb_notice"] = "wb_switched_override"
    other = PAIR.get(name)
    if other and ss.get(f"wb_{name}") is not None:
        dv = cache.wb_defaults(ss["wb_region"])[other]["value"]
        ss[f"wb_{other}"] = None if dv is None else float(dv)


def on_reset() -> None:
    seed(PlannerScenario(ss["wb_region"], year=int(ss["wb_year"])))
    ss["_wb_saved"] = None


def on_load() -> None:
    name = ss.get("wb_load_name")
    try:
        ps = PlannerScenario.from_dict(store.load_scenario(name))
    except (KeyError, ValueError, TypeError) as exc:
        ss["_wb_message"] = ("error", t("wb_bad_saved", L, name=md(name), why=md(exc)))
        return
    seed(ps)
    ss["_wb_saved"] = (name, ps.to_dict())


def _refusal(exc: Exception) -> str:
    return md(exc.message(L) if isinstance(exc, MessageError) else str(exc))


def on_save() -> None:
    """Saving needs an editor account (issue 22): the change log names it; a viewer gets a message."""
    name = ss.get("wb_save_name", "")
    account = current_account()
    try:
        ps = from_widgets()
        name = store.save_scenario(name, ps.region, ps.to_dict(), who=account.username if account else "")
    except ValueError as exc:
        ss["_wb_message"] = ("error", _refusal(exc))
        return
    ss["_wb_saved"] = (name, ps.to_dict())
    ss["_wb_message"] = ("success", t("wb_saved", L, name=md(name)))


def on_delete() -> None:
    name = ss.get("wb_load_name")
    account = current_account()
    try:
        store.delete_scenario(name, who=account.username if account else "")
    except (KeyError, ValueError) as exc:
        ss["_wb_message"] = ("error", _refusal(exc))
        return
    if (ss.get("_wb_saved") or (None,))[0] == name:
        ss["_wb_saved"] = None
    ss["_wb_message"] = ("success", t("wb_deleted", L, name=md(name)))


# Widgets inside the lazy tabs are not drawn while their tab is hidden, and Streamlit forgets an undrawn widget's
# value: carrying the values over keeps the chosen service, indicator and scenario names when a tab is reopened.
for _key in ("wb_fan_indicator", "wb_wf_service", "wb_sens_service", "wb_save_name", "wb_load_name", "wb_compare"):
    if _key in ss:
        ss[_key] = ss[_key]

# -- state: read the URL once (or when it changed from outside), then the widgets own it --------------------------------
warnings = []
if state.workbench_url_changed() or "wb_region" not in ss:
    def _load(name):
        return store.load_scenario(name)

    ps0, warnings, saved0 = state.parse_workbench(state.url_workbench_params(), regions=REGIONS, load_saved=_load)
    seed(ps0)
    ss["_wb_saved"] = (saved0, ps0.to_dict()) if saved0 else None
for key, value, why in warnings:
    st.warning(t("wb_bad_url", L, param=key, value=md(value), why=md(why)))  # key: ours; the URL's text stays text

# -- sidebar: region, year, method, assumptions -------------------------------------------------------------------------
sb = st.sidebar
# province → prefecture → county, or search by name or code; drawn only while its expander is open (st.session_state
# ["wb_pick_open"]): with every county loaded the chooser was ~45 % of a rerun of this page (cProfile, 玄武区 320102,
# 10 reruns: 0.93 of 2.14 s, restricting ~3,000 regions to the workbench's and formatting the options); closed, it
# costs nothing, and reopened it starts again on the region the workbench shows
with sb.expander(t("picker_header", L), key="wb_pick_open", on_change="rerun") as _picker:
    if _picker.open:
        pick_region(cache.choosable_regions(), key="wb_pick", lang=L, allowed=REGIONS, default=ss["wb_region"],
                    on_pick=on_pick)
sb.selectbox(t("wb_region", L), REGIONS, key="wb_region", on_change=on_region,
             format_func=lambda c: f"{NAMES.get(c) or c} ({c})")
sb.selectbox(t("wb_year", L), list(YEARS), key="wb_year")
sb.radio(t("wb_method", L), METHODS, key="wb_method", format_func=lambda m: method_label(m, L))
sb.radio(t("wb_scenario", L), ("low", "medium", "high"), key="wb_scenario", horizontal=True,
         format_func=lambda s: t(f"wb_scenario_{s}", L))
D = cache.wb_defaults(ss["wb_region"])


def why(code: str, params: dict) -> str:
    """A reason code of the workbench's domain in the chosen language (an assumption named by its label)."""
    return t(code, L, **{k: assumption_label(v, L) if k == "other" else v for k, v in params.items()})


def note_text(row: dict) -> str:
    """An assumption's note in L: the domain's code (note_code, or the planner-override note) rendered here, a
    standard's own note as it is written."""
    if row.get("note_code"):
        return t(row["note_code"], L)
    return t(PLANNER_OVERRIDE, L) if row.get("note") == PLANNER_OVERRIDE else (row.get("note") or "")


def help_text(name: str) -> str:
    row = D[name]
    unit = UNIT_IDS.get(UNITS.get(name, ""), UNITS.get(name, ""))
    if row["value"] is None or (isinstance(row["value"], float) and math.isnan(row["value"])):
        text = t("wb_help_no_default", L, note=note_text(row) or "—")
    else:
        value = row["value"] if name == "bed_method" else fmt_number(row["value"], unit, L)
        text = t("wb_help_source", L, value=value, fact=row["fact_id"] or row["source"] or "—",
                 quote=row["quote"] or "—")
        if note_text(row):
            text += f"\n\n{note_text(row)}"
    if name in PROJECTION_FIELDS:
        text += "\n\n" + t("wb_help_projection", L)
    return text


def number(container, name: str, *, on_change=None, args=()) -> None:
    lo, hi, step, _ = ASSUMPTION_RANGES[name]  # the domain's validation ranges are the widget bounds
    container.number_input(assumption_label(name, L), min_value=lo, max_value=hi, step=step, value=None,
                           format="%.2f", key=f"wb_{name}", help=help_text(name), on_change=on_change, args=args,
                           placeholder=t("no_data", L))


with sb.expander(t("wb_group_projection", L), expanded=True):
    for name in PROJECTION_FIELDS:
        number(st, name, on_change=on_rate, args=(name,))
    st.caption(t("wb_elderly_one", L))
with sb.expander(t("wb_group_standards", L), expanded=True):
    st.selectbox(t("wb_a_bed_method", L), BED_METHODS, key="wb_bed_method", help=help_text("bed_method"),
                 format_func=lambda m: t(f"wb_bed_method_{m}", L))
    for name in STANDARD_FIELDS:
        number(st, name)
    period = cache.wb_period(ss["wb_region"], int(ss["wb_year"]))
    if period:  # after 2025 the 十五五 standards apply where the planner sets none (the defaults above are the plan's)
        left, right = ("（", "）") if L == "zh" else (" (", ")")
        st.caption(t("wb_period_note", L, year=int(ss["wb_year"]), items=("；" if L == "zh" else "; ").join(
            f"{assumption_label(p['name'], L)} {p['value']:g}{left}{p['note'].split(' / ')[0 if L == 'zh' else -1]}"
            f"{right}" for p in period)))
sb.button(t("wb_reset", L), key="wb_reset", on_click=on_reset, icon=":material/restart_alt:")

# -- the scenario: validate, write the URL ------------------------------------------------------------------------------
try:
    ps = from_widgets()
except ValueError as exc:  # the widgets' bounds make this rare; never leave the page in a broken state
    st.error(str(exc))
    ps = PlannerScenario(ss["wb_region"], year=int(ss["wb_year"]))
saved = ss.get("_wb_saved")
saved_name = saved[0] if saved and saved[1] == ps.to_dict() else None
state.write_workbench(ps, saved=saved_name)
if ss.pop("_wb_notice", None):
    st.info(t("wb_switched_override", L))

year = ps.year
# only what is on screen is computed, each piece cached by what it depends on (ui.cache): the headline needs the
# chosen method's gap table of this year; a standard never re-projects, and hidden tabs compute nothing
GAPS = {r["service"]: r for r in cache.wb_gaps(ps, ps.method, years=[year]).to_dict("records")}
parts = [md(f"{NAMES.get(ps.region) or ps.region} ({ps.region})"), str(year), method_label(ps.method, L),
         t("wb_scenario", L) + " " + t(f"wb_scenario_{ps.scenario}", L)]
if saved_name:
    parts.append(t("wb_current_saved", L, name=md(saved_name)))
st.markdown(" · ".join(parts))
if ps.overrides():
    st.caption(t("wb_overridden", L, names="、".join(
        assumption_label(k, L) + " = " + (t(f"wb_bed_method_{v}", L) if k == "bed_method" else f"{v:g}")
        for k, v in ps.overrides().items())))
st.caption(t("wb_copy_link", L))

# -- headline: the gap of each service, each explaining itself ----------------------------------------------------------
cols = st.columns(len(SERVICES))
for col, service in zip(cols, SERVICES):
    row = GAPS[service]
    unit = indicator(service).unit
    delta = None
    if pd.notna(row["gap"]) and pd.notna(row["gap_stated"]) and row["gap"] != row["gap_stated"]:
        d = row["gap"] - row["gap_stated"]
        delta = t("wb_delta_vs_plan", L, delta=("+" if d > 0 else "−") + fmt_number(abs(d), unit, L))
    col.metric(t("wb_gap_metric", L, year=year, service=label(service, L)), fmt_number(row["gap"], unit, L),
               delta=delta, delta_color="inverse")
    if pd.isna(row["gap"]) and reason_text(row["reason_codes"], L):
        col.caption(f"{t('no_data', L)}: {reason_text(row['reason_codes'], L)}")
# a missing input is named once, with the region's prefilled import template and the way to 数据导入 (issue 20)
missing_input_line(list(GAPS.values()), code=ps.region, name=NAMES.get(ps.region, ps.region), lang=L, key="wb_missing")
for service in SERVICES:
    row = GAPS[service]
    with st.expander(t("wb_explain", L, service=label(service, L))):
        st.markdown(f"**{t('wb_formula', L)}**")
        # the catalogue's labels, never ids (models.core.formatting.labelled)
        st.code(labelled(row["formula"], L).replace("; ", "\n"), language=None, wrap_lines=True)
        if reason_text(row["reason_codes"], L):
            st.markdown(f"**{t('wb_reason', L)}**: {reason_text(row['reason_codes'], L)}")
        inputs = [i for i in (row["inputs"] or []) if isinstance(i, dict)]
        if inputs:
            st.markdown(f"**{t('wb_inputs', L)}**")
            # every cell formatted or "—"; headers in L (as the overview's explanation)
            st.dataframe(
                [{t("ov_input_name", L): labelled(str(i.get("name", "")), L), t("value", L): cell(i.get("value"), lang=L),
                  t("year", L): MISSING if is_missing(i.get("year")) else str(int(i["year"])),
                  "ID": i.get("fact_id") or MISSING, t("quote", L): i.get("quote") or MISSING,
                  t("source", L): source_title(i["source"], L) if i.get("source") else MISSING,
                  t("note", L): note_text({"note": i.get("note")}) or MISSING} for i in inputs],
                hide_index=True, width="stretch")

# -- charts -------------------------------------------------------------------------------------------------------------
# Lazy tabs (on_change="rerun"): only the open tab runs, so an assumption change costs what is on screen. Each
# chart is keyed by what its frames depend on: a standard does not redraw the projection fan.
TABS = ("wb_tab_projection", "wb_tab_supply", "wb_tab_waterfall", "wb_tab_sensitivity", "wb_tab_methods",
        "wb_tab_scenarios")
tabs = st.tabs([t(k, L) for k in TABS], key="wb_tab", on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        projections = cache.wb_projections(ps)
        inds = [i for i in ("elderly_60plus", "population_resident", "population_registered", "infants_0_3")
                if i in set(projections["indicator"])]
        ind = st.selectbox(t("wb_indicator", L), inds, key="wb_fan_indicator", format_func=lambda i: label(i, L))
        st.plotly_chart(cache.wb_figure("fan", (ps.projection_key(), ind, L, ps.method), lambda: fan_chart(
            projections, indicator_id=ind, lang=L, scenario=ps.scenario, chosen=ps.method)),
                        key="wb_fan_chart", width="stretch")
if tabs[1].open:
    with tabs[1]:
        st.plotly_chart(cache.wb_figure("supply", (ps.gaps_key(ps.method), L), lambda: supply_demand_chart(
            cache.wb_gaps(ps, ps.method), lang=L)), key="wb_supply_chart", width="stretch")
if tabs[2].open:
    with tabs[2]:
        wf_service = st.radio(t("wb_service", L), SERVICES, key="wb_wf_service", horizontal=True,
                              format_func=lambda s: label(s, L))
        wf = waterfall(cache.wb_gaps(ps, ps.method, years=[year]), year=year)
        st.plotly_chart(cache.wb_figure("waterfall", (ps.gaps_key(ps.method), year, wf_service, L), lambda:
                                        waterfall_chart(wf, service=wf_service, year=year, lang=L)),
                        key="wb_waterfall_chart", width="stretch")
        w = wf[wf["service"] == wf_service]
        st.caption(" · ".join(f"{t('wb_step_' + s, L)}: {labelled(f, L)}" + (f"（{reason_text(r, L)}）" if r else "")
                              for s, f, r in zip(w["step"], w["formula"], w["reason_codes"])))
if tabs[3].open:
    with tabs[3]:
        sens = cache.wb_sensitivity(ps)
        s_service = st.radio(t("wb_service", L), SERVICES, key="wb_sens_service", horizontal=True,
                             format_func=lambda s: label(s, L))
        st.plotly_chart(cache.wb_figure("tornado", (ps, s_service, L), lambda: tornado_chart(
            sens, service=s_service, year=year, lang=L)), key="wb_tornado_chart", width="stretch")
        st.caption(t("wb_tornado_note", L))
        missing = sens[(sens["service"] == s_service) & sens["impact"].isna()]
        if len(missing):
            # reasons are codes with parameters (forecasting.workbench.sensitivity), rendered here in L
            st.caption(t("wb_tornado_missing", L, items="；".join(
                f"{assumption_label(a, L)}（{why(r, p)}）"
                for a, r, p in zip(missing["assumption"], missing["reason"], missing["reason_params"]))))
if tabs[4].open:
    with tabs[4]:
        m = cache.wb_methods(ps)
        table = pd.DataFrame({
            t("wb_service", L): [label(s, L) for s in m["service"]],
            t("wb_col_method", L): [method_label(x, L) + (t("wb_chosen", L) if c else "")
                                    for x, c in zip(m["method"], m["chosen"])],
            t("wb_col_population", L): [fmt_number(v, "person", L) if x != "stated" else "—"
                                        for v, x in zip(m["population"], m["method"])],
            t("wb_col_demand", L): [fmt_number(v, indicator(s).unit, L) for v, s in zip(m["demand"], m["service"])],
            t("wb_col_supply", L): [fmt_number(v, indicator(s).unit, L) if x != "stated" else "—"
                                    for v, s, x in zip(m["supply"], m["service"], m["method"])],
            t("wb_col_gap", L): [fmt_number(v, indicator(s).unit, L) for v, s in zip(m["gap"], m["service"])],
            t("note", L): [reason_text(r, L) for r in m["reason_codes"]],
        })
        st.dataframe(table, hide_index=True, width="stretch", key="wb_methods_table")
        st.plotly_chart(cache.wb_figure("methods", (ps.methods_key(), ps.method, year, L),
                                        lambda: methods_chart(m, year=year, lang=L)), key="wb_methods_chart",
                        width="stretch")
        st.caption(t("wb_methods_note", L))
if tabs[5].open:
    with tabs[5]:
        message = ss.pop("_wb_message", None)
        if message:
            (st.success if message[0] == "success" else st.error)(message[1])
        editor = editor_gate(L, key="wb_scenarios")  # saving, overwriting, deleting: an editor account
        if editor is not None:
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            c1.text_input(t("wb_save_name", L), key="wb_save_name", max_chars=store.MAX_NAME)
            c2.button(t("wb_save", L), key="wb_save", on_click=on_save, icon=":material/save:")
        listed = cache.wb_saved()
        names = list(listed["name"])
        if not names:
            st.caption(t("wb_no_saved", L))
        else:
            c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
            c1.selectbox(t("wb_load_pick", L), names, key="wb_load_name",
                         format_func=lambda n: f"{n} · {NAMES.get(dict(zip(listed['name'], listed['region_code']))[n], '')}")
            c2.button(t("wb_load", L), key="wb_load", on_click=on_load)
            if editor is not None:
                c3.button(t("wb_delete", L), key="wb_delete", on_click=on_delete)
            picked = st.multiselect(t("wb_compare_pick", L), names, key="wb_compare", max_selections=4,
                                    placeholder=t("ov_multiselect_placeholder", L))
            if len(picked) < 2:
                st.caption(t("wb_compare_need", L))
            else:
                chosen, bad = {}, []
                for n in picked:
                    try:
                        chosen[n] = PlannerScenario.from_dict(store.load_scenario(n))
                    except (KeyError, ValueError, TypeError) as exc:
                        bad.append(t("wb_bad_saved", L, name=md(n), why=md(exc)))
                for b in bad:
                    st.warning(b)
                if len(chosen) >= 2:
                    cmp = cache.wb_compare(chosen, year)
                    wide = cmp.assign(shown=[fmt_number(v, indicator(s).unit, L) for v, s in zip(cmp["gap"],
                                                                                                 cmp["service"])])
                    wide = wide.pivot(index="name", columns="service", values="shown").reindex(
                        index=list(chosen), columns=SERVICES)
                    wide.columns = [label(s, L) for s in wide.columns]
                    wide.index.name = t("wb_col_scenario", L)
                    st.dataframe(wide.reset_index(), hide_index=True, width="stretch", key="wb_compare_table")
                    st.plotly_chart(scenarios_chart(cmp, year=year, lang=L), key="wb_compare_chart", width="stretch")
