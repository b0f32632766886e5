"""The rows of one region by one method and scenario (plan, model or override), on loaded inputs.

Both the Projector (one region) and forecasting/parallel.py (many regions, several processes) call this; it
imports neither of them, so the two do not import each other.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.assumptions import Assumptions
from forecasting.contract import BANDS, START_YEAR
from forecasting.inputs import Inputs, population_indicator
from forecasting.method_model import cached_model_paths
from forecasting.method_override import override_paths
from forecasting.method_plan import plan_paths
from forecasting.results import Projection, missing_rows, model_rows, relative_band, rows_frame, table


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
