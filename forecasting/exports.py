"""What the analyst export writes (预测导出), shared by the export page and `python -m forecasting export`.

In: the projection table (forecasting.projection.project_all), a way to get the gap rows of one method and scenario
(`gaps_of(method, scenario)`: the page's cached call, or the command line's direct one), the facts, region names,
and the analyst's filters. Out: the export-shape tables of models.report.tables, filtered by every filter, each row
labelled with its own method and scenario; the CSV and workbook bytes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from forecasting.contract import METHODS, SCENARIOS
from models.core.catalogue import SERVICES
from models.report.tables import (
    ExportContext,
    csv_export,
    filter_gaps,
    filter_projections,
    gaps_table,
    plan_indicator_table,
    projections_table,
    workbook,
)


def gap_sets(methods: Sequence[str] = METHODS, scenarios: Sequence[str] = SCENARIOS) -> list[tuple[str, str]]:
    """The (method, scenario) pairs a gap table exists for: the plans' own figures are one scenario ('medium')."""
    return [(m, s) for m in methods for s in scenarios if m != "plan" or s == "medium"]


@dataclass(frozen=True)
class Export:
    """The export tables, filtered: projections and gaps in export shape (models.report.tables), the gap model's
    own rows (raw_gaps, for the standards on the assumptions sheet) and the plans' indicator-table shape."""
    projections: pd.DataFrame
    gaps: pd.DataFrame
    raw_gaps: pd.DataFrame
    plan_table: pd.DataFrame
    ctx: ExportContext
    lang: str = "zh"

    def csv(self) -> bytes:
        """The projection rows as CSV (what `export --out FILE.csv` writes)."""
        return csv_export(self.projections, self.ctx, lang=self.lang)

    def xlsx(self, facts: pd.DataFrame) -> bytes:
        return workbook(projections=self.projections, gaps=self.gaps, facts=facts, ctx=self.ctx,
                        raw_gaps=self.raw_gaps, plan_table=self.plan_table, lang=self.lang)


def build(projections: pd.DataFrame, gaps_of: Callable[[str, str], pd.DataFrame], facts: pd.DataFrame, *,
          names: dict | None = None, regions: Sequence[str] | None = None,
          indicators: Sequence[str] | None = None, methods: Sequence[str] | None = None,
          scenarios: Sequence[str] | None = None, year: int = 2025, lang: str = "zh",
          generated=None) -> Export:
    """The export under the analyst's filters (None = no filter: every region, indicator, method, scenario).

    projections: project_all's tidy table; gaps_of(method, scenario): the gap model's rows under that method and
    scenario (models.report.overview.gaps_for). Gap rows of every (method, scenario) in gap_sets are stacked, each
    labelled with its own; the plan table and the assumptions use the first of them."""
    methods = list(methods) if methods else list(METHODS)
    scenarios = list(scenarios) if scenarios else list(SCENARIOS)
    p = filter_projections(projections_table(projections, names=names, lang=lang), regions=regions,
                           indicators=indicators, methods=methods, scenarios=scenarios)
    sets = gap_sets(methods, scenarios)
    raw = {ms: gaps_of(*ms) for ms in sets}
    service_filter = None if indicators is None else [i for i in indicators if i in SERVICES]
    g = pd.concat([gaps_table(raw[ms], lang=lang, assumptions=ms[0], scenario=ms[1]) for ms in sets],
                  ignore_index=True) if sets else gaps_table(gaps_of("plan", "medium").iloc[0:0], lang=lang)
    g = filter_gaps(g, regions=regions, indicators=service_filter)
    first = raw[sets[0]] if sets else gaps_of("plan", "medium").iloc[0:0]
    if regions is not None:
        first = first[first["region_code"].astype(str).isin([str(r) for r in regions])]
    plan = plan_indicator_table(first, facts, year=year, lang=lang, regions=regions, names=names)
    filters = tuple((k, tuple(v)) for k, v in (("regions", regions), ("indicators", indicators),
                                                ("methods", methods if len(methods) < len(METHODS) else None),
                                                ("scenarios", scenarios if len(scenarios) < len(SCENARIOS) else None))
                    if v)
    ctx = ExportContext(assumptions=methods[0] if len(methods) == 1 else "all",
                        scenario=scenarios[0] if len(scenarios) == 1 else "all",
                        generated=generated or dt.date.today(), filters=filters)
    return Export(p, g, first, plan, ctx, lang)
