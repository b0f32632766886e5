"""The one place where the UI caches domain calls. Keyed by the database's build hash so data changes show."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from models.store import facts
from models.store.database import default


def data_version() -> str:
    """The cache key of the data: the database file's identity (inode, size, modification time). Every rebuild
    and every user write changes it. Cheap on every rerun: ensure_built() only stats the source files when they
    are unchanged, and no database connection is opened."""
    db = default()
    db.ensure_built()
    st_ = db.path.stat()
    return f"{st_.st_ino}:{st_.st_size}:{st_.st_mtime_ns}"


@st.cache_data(show_spinner=False)
def _facts(version: str) -> pd.DataFrame:
    return facts.all_facts()


@st.cache_data(show_spinner=False)
def _regions(version: str) -> pd.DataFrame:
    return facts.regions()


@st.cache_data(show_spinner=False)
def _document_text(version: str, source: str) -> str:
    return facts.document_text(source)


def all_facts() -> pd.DataFrame:
    return _facts(data_version())


def regions() -> pd.DataFrame:
    return _regions(data_version())


def document_text(source: str) -> str:
    return _document_text(data_version(), source)


@st.cache_data(show_spinner=False)
def _plan_gaps(version: str, years: tuple[int, ...]) -> pd.DataFrame:
    from forecasting.planning import gaps

    return gaps(years=list(years))  # whole beds and places, as people read them


def plan_gaps(years: tuple[int, ...]) -> pd.DataFrame:
    """forecasting.planning.gaps (plan assumptions) for the given years in whole numbers (whole_counts), cached per
    data version."""
    return _plan_gaps(data_version(), tuple(int(y) for y in years))


# -- overview, analyst export, plan audit -----------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def _projections(version: str) -> pd.DataFrame:
    from forecasting.planning import covered_regions
    from forecasting.projection import project_all

    return project_all(covered_regions())


def projections() -> pd.DataFrame:
    """forecasting.projection.project_all (the plan regions and every imported region × every method × scenario),
    cached per data version."""
    return _projections(data_version())


@st.cache_data(show_spinner=False)
def _gaps(version: str, assumptions: str, scenario: str, years: tuple[int, ...], region: str | None,
          explain: bool) -> pd.DataFrame:
    from models.report.overview import gaps_for

    proj = None if assumptions == "plan" else _projections(version)
    return gaps_for(assumptions=assumptions, scenario=scenario, projections=proj, years=list(years), region=region,
                    explain=explain)


def gaps(assumptions: str = "plan", *, scenario: str = "medium", years=None, region: str | None = None,
         explain: bool = True) -> pd.DataFrame:
    """models.report.overview.gaps_for (gap table under plan / model / override assumptions), cached per data version.
    years: None = every year of models.planning.gaps.YEARS."""
    from models.planning.gaps import YEARS

    years = tuple(int(y) for y in (years if years is not None else YEARS))
    return _gaps(data_version(), assumptions, scenario, years, region, explain)


# The overview's tables are computed once per data version, year and language and shared read-only by every
# session (cache_resource: a rerun gets the same objects, not an unpickled copy of thousands of rows).
@st.cache_resource(show_spinner=False, max_entries=12)
def _overview(version: str, year: int, lang: str):
    from models.report.overview import REVIEW_YEAR, overview_tables

    assumptions = "plan" if year == REVIEW_YEAR else "model"  # 2025: the plans' own figures; later: projection
    return overview_tables(_gaps(version, assumptions, "medium", (year,), None, False),
                           _regions_with_registry(version), year=year, lang=lang)


@st.cache_data(show_spinner=False)
def _regions_with_registry(version: str) -> pd.DataFrame:
    from models.store.census import regions_with_registry

    return regions_with_registry()  # a census county finds its prefecture and province (the overview's tree)


def overview(year: int, lang: str):
    """models.report.overview.overview_tables (KPI, hierarchy, comparison, per-region table) of the national gap table
    of `year`, cached per data version. Read-only: the frames are shared by sessions, never change them."""
    return _overview(data_version(), int(year), lang)


@st.cache_resource(show_spinner=False, max_entries=4)
def _overview_review(version: str, year: int, lang: str):
    from models.report.brief import source_title
    from models.report.overview import final_review, region_names, review_view, without_actual, without_targets

    names = region_names(_regions(version), lang)
    review = final_review(_facts(version), year=year, names=names, source_title=lambda s: source_title(s, lang))
    return review_view(review, names=names, lang=lang, year=year), without_actual(review), without_targets(review)


def overview_review(year: int, lang: str):
    """The overview's 终期评估: (models.planning.review.review_view table, codes of the regions with targets but no
    actual, {code: indicators} of the regions with actuals but no targets), cached per data version and language.
    Read-only, shared by sessions."""
    return _overview_review(data_version(), int(year), lang)


@st.cache_resource(show_spinner=False, max_entries=32)
def _overview_aggregate(version: str, year: int, lang: str, level: str, within: str | None):
    from models.report.overview import aggregate

    ov = _overview(version, year, lang)
    return aggregate(ov.kpi, ov.tree, level=level, lang=lang, within=within)


def overview_aggregate(year: int, lang: str, *, level: str, within: str | None):
    """models.report.overview.aggregate (totals by province or city) of overview(year, lang), cached. Read-only."""
    return _overview_aggregate(data_version(), int(year), lang, level, within)


@st.cache_resource(show_spinner=False, max_entries=64)  # st.plotly_chart copies the figure (to_dict)
def _overview_card(version: str, year: int, lang: str, code: str):
    from models.report.overview import CARD_LIMIT, REVIEW_YEAR, region_card

    assumptions = "plan" if year == REVIEW_YEAR else "model"
    if len(_overview(version, year, lang).codes) <= CARD_LIMIT:
        # every card is on the page: one explained table for all regions (the same rows as one region's table,
        # tested) instead of a gap model per card, which made the first render 5 × 0.75 s
        g = _gaps(version, assumptions, "medium", (year,), None, True)
        g = g[g["region_code"] == code]
    else:
        g = _gaps(version, assumptions, "medium", (year,), code, True)
    return region_card(g[g["year"] == year], code=code, year=year, lang=lang,
                       names=_overview(version, year, lang).names)


def overview_card(year: int, lang: str, code: str):
    """models.report.overview.region_card (KPI rows, headline, gap chart) of one region, cached. Read-only."""
    return _overview_card(data_version(), int(year), lang, code)


@st.cache_resource(show_spinner=False, max_entries=64)  # st.plotly_chart copies the figure (to_dict)
def _overview_trend(version: str, year: int, lang: str, code: str, service: str):
    from models.core.catalogue import label
    from models.core.i18n import t
    from models.report.charts import gap_trend_chart
    from models.report.overview import REVIEW_YEAR

    assumptions = "plan" if year == REVIEW_YEAR else "model"
    name = _overview(version, year, lang).names.get(code, code)
    return gap_trend_chart(_gaps(version, assumptions, "medium", tuple(_years()), code, False), service=service,
                           lang=lang, title=t("ov_trend_title", lang, region=name, service=label(service, lang)))


def overview_trend(year: int, lang: str, code: str, service: str):
    """models.report.charts.gap_trend_chart of one region and service over every year, cached. Read-only."""
    return _overview_trend(data_version(), int(year), lang, code, service)


def _years() -> tuple[int, ...]:
    from models.planning.gaps import YEARS

    return tuple(int(y) for y in YEARS)


@st.cache_data(show_spinner=False)
def _audit_checks(version: str) -> pd.DataFrame:
    from models.planning.audit import audit_checks, relations

    return audit_checks(facts.all_facts(), relations())


def audit_checks() -> pd.DataFrame:
    """models.planning.audit.audit_checks (every check, ok or inconsistent), cached per data version."""
    return _audit_checks(data_version())


# -- planner workbench (forecasting.workbench): keyed by frozen assumptions, so one changed input recomputes one piece ----
@st.cache_resource(show_spinner=False, max_entries=2)
def _wb_data(version: str):
    from forecasting.workbench import PlanData

    return PlanData.load()


def wb_data():
    """forecasting.workbench.PlanData for the current data version (loaded once, shared by sessions)."""
    return _wb_data(data_version())


@st.cache_resource(show_spinner=False, max_entries=256)
def _wb_projection(version: str, assumptions):
    return _wb_data(version).project(assumptions)


# The seams follow what each piece depends on, so a standards change recomputes standards → gaps → charts and never
# re-projects: projections by PlannerScenario.projection_key() (the projection fields only), a gap table by
# gaps_key(method) (its projection's assumptions and the standards) and the years asked for, the three methods side
# by side by methods_key() and the year, the sensitivity by the scenario, and each chart by the key of the frames it
# is drawn from. Results are resources (shared, read only): a warm rerun neither recomputes nor unpickles them.
@st.cache_resource(show_spinner=False, max_entries=64)
def _wb_projections(version: str, key: tuple, _scenario) -> pd.DataFrame:
    from forecasting.workbench import projections_for

    return projections_for(_scenario, data=_wb_data(version), project_fn=lambda a: _wb_projection(version, a))


def wb_projections(scenario) -> pd.DataFrame:
    """forecasting.workbench.projections_for (the fan chart's paths), cached by PlannerScenario.projection_key."""
    return _wb_projections(data_version(), scenario.projection_key(), scenario)


@st.cache_resource(show_spinner=False, max_entries=256)
def _wb_gaps(version: str, key: tuple, years: tuple, _scenario, method: str) -> pd.DataFrame:
    from forecasting.workbench import gaps_for

    return gaps_for(_scenario, method, data=_wb_data(version), years=list(years),
                    project_fn=lambda a: _wb_projection(version, a))


def wb_gaps(scenario, method: str, years=None) -> pd.DataFrame:
    """forecasting.workbench.gaps_for of one method (formula and inputs included) for `years` (None = every year),
    cached by PlannerScenario.gaps_key(method): that method's projection assumptions and the standards."""
    from models.planning.gaps import YEARS

    years = tuple(int(y) for y in (years if years is not None else YEARS))
    return _wb_gaps(data_version(), scenario.gaps_key(method), years, scenario, method)


@st.cache_resource(show_spinner=False, max_entries=128)
def _wb_methods(version: str, key: tuple, year: int, _scenario) -> pd.DataFrame:
    from dataclasses import replace

    from forecasting.workbench import method_gaps, methods_table

    gaps = method_gaps(_scenario, data=_wb_data(version), years=[year],
                       project_fn=lambda a: _wb_projection(version, a))
    return methods_table(gaps, replace(_scenario, year=year))


def wb_methods(scenario) -> pd.DataFrame:
    """forecasting.workbench.methods_table of the scenario's year (the three gap tables in one gap_table call),
    cached by PlannerScenario.methods_key and the year. The chosen-method flag is set on the way out, so the key
    need not name the method."""
    m = _wb_methods(data_version(), scenario.methods_key(), int(scenario.year), scenario)
    return m.assign(chosen=m["method"] == scenario.method)


@st.cache_resource(show_spinner=False, max_entries=128)
def _wb_sensitivity(version: str, scenario) -> pd.DataFrame:
    from forecasting.workbench import sensitivity

    return sensitivity(scenario, data=_wb_data(version), project_fn=lambda a: _wb_projection(version, a))


def wb_sensitivity(scenario) -> pd.DataFrame:
    """forecasting.workbench.sensitivity, cached by the PlannerScenario."""
    return _wb_sensitivity(data_version(), scenario)


@st.cache_resource(show_spinner=False, max_entries=256)
def _wb_figure(version: str, kind: str, key: tuple, _build):
    return _build()


def wb_figure(kind: str, key: tuple, build):
    """A workbench chart drawn once per (kind, key): `key` names everything the chart is drawn from (the cache key
    of its frames, year, service, language), `build()` draws it on a miss. The figure is shared read only
    (st.plotly_chart serialises a copy), so an unchanged chart costs no plotly work on a rerun."""
    return _wb_figure(data_version(), kind, key, build)


@st.cache_data(show_spinner=False, max_entries=8)
def _wb_saved(version: str) -> pd.DataFrame:
    from models.store.scenarios import list_scenarios

    return list_scenarios()


def wb_saved() -> pd.DataFrame:
    """models.store.scenarios.list_scenarios, cached per data version (a save or delete writes the database, which
    changes the version), so a rerun opens no database connection."""
    return _wb_saved(data_version())


@st.cache_resource(show_spinner=False, max_entries=64)
def _wb_compare(version: str, scenarios: tuple, year: int) -> pd.DataFrame:
    from forecasting.workbench import compare_scenarios

    return compare_scenarios(dict(scenarios), year=year, data=_wb_data(version),
                             gaps_fn=lambda s, m: _wb_gaps(version, s.gaps_key(m), (int(year),), s, m))


def wb_compare(scenarios: dict, year: int) -> pd.DataFrame:
    """forecasting.workbench.compare_scenarios, cached by the (name, PlannerScenario) pairs and the year."""
    return _wb_compare(data_version(), tuple(scenarios.items()), int(year))


@st.cache_resource(show_spinner=False, max_entries=64)
def _wb_sources(version: str, region: str) -> pd.DataFrame:
    from forecasting.workbench import assumption_sources

    return assumption_sources(region, data=_wb_data(version))


def wb_sources(region: str) -> pd.DataFrame:
    """forecasting.workbench.assumption_sources: each assumption's plan default and its quote."""
    return _wb_sources(data_version(), region)


@st.cache_resource(show_spinner=False, max_entries=64)
def _wb_defaults(version: str, region: str) -> dict:
    return {r["name"]: r for r in _wb_sources(version, region).to_dict("records")}


def wb_defaults(region: str) -> dict:
    """wb_sources by assumption name (name → its row as a dict), built once per data version and region. Shared:
    read only."""
    return _wb_defaults(data_version(), region)


@st.cache_resource(show_spinner=False, max_entries=64)
def _wb_period(version: str, region: str, year: int) -> list:
    from forecasting.workbench import period_sources

    return period_sources(region, year, data=_wb_data(version))


def wb_period(region: str, year: int) -> list:
    """forecasting.workbench.period_sources: the 十五五 standards that apply in `year` (after 2025). Read only."""
    return _wb_period(data_version(), region, int(year))


@st.cache_data(show_spinner=False)
def _method_report(version: str):
    from forecasting.method_report import method_report

    return method_report()


def method_report():
    """forecasting.method_report.method_report (page 方法与检验), cached per data version."""
    return _method_report(data_version())


def method_text(lang: str) -> str:
    from forecasting.method_report import method_text as text

    return text(lang)


# -- 十五五测算 (forecasting.draft, issue 23) ---------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=2)
def _projector(version: str):
    from forecasting.projector import Projector

    return Projector.load()


@st.cache_resource(show_spinner=False, max_entries=64)
def _draft(version: str, region: str, year: int, spec: tuple):
    from forecasting.draft import DraftIncomplete, draft

    try:
        return draft(region, year=year, standards={region: dict(spec)} if spec else None,
                     projector=_projector(version))
    except DraftIncomplete as exc:
        return exc  # cached too: the page says which input is missing


def draft(region: str, year: int, spec: dict | None = None):
    """forecasting.draft.draft of one region (a Draft, or the DraftIncomplete naming the missing input), with the
    planner's standard changes `spec` ({name: value}), cached per data version. Read-only, shared."""
    return _draft(data_version(), region, int(year), tuple(sorted((spec or {}).items())))

# -- the census regions (issue 20) ---------------------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def _choosable_regions(version: str) -> pd.DataFrame:
    from models.store.census import choosable_regions

    return choosable_regions()


def choosable_regions() -> pd.DataFrame:
    """models.store.census.choosable_regions (the census registry and imported regions), cached per data version."""
    return _choosable_regions(data_version())


@st.cache_data(show_spinner=False)
def _region_table(version: str) -> pd.DataFrame:
    from forecasting.region_table import region_table

    return region_table()


def region_table() -> pd.DataFrame:
    """forecasting.region_table.region_table (every census region with its 2020 figures), cached per data version."""
    return _region_table(data_version())


# -- a province's counties ranked (issue 20) ------------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=1)
def _every_model(version: str) -> pd.DataFrame:
    from forecasting.planning import codes_for
    from forecasting.projector import Projector

    projector = Projector.load()
    return projector.project_all(codes_for(projector, "model"), methods=("model",), scenarios=("medium",))


@st.cache_resource(show_spinner=False, max_entries=64)
def _province_ranking(version: str, province: str, service: str, by: str, lang: str):
    from forecasting.planning import province_ranking
    from models.core.catalogue import label
    from models.core.i18n import t
    from models.report.charts import ranking_chart
    from models.report.overview import PER_1000_OF, REVIEW_YEAR, ranking_view

    year = 2030
    ranking, _ = province_ranking(province, service=service, projections=_every_model(version), by=by,
                                  regions=_choosable_regions(version), base_year=REVIEW_YEAR, year=year)
    view = ranking_view(ranking, service=service, base_year=REVIEW_YEAR, year=year, lang=lang)
    names = _choosable_regions(version).set_index("region_code")["region_name"]
    per = label(PER_1000_OF[service], lang)
    chart = ranking_chart(ranking, service=service, lang=lang,
                          title=t("rk_chart_title", lang, province=names.get(province, province),
                                  service=label(service, lang)),
                          growth_label=t("rk_col_growth", lang, base=REVIEW_YEAR, year=year),
                          per_1000_label=t("rk_col_per_1000", lang, per=per, year=year))
    return ranking, view, chart


def province_ranking(province: str, service: str, by: str, lang: str):
    """forecasting.planning.province_ranking of a province's counties (model, medium; 2025→2030) with its table in
    `lang` and chart, cached per data version. Read-only, shared by sessions. The first call projects every region
    once (one batch, a few seconds); a rerun is a cache hit."""
    return _province_ranking(data_version(), province, service, by, lang)


@st.cache_resource(show_spinner=False, max_entries=3)
def every_region_model(version: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model projection (medium) of every region (the one province_ranking shares) and its gap table for `year`
    (models.report.overview.gaps_for, model assumptions, no explanations): the census map's growth and demand.
    Call with data_version(). Read-only, shared by sessions; the first call projects every region once (a few
    seconds), the gap table of a year takes about a second."""
    from models.report.overview import gaps_for

    proj = _every_model(version)
    return proj, gaps_for(assumptions="model", projections=proj, years=[int(year)], explain=False)


def census_growth(indicator: str) -> pd.DataFrame:
    """forecasting.region_table.census_growth (growth 2025→2030 of a census-projected indicator, every census unit),
    cached per data version: the map's 80+ growth."""
    return _census_growth(data_version(), indicator)


@st.cache_data(show_spinner=False, max_entries=4)
def _census_growth(version: str, indicator: str) -> pd.DataFrame:
    from forecasting.region_table import census_growth as growth

    return growth(indicator)
