"""The result of a projection (Projection) and the helpers that build its tidy rows."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.assumptions import Assumptions
from forecasting.contract import BANDS, SCENARIO_COLUMN, TABLE_COLUMNS

COLS = ["value", *BANDS]


class YearFrame:
    """Columns by year without a DataFrame: value and the 80/95 % bands as float arrays, a kind per year, for
    contiguous years from `start`. The model method makes one per region and indicator (thousands for a national
    table), where a DataFrame each would cost most of the time; `.df` builds one on demand."""

    __slots__ = ("start", "cols", "kind", "_df")

    def __init__(self, start: int, cols: dict, kind: np.ndarray):
        self.start, self.cols, self.kind, self._df = int(start), cols, kind, None

    @classmethod
    def from_df(cls, df: pd.DataFrame) -> YearFrame:
        """From a frame indexed by contiguous years with value, the bands and kind."""
        years = np.asarray(df.index, dtype=int)
        return cls(years[0], {c: df[c].to_numpy(dtype=float) for c in COLS}, df["kind"].to_numpy(dtype=object))

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.start, self.start + self.kind.shape[-1])

    def __contains__(self, year) -> bool:
        return 0 <= int(year) - self.start < self.kind.shape[-1]

    def value(self, year: int) -> float:
        return float(self.cols["value"][int(year) - self.start])

    def take(self, years) -> YearFrame:
        """The same columns for `years` (contiguous; new arrays), NaN and kind NaN outside this frame's years.
        Columns may hold several regions' rows (shape regions × years, the last axis is the year)."""
        years = np.asarray(list(years), dtype=int)
        n, size = len(years), self.kind.shape[-1]
        a = int(years[0]) - self.start if n else 0
        if 0 <= a and a + n <= size:  # inside: copies of slices
            return YearFrame(int(years[0]), {c: v[..., a:a + n].copy() for c, v in self.cols.items()},
                             self.kind[..., a:a + n].copy())
        pos = years - self.start
        ok = (pos >= 0) & (pos < size)
        cols = {}
        for c, v in self.cols.items():
            out = np.full(v.shape[:-1] + (n,), np.nan)
            out[..., ok] = v[..., pos[ok]]
            cols[c] = out
        kind = np.full(self.kind.shape[:-1] + (n,), np.nan, dtype=object)
        kind[..., ok] = self.kind[..., pos[ok]]
        return YearFrame(int(years[0]), cols, kind)

    @property
    def df(self) -> pd.DataFrame:
        """A DataFrame indexed by year (value, bands, kind), built once."""
        if self._df is None:
            self._df = pd.DataFrame({**self.cols, "kind": self.kind}, index=pd.Index(self.years))
        return self._df


@dataclass(frozen=True)
class IndicatorPath:
    """One projected indicator: its YearFrame (value, bands, kind by year) plus labels; `.frame` is a DataFrame."""

    data: YearFrame
    basis: str
    detail: str
    inputs: str

    @property
    def frame(self) -> pd.DataFrame:
        return self.data.df


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


# -- assembling --------------------------------------------------------------------------------------------
def rows_frame(region, indicator, method, scenario, frame: pd.DataFrame, basis, detail, inputs) -> dict:
    """The tidy rows of one indicator path (a frame with value, bands, note by year) as columns of arrays
    (TABLE_COLUMNS); `table(parts)` makes the frame. Arrays, not a DataFrame: thousands of regions × indicators
    are joined once (a frame each cost ~1 ms)."""
    return rows_arrays(region, indicator, method, scenario, np.asarray(frame.index, dtype=float).astype(int),
                       {c: frame[c].to_numpy(dtype=float) for c in COLS}, frame["note"].to_numpy(dtype=object),
                       basis, detail, inputs)


_SAME = ("region_code", "indicator", "method", "scenario", "basis", "method_detail", "inputs")


def rows_arrays(region, indicator, method, scenario, years: np.ndarray, cols: dict, note: np.ndarray, basis,
                detail, inputs) -> dict:
    """One part of the tidy table: arrays by year (year, value, bands, note) and the values that are the same on
    every row (region, indicator, method, scenario, basis, method_detail, inputs), expanded by `table`."""
    return {"n": len(years), "region_code": region, "indicator": indicator, "year": years, "method": method,
            "scenario": scenario, "value": cols["value"], **{c: cols[c] for c in BANDS}, "basis": basis,
            "note": note, "method_detail": detail, "inputs": inputs}


def table(parts: list[dict]) -> pd.DataFrame:
    """One tidy frame (TABLE_COLUMNS) from rows_frame / rows_arrays parts (or blocks of them, join_parts)."""
    block = join_parts(parts)
    if not block["n"]:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    return pd.DataFrame({c: (repeated_texts if c in LONG_TEXTS else repeated_strings)(block[c], block["n"])
                         if c in _SAME else block[c] for c in TABLE_COLUMNS})


def join_parts(parts: list[dict]) -> dict:
    """Parts (rows_arrays) or blocks of parts (what this returns) as one block: `n` the list of the parts' row
    counts, the per-part values of the columns that are the same on every row of a part (lists), and the per-row
    columns concatenated. A worker process sends its parts as one block: a few arrays instead of thousands."""
    counts: list[int] = []
    same: dict[str, list] = {c: [] for c in _SAME}
    rows: dict[str, list] = {c: [] for c in TABLE_COLUMNS if c not in _SAME}
    for p in parts:
        block = isinstance(p["n"], list)
        counts += p["n"] if block else [p["n"]]
        for c in _SAME:
            same[c] += p[c] if block else [p[c]]
        for c in rows:
            rows[c].append(p[c])
    return {"n": counts, **same, **{c: np.concatenate(v) if v else np.array([]) for c, v in rows.items()}}


# The same long text on every year's row of a part (~500 characters × 16 years × thousands of regions): stored
# once each as a categorical column instead of 150 MB of copies (national table: its join 0.6 s → 0.05 s).
LONG_TEXTS = ("method_detail", "inputs")


def repeated_texts(values: list, counts: list[int]) -> pd.Categorical:
    """values[i] repeated counts[i] times as a categorical column (each distinct text stored once)."""
    codes, uniques = pd.factorize(np.array(values, dtype=object))  # a missing text: code −1, NaN in the column
    return pd.Categorical.from_codes(np.repeat(codes, counts), categories=uniques)


def repeated_strings(values: list, counts: list[int]):
    """values[i] repeated counts[i] times, as the str column pandas would infer. The distinct texts are converted
    once and repeated by index: method_detail and inputs run to ~500 characters on 16 rows of each part, and
    converting every row's copy was most of `table` (national table: 1.4 s → 0.3 s)."""
    if not all(isinstance(v, str) for v in values):  # None or a number somewhere: let pandas infer as before
        return np.repeat(np.array(values, dtype=object), counts)
    codes, uniques = pd.factorize(np.array(values, dtype=object))
    return pd.array(uniques, dtype="str").take(np.repeat(codes, counts))


NOTES = {"forecast": "model forecast ({})", "history": "history (parent's observed trend by share)",
          "interpolated": "history (interpolated)"}


def scenario_columns(path: IndicatorPath, scenario: str, years: range) -> tuple[dict, np.ndarray, np.ndarray]:
    """The path's columns for `years` in one scenario (value = the scenario's column where there is one), a note
    per year and the kind per year."""
    d = path.data.take(years)
    cols = dict(d.cols)  # take returned new arrays: the caller may change them
    col = SCENARIO_COLUMN[scenario]
    if col != "value":
        cols["value"] = np.where(~np.isnan(cols[col]), cols[col], cols["value"])
    note = np.array([(NOTES[k].format(scenario) if k == "forecast" else NOTES.get(k, k)) if isinstance(k, str)
                     else "未提供" for k in d.kind], dtype=object)
    return cols, note, d.kind


def model_frame(path: IndicatorPath, scenario: str, years: range) -> pd.DataFrame:
    """scenario_columns as a frame (value, bands, kind, note) indexed by year; a new frame each call (callers
    modify it)."""
    cols, note, kind = scenario_columns(path, scenario, years)
    return pd.DataFrame({**cols, "kind": kind, "note": note}, index=pd.Index(list(years)))


def model_rows(region, indicator, scenario, path: IndicatorPath, years: range) -> dict:
    """rows_frame of the model method for one path, without an intermediate frame."""
    cols, note, _ = scenario_columns(path, scenario, years)
    return rows_arrays(region, indicator, "model", scenario, np.arange(years.start, years.stop), cols, note,
                       path.basis, path.detail, path.inputs)


def relative_band(path: IndicatorPath | None, scenario: str, years: range) -> pd.Series:
    if path is None or scenario == "medium":
        return pd.Series(1.0, index=list(years))
    d = path.data.take(years)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = d.cols[SCENARIO_COLUMN[scenario]] / d.cols["value"]
    return pd.Series(ratio, index=list(years)).fillna(1.0)


def missing_rows(region, indicator, method, scenario, years, reason) -> dict:
    """The rows of an indicator the method cannot give: NaN values, the reason as note and method_detail."""
    n = len(years)
    return rows_arrays(region, indicator, method, scenario, np.arange(years.start, years.stop),
                       {c: np.full(n, np.nan) for c in COLS}, np.full(n, f"未提供: {reason}", dtype=object), "", reason,
                       "")
