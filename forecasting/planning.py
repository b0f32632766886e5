"""The one entry point for gap tables: the command line, every page and the brief call `gaps(...)`.

It composes the two layers below it: models/ computes demand, supply and gaps from a population frame it is given
(models.planning.gaps, models.report.overview), and forecasting/ projects that population (Projector). models/ never imports
forecasting/; this module passes the projection in.
"""
from __future__ import annotations

import pandas as pd

from forecasting.projector import Projector
from models.planning.gaps import YEARS, PopulationRequired, plan_gaps, projected_population, whole_counts
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
        table = (projector or Projector.load(db)).project_all(methods=(assumptions,), scenarios=(scenario,))
        return gaps_for(db, assumptions=assumptions, scenario=scenario, projections=table, years=years,
                        region=region, explain=explain)
    try:
        return whole_counts(plan_gaps(db, assumptions=assumptions, years=years, region=region, explain=explain))
    except PopulationRequired:
        table = (projector or Projector.load(db)).project_all(methods=("model",), scenarios=("medium",))
        population = projected_population(table, years=years)
        return whole_counts(plan_gaps(db, assumptions=assumptions, years=years, region=region, explain=explain,
                                      population=population))
