"""The `override` method: the planner's rates on the observed anchors; unset ones from the plan, else the model."""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.assumptions import Assumptions
from forecasting.contract import BANDS, INFANT_COHORTS, START_YEAR
from forecasting.inputs import Inputs, population_indicator
from forecasting.method_model import ModelPaths
from forecasting.method_plan import geometric, plan_defaults
from forecasting.results import missing_rows, model_frame, rows_frame


def set_later(f: pd.DataFrame, later, values, note: str) -> None:
    """The planner's path on the years after the anchor: values as set, no band (an assumption, not a forecast)."""
    f.loc[later, "value"] = values
    f.loc[later, BANDS] = np.nan
    f.loc[later, "note"] = note


def override_paths(a: Assumptions, inp: Inputs, mp: ModelPaths, years: range):
    """Planner-set rates applied to the observed anchors; unset ones: the plan's stated rate, else the model."""
    d = plan_defaults(a.region, inputs=inp)
    parts, used = [], []

    def chosen(name):
        if getattr(a, name) is not None:
            return getattr(a, name), "planner-set"
        if name in d:
            return d[name]["value"], f"plan's stated ({d[name]['fact_id']})"
        return None, ""

    pop_paths = {}
    for basis, p in mp.population.items():
        g, src = chosen("population_growth")
        f = model_frame(p, a.scenario, years)
        anchored = f.index[f["kind"].fillna("").str.startswith(("observed", "derived"))]
        anchor_year = int(anchored[0]) if len(anchored) else None
        if g is not None and anchor_year is not None:
            v = geometric(anchor_year, f.at[anchor_year, "value"], g, years)
            later = v.index > anchor_year
            set_later(f, later, v[later], f"growth {g:+.2f}%/yr ({src})")
            detail = f"population(t) = observed {anchor_year} × (1 + {g:+.2f}%)^(t−{anchor_year}), {src}"
        else:
            detail = f"model path ({a.scenario}): {p.detail}"
        pop_paths[basis] = f
        parts.append(rows_frame(a.region, population_indicator(basis), "override", a.scenario, f, p.basis, detail, p.inputs))
        used.append((population_indicator(basis), p.inputs))
    if not mp.population:
        parts.append(missing_rows(a.region, "population_resident", "override", a.scenario, years,
                                   mp.missing.get("population_resident", "")))

    if mp.elderly is None:
        parts.append(missing_rows(a.region, "elderly_60plus", "override", a.scenario, years,
                                   mp.missing.get("elderly_60plus", "")))
    else:
        f = model_frame(mp.elderly, a.scenario, years)
        obs = f.index[f["kind"].fillna("").str.startswith(("observed", "derived"))]
        y0 = int(obs[0]) if len(obs) else None
        g, src = chosen("elderly_growth") if a.aging_rate_increment is None else (None, "")
        inc, isrc = chosen("aging_rate_increment") if g is None else (None, "")
        pop = pop_paths[mp.elderly.basis] if mp.elderly.basis in pop_paths else \
            next(iter(pop_paths.values()), None)
        detail = f"model path ({a.scenario}): {mp.elderly.detail}"
        if y0 is not None and g is not None:
            v = geometric(y0, f.at[y0, "value"], g, years)
            later = v.index > y0
            set_later(f, later, v[later], f"elderly growth {g:+.2f}%/yr ({src})")
            detail = f"elderly(t) = observed {y0} × (1 + {g:+.2f}%)^(t−{y0}), {src}"
        elif y0 is not None and inc is not None and pop is not None and y0 in pop.index:
            r0 = f.at[y0, "value"] / pop.at[y0, "value"] * 100
            later = [t for t in years if t > y0]
            set_later(f, later, [pop.at[t, "value"] * (r0 + inc * (t - y0)) / 100 for t in later],
                      f"aging rate +{inc} pp/yr ({isrc})")
            detail = (f"elderly(t) = population(t) × (aging rate {r0:.2f}% in {y0} + {inc} pp × (t−{y0})), {isrc}; "
                      f"population: override path")
        parts.append(rows_frame(a.region, "elderly_60plus", "override", a.scenario, f, mp.elderly.basis, detail,
                           mp.elderly.inputs))
        used.append(("elderly_60plus", mp.elderly.inputs))

    if mp.infants is None or not pop_paths:
        parts.append(missing_rows(a.region, "infants_0_3", "override", a.scenario, years,
                                   mp.missing.get("infants_0_3", "needs a population path")))
    else:
        br, bsrc = chosen("birth_rate")
        if br is None and "births" in d:
            pop_b = next(iter(pop_paths.values()))
            br = d["births"]["value"] / pop_b.at[d["births"]["year"], "value"] * 1000
            bsrc = f"derived from the plan's stated births ({d['births']['fact_id']}) / population"
        f = model_frame(mp.infants, a.scenario, years)
        detail = f"model path ({a.scenario}): {mp.infants.detail}"
        obs = f.index[f["kind"].fillna("").str.startswith(("observed", "derived"))]
        if br is not None:
            y0 = int(obs[0]) if len(obs) else START_YEAR
            basis = mp.infants.basis if mp.infants.basis in pop_paths else next(iter(pop_paths))
            pop = pop_paths[basis]
            pop_full = pd.concat([mp.population[basis].frame["value"].loc[:y0], pop.loc[pop.index > y0, "value"]])
            base_br = mp.birth_rate.frame["value"]
            rate = pd.Series({t: (br if t > y0 else base_br.get(t, np.nan)) for t in pop_full.index})
            births = (pop_full * rate / 1000).rolling(INFANT_COHORTS).sum()
            scale = f.at[y0, "value"] / births[y0] if y0 in births.index and births[y0] > 0 else 1.0
            later = [t for t in years if t > y0]
            set_later(f, later, [births[t] * scale for t in later], f"birth rate {br:.2f}‰ from {y0 + 1} ({bsrc})")
            detail = (f"infants(t) = {scale:.3f} × Σ_(k=0..2) birth_rate(t−k) × population(t−k) / 1000; birth rate "
                      f"{br:.2f}‰ after {y0} ({bsrc}), observed/model before; scale fits {y0}")
        parts.append(rows_frame(a.region, "infants_0_3", "override", a.scenario, f, mp.infants.basis, detail,
                           mp.infants.inputs))
        used.append(("infants_0_3", mp.infants.inputs))
    return parts, used
