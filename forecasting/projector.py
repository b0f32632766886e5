"""Projector: loads the inputs once and projects any region by any method (the one public entry point)."""
from __future__ import annotations

import pandas as pd

from forecasting.assumptions import Assumptions
from forecasting.contract import METHODS, PLAN_REGIONS, SCENARIOS
from forecasting.inputs import Inputs
from forecasting.method_model import model_path_frames
from forecasting.method_plan import plan_defaults
from forecasting.parallel import project_codes, project_parallel, workers_for
from forecasting.region_rows import project_one
from forecasting.results import Projection, table
from models.store.database import Database


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
        from models.store.database import default

        db = db or default()
        inputs = Inputs.load(db, as_of, strict=strict)
        inputs.memo["fit_store"] = db.cached_fits()
        return cls(inputs, db)

    def save_fits(self) -> int:
        """Write the fits made since the last save to the database (one transaction); returns how many. A busy
        database is not an error: the fits are simply made again next time."""
        from models.store.database import DatabaseBusy

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
        if workers is None and self.inputs.census() is not None:
            # the census units are one array run (forecasting/census/): a forked worker would redo it, and the
            # rest is assembly; measured on 2 cores, 3,355 regions: 2 processes 11.5 s cold, 1 process 5.5 s
            workers = 1
        n = workers_for(workers, len(codes))
        if n > 1:
            parts = project_parallel(self.inputs, codes, n, to_year, tuple(methods), tuple(scenarios))
        else:
            parts = project_codes(self.inputs, codes, to_year, methods, scenarios)
        self.save_fits()
        return table(parts)

    def region_codes(self) -> list[str]:
        """Every region these inputs know, the five plan regions first, then the others by code: every census unit
        of the registry (with a census projection) and every region a planner imported."""
        return list(PLAN_REGIONS) + sorted(self.inputs.index()["codes"] - set(PLAN_REGIONS))

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
