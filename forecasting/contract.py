"""The tidy projection contract every method returns, and the names the methods share.

One row per region, indicator, year, method and scenario: COLUMNS (values in persons, percent or ‰; bands empty
where there is no interval), then EXTRA_COLUMNS (basis, note, method_detail, inputs).
"""
from __future__ import annotations

METHODS = ("plan", "model", "override")
SCENARIOS = ("low", "medium", "high")
PLAN_REGIONS = ("120000", "120101", "120110", "500103", "130981")
START_YEAR = 2020
INFANT_COHORTS = 3  # ages 0, 1, 2: the births of the last three years
COLUMNS = ["region_code", "indicator", "year", "method", "scenario", "value", "lower_80", "upper_80", "lower_95",
           "upper_95"]
EXTRA_COLUMNS = ["basis", "note", "method_detail", "inputs"]
TABLE_COLUMNS = COLUMNS + EXTRA_COLUMNS
BANDS = ["lower_80", "upper_80", "lower_95", "upper_95"]
SCENARIO_COLUMN = {"low": "lower_80", "medium": "value", "high": "upper_80"}

