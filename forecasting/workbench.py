"""The planner's workbench: one scenario (region, year, projection assumptions, standards) evaluated end to end.

In:  `PlannerScenario` (frozen, validated): region (GB/T 2260), year (2020–2035), method (plan | model | override:
     where the population comes from), scenario (low | medium | high), the projection rates (population_growth and
     elderly_growth in %/yr, aging_rate_increment in pp/yr, birth_rate in ‰; None = the plan's stated value, else the
     model) and the planner's standards (beds_per_1000_elderly, places_per_1000 per 1000; *_share in percent;
     bed_method; None = the plan's standard).
Out: `evaluate(...)` → `Evaluation` (frozen): projections of the three methods, the gap table of the chosen method
     for every year (models.planning.gaps.gap_table, with formula and inputs), the waterfall of the chosen year, and the three
     methods side by side; `sensitivity(...)` → one row per assumption and service: the gap of the year when the
     assumption moves by its stated step (STEPS), sorted by impact (the tornado).

Methods (as `python -m forecasting gaps`): plan = the plans' own stated population and standards (existing supply
only, as the plans compute their gaps); model / override = a projection (forecasting.projection), standards without
the plans' quirks (rounding, Yuzhong's 2020 population for places) and the pipeline counted in supply. The
planner's standards apply to every method, so the three methods differ only in the population (and pipeline).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, make_dataclass, replace
from functools import cached_property
from types import MappingProxyType

import numpy as np
import pandas as pd

from forecasting import projection
from forecasting.assumptions import ASSUMPTION_RANGES, RANGES
from forecasting.projector import Projector
from models.core.catalogue import SERVICES
from models.planning.gaps import YEARS, gap_table, plan_figures, plan_population, region_table
from models.planning.standards import BED_METHODS, STANDARD_RANGES, RegionStandards, Standards, plan_standards
from models.planning.targets import REVIEW_YEAR, region_period_standards

METHODS = projection.METHODS  # plan, model, override
PROJECTION_FIELDS = tuple(RANGES)  # population_growth, elderly_growth, aging_rate_increment, birth_rate
STANDARD_FIELDS = tuple(STANDARD_RANGES)  # beds_per_1000_elderly, nursing_share, places_per_1000, *_share
ASSUMPTION_FIELDS = PROJECTION_FIELDS + STANDARD_FIELDS
UNITS = {name: r.unit for name, r in ASSUMPTION_RANGES.items()}
# Sensitivity steps: (kind, step). 'absolute' adds ± step in the assumption's own unit (rates: percentage points of
# the yearly rate; birth rate: ‰); 'relative' multiplies by (1 ± step) (standards: ±10%).
STEPS = MappingProxyType({
    "population_growth": ("absolute", 0.5), "elderly_growth": ("absolute", 0.5),
    "aging_rate_increment": ("absolute", 0.1), "birth_rate": ("absolute", 1.0),
    **{name: ("relative", 0.10) for name in STANDARD_FIELDS}})
_MODEL_MODE = dict(count_pipeline=True, childcare_population_year=None, childcare_round_to=None, beds_round_to=None)


# -- the planner's scenario ------------------------------------------------------------------------------------------
class ScenarioRules:
    """The behaviour of PlannerScenario (below): validation, cache keys, (de)serialisation."""

    def __post_init__(self):
        if isinstance(self.year, bool) or not isinstance(self.year, int | np.integer) or self.year not in YEARS:
            raise ValueError(f"year: 年份应在{YEARS[0]}–{YEARS[-1]}之间 / year must be an integer in "
                             f"{YEARS[0]}–{YEARS[-1]}, got {self.year!r}")
        # validates region, method, scenario and the rates (whatever the method, so a saved scenario stays valid)
        projection.Assumptions(self.region, method=self.method, scenario=self.scenario,
                               **{k: getattr(self, k) for k in PROJECTION_FIELDS})
        if self.bed_method is not None and self.bed_method not in BED_METHODS[:-1]:
            raise ValueError(f"bed_method: 床位测算方法应为 {'|'.join(BED_METHODS[:-1])} / bed_method must be one of "
                             f"{BED_METHODS[:-1]}, got {self.bed_method!r}")
        RegionStandards(**{k: float(v) for k, v in self.standard_changes().items() if k != "bed_method"})

    def assumptions(self, method: str | None = None) -> projection.Assumptions:
        """The projection assumptions of this scenario (method: this scenario's, or another to compare). The rates
        are passed to the override method only: plan and model do not use them, so they are not recorded there."""
        method = method or self.method
        rates = {k: getattr(self, k) for k in PROJECTION_FIELDS} if method == "override" else {}
        return projection.Assumptions(self.region, method=method, scenario=self.scenario, **rates)

    def gaps_key(self, method: str | None = None) -> tuple:
        """Everything the gap table of `method` depends on (a cache key): the plan method reads neither the
        scenario band nor the rates; model and override read their projection's assumptions."""
        method = method or self.method
        head = (self.region, "plan") if method == "plan" else (self.assumptions(method),)
        return head + tuple(sorted(self.standard_changes().items()))

    def projection_key(self) -> tuple:
        """Everything the workbench's projections depend on (a cache key): the Assumptions of the three methods (the
        rates reach the override only). The standards are not in it: a standard never re-projects the population."""
        return tuple(self.assumptions(m) for m in METHODS)

    def methods_key(self) -> tuple:
        """Everything the gap tables of the three methods depend on (a cache key): the projections' key and the
        planner's standards. Not the year: every year is computed at once."""
        return self.projection_key() + tuple(sorted(self.standard_changes().items()))

    def standard_changes(self) -> dict:
        """The planner-set standards (not None), as models.planning.standards field names."""
        names = ("bed_method",) + STANDARD_FIELDS
        return {k: getattr(self, k) for k in names if getattr(self, k) is not None}

    def overrides(self) -> dict:
        """Every planner-set assumption (projection rates and standards, not None)."""
        return {**{k: getattr(self, k) for k in PROJECTION_FIELDS if getattr(self, k) is not None},
                **self.standard_changes()}

    def to_dict(self) -> dict:
        """JSON-ready: the full view state (the payload of a saved scenario)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> PlannerScenario:
        """From `to_dict()` output (unknown keys are ignored; ValueError on invalid values)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def reset(self) -> PlannerScenario:
        """The plan's view of the same region and year: method plan, medium, nothing overridden."""
        return type(self)(self.region, year=self.year)


# The fields are not written out a second time: the projection rates are forecasting.assumptions.RANGES and the
# standards models.planning.standards.STANDARD_RANGES (the one statement of every assumption, its range and unit).
PlannerScenario = make_dataclass(
    "PlannerScenario",
    [("region", str), ("year", int, field(default=2025)), ("method", str, field(default="plan")),
     ("scenario", str, field(default="medium")),
     *[(name, float | None, field(default=None)) for name in PROJECTION_FIELDS],
     ("bed_method", str | None, field(default=None)),
     *[(name, float | None, field(default=None)) for name in STANDARD_FIELDS]],
    bases=(ScenarioRules,), frozen=True,
    namespace={"__module__": __name__, "__doc__": """Everything a planner sets on the workbench (see the module
    docstring for units): region, year, method, scenario, the projection rates (PROJECTION_FIELDS), bed_method and
    the standards (STANDARD_FIELDS); None = the plan's value. Validated at construction: an invalid value raises
    ValueError naming the field (zh + en), through forecasting's Assumptions and models.planning.standards'
    RegionStandards, so the workbench accepts exactly what the CLI accepts."""})


# -- data loaded once -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanData:
    """What every evaluation reads, loaded once from the database: facts, the plans' standards, supply (with the
    pipeline), the plans' stated figures and population, region names, and forecasting's inputs (model fits are
    memoised there, so a second projection of the same region costs milliseconds)."""

    facts: pd.DataFrame = field(repr=False)
    standards: Standards = field(repr=False)
    supply: pd.DataFrame = field(repr=False)
    figures: pd.DataFrame = field(repr=False)
    population: pd.DataFrame = field(repr=False)
    names: MappingProxyType = field(repr=False)
    projector: Projector = field(repr=False, compare=False)

    @classmethod
    def load(cls, db=None) -> PlanData:
        from models.planning.supply import supply_table
        from models.store.facts import all_facts, projects

        facts = all_facts(db)
        known = region_table(db)  # the regions table, the census registry and every imported region
        names = dict(zip(known["region_code"], known["region_name"]))
        # a region without standards of its own takes its province's plan standards, else the '*' (national) ones
        standards = plan_standards(facts).inherit(dict(zip(known["region_code"], known["province_code"])), names)
        return cls(facts, standards, supply_table(facts, projects(db), years=YEARS), plan_figures(facts),
                   plan_population(facts, years=YEARS), MappingProxyType(names),
                   Projector.load(db))  # fits and paths are memoised in it: a second projection costs ms

    def regions(self) -> list[str]:
        """The workbench's choices: the regions the plans (and imports) state figures for, then every other region
        of the census registry (its population from the model projection; standards its province's or national)."""
        return list(self._regions)

    @cached_property
    def _regions(self) -> tuple[str, ...]:
        # a set over every fact costs tens of ms on the national file: once per load, not once per rerun
        own = sorted(set(self.facts["region_code"]))
        return tuple(own + sorted(set(self.names) - set(own)))

    def project(self, assumptions: projection.Assumptions) -> projection.Projection:
        """forecasting.projection.project on the loaded inputs (same result, without reloading the facts)."""
        return self.projector.project(assumptions)


def assumption_sources(region: str, *, data: PlanData) -> pd.DataFrame:
    """The default of every assumption and where it comes from.

    Out columns: name, group ('projection' | 'standards'), value (None = the plan states none), unit, fact_id,
    source, quote, note (the standard's own note, as data) and note_code (a models.core.i18n key saying why there is no
    value: wb_note_model_path | wb_note_plan_none; '' with a value: render it at the edge). Projection defaults: forecasting.projection.plan_defaults (the plan's stated rate);
    standards: the region's plan standard (RegionStandards.source_of).
    """
    rows = []
    d = data.projector.plan_defaults(region)
    for name in PROJECTION_FIELDS:
        f = d.get(name) or {}
        rows.append({"name": name, "group": "projection", "value": f.get("value"), "unit": UNITS[name],
                     "fact_id": f.get("fact_id", ""), "source": "", "quote": f.get("quote", ""),
                     "note": "", "note_code": "" if f else "wb_note_model_path"})
    rs = data.standards.for_region(region)
    for name in ("bed_method",) + STANDARD_FIELDS:
        p = rs.source_of(name)
        value = rs.effective_bed_method if name == "bed_method" else p.value
        rows.append({"name": name, "group": "standards", "value": value if value not in ("",) else None,
                     "unit": UNITS.get(name, ""), "fact_id": p.fact_id, "source": p.source, "quote": p.quote,
                     "note": p.note if value is not None else "",
                     "note_code": "" if value is not None else "wb_note_plan_none"})
    return pd.DataFrame(rows)


def period_sources(region: str, year: int, *, data: PlanData) -> list[dict]:
    """The standards that apply in `year` when it lies after 2025 and the planner sets none (models.planning.targets):
    [{name, value, plan_value, note}] for each standard whose value differs from the plan's; [] up to
    2025. The workbench says so beside its sidebar defaults (which are the plan's)."""
    if year <= REVIEW_YEAR:
        return []
    rs = data.standards.for_region(region)
    facts = data.facts[data.facts["region_code"] == region]
    later = region_period_standards(rs, facts, region, year=year)
    out = []
    for name in STANDARD_FIELDS:
        if getattr(later, name, None) is None or getattr(later, name) == getattr(rs, name):
            continue
        out.append({"name": name, "value": getattr(later, name), "plan_value": getattr(rs, name),
                    "note": later.source_of(name).note})
    return out


# -- the pieces, each cacheable on its own ------------------------------------------------------------------------------
def standards_for(ps: PlannerScenario, method: str, *, data: PlanData, year: int | None = None) -> Standards:
    """The plans' standards with the method's treatment and the planner's changes applied to ps.region; for a
    `year` after 2025 the region's 十五五 standards (models.planning.targets, as the gap table's)."""
    st = data.standards
    if year is not None and year > REVIEW_YEAR:
        facts = data.facts[data.facts["region_code"] == ps.region]
        rs = region_period_standards(st.for_region(ps.region), facts, ps.region, year=year)
        st = replace(st, regions=MappingProxyType({**st.regions, ps.region: rs}))
    if method != "plan":
        st = st.override(region=ps.region, **_MODEL_MODE)
    changes = ps.standard_changes()
    if changes:
        # the bed method stays the plan's unless the planner picks one (setting a needs share does not switch it)
        changes.setdefault("bed_method", st.for_region(ps.region).effective_bed_method)
        st = st.override(region=ps.region, note=PLANNER_OVERRIDE, **changes)
    return st


def population_for(ps: PlannerScenario, method: str, *, data: PlanData,
                   project_fn: Callable | None = None) -> pd.DataFrame:
    """The population the gap uses: plan → the plan's stated figures (interpolated between stated years); model /
    override → the projection's table (persons)."""
    if method == "plan":
        return data.population[data.population["region_code"] == ps.region]
    return (project_fn or data.project)(ps.assumptions(method)).table


def gaps_for(ps: PlannerScenario, method: str, *, data: PlanData, project_fn: Callable | None = None,
             years=YEARS, explain: bool = True) -> pd.DataFrame:
    """models.planning.gaps.gap_table of ps.region under `method` with the planner's standards, for `years`: the region's
    own supply and stated figures only are passed in (batched_gaps with one variant), so the call's cost does not
    grow with the number of regions in the database."""
    g = batched_gaps({method: (ps, method)}, ps.region, years=list(years), data=data,
                     project_fn=project_fn or data.project, explain=explain, figures=True)
    return g.drop(columns="variant")


# -- the result -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """The workbench's result for one PlannerScenario.

    projections: TABLE_COLUMNS of forecasting.projection for plan, model and override (the scenario's band) plus
                 the model's medium path with its 80/95% bands (scenario 'medium', method 'model'), persons.
    gaps:        gap table of the chosen method, every year 2020–2035 (formula, inputs, reason per row).
    waterfall:   service, step, measure (absolute | relative | total), value, formula, reason; for the year.
    methods:     service, method (stated | plan | model | override), chosen, population, population_indicator,
                 demand, supply, gap, formula, reason; for the year.
    sources:     assumption_sources(region): every default and its quote.
    """

    scenario: PlannerScenario
    projections: pd.DataFrame = field(repr=False)
    gaps: pd.DataFrame = field(repr=False)
    waterfall: pd.DataFrame = field(repr=False)
    methods: pd.DataFrame = field(repr=False)
    sources: pd.DataFrame = field(repr=False)

    @cached_property
    def _rows(self) -> dict:
        # one pass over the (small) gap table instead of a boolean filter per lookup: the page asks six times a run
        return {(r["service"], int(r["year"])): r for r in self.gaps.to_dict("records")}

    def row(self, service: str, year: int | None = None) -> dict:
        """The gap row of one service in the year (default: the scenario's year)."""
        return dict(self._rows[(service, int(year or self.scenario.year))])

    def gap(self, service: str, year: int | None = None) -> float:
        """The gap (demand − supply, beds or places) of one service in the year; NaN when unknown."""
        return float(self.row(service, year)["gap"])


def projections_for(ps: PlannerScenario, *, data: PlanData, project_fn: Callable | None = None) -> pd.DataFrame:
    """The projections the fan chart draws: plan, model and override of ps.scenario, plus the model's medium path
    with its bands (persons). Depends on ps.projection_key() only."""
    project_fn = project_fn or data.project
    tables = [project_fn(ps.assumptions(m)).table for m in METHODS]
    if not (ps.scenario == "medium"):
        tables.append(project_fn(replace(ps, scenario="medium").assumptions("model")).table)
    return pd.concat(tables, ignore_index=True)


def method_gaps(ps: PlannerScenario, *, data: PlanData, project_fn: Callable | None = None, years=YEARS,
                explain: bool = True) -> dict:
    """{method: gap table} of ps.region for plan, model and override with the planner's standards, computed in ONE
    models.planning.gaps.gap_table call (each method a pseudo-region, see batched_gaps): the same rows as gaps_for per
    method, at a third of the fixed cost. Depends on ps.methods_key() only."""
    g = batched_gaps({m: (ps, m) for m in METHODS}, ps.region, years=years, data=data,
                     project_fn=project_fn or data.project, explain=explain, figures=True)
    return {m: part.drop(columns="variant").reset_index(drop=True) for m, part in g.groupby("variant", sort=False)}


def evaluate(ps: PlannerScenario, *, db=None, data: PlanData | None = None, project_fn: Callable | None = None,
             gaps_fn: Callable | None = None, projections: pd.DataFrame | None = None,
             gaps: dict | None = None) -> Evaluation:
    """Evaluate one planner scenario (see Evaluation). `project_fn(Assumptions) -> Projection`,
    `gaps_fn(ps, method) -> gap table`, `projections` (projections_for) and `gaps` (method_gaps) let the UI pass
    cached pieces; by default they compute (the three gap tables in one call)."""
    data = data or PlanData.load(db)
    project_fn = project_fn or data.project
    if projections is None:
        projections = projections_for(ps, data=data, project_fn=project_fn)
    if gaps is None:
        gaps = ({m: gaps_fn(ps, m) for m in METHODS} if gaps_fn else
                method_gaps(ps, data=data, project_fn=project_fn))
    return Evaluation(ps, projections, gaps[ps.method], waterfall(gaps[ps.method], year=ps.year), methods_table(gaps, ps),
                      assumption_sources(ps.region, data=data))


def _num(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return "未提供"
    return f"{float(x):,.0f}" if float(x).is_integer() else f"{float(x):,.2f}"


# Messages are codes (models/core/messages.py), rendered by the page: reasons as models.planning.gaps' reason_codes items.
_NO_SUPPLY = {"code": "wb_no_current_supply", "params": {}}
_NO_STATED_GAP = {"code": "wb_no_stated_gap", "params": {}}
PLANNER_OVERRIDE = "wb_note_planner_override"  # the note of a standard the planner set (an i18n key)


def waterfall(gaps: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Per service, the path from current supply to the projected demand in `year`:
    supply_existing (absolute) → + pipeline (relative) → to the target (target − supply − pipeline) → beyond the
    target (demand − target) → demand (total). Without a target the middle steps are one: demand − supply − pipeline.
    Out columns: service, step, measure, value, formula, reason_codes (NaN value with the reasons when unknown,
    never 0: a list of {code, params[, part]} as models.planning.gaps' reason_codes; render with models.planning.gaps.reason_text).
    """
    rows = []
    for r in gaps[gaps["year"] == year].to_dict("records"):
        s, ex, pipe, tgt, dem = r["service"], r["supply_existing"], r["pipeline"], r["target"], r["demand"]
        have = ex + pipe if pd.notna(ex) else np.nan
        no_supply = [] if pd.notna(ex) else [_NO_SUPPLY]
        steps = [("supply_existing", "absolute", ex, f"supply_existing = {_num(ex)}"
                  + (f" ({r['supply_year']})" if pd.notna(r["supply_year"]) else ""), no_supply),
                 ("pipeline", "relative", pipe, f"pipeline completed by {year} = {_num(pipe)}", "")]
        if pd.notna(tgt):
            steps.append(("to_target", "relative", tgt - have, f"target − supply − pipeline = {_num(tgt)} − "
                          f"{_num(ex)} − {_num(pipe)} = {_num(tgt - have)}", no_supply))
            steps.append(("beyond_target", "relative", dem - tgt, f"demand − target = {_num(dem)} − {_num(tgt)} = "
                          f"{_num(dem - tgt)}", [] if pd.notna(dem) else r["reason_codes"]))
        else:
            steps.append(("to_demand", "relative", dem - have, f"demand − supply − pipeline = {_num(dem)} − "
                          f"{_num(ex)} − {_num(pipe)} = {_num(dem - have)}",
                          r["reason_codes"] if pd.isna(dem - have) else []))
        steps.append(("demand", "total", dem, f"demand = {_num(dem)}", [] if pd.notna(dem) else r["reason_codes"]))
        rows += [{"service": s, "step": a, "measure": b, "value": float(c) if pd.notna(c) else np.nan, "formula": d,
                  "reason_codes": e} for a, b, c, d, e in steps]
    return pd.DataFrame(rows, columns=["service", "step", "measure", "value", "formula", "reason_codes"])


def _population_value(row: dict) -> float:
    """The population a gap row used (persons), from its inputs (gap_table lists it with its indicator name)."""
    for item in row.get("inputs") or []:
        if item.get("name") == row.get("population_indicator") and "year" in item:
            return float(item["value"])
    return np.nan


def methods_table(gaps: dict, ps: PlannerScenario) -> pd.DataFrame:
    """The three methods side by side in ps.year (Evaluation.methods): {method: gap table containing ps.year} →
    service, method (stated | plan | model | override), chosen, population, population_indicator, demand, supply,
    gap, formula, reason_codes (as models.planning.gaps; persons; beds / places)."""
    rows = []
    for m, g in [("stated", gaps["plan"])] + list(gaps.items()):
        for r in g[g["year"] == ps.year].to_dict("records"):
            if m == "stated":
                rows.append({"service": r["service"], "method": "stated", "chosen": False, "population": np.nan,
                             "population_indicator": "", "demand": r["demand_stated"], "supply": np.nan,
                             "gap": r["gap_stated"], "formula": f"gap_stated = {_num(r['gap_stated'])}",
                             "reason_codes": [] if pd.notna(r["gap_stated"]) else [_NO_STATED_GAP]})
                continue
            rows.append({"service": r["service"], "method": m, "chosen": m == ps.method,
                         "population": _population_value(r),
                         "population_indicator": r["population_indicator"], "demand": r["demand"],
                         "supply": r["supply"], "gap": r["gap"], "formula": r["formula"],
                         "reason_codes": r["reason_codes"]})
    out = pd.DataFrame(rows)
    for c in ("population", "demand", "supply", "gap"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def compare_scenarios(scenarios: dict, *, year: int = 2025, data: PlanData,
                      gaps_fn: Callable | None = None) -> pd.DataFrame:
    """Saved scenarios side by side: {name: PlannerScenario} → one row per scenario and service with its gap in
    `year` under its own method. Columns: name, region_code, region_name, method, service, year, demand, supply,
    gap, reason_codes (beds / places; NaN with the reasons when unknown, as models.planning.gaps)."""
    rows = []
    for name, ps in scenarios.items():
        g = gaps_fn(ps, ps.method) if gaps_fn else gaps_for(ps, ps.method, data=data, years=[year], explain=False)
        for r in g[g["year"] == year].to_dict("records"):
            rows.append({"name": name, "region_code": ps.region, "region_name": r["region_name"], "method": ps.method,
                         "service": r["service"], "year": year, "demand": r["demand"], "supply": r["supply"],
                         "gap": r["gap"], "reason_codes": r["reason_codes"]})
    cols = ["name", "region_code", "region_name", "method", "service", "year", "demand", "supply", "gap",
            "reason_codes"]
    return pd.DataFrame(rows, columns=cols)


# -- sensitivity (the tornado) ------------------------------------------------------------------------------------------
def _base_value(ps: PlannerScenario, name: str, sources: dict):
    v = getattr(ps, name)
    if v is not None:
        return float(v), "planner-set"
    v = sources.get(name)
    return (float(v), "plan") if v is not None and pd.notna(v) else (None, "")


def _stepped(name: str, base: float) -> tuple[float, float]:
    kind, step = STEPS[name]
    lo, hi = (base - step, base + step) if kind == "absolute" else (base * (1 - step), base * (1 + step))
    if name in STANDARD_FIELDS:  # a standard stays in its range (rates out of range are reported, not clipped)
        lo, hi = max(lo, ASSUMPTION_RANGES[name].lo), min(hi, ASSUMPTION_RANGES[name].hi)
    return lo, hi


def step_label(name: str) -> str:
    """The stated step of an assumption, e.g. '±10%' or '±0.5 %/yr'."""
    kind, step = STEPS[name]
    return f"±{step * 100:g}%" if kind == "relative" else f"±{step:g} {UNITS[name]}"


def sensitivity(ps: PlannerScenario, *, db=None, data: PlanData | None = None, project_fn: Callable | None = None,
                year: int | None = None) -> pd.DataFrame:
    """How far each assumption moves the gap of `year` (default ps.year) when moved by its stated step (STEPS).

    Standards move the gap under the scenario's own method. Projection rates only drive a projected population, so
    they are re-projected with method override (the rate ± step from the observed base; the other rates as set or
    stated) and the change is taken against the override with the unchanged rate: under method plan this is how the
    plan's stated population would move with its stated rate.
    Out columns: assumption, group, service, step, base_value, base_source, low_value, high_value, gap_base,
    gap_low, gap_high, delta_low, delta_high, impact (max |delta|, beds/places), reason (why NaN: a models.core.i18n
    code, '' when there is a number) and reason_params (its parameters; render with t(reason, lang, **params)).
    Sorted by service, then impact descending (rows without a number last).
    """
    data = data or PlanData.load(db)
    project_fn = project_fn or data.project
    year = year or ps.year
    sources = dict(zip(*(assumption_sources(ps.region, data=data)[c] for c in ("name", "value"))))
    variants, specs = {}, []  # key → (scenario, method); one spec per assumption

    def add(key, p, method):
        variants[key] = (p, method)

    add("base", ps, ps.method)
    add("base_override", ps, "override")
    for name in ASSUMPTION_FIELDS:
        base, src = _base_value(ps, name, sources)
        group = "projection" if name in PROJECTION_FIELDS else "standards"
        spec = {"assumption": name, "group": group, "step": step_label(name), "base_value": base, "base_source": src,
                "low_value": np.nan, "high_value": np.nan, "reason": "", "reason_params": {}}
        specs.append(spec)
        if base is None:
            spec["reason"] = "wb_sens_not_provided"
            continue
        other = {"elderly_growth": "aging_rate_increment", "aging_rate_increment": "elderly_growth"}.get(name)
        if other and getattr(ps, other) is not None:
            spec["reason"], spec["reason_params"] = "wb_sens_pair_set", {"other": other}
            continue
        if other and getattr(ps, name) is None and _base_value(ps, other, sources)[1] == "plan" \
                and name == "aging_rate_increment":
            # plan states both: forecasting uses elderly_growth first (Assumptions: set only one)
            spec["reason"] = "wb_sens_plan_elderly_used"
            continue
        lo, hi = _stepped(name, base)
        spec["low_value"], spec["high_value"] = lo, hi
        method = "override" if group == "projection" else ps.method
        for side, v in (("low", lo), ("high", hi)):
            try:
                add(f"{name}:{side}", replace(ps, **{name: v}), method)
            except ValueError as exc:
                spec["reason"], spec["reason_params"] = "wb_sens_invalid", {"why": str(exc)}
    gaps = _variant_gaps(variants, ps.region, year, data=data, project_fn=project_fn)
    rows = []
    for spec in specs:
        base_key = "base_override" if spec["group"] == "projection" else "base"
        for service in SERVICES:
            g0 = gaps.get((base_key, service), np.nan)
            glo = gaps.get((f"{spec['assumption']}:low", service), np.nan)
            ghi = gaps.get((f"{spec['assumption']}:high", service), np.nan)
            dlo, dhi = glo - g0, ghi - g0
            impact = np.nanmax([abs(dlo), abs(dhi)]) if np.isfinite([dlo, dhi]).any() else np.nan
            reason = spec["reason"] or ("" if np.isfinite(impact) else "wb_sens_no_gap")
            rows.append({**spec, "service": service, "gap_base": gaps.get(("base", service), np.nan), "gap_low": glo,
                         "gap_high": ghi, "delta_low": dlo, "delta_high": dhi, "impact": impact, "reason": reason,
                         "reason_params": spec["reason_params"] if reason == spec["reason"] else {}})
    out = pd.DataFrame(rows)
    out["_order"] = out["service"].map({s: i for i, s in enumerate(SERVICES)})
    out = out.sort_values(["_order", "impact"], ascending=[True, False], na_position="last", kind="stable")
    cols = ["assumption", "group", "service", "step", "base_value", "base_source", "low_value", "high_value",
            "gap_base", "gap_low", "gap_high", "delta_low", "delta_high", "impact", "reason", "reason_params"]
    return out[cols].reset_index(drop=True)


def _variant_gaps(variants: dict, region: str, year: int, *, data: PlanData, project_fn: Callable) -> dict:
    """Gap of `year` per (variant key, service), all variants in one gap_table call (batched_gaps)."""
    g = batched_gaps(variants, region, years=[year], data=data, project_fn=project_fn, explain=False)
    return {(k, s): float(v) for k, s, v in zip(g["variant"], g["service"], g["gap"])}


def batched_gaps(variants: dict, region: str, *, years, data: PlanData, project_fn: Callable, explain: bool,
                 figures: bool = False) -> pd.DataFrame:
    """models.planning.gaps.gap_table of several variants of one region in ONE call: each variant {key: (PlannerScenario,
    method)} is a pseudo-region whose population, standards, supply (and, with `figures`, the plans' stated figures)
    are the region's under that variant. gap_table's cost is mostly fixed per call, so n variants cost about one.
    Out: the gap table (region_code and region_name those of `region`) with a column `variant` (the key), rows in
    the order of `variants`, then year, then service."""
    supply = data.supply[(data.supply["region_code"] == region) & data.supply["year"].isin(list(years))]
    stated = data.figures[data.figures["region_code"] == region] if figures else None
    pops, regs, sup, figs, keys, seen = [], {}, [], [], {}, {}
    for i, (key, (p, method)) in enumerate(variants.items()):
        code = f"v{i:03d}"  # sorts in the order of `variants`
        keys[code] = key
        # variants that differ only in a standard share one population: project (or fetch) it once
        pop_key = (p.region, "plan") if method == "plan" else p.assumptions(method)
        if pop_key not in seen:
            seen[pop_key] = population_for(p, method, data=data, project_fn=project_fn)
        pops.append(seen[pop_key].assign(region_code=code))
        regs[code] = standards_for(p, method, data=data).for_region(region)
        sup.append(supply.assign(region_code=code))
        if stated is not None:
            figs.append(stated.assign(region_code=code))
    name = data.names.get(region, "")
    parts = []
    # the standards of the period: the plans' up to 2025, the 十五五 ones after (as models.planning.gaps.plan_gaps)
    for period in ([y for y in years if y <= REVIEW_YEAR], [y for y in years if y > REVIEW_YEAR]):
        if not period:
            continue
        if max(period) > REVIEW_YEAR:
            regs = {code: standards_for(p, method, data=data, year=max(period)).for_region(region)
                    for code, (p, method) in zip(keys, variants.values())}
        st = replace(data.standards, regions=MappingProxyType(regs))
        parts.append(gap_table(pd.concat(pops, ignore_index=True), st, pd.concat(sup, ignore_index=True),
                               years=period, figures=pd.concat(figs, ignore_index=True) if figs else None,
                               names=dict.fromkeys(keys, name), regions=list(keys), explain=explain))
    g = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True).sort_values(
        ["region_code", "year"], kind="stable", ignore_index=True)
    return g.assign(variant=g["region_code"].map(keys), region_code=region)


__all__ = ["PlannerScenario", "PlanData", "Evaluation", "evaluate", "sensitivity", "waterfall", "gaps_for",
           "method_gaps", "projections_for", "batched_gaps", "methods_table",
           "standards_for", "period_sources", "population_for", "compare_scenarios", "assumption_sources", "step_label", "STEPS", "METHODS",
           "PROJECTION_FIELDS", "STANDARD_FIELDS", "ASSUMPTION_FIELDS", "UNITS", "ASSUMPTION_RANGES",
           "PLANNER_OVERRIDE"]
