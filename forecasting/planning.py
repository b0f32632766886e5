"""The one entry point for gap tables: the command line, every page and the brief call `gaps(...)`.

It composes the two layers below it: models/ computes demand, supply and gaps from a population frame it is given
(models.planning.gaps, models.report.overview), and forecasting/ projects that population (Projector). models/ never imports
forecasting/; this module passes the projection in.
"""
from __future__ import annotations

import pandas as pd

from forecasting.contract import PLAN_REGIONS
from forecasting.projector import Projector
from models.planning.gaps import (
    YEARS,
    PopulationRequired,
    plan_gaps,
    projected_population,
    region_table,
    whole_counts,
)
from models.report.overview import gaps_for


def gaps(db=None, *, assumptions="plan", scenario: str = "medium", years=YEARS, region: str | None = None,
         explain: bool = True, projector: Projector | None = None) -> pd.DataFrame:
    """The gap table in whole beds and places (models.planning.gaps.whole_counts, `<col>_unrounded` kept).

    assumptions: 'plan' (the plans' own populations and standards), 'model' or 'override' (the projection of that
    method and `scenario`, plan standards, pipeline counted), or a JSON file / dict of standard overrides (key
    "population": "model" uses the model projection). projector: a loaded Projector to reuse (default: today's).
    """
    years = list(years)
    if assumptions in ("model", "override"):
        projector = projector or Projector.load(db)
        table = projector.project_all(codes_for(projector, assumptions, region), methods=(assumptions,),
                                      scenarios=(scenario,))
        return gaps_for(db, assumptions=assumptions, scenario=scenario, projections=table, years=years,
                        region=region, explain=explain)
    try:
        return whole_counts(plan_gaps(db, assumptions=assumptions, years=years, region=region, explain=explain))
    except PopulationRequired:
        projector = projector or Projector.load(db)
        table = projector.project_all(codes_for(projector, "model", region), methods=("model",), scenarios=("medium",))
        population = projected_population(table, years=years)
        return whole_counts(plan_gaps(db, assumptions=assumptions, years=years, region=region, explain=explain,
                                      population=population))


def codes_for(projector: Projector, method: str, region: str | None = None) -> list[str]:
    """The regions a gap table of `method` covers: the one asked for; else, for the model, every region the
    projector knows (every registry region and every imported one: one batch, forecasting/census/); the planner's
    override stays on the five plan regions (its assumptions are a plan region's)."""
    if region:
        return [region]
    return projector.region_codes() if method == "model" else list(PLAN_REGIONS)


def require_region(code: str, db=None) -> str:
    """A region code the gap table can answer for (the regions table, the census registry or an imported region);
    ValueError (zh/en) otherwise."""
    if code not in set(region_table(db)["region_code"]):
        raise ValueError(f"未知地区代码 {code} / unknown region code")
    return code


def covered_regions(db=None) -> list[str]:
    """The regions every view shows by default: the five plan regions, then every other region with figures in the
    database (a planner's import, e.g. 安康市 with its 60+), by code."""
    from models.store.facts import all_facts

    return list(PLAN_REGIONS) + sorted(set(all_facts(db)["region_code"].astype(str)) - set(PLAN_REGIONS))


def county_units(province: str, db=None, *, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The county-level units of a province that a ranking compares: the registry's county tier inside it and the
    county-level regions planners imported there (region_code, region_name), in registry order."""
    from models.store.census import choosable_regions

    r = choosable_regions(db) if regions is None else regions
    inside = r[(r["province_code"] == province) & (r["region_code"] != province)]
    keep = inside["county_tier"].astype(bool) | ((inside["origin"] == "user") & (inside["level"] == "county"))
    return inside.loc[keep, ["region_code", "region_name"]].reset_index(drop=True)


def province_ranking(province: str, *, service: str, projections: pd.DataFrame, db=None, base_year: int = 2025,
                     year: int = 2030, by: str = "demand_growth", regions: pd.DataFrame | None = None):
    """models.report.overview.county_ranking of a province's county units under the model projection (medium):
    the gap model of those units for base_year and year, then the ranking. projections: the model projection of
    (at least) those units. Returns (ranking, the units' gap rows)."""
    from models.report.overview import county_ranking, scenario_population

    units = county_units(province, db, regions=regions)
    codes = set(units["region_code"])
    proj = projections[projections["region_code"].isin(codes)]
    table = gaps_for(db, assumptions="model", projections=proj, years=[base_year, year], explain=False)
    table = table[table["region_code"].isin(codes)]
    pop = scenario_population(proj, method="model", scenario="medium")
    return county_ranking(table, pop, units, service=service, base_year=base_year, year=year, by=by), table
