"""The planner's assumptions of one projection: one frozen, validated object (ranges are the widget bounds)."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from types import MappingProxyType

import numpy as np

from forecasting.contract import METHODS, SCENARIOS
from models.planning.standards import STANDARD_RANGES, Range

# Plan assumptions: Assumptions field → indicator id of the fact that states it.
PLAN_RATE_INDICATORS = {"population_growth": "population_growth_rate", "elderly_growth": "elderly_growth_rate",
                         "aging_rate_increment": "aging_rate_increment", "birth_rate": "birth_rate",
                         "births": "births"}
# The projection rates' ranges (lo, hi, widget step, unit): the only statement of them.
RANGES = MappingProxyType({"population_growth": Range(-10.0, 10.0, 0.01, "%/yr"),
                           "elderly_growth": Range(-10.0, 20.0, 0.01, "%/yr"),
                           "aging_rate_increment": Range(-3.0, 3.0, 0.01, "pp/yr"),
                           "birth_rate": Range(0.0, 40.0, 0.01, "‰")})
# Every planner-settable assumption, projection rates then standards (models.planning.standards): the one source of the
# validation ranges and the workbench's widget bounds.
ASSUMPTION_RANGES = MappingProxyType({**RANGES, **STANDARD_RANGES})
UNIT_LABELS = {"%/yr": "%/年 %/yr", "pp/yr": "百分点/年 pp/yr", "‰": "‰", "per_1000": "每千人 per 1000",
               "percent": "% percent"}


# -- assumptions -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assumptions:
    """Every assumption of one projection, validated at construction (ValueError naming the field, zh + en).

    region: GB/T 2260 code; method: plan | model | override; scenario: low | medium | high; to_year: last year
    projected (2021–2050); population_growth, elderly_growth: % per year (−0.68 means −0.68%/yr);
    aging_rate_increment: percentage points per year (0.45); birth_rate: ‰ (7.0). None = not set (the plan's
    stated value, else the model). Set at most one of elderly_growth and aging_rate_increment.
    """

    region: str
    method: str = "model"
    scenario: str = "medium"
    to_year: int = 2035
    population_growth: float | None = None
    elderly_growth: float | None = None
    aging_rate_increment: float | None = None
    birth_rate: float | None = None

    def __post_init__(self):
        if not (isinstance(self.region, str) and len(self.region) == 6 and self.region.isdigit()):
            raise ValueError(f"region: 地区代码应为6位数字 / region must be a 6-digit GB/T 2260 code, got {self.region!r}")
        if self.method not in METHODS:
            raise ValueError(f"method: 方法应为 {'|'.join(METHODS)} / method must be one of {METHODS}, got {self.method!r}")
        if self.scenario not in SCENARIOS:
            raise ValueError(f"scenario: 情景应为 {'|'.join(SCENARIOS)} / scenario must be one of {SCENARIOS}, "
                             f"got {self.scenario!r}")
        if isinstance(self.to_year, bool) or not isinstance(self.to_year, int | np.integer) \
                or not 2021 <= int(self.to_year) <= 2050:
            raise ValueError(f"to_year: 预测终止年份应在2021–2050之间 / to_year must be an integer in 2021–2050, "
                             f"got {self.to_year!r}")
        for name, (lo, hi, _, unit_id) in RANGES.items():
            v, unit = getattr(self, name), UNIT_LABELS[unit_id]
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float | np.number) or not math.isfinite(v) \
                    or not lo <= v <= hi:
                raise ValueError(f"{name}: 取值应在 {lo}–{hi} {unit} 之间 / {name} must be a number in "
                                 f"[{lo}, {hi}] ({unit}), got {v!r}")
        if self.elderly_growth is not None and self.aging_rate_increment is not None:
            raise ValueError("elderly_growth: 老年人口增长率与老龄化率增幅只能设一个 / set only one of "
                             "elderly_growth and aging_rate_increment")

    def overrides(self) -> dict:
        """The planner-set assumptions (those not None)."""
        return {k: getattr(self, k) for k in RANGES if getattr(self, k) is not None}


def assumptions_dict(a: Assumptions) -> dict:
    return {f.name: getattr(a, f.name) for f in fields(a)}
