"""Population projections, the public face of forecasting/: elderly 60+ and 65+, infants 0-3 and population, to
2035, by three methods side by side.

Methods (column `method`):
- plan: each plan's own arithmetic from its own stated inputs (facts of kind observed / assumption /
  plan_projection), e.g. Yuzhong 58.87万 × (1 − 0.68%)^t and aging rate 19.76% + 0.45 pp/yr. A stated figure
  with no stated method is kept and labelled "stated, method not given"; years between an observed base and a
  stated endpoint are interpolated geometrically and years after it continue the implied rate, each labelled.
  Years the plan gives nothing for are NaN with the reason (shown as 未提供), never invented.
- model: demographic where the data allow, statsmodels throughout. National 60+ and 65+: the cohort accounting
  model (forecasting/cohort.py: entrants = WPP births 60/65 years earlier × survival, deaths = θ × WPP-implied
  death rate, θ by statsmodels WLS). Population: a region's own series (ETS / ARIMA, projection_models.py), else
  the share of the nearest ancestor that has one. Below the nation, the elderly follow their own province, a
  district its province (forecasting/demography.py: share of the parent anchored at the region's own figures,
  drift by statsmodels OLS where two or more shares exist). Birth rate: own series, else the parent's.
- override: the planner's Assumptions (population growth %, elderly growth % or aging-rate increment pp, birth
  rate ‰) applied to the region's observed anchors; anything not set takes the plan's stated value, else the
  model path of the scenario. `method_detail` says which.

Scenarios: model low / medium / high = lower_80 / mean / upper_80. Plan low / high = the plan path times the
model's relative 80% band (the plans state single figures). Override: set values are used as given in every
scenario; unset components follow the model scenario.

Infants 0-3 convention: children aged 0, 1 and 2 at year end, i.e. the births of the last 3 years times their
WPP survival to the year end (births = birth rate ‰ × population / 1000), scaled to the region's observed count
when there is one (Yuzhong 17420 in 2020, Dongli 15805 户籍 in 2022).

Intervals (80%, 95%) exist only on model forecast years (and on override components taken from the model);
they are empty on observed, interpolated, stated and planner-set rows. Below the nation they add the share's
uncertainty to the parent's band (forecasting/demography.py).

Vintages: Projector.load(db, as_of=YEAR) reads only what a planner had then (forecasting/vintage.py).

Where each part lives (one job a module): contract.py (the tidy table's columns and shared names), assumptions.py
(Assumptions, validated; RANGES are the widget bounds), inputs.py (facts, series, regions of a vintage), method_plan.py,
method_model.py (statsmodels fits, cohort.py for the elderly, demography.py for shares), method_override.py,
results.py (Projection and its rows), projector.py (Projector: the entry point), parallel.py (worker processes).
"""
from __future__ import annotations

from forecasting.assumptions import RANGES, Assumptions, assumptions_dict
from forecasting.contract import (
    BANDS,
    COLUMNS,
    EXTRA_COLUMNS,
    INFANT_COHORTS,
    METHODS,
    PLAN_REGIONS,
    SCENARIOS,
    START_YEAR,
    TABLE_COLUMNS,
)
from forecasting.inputs import Inputs, vintage_inputs
from forecasting.method_model import model_path_frames, national_elderly
from forecasting.method_plan import plan_defaults
from forecasting.projector import Projector, project, project_all
from forecasting.results import Projection

__all__ = ["Assumptions", "Projection", "Projector", "Inputs", "project", "project_all", "plan_defaults",
           "assumptions_dict", "vintage_inputs", "model_path_frames", "national_elderly", "RANGES", "BANDS",
           "TABLE_COLUMNS", "COLUMNS", "EXTRA_COLUMNS", "INFANT_COHORTS", "METHODS", "SCENARIOS", "PLAN_REGIONS",
           "START_YEAR"]
