"""Projector: loads the inputs once and projects any region by any method (the one public entry point)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.assumptions import Assumptions
from forecasting.contract import BANDS, METHODS, PLAN_REGIONS, SCENARIOS, START_YEAR
from forecasting.inputs import Inputs, population_indicator
from forecasting.method_model import cached_model_paths, model_path_frames
from forecasting.method_override import override_paths
from forecasting.method_plan import plan_defaults, plan_paths
from forecasting.parallel import project_codes, project_parallel, workers_for
from forecasting.results import Projection, missing_rows, model_rows, relative_band, rows_frame, table
from models.database import Database


def project_one(a: Assumptions, inp: Inputs) -> Projection:
    """One region, method and scenario on loaded inputs: Projection with the tidy table (TABLE_COLUMNS)."""
    parts, used = project_parts(a, inp)
    return Projection(a, table(parts), tuple(used))


def project_parts(a: Assumptions, inp: Inputs) -> tuple[list[dict], list]:
    """The rows (rows_frame parts) of one region, method and scenario, and the data used (what, reference)."""
    years = range(START_YEAR, a.to_year + 1)
    if a.region not in inp.index()["codes"]:
        raise ValueError(f"region: 未知地区代码 {a.region} / unknown region code")
    mp = cached_model_paths(inp, [a.region], a.to_year)[0]
    model_for = {"elderly_60plus": mp.elderly, "elderly_65plus": mp.elderly65, "infants_0_3": mp.infants,
                 "birth_rate": mp.birth_rate,
                 **{population_indicator(b): p for b, p in mp.population.items()}}
    parts, used = [], []
    if a.method == "model":
        for ind in ("population_resident", "population_registered", "elderly_60plus", "elderly_65plus",
                    "infants_0_3"):
            p = model_for.get(ind)
            if p is not None:
                parts.append(model_rows(a.region, ind, a.scenario, p, years))
                used.append((ind, p.inputs))
            elif ind in ("elderly_60plus", "infants_0_3") or (ind == "population_resident" and not mp.population):
                parts.append(missing_rows(a.region, ind, "model", a.scenario, years,
                                           mp.missing.get(ind, "not available")))
    elif a.method == "plan":
        key = ("plan_paths", a.region, years.start, years.stop)
        if key not in inp.memo:
            inp.memo[key] = plan_paths(inp, a.region, years)
        paths = inp.memo[key]
        for ind in ("population_resident", "population_registered", "elderly_60plus", "aging_rate", "infants_0_3"):
            if ind not in paths:
                if ind in ("elderly_60plus", "infants_0_3") or (
                        ind == "population_resident" and "population_registered" not in paths):
                    parts.append(missing_rows(a.region, ind, "plan", a.scenario, years,
                                               "the plan states no figure for this indicator"))
                continue
            vals, notes, basis, detail, inputs = paths[ind]
            band = relative_band(model_for.get(ind), a.scenario, years) if ind != "aging_rate" else 1.0
            if a.scenario != "medium" and ind != "aging_rate":
                notes = notes.where(band == 1.0, notes + f"; × model 80% band ({a.scenario})")
            frame = pd.DataFrame({"value": vals * band, **{c: np.nan for c in BANDS}, "note": notes})
            if a.scenario != "medium" and ind != "aging_rate":
                detail += f"; {a.scenario} = plan path × the model's relative 80% band"
            parts.append(rows_frame(a.region, ind, "plan", a.scenario, frame, basis, detail, inputs))
            used.append((ind, inputs))
    else:
        parts, used = override_paths(a, inp, mp, years)
    return parts, used


# -- public API --------------------------------------------------------------------------------------------
class Projector:
    """The one public entry point: built from its inputs (facts, series, regions of one vintage), it projects any
    region by any method; fits and paths are memoised in the inputs, so a second call costs only the assembly.

        projector = Projector.load(db)                 # today's data
        projector = Projector.load(db, as_of=2020)     # as a planner had it (forecasting/vintage.py)
        projection = projector.project(Assumptions("500103", method="model"))
    """

    def __init__(self, inputs: Inputs, db: Database | None = None):
        self.inputs, self.db = inputs, db

    @classmethod
    def load(cls, db: Database | None = None, *, as_of: int | None = None, strict: bool = False) -> Projector:
        """Read the inputs (of a vintage) and the saved fits, so that no fit already in the database is redone."""
        from models.database import default

        db = db or default()
        inputs = Inputs.load(db, as_of, strict=strict)
        inputs.memo["fit_store"] = db.cached_fits()
        return cls(inputs, db)

    def save_fits(self) -> int:
        """Write the fits made since the last save to the database (one transaction); returns how many. A busy
        database is not an error: the fits are simply made again next time."""
        from models.database import DatabaseBusy

        new = self.inputs.memo.pop("fit_new", {})
        if new and self.db is not None:
            try:
                self.db.save_fits(new)
            except DatabaseBusy:
                return 0
            self.inputs.memo.setdefault("fit_store", {}).update(new)
        return len(new)

    def project(self, assumptions: Assumptions) -> Projection:
        """One region, method and scenario: Projection whose `.table` has TABLE_COLUMNS, START_YEAR..to_year."""
        out = project_one(assumptions, self.inputs)
        self.save_fits()
        return out

    def project_all(self, regions=None, *, to_year: int = 2035, methods=METHODS, scenarios=SCENARIOS,
                    workers: int | None = None) -> pd.DataFrame:
        """Every region × method × scenario as one tidy frame (TABLE_COLUMNS); default regions: the five plans.

        workers: processes to spread the regions over (None = automatic: up to 2 cores when there are at least
        PARALLEL_MIN_REGIONS regions and the caller is single-threaded, e.g. the command line or the benchmarks; a
        dashboard session, which runs in a thread, stays in one process). Results are identical either way.
        """
        codes = list(regions) if regions is not None else list(PLAN_REGIONS)
        n = workers_for(workers, len(codes))
        if n > 1:
            parts = project_parallel(self.inputs, codes, n, to_year, tuple(methods), tuple(scenarios))
        else:
            parts = project_codes(self.inputs, codes, to_year, methods, scenarios)
        self.save_fits()
        return table(parts)

    def model_paths(self, region: str, to_year: int = 2035) -> dict[str, pd.DataFrame]:
        """The `model` method's medium paths of one region, indicator → frame by year (method_model)."""
        return model_path_frames(self.inputs, region, to_year)

    def plan_defaults(self, region: str) -> dict:
        """The plan's stated assumptions for `region` (method_plan.plan_defaults)."""
        return plan_defaults(region, inputs=self.inputs)


def project(assumptions: Assumptions, *, db: Database | None = None) -> Projection:
    """Project one region by one method and scenario with today's data (Projector.load(db).project)."""
    return Projector.load(db).project(assumptions)


def project_all(regions=None, *, to_year: int = 2035, db: Database | None = None,
                methods=METHODS, scenarios=SCENARIOS, workers: int | None = None) -> pd.DataFrame:
    """Projector.load(db).project_all(...) (see there)."""
    return Projector.load(db).project_all(regions, to_year=to_year, methods=methods, scenarios=scenarios,
                                          workers=workers)
