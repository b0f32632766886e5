"""The result of a projection (Projection) and the helpers that build its tidy rows."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.assumptions import Assumptions
from forecasting.contract import BANDS, SCENARIO_COLUMN, TABLE_COLUMNS


@dataclass(frozen=True)
class IndicatorPath:
    """One projected indicator: frame indexed by year (value, bands, kind) plus labels."""

    frame: pd.DataFrame
    basis: str
    detail: str
    inputs: str



# -- results -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Projection:
    """Result of `project`: knows its assumptions and inputs; `.table` is the tidy frame (TABLE_COLUMNS).

    Values in persons (population, elderly_60plus, infants_0_3), percent (aging_rate), ‰ (birth_rate).
    """

    assumptions: Assumptions
    table: pd.DataFrame = field(repr=False)
    data_used: tuple = field(default=(), repr=False)  # (what, reference) pairs: fact ids, series, fits

    @property
    def region(self) -> str:
        return self.assumptions.region

    @property
    def method(self) -> str:
        return self.assumptions.method

    @property
    def scenario(self) -> str:
        return self.assumptions.scenario

    def explain(self, lang: str = "en") -> str:
        """A plain-text account: assumptions, then one line per indicator (method detail, inputs)."""
        a = self.assumptions
        head = (f"地区 {a.region}，方法 {a.method}，情景 {a.scenario}，至 {a.to_year} 年" if lang == "zh" else
                f"Region {a.region}, method {a.method}, scenario {a.scenario}, to {a.to_year}")
        lines = [head]
        if a.overrides():
            lines.append(("规划人员设定: " if lang == "zh" else "Planner-set: ") + ", ".join(
                f"{k}={v}" for k, v in a.overrides().items()))
        for ind, g in self.table.groupby("indicator", sort=False):
            last = g.dropna(subset=["value"]).tail(1)
            val = f"{last['value'].iat[0]:,.2f} ({last['year'].iat[0]})" if len(last) else "未提供 / not provided"
            lines.append(f"- {ind}: {val}; {g['method_detail'].iat[-1]} [inputs: {g['inputs'].iat[-1]}]")
        for what, ref in self.data_used:
            lines.append(f"  · {what}: {ref}")
        return "\n".join(lines)


def columns_at(frame: pd.DataFrame, years, columns) -> dict[str, np.ndarray]:
    """`frame.reindex(years)[columns]` as numpy arrays (NaN where a year is missing) without building a frame:
    this runs for every region and indicator of a national table. Float columns come as float, others as object."""
    pos = frame.index.get_indexer(list(years))
    found = pos >= 0
    out = {}
    for c in columns:
        col = frame[c]
        numeric = pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype)
        a = col.to_numpy(dtype=float) if numeric else col.to_numpy(dtype=object)
        res = np.full(len(pos), np.nan, dtype=float if numeric else object)
        res[found] = a[pos[found]]
        out[c] = res
    return out


# -- assembling --------------------------------------------------------------------------------------------
def rows_frame(region, indicator, method, scenario, frame: pd.DataFrame, basis, detail, inputs) -> dict:
    """The tidy rows of one indicator path as columns of arrays (TABLE_COLUMNS); `table(parts)` makes the frame.
    Arrays, not a DataFrame: thousands of regions × indicators are joined once (a frame each cost ~1 ms)."""
    n = len(frame)

    def same(x):
        return np.full(n, x, dtype=object)

    return {"region_code": same(region), "indicator": same(indicator),
            "year": np.asarray(frame.index, dtype=float).astype(int), "method": same(method),
            "scenario": same(scenario), "value": frame["value"].to_numpy(dtype=float),
            **{c: frame[c].to_numpy(dtype=float) for c in BANDS}, "basis": same(basis),
            "note": frame["note"].to_numpy(dtype=object), "method_detail": same(detail), "inputs": same(inputs)}


def table(parts: list[dict]) -> pd.DataFrame:
    """One tidy frame (TABLE_COLUMNS) from rows_frame parts."""
    if not parts:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    return pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in TABLE_COLUMNS})


NOTES = {"forecast": "model forecast ({})", "history": "history (parent's observed trend by share)",
          "interpolated": "history (interpolated)"}


def model_frame(path: IndicatorPath, scenario: str, years: range) -> pd.DataFrame:
    """The path's rows for `years` in one scenario (value = the scenario's column where there is one), with a
    note per year. A new frame each call (callers modify it)."""
    d = columns_at(path.frame, years, ["value", *BANDS, "kind"])
    kind = d.pop("kind")
    cols = d
    col = SCENARIO_COLUMN[scenario]
    if col != "value":
        cols["value"] = np.where(~np.isnan(cols[col]), cols[col], cols["value"])
    note = [(NOTES[k].format(scenario) if k == "forecast" else NOTES.get(k, k)) if isinstance(k, str)
            else "未提供" for k in kind]
    return pd.DataFrame({**cols, "kind": kind, "note": np.array(note, dtype=object)}, index=pd.Index(list(years)))


def relative_band(path: IndicatorPath | None, scenario: str, years: range) -> pd.Series:
    if path is None or scenario == "medium":
        return pd.Series(1.0, index=list(years))
    f = path.frame.reindex(years)
    return (f[SCENARIO_COLUMN[scenario]] / f["value"]).fillna(1.0)


def missing_rows(region, indicator, method, scenario, years, reason) -> pd.DataFrame:
    frame = pd.DataFrame({"value": np.nan, **{c: np.nan for c in BANDS}, "note": f"未提供: {reason}"},
                         index=list(years))
    return rows_frame(region, indicator, method, scenario, frame, "", reason, "")
