"""Population projections: elderly 60+, infants 0-3 and population, to 2035, by three methods side by side.

Methods (column `method`):
- plan: each plan's own arithmetic from its own stated inputs (facts of kind observed / assumption /
  plan_projection), e.g. Yuzhong 58.87万 × (1 − 0.68%)^t and aging rate 19.76% + 0.45 pp/yr. A stated figure
  with no stated method is kept and labelled "stated, method not given"; years between an observed base and a
  stated endpoint are interpolated geometrically and years after it continue the implied rate, each labelled.
  Years the plan gives nothing for are NaN with the reason (shown as 未提供), never invented.
- model: statsmodels fits of the real history (table `series`, see forecasting/projection_models.py). A region
  without a long enough series of its own (districts have none) is projected by a small-area share method: its
  own latest observed figure (facts, else reference series) times the relative change of the nearest ancestor
  whose series has at least MIN_POINTS points, i.e. value(t) = anchor × parent(t) / parent(anchor year). The
  ancestor is fitted once (memoised by its values) and every child is derived by share.
- override: the planner's Assumptions (population growth %, elderly growth % or aging-rate increment pp, birth
  rate ‰) applied to the region's observed anchors; anything not set takes the plan's stated value, else the
  model path of the scenario. `method_detail` says which.

Scenarios: model low / medium / high = lower_80 / mean / upper_80. Plan low / high = the plan path times the
model's relative 80% band (the plans state single figures). Override: set values are used as given in every
scenario; unset components follow the model scenario.

Infants 0-3 convention: children aged 0, 1 and 2 at year end, i.e. the births of the last 3 years
(births = birth rate ‰ × population / 1000, mortality ignored), scaled to the region's observed count when
there is one (Yuzhong 17420 in 2020, Dongli 15805 户籍 in 2022).

Intervals (80%, 95%) exist only on model forecast years (and on override components taken from the model);
they are empty on observed, interpolated, stated and planner-set rows. Children's intervals are the parent's
relative intervals: the drift of the child's share is not modelled, so they understate small-area uncertainty.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from forecasting.cohort import InsufficientObservations
from forecasting.projection_models import (
    MIN_POINTS,
    MODEL_DESCRIPTIONS,
    InsufficientHistory,
    as_history,
    fit_forecast,
)
from models.database import Database
from models.facts import all_facts, reference_series
from models.facts import regions as all_regions

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
_SCENARIO_COLUMN = {"low": "lower_80", "medium": "value", "high": "upper_80"}

# Plan assumptions: Assumptions field → indicator id of the fact that states it.
_PLAN_RATE_INDICATORS = {"population_growth": "population_growth_rate", "elderly_growth": "elderly_growth_rate",
                         "aging_rate_increment": "aging_rate_increment", "birth_rate": "birth_rate",
                         "births": "births"}
_RANGES = {"population_growth": (-10.0, 10.0, "%/年 %/yr"), "elderly_growth": (-10.0, 20.0, "%/年 %/yr"),
           "aging_rate_increment": (-3.0, 3.0, "百分点/年 pp/yr"), "birth_rate": (0.0, 40.0, "‰")}


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
        for name, (lo, hi, unit) in _RANGES.items():
            v = getattr(self, name)
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
        return {k: getattr(self, k) for k in _RANGES if getattr(self, k) is not None}


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


# -- inputs ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Inputs:
    facts: pd.DataFrame
    series: pd.DataFrame
    regions: pd.DataFrame
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # per-run results (model paths)
    as_of: int | None = None

    @classmethod
    def load(cls, db: Database | None, as_of: int | None = None, *, strict: bool = False) -> _Inputs:
        """Facts, series and regions; with `as_of`, only what a planner had then (forecasting.vintage)."""
        from forecasting.vintage import facts_as_of, series_as_of

        facts = all_facts(db)
        facts = facts[facts["value"].notna()].copy()
        series = reference_series(db)
        if as_of is not None:
            facts, series = facts_as_of(facts, as_of, strict=strict), series_as_of(series, as_of, strict=strict)
        return cls(facts, series, all_regions(db), as_of=as_of)

    def _index(self) -> dict:
        """Lookups built once per _Inputs (thousands of regions: a dict hit instead of a frame scan per call).
        facts/series: (region, indicator) → records in table order; parent: code → parent_code; codes."""
        idx = self.memo.get("_index")
        if idx is None:
            facts: dict[tuple, list[dict]] = {}
            for r in self.facts.to_dict("records"):
                facts.setdefault((r["region_code"], r["indicator"]), []).append(r)
            series: dict[tuple, list[dict]] = {}
            for r in self.series.to_dict("records"):
                series.setdefault((r["region_code"], r["indicator"]), []).append(r)
            parent: dict[str, object] = {}
            for code, p in zip(self.regions["code"], self.regions["parent_code"]):
                parent.setdefault(code, p)
            idx = self.memo["_index"] = {"facts": facts, "series": series, "parent": parent, "codes": set(parent)}
        return idx

    def parent(self, code: str) -> str | None:
        p = self._index()["parent"].get(code)
        return p or None

    def chain(self, code: str) -> list[str]:
        out = [code]
        while (p := self.parent(out[-1])) and p not in out:
            out.append(p)
        return out

    def fact(self, region: str, indicator: str, kinds: tuple[str, ...], *, year: int | None = None,
             basis: str | None = None) -> dict | None:
        """The fact of the first kind in `kinds` that exists (latest year), as a dict; None if none."""
        f = self._index()["facts"].get((region, indicator), ())
        if year is not None:
            f = [r for r in f if not _na(r["year"]) and r["year"] == year]
        if basis is not None:
            f = [r for r in f if r["basis"] == basis]
        for kind in kinds:
            k = [r for r in f if r["kind"] == kind]
            if k:  # latest year (a missing year sorts last, as in sort_values), table order among equals
                return dict(max(enumerate(k), key=lambda ir: (_na(ir[1]["year"]), 0 if _na(ir[1]["year"])
                                                             else ir[1]["year"], ir[0]))[1])
        return None

    def history(self, region: str, indicator: str) -> tuple:
        s = self._index()["series"].get((region, indicator), ())
        return as_history([int(r["year"]) for r in s], [float(r["value"]) for r in s])

    def series_row(self, region: str, indicator: str) -> dict | None:
        s = self._index()["series"].get((region, indicator))
        if not s:
            return None
        return dict(max(enumerate(s), key=lambda ir: (_na(ir[1]["year"]), 0 if _na(ir[1]["year"])
                                                      else ir[1]["year"], ir[0]))[1])


def _na(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


@dataclass(frozen=True)
class _Anchor:
    year: int
    value: float
    basis: str
    ref: str  # fact id, "series:<region>/<indicator>/<year>" or a derivation


def _pop_indicator(basis: str) -> str:
    return "population_registered" if basis == "户籍" else "population_resident"


# -- model method ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Path:
    """One projected indicator: frame indexed by year (value, bands, kind) plus labels."""

    frame: pd.DataFrame
    basis: str
    detail: str
    inputs: str


def _driver(inp: _Inputs, region: str, indicator: str, to_year: int) -> tuple[pd.DataFrame, str, str]:
    """The fitted path of the nearest region in region's chain whose series has ≥ MIN_POINTS points.

    Returns (frame indexed by year, driver region code, detail text naming the skipped too-short series).
    Raises InsufficientHistory when no ancestor qualifies.
    """
    skipped = []
    for code in inp.chain(region):
        hist = inp.history(code, indicator)
        if not hist:
            continue
        try:
            key = ("driver_frame", hist, to_year)  # one indexed frame per fitted series, shared by its children
            if key not in inp.memo:
                inp.memo[key] = fit_forecast(hist, to_year).set_index("year")
            frame = inp.memo[key]
        except InsufficientHistory:
            skipped.append(f"{code} has {len(hist)} points < {MIN_POINTS}")
            continue
        model = frame["model"].iat[0]
        detail = (f"{MODEL_DESCRIPTIONS[model]} fitted to {code} {indicator} {hist[0][0]}–{hist[-1][0]} "
                  f"({len(hist)} points)")
        if skipped:
            detail += "; fallback: " + ", ".join(skipped)
        return frame, code, detail
    raise InsufficientHistory(f"no series of {indicator} with ≥ {MIN_POINTS} points in {inp.chain(region)}")


def _share(anchor: _Anchor, driver: pd.DataFrame, years: range, *, own: bool = False) -> pd.DataFrame:
    """anchor × driver(t) / driver(anchor year) for each year (bands scaled alike). Plain numpy on the columns:
    this runs once per region and indicator (thousands of times for a national table)."""
    ratio = anchor.value / driver.at[anchor.year, "value"]
    d = driver.reindex(years)
    cols = {c: d[c].to_numpy(dtype=float) * ratio for c in ["value", *BANDS]}
    kind = d["kind"].to_numpy(dtype=object)
    if not own:  # the parent's observed years are history of the child, not observations of it
        kind = np.array([_AS_HISTORY.get(k, k) if isinstance(k, str) else k for k in kind], dtype=object)
    if anchor.year in years:
        i = anchor.year - years.start
        cols["value"][i] = anchor.value
        for c in BANDS:
            cols[c][i] = np.nan
        kind[i] = _anchor_note(anchor)
    return pd.DataFrame({**cols, "kind": kind}, index=pd.Index(list(years)))


_AS_HISTORY = {"observed": "history", "interpolated": "history"}


def _anchor_note(anchor: _Anchor) -> str:
    return anchor.ref if anchor.ref.startswith("derived") else f"observed ({anchor.ref})"


def _observed_anchor(inp: _Inputs, region: str, indicator: str, basis: str | None = None) -> _Anchor | None:
    f = inp.fact(region, indicator, ("observed",), basis=basis)
    s = inp.series_row(region, indicator)
    if s is not None and basis is not None and s["basis"] != basis:
        s = None
    if f is not None and (s is None or int(f["year"]) >= int(s["year"])):
        return _Anchor(int(f["year"]), float(f["value"]), f["basis"] or "", f["fact_id"])
    if s is not None:
        return _Anchor(int(s["year"]), float(s["value"]), s["basis"] or "",
                       f"series:{region}/{indicator}/{int(s['year'])}")
    return None


def _rate_anchor(inp: _Inputs, region: str, indicator: str) -> _Anchor | None:
    return _observed_anchor(inp, region, indicator)


def _share_path(inp: _Inputs, region: str, indicator: str, anchor: _Anchor, driver_indicator: str,
                years: range, to_year: int) -> _Path:
    driver, code, detail = _driver(inp, region, driver_indicator, to_year)
    if anchor.year not in driver.index:
        raise InsufficientHistory(f"{code} {driver_indicator} does not cover {anchor.year}")
    frame = _share(anchor, driver, years, own=code == region)
    if code == region and anchor.ref.startswith("series:"):
        how = f"own series: {detail}"
    else:
        how = (f"small-area share: {region} {indicator} = {anchor.value:,.6g} ({anchor.year}, {anchor.ref}) × "
               f"{code}(t) / {code}({anchor.year}); {detail}")
    return _Path(frame, anchor.basis, how, f"{anchor.ref}; series:{code}/{driver_indicator}")


NATIONAL = "100000"


def _elderly_points(inp: _Inputs, region: str, indicator: str) -> list[tuple[int, float, str, bool]]:
    """Observed counts of `indicator` (elderly_60plus / elderly_65plus) for `region`: series and the plans' observed
    figures, as (year, persons, reference, is_census); a series row wins over a fact of the same year."""
    out = {}
    for r in inp._index()["facts"].get((region, indicator), ()):
        if r["kind"] == "observed" and not _na(r["year"]) and (r["basis"] or "常住") != "户籍":
            out[int(r["year"])] = (int(r["year"]), float(r["value"]), r["fact_id"], False)
    for r in inp._index()["series"].get((region, indicator), ()):
        if not _na(r["year"]) and (r["basis"] or "常住") != "户籍":
            census = "census" in str(r.get("note") or "").lower()
            out[int(r["year"])] = (int(r["year"]), float(r["value"]),
                                   f"series:{region}/{indicator}/{int(r['year'])}", census)
    return [out[y] for y in sorted(out)]


def national_elderly(inp: _Inputs, indicator: str, to_year: int):
    """(CohortFit, path frame) of the national cohort model of `indicator`, memoised per run."""
    from forecasting.cohort import components, fit_cohort, project_cohort
    from forecasting.wpp import load_wpp

    key = ("cohort", indicator, to_year)
    if key not in inp.memo:
        obs = _elderly_points(inp, NATIONAL, indicator)
        if not obs:
            raise InsufficientObservations(f"no national {indicator} observations")
        comp = components(load_wpp(inp.as_of), indicator, range(obs[0][0], to_year + 1))
        # entrants need the cohort's births: WPP starts in 1950, so observations before 1950 + A cannot be used
        first = int(comp.index[np.isfinite(comp["entrants"].to_numpy())].min())
        obs = [o for o in obs if o[0] >= first]
        fit = fit_cohort([(y, v, c) for y, v, _, c in obs], comp, indicator=indicator)
        inp.memo[key] = (fit, project_cohort(fit, comp, to_year), obs)
    return inp.memo[key]


def _share_sigma(inp: _Inputs) -> float:
    from forecasting.demography import share_sigma

    if "share_sigma" not in inp.memo:
        s = inp.series[(inp.series["indicator"] == "population_resident")]
        nat = s[s["region_code"] == NATIONAL].set_index("year")["value"]
        prov = s[s["region_code"].str.endswith("0000") & (s["region_code"] != NATIONAL)]
        inp.memo["share_sigma"] = share_sigma(prov[["region_code", "year", "value"]],
                                              nat.groupby(level=0).first())
    return inp.memo["share_sigma"]


def _population_share_drift(inp: _Inputs, region: str) -> tuple[float, str] | None:
    """A province's drift in its share of the national population (OLS on its last ten years), or None."""
    from forecasting.demography import fit_share

    hist_r, hist_n = dict(inp.history(region, "population_resident")), dict(inp.history(NATIONAL,
                                                                                          "population_resident"))
    years = sorted(set(hist_r) & set(hist_n))[-10:]
    if len(years) < 3:
        return None
    m = fit_share([(y, hist_r[y] / hist_n[y]) for y in years])
    return m.drift, (f"one share: drift of its share of the national population {m.drift * 100:+.2f}%/yr "
                     f"(OLS, own population series {years[0]}–{years[-1]})")


def _elderly_frame(inp: _Inputs, region: str, indicator: str, to_year: int,
                   extra: _Anchor | None = None) -> tuple[pd.DataFrame, str, str]:
    """The region's own path of `indicator` (frame by year: value, bands, kind), its method detail and inputs.

    National: the cohort model. Below: share of the nearest ancestor that has a path of its own (see
    forecasting/demography.py); the ancestors' own observations drive them, never the country directly.
    """
    from forecasting.demography import fit_share, share_frame

    key = ("elderly_frame", region, indicator, to_year, extra)
    if key in inp.memo:
        return inp.memo[key]
    if region == NATIONAL:
        fit, path, obs = national_elderly(inp, indicator, to_year)
        frame = path.set_index("year")[["value", *BANDS, "kind"]]
        out = (frame, fit.describe("en"), "; ".join(o[2] for o in obs) + "; WPP 2024 births and death rates")
        inp.memo[key] = out
        return out
    points = [(y, v, ref) for y, v, ref, _ in _elderly_points(inp, region, indicator)]
    if extra is not None and extra.year not in {p[0] for p in points}:
        points.append((extra.year, extra.value, extra.ref))
    if not points:
        raise InsufficientObservations(f"{region}: no observed {indicator}")
    parent = inp.parent(region)
    while parent is not None and parent != NATIONAL and not _elderly_points(inp, parent, indicator):
        parent = inp.parent(parent)  # an ancestor without figures of its own adds nothing: skip to the next
    if parent is None:
        raise InsufficientObservations(f"{region}: no ancestor with a path of {indicator}")
    pframe, pdetail, pinputs = _elderly_frame(inp, parent, indicator, to_year)
    shares = [(y, v / pframe.at[y, "value"]) for y, v, _ in points if y in pframe.index]
    if not shares:
        raise InsufficientObservations(f"{region}: observations outside {parent}'s path")
    fallback = _population_share_drift(inp, region) if parent == NATIONAL else None
    model = fit_share(shares, fallback_drift=fallback[0] if fallback else None,
                      fallback_how=fallback[1] if fallback else "", rw_sigma=_share_sigma(inp))
    years = range(int(pframe.index.min()), to_year + 1)
    frame = share_frame(pframe, model, years)
    known = {y: ref for y, _, ref in points}
    kind = frame["kind"].to_numpy(dtype=object)
    for i, y in enumerate(years):
        if y in known:
            kind[i] = "observed"
        elif isinstance(kind[i], str) and kind[i] in _AS_HISTORY:
            kind[i] = "history"
    frame["kind"] = kind
    frame.loc[model.anchor_year, "value"] = dict((y, v) for y, v, _ in points)[model.anchor_year]
    detail = (f"share of {parent}: {region}(t) = {parent}(t) × s(t), s({model.anchor_year}) = "
              f"{model.anchor_share:.5f}; {model.how}; {parent}: {pdetail}")
    out = (frame, detail, "; ".join(known.values()) + f"; {parent}: {pinputs}")
    inp.memo[key] = out
    return out


def elderly_path(inp: _Inputs, region: str, indicator: str, years: range, to_year: int,
                 extra: _Anchor | None = None) -> _Path:
    """The model path of elderly_60plus / elderly_65plus for `region` over `years` (see _elderly_frame)."""
    frame, detail, inputs = _elderly_frame(inp, region, indicator, to_year, extra)
    f = frame.reindex(years)
    kind = f["kind"].to_numpy(dtype=object).copy()
    known = {p[0]: p[2] for p in _elderly_points(inp, region, indicator)}
    if extra is not None:
        known.setdefault(extra.year, extra.ref)
    for i, y in enumerate(years):
        if y in known:
            kind[i] = _anchor_note(_Anchor(y, 0.0, "", known[y]))
    f = f.assign(kind=kind)
    basis = extra.basis if extra is not None and extra.basis else "常住"
    return _Path(f, basis, detail, inputs)


@dataclass
class _ModelPaths:
    population: dict = field(default_factory=dict)  # basis → _Path
    elderly: _Path | None = None
    elderly65: _Path | None = None
    birth_rate: _Path | None = None
    infants: _Path | None = None
    missing: dict = field(default_factory=dict)  # indicator → reason


def _population_anchors(inp: _Inputs, region: str) -> list[_Anchor]:
    out = {}
    for ind, basis in (("population_resident", None), ("population_registered", None)):
        a = _observed_anchor(inp, region, ind, basis)
        if a is not None:
            b = "户籍" if ind == "population_registered" else (a.basis or "常住")
            out.setdefault(b, _Anchor(a.year, a.value, b, a.ref))
    if not out:  # derived: elderly / aging rate of the same year and basis
        e = inp.fact(region, "elderly_60plus", ("observed",))
        if e is not None:
            r = inp.fact(region, "aging_rate", ("observed",), year=int(e["year"]))
            if r is not None and r["value"] > 0:
                out[e["basis"] or ""] = _Anchor(int(e["year"]), e["value"] / (r["value"] / 100), e["basis"] or "",
                                                f"derived {e['fact_id']} / {r['fact_id']}")
    return list(out.values())


def _model_paths(inp: _Inputs, region: str, to_year: int) -> _ModelPaths:
    """Model-method paths (mean and bands) of every indicator the region can support, from START_YEAR - 2."""
    years = range(START_YEAR - INFANT_COHORTS + 1, to_year + 1)
    mp = _ModelPaths()
    for anchor in _population_anchors(inp, region):
        try:
            mp.population[anchor.basis] = _share_path(inp, region, _pop_indicator(anchor.basis), anchor,
                                                      "population_resident", years, to_year)
        except InsufficientHistory as exc:
            mp.missing[_pop_indicator(anchor.basis)] = str(exc)
    if not mp.population:
        mp.missing.setdefault("population_resident", "no observed population (facts or series) to anchor on")

    anchor = _observed_anchor(inp, region, "elderly_60plus")
    if anchor is None:  # derived: observed aging rate × population path of that year
        r = _rate_anchor(inp, region, "aging_rate")
        pop = mp.population.get("常住") or next(iter(mp.population.values()), None)
        if r is not None and pop is not None and r.year in pop.frame.index:
            anchor = _Anchor(r.year, pop.frame.at[r.year, "value"] * r.value / 100, pop.basis,
                             f"derived aging_rate {r.ref} × population {r.year}")
    if anchor is None:
        mp.missing["elderly_60plus"] = "no observed elderly count or aging rate to anchor on"
    else:
        try:
            mp.elderly = elderly_path(inp, region, "elderly_60plus", years, to_year, extra=anchor)
        except (InsufficientHistory, InsufficientObservations) as exc:
            mp.missing["elderly_60plus"] = str(exc)
    if _elderly_points(inp, region, "elderly_65plus"):
        try:
            mp.elderly65 = elderly_path(inp, region, "elderly_65plus", years, to_year)
        except (InsufficientHistory, InsufficientObservations):
            pass  # 65+ is shown where it can be; its absence is not an error

    try:
        br_anchor = _rate_anchor(inp, region, "birth_rate")
        if br_anchor is None:
            frame, code, detail = _driver(inp, region, "birth_rate", to_year)
            mp.birth_rate = _Path(frame.reindex(years)[["value", *BANDS, "kind"]], "",
                                  f"no birth rate of {region}: {code}'s rate; {detail}", f"series:{code}/birth_rate")
        else:
            mp.birth_rate = _share_path(inp, region, "birth_rate", br_anchor, "birth_rate", years, to_year)
    except InsufficientHistory as exc:
        mp.missing["birth_rate"] = str(exc)

    infants_anchor = _observed_anchor(inp, region, "infants_0_3")
    pop = (mp.population.get(infants_anchor.basis) if infants_anchor else None) or mp.population.get("常住") \
        or next(iter(mp.population.values()), None)
    if pop is None or mp.birth_rate is None:
        mp.missing["infants_0_3"] = "needs a population and a birth rate path"
    else:
        mp.infants = _infants(pop, mp.birth_rate, infants_anchor, years)
    return mp


def _births(pop: pd.DataFrame, br: pd.DataFrame) -> pd.DataFrame:
    """Births per year = birth rate ‰ × population / 1000; bands combine both relative log-widths (RSS)."""
    br = br.reindex(pop.index)

    def col(f, c):
        return f[c].to_numpy(dtype=float)

    def z(x):  # fillna(0)
        return np.where(np.isnan(x), 0.0, x)

    value = col(pop, "value") * col(br, "value") / 1000
    out = {"value": value}
    with np.errstate(divide="ignore", invalid="ignore"):
        for lo, hi in (("lower_80", "upper_80"), ("lower_95", "upper_95")):
            wl = np.sqrt(z(np.log(col(pop, "value") / col(pop, lo))) ** 2 + z(np.log(col(br, "value") / col(br, lo))) ** 2)
            wh = np.sqrt(z(np.log(col(pop, hi) / col(pop, "value"))) ** 2 + z(np.log(col(br, hi) / col(br, "value"))) ** 2)
            has = ~np.isnan(col(pop, lo)) | ~np.isnan(col(br, lo))
            out[lo] = np.where(has, value * np.exp(-wl), np.nan)
            out[hi] = np.where(has, value * np.exp(wh), np.nan)
    return pd.DataFrame(out, index=pop.index)


def _cohort_sums(births: pd.DataFrame, col: str, years: range) -> np.ndarray:
    """Σ of births over ages 0..2 for every year: b(t−2) + b(t−1) + b(t), NaN if any is missing. History cohorts
    have no band, so their value stands in for it (adjacent years' forecast errors are treated as perfectly
    correlated: a conservative band)."""
    b = births.reindex(range(years[0] - INFANT_COHORTS + 1, years[-1] + 1))
    vals = (b[col].fillna(b["value"]) if col != "value" else b["value"]).to_numpy(dtype=float)
    n = len(years)
    out = vals[0:n].copy()
    for k in range(1, INFANT_COHORTS):
        out = out + vals[k:k + n]
    return out


def _infants(pop: _Path, br: _Path, anchor: _Anchor | None, years: range) -> _Path:
    births = _births(pop.frame, br.frame)
    est = {c: _cohort_sums(births, c, years) for c in ["value", *BANDS]}
    n = len(years)
    window = births.reindex(range(years[0] - INFANT_COHORTS + 1, years[-1] + 1))
    for c in BANDS:  # no band where every cohort is history
        na = np.isnan(window[c].to_numpy(dtype=float))
        est[c][na[2:2 + n] & na[1:1 + n] & na[0:n]] = np.nan
    i = anchor.year - years.start if anchor is not None and anchor.year in years else None
    if i is not None and np.isfinite(est["value"][i]):
        scale = anchor.value / est["value"][i]
        calib = f"scaled ×{scale:.3f} to the observed {anchor.value:,.0f} ({anchor.year}, {anchor.ref})"
        ref = anchor.ref
    else:
        scale, calib, ref = 1.0, "no observed count: not calibrated", ""
    est = {c: v * scale for c, v in est.items()}
    kind = np.where(~np.isnan(est["lower_80"]), "forecast", "history").astype(object)
    if i is not None:
        est["value"][i] = anchor.value
        for c in BANDS:
            est[c][i] = np.nan
        kind[i] = _anchor_note(anchor)
    est = pd.DataFrame({**est, "kind": kind}, index=pd.Index(list(years)))
    detail = (f"births of ages 0,1,2 = Σ_(k=0..2) birth_rate(t−k)‰ × population(t−k) / 1000, {calib}; "
              f"birth rate: {br.detail}; population: {pop.detail}")
    basis = anchor.basis if anchor is not None and anchor.basis else pop.basis
    return _Path(est, basis, detail, "; ".join(x for x in (ref, br.inputs, pop.inputs) if x))


# -- plan method -------------------------------------------------------------------------------------------
def plan_defaults(region: str, db: Database | None = None, *, _inp: _Inputs | None = None) -> dict:
    """The plan's stated assumptions for `region`: {field: {value, unit, year, fact_id, quote, kind}}.

    Fields: population_growth (%/yr), elderly_growth (%/yr), aging_rate_increment (pp/yr), birth_rate (‰),
    births (persons/yr). Only those the plan states; looked up by indicator and kind, never by fact id.
    """
    inp = _inp or _Inputs.load(db)
    key = ("plan_defaults", region)
    if key in inp.memo:
        return inp.memo[key]
    out = {}
    for name, ind in _PLAN_RATE_INDICATORS.items():
        f = inp.fact(region, ind, ("assumption", "plan_projection", "observed"))
        if f is None or (name in ("birth_rate", "births") and f["kind"] == "observed"):
            continue
        out[name] = {k: f[k] for k in ("value", "unit", "year", "fact_id", "quote", "kind")}
        out[name]["year"] = int(out[name]["year"])
    inp.memo[key] = out
    return out


def _geometric(base_year: int, base: float, rate_pct: float, years) -> pd.Series:
    return pd.Series({t: base * (1 + rate_pct / 100) ** (t - base_year) for t in years}, dtype=float)


def _stated_path(base: _Anchor | None, end: _Anchor, years) -> tuple[pd.Series, pd.Series]:
    """A stated endpoint with no stated method: the endpoint as stated, geometric interpolation from an observed
    base, the implied rate continued beyond it (values and per-year notes)."""
    vals, notes = {}, {}
    if base is not None and base.year < end.year:
        rate = (end.value / base.value) ** (1 / (end.year - base.year)) - 1
        for t in years:
            if t < base.year:
                vals[t], notes[t] = np.nan, "未提供: before the plan's base year"
            elif t == base.year:
                vals[t], notes[t] = base.value, f"observed ({base.ref})"
            elif t < end.year:
                vals[t], notes[t] = base.value * (1 + rate) ** (t - base.year), \
                    f"interpolated (geometric {rate * 100:+.2f}%/yr between observed and stated; our assumption)"
            elif t == end.year:
                vals[t], notes[t] = end.value, f"stated, method not given ({end.ref})"
            else:
                vals[t], notes[t] = end.value * (1 + rate) ** (t - end.year), \
                    f"extrapolated at the implied {rate * 100:+.2f}%/yr (our assumption, not the plan's)"
    else:
        for t in years:
            if base is not None and t == base.year:
                vals[t], notes[t] = base.value, f"observed ({base.ref})"
            elif t == end.year:
                vals[t], notes[t] = end.value, f"stated, method not given ({end.ref})"
            else:
                vals[t], notes[t] = np.nan, "未提供: the plan states only this endpoint; no base to interpolate"
    return pd.Series(vals, dtype=float), pd.Series(notes, dtype=object)


def _endpoint(inp: _Inputs, region: str, indicator: str, kinds=("plan_projection",)) -> _Anchor | None:
    f = inp.fact(region, indicator, kinds)
    return None if f is None else _Anchor(int(f["year"]), float(f["value"]), f["basis"] or "", f["fact_id"])


def _plan_paths(inp: _Inputs, region: str, years: range) -> dict:
    """indicator → (values Series, notes Series, basis, method_detail, inputs) by the plan's own arithmetic."""
    d = plan_defaults(region, _inp=inp)
    out = {}

    def put(ind, vals, notes, basis, detail, inputs):
        out[ind] = (vals.reindex(years), notes.reindex(years).fillna("未提供"), basis, detail, inputs)

    # population (observed base; derived from elderly / aging rate when the plan gives only those)
    pop_base = None
    f = inp.fact(region, "population_resident", ("observed",)) or inp.fact(region, "population_registered",
                                                                            ("observed",))
    if f is not None:
        pop_base = _Anchor(int(f["year"]), float(f["value"]), f["basis"] or "", f["fact_id"])
    else:
        e, r = inp.fact(region, "elderly_60plus", ("observed",)), None
        if e is not None:
            r = inp.fact(region, "aging_rate", ("observed",), year=int(e["year"]))
        if e is not None and r is not None:
            pop_base = _Anchor(int(e["year"]), e["value"] * 100 / r["value"], e["basis"] or "",
                               f"derived {e['fact_id']}/{r['fact_id']}")
    pop_end = _endpoint(inp, region, "population_resident", ("plan_projection", "assumption")) \
        or _endpoint(inp, region, "population_registered", ("plan_projection", "assumption"))
    if pop_end is None:
        e, r = _endpoint(inp, region, "elderly_60plus"), _endpoint(inp, region, "aging_rate")
        if e is not None and r is not None and e.year == r.year:
            pop_end = _Anchor(e.year, e.value * 100 / r.value, e.basis, f"derived {e.ref}/{r.ref}")
    pop = None
    if pop_base is not None and "population_growth" in d:
        g = d["population_growth"]
        vals = _geometric(pop_base.year, pop_base.value, g["value"], years)
        vals[vals.index < pop_base.year] = np.nan
        notes = pd.Series({t: ("observed" if t == pop_base.year else "stated rate" if t <= g["year"] else
                               "stated rate continued beyond the plan horizon (our assumption)")
                           if t >= pop_base.year else "未提供: before the plan's base year" for t in years})
        check = f"; plan states {pop_end.value:,.0f} in {pop_end.year} ({pop_end.ref})" if pop_end else ""
        pop = (vals, notes, pop_base.basis, f"population(t) = {pop_base.value:,.0f} × (1 {g['value']:+.2f}%)^(t−"
               f"{pop_base.year}) (stated rate){check}", f"{pop_base.ref}; {g['fact_id']}")
    elif pop_end is not None:
        vals, notes = _stated_path(pop_base, pop_end, years)
        pop = (vals, notes, pop_end.basis or (pop_base.basis if pop_base else ""),
               "stated endpoint, method not given; geometric interpolation from the observed base",
               "; ".join(a.ref for a in (pop_base, pop_end) if a))
    if pop is not None:
        put(_pop_indicator(pop[2]), *pop)

    # elderly 60+
    e_base = _endpoint(inp, region, "elderly_60plus", ("observed",))
    e_end = _endpoint(inp, region, "elderly_60plus")
    r_base = _endpoint(inp, region, "aging_rate", ("observed",))
    if e_base is not None and "elderly_growth" in d:
        g = d["elderly_growth"]
        vals = _geometric(e_base.year, e_base.value, g["value"], years)
        vals[vals.index < e_base.year] = np.nan
        notes = pd.Series({t: "observed" if t == e_base.year else "stated rate" if t >= e_base.year
                           else "未提供: before the plan's base year" for t in years})
        put("elderly_60plus", vals, notes, e_base.basis,
            f"elderly(t) = {e_base.value:,.0f} × (1 + {g['value']:.2f}%)^(t−{e_base.year}) (stated rate)",
            f"{e_base.ref}; {g['fact_id']}")
    elif r_base is not None and "aging_rate_increment" in d and pop is not None:
        g = d["aging_rate_increment"]
        rate = pd.Series({t: r_base.value + g["value"] * (t - r_base.year) for t in years}, dtype=float)
        rate[rate.index < r_base.year] = np.nan
        notes = pd.Series({t: "observed" if t == r_base.year else "stated increment" if t >= r_base.year
                           else "未提供: before the plan's base year" for t in years})
        put("aging_rate", rate, notes, r_base.basis,
            f"aging_rate(t) = {r_base.value}% + {g['value']} pp × (t−{r_base.year}) (stated increment)",
            f"{r_base.ref}; {g['fact_id']}")
        elderly = pop[0] * rate / 100
        if e_base is not None:
            elderly[e_base.year] = e_base.value
        put("elderly_60plus", elderly, notes, r_base.basis or pop[2],
            "elderly(t) = population(t) × aging_rate(t) / 100 (the plan's arithmetic)",
            f"{pop[4]}; {r_base.ref}; {g['fact_id']}")
    elif e_end is not None:
        vals, notes = _stated_path(e_base, e_end, years)
        put("elderly_60plus", vals, notes, e_end.basis or (e_base.basis if e_base else ""),
            "stated endpoint, method not given; geometric interpolation from the observed base",
            "; ".join(a.ref for a in (e_base, e_end) if a))
    elif e_base is not None:
        vals, notes = _stated_path(None, e_base, years)
        put("elderly_60plus", vals, notes.where(vals.isna(), f"observed ({e_base.ref})").where(
            vals.notna(), "未提供: the plan states no projection"),
            e_base.basis, "observed only; the plan states no projection", e_base.ref)
    a_end = _endpoint(inp, region, "aging_rate")
    if "aging_rate" not in out and a_end is not None:
        vals, notes = _stated_path(r_base, a_end, years)
        put("aging_rate", vals, notes, a_end.basis, "stated endpoint, method not given (percent)",
            "; ".join(a.ref for a in (r_base, a_end) if a))

    # infants 0-3
    i_base = _endpoint(inp, region, "infants_0_3", ("observed",))
    i_end = _endpoint(inp, region, "infants_0_3")
    if i_end is not None:
        vals, notes = _stated_path(i_base, i_end, years)
        detail = "stated endpoint, method not given"
        inputs = "; ".join(a.ref for a in (i_base, i_end) if a)
        if "birth_rate" in d and pop is not None:  # beyond the endpoint: the stated birth rate × plan population
            br = d["birth_rate"]["value"]
            births = pop[0] * br / 1000
            cohort = births.rolling(INFANT_COHORTS).sum()
            later = [t for t in years if t > i_end.year]
            if np.isfinite(cohort.get(i_end.year, np.nan)):
                for t in later:
                    vals[t] = i_end.value * cohort[t] / cohort[i_end.year]
                    notes[t] = (f"beyond {i_end.year}: stated birth rate {br}‰ × plan population, ages 0–2, "
                                f"scaled to the stated {i_end.value:,.0f} (our assumption)")
                detail += (f"; the plan also states birth rate {br}‰ (3 cohorts × {br}‰ × population gives "
                           f"{cohort[i_end.year]:,.0f} in {i_end.year})")
                inputs += f"; {d['birth_rate']['fact_id']}"
        put("infants_0_3", vals, notes, i_end.basis or (i_base.basis if i_base else ""), detail, inputs)
    elif "births" in d:
        b = d["births"]
        births = pd.Series({t: b["value"] if START_YEAR + 1 <= t else np.nan for t in
                            range(years[0] - INFANT_COHORTS, years[-1] + 1)}, dtype=float)
        cohort = births.rolling(INFANT_COHORTS).sum()
        vals = cohort.reindex(years)
        notes = pd.Series({t: ("未提供: births before 2021 not stated" if not np.isfinite(vals[t]) else
                               "stated yearly births × 3 cohorts" if t <= b["year"] else
                               "stated yearly births held beyond the plan period (our assumption)") for t in years})
        if i_base is not None:
            vals[i_base.year], notes[i_base.year] = i_base.value, f"observed ({i_base.ref})"
        put("infants_0_3", vals, notes, "", f"infants(t) = Σ births(t−k), k=0..2, births = {b['value']:,.0f}/yr "
            f"stated for 2021–{b['year']}", b["fact_id"])
    elif i_base is not None:
        vals, notes = _stated_path(None, i_base, years)
        put("infants_0_3", vals, notes.where(vals.isna(), f"observed ({i_base.ref})").where(
            vals.notna(), "未提供: the plan states no projection"),
            i_base.basis, "observed only; the plan states no projection", i_base.ref)
    return out


# -- assembling --------------------------------------------------------------------------------------------
def _rows(region, indicator, method, scenario, frame: pd.DataFrame, basis, detail, inputs) -> pd.DataFrame:
    n = len(frame)

    def same(x):
        return np.full(n, x, dtype=object)

    return pd.DataFrame({"region_code": same(region), "indicator": same(indicator),
                         "year": np.asarray(frame.index, dtype=float).astype(int), "method": same(method),
                         "scenario": same(scenario), "value": frame["value"].to_numpy(dtype=float),
                         **{c: frame[c].to_numpy(dtype=float) for c in BANDS}, "basis": same(basis),
                         "note": frame["note"].to_numpy(dtype=object), "method_detail": same(detail),
                         "inputs": same(inputs)})


_NOTES = {"forecast": "model forecast ({})", "history": "history (parent's observed trend by share)",
          "interpolated": "history (interpolated)"}


def _model_frame(path: _Path, scenario: str, years: range) -> pd.DataFrame:
    """The path's rows for `years` in one scenario (value = the scenario's column where there is one), with a
    note per year. A new frame each call (callers modify it)."""
    d = path.frame.reindex(years)
    cols = {c: d[c].to_numpy(dtype=float, copy=True) for c in ["value", *BANDS]}
    col = _SCENARIO_COLUMN[scenario]
    if col != "value":
        cols["value"] = np.where(~np.isnan(cols[col]), cols[col], cols["value"])
    kind = d["kind"].to_numpy(dtype=object)
    note = [(_NOTES[k].format(scenario) if k == "forecast" else _NOTES.get(k, k)) if isinstance(k, str)
            else "未提供" for k in kind]
    return pd.DataFrame({**cols, "kind": kind, "note": np.array(note, dtype=object)}, index=pd.Index(list(years)))


def _relative_band(path: _Path | None, scenario: str, years: range) -> pd.Series:
    if path is None or scenario == "medium":
        return pd.Series(1.0, index=list(years))
    f = path.frame.reindex(years)
    return (f[_SCENARIO_COLUMN[scenario]] / f["value"]).fillna(1.0)


def _missing_rows(region, indicator, method, scenario, years, reason) -> pd.DataFrame:
    frame = pd.DataFrame({"value": np.nan, **{c: np.nan for c in BANDS}, "note": f"未提供: {reason}"},
                         index=list(years))
    return _rows(region, indicator, method, scenario, frame, "", reason, "")


def _project(a: Assumptions, inp: _Inputs) -> Projection:
    years = range(START_YEAR, a.to_year + 1)
    if a.region not in inp._index()["codes"]:
        raise ValueError(f"region: 未知地区代码 {a.region} / unknown region code")
    key = ("model_paths", a.region, a.to_year)
    if key not in inp.memo:
        inp.memo[key] = _model_paths(inp, a.region, a.to_year)
    mp = inp.memo[key]
    model_for = {"elderly_60plus": mp.elderly, "elderly_65plus": mp.elderly65, "infants_0_3": mp.infants,
                 "birth_rate": mp.birth_rate,
                 **{_pop_indicator(b): p for b, p in mp.population.items()}}
    parts, used = [], []
    if a.method == "model":
        for ind in ("population_resident", "population_registered", "elderly_60plus", "elderly_65plus",
                    "infants_0_3"):
            p = model_for.get(ind)
            if p is not None:
                parts.append(_rows(a.region, ind, "model", a.scenario, _model_frame(p, a.scenario, years),
                                   p.basis, p.detail, p.inputs))
                used.append((ind, p.inputs))
            elif ind in ("elderly_60plus", "infants_0_3") or (ind == "population_resident" and not mp.population):
                parts.append(_missing_rows(a.region, ind, "model", a.scenario, years,
                                           mp.missing.get(ind, "not available")))
    elif a.method == "plan":
        key = ("plan_paths", a.region, years.start, years.stop)
        if key not in inp.memo:
            inp.memo[key] = _plan_paths(inp, a.region, years)
        paths = inp.memo[key]
        for ind in ("population_resident", "population_registered", "elderly_60plus", "aging_rate", "infants_0_3"):
            if ind not in paths:
                if ind in ("elderly_60plus", "infants_0_3") or (
                        ind == "population_resident" and "population_registered" not in paths):
                    parts.append(_missing_rows(a.region, ind, "plan", a.scenario, years,
                                               "the plan states no figure for this indicator"))
                continue
            vals, notes, basis, detail, inputs = paths[ind]
            band = _relative_band(model_for.get(ind), a.scenario, years) if ind != "aging_rate" else 1.0
            if a.scenario != "medium" and ind != "aging_rate":
                notes = notes.where(band == 1.0, notes + f"; × model 80% band ({a.scenario})")
            frame = pd.DataFrame({"value": vals * band, **{c: np.nan for c in BANDS}, "note": notes})
            if a.scenario != "medium" and ind != "aging_rate":
                detail += f"; {a.scenario} = plan path × the model's relative 80% band"
            parts.append(_rows(a.region, ind, "plan", a.scenario, frame, basis, detail, inputs))
            used.append((ind, inputs))
    else:
        parts, used = _override(a, inp, mp, years)
    table = pd.concat(parts, ignore_index=True)[TABLE_COLUMNS]
    return Projection(a, table, tuple(used))


def _override(a: Assumptions, inp: _Inputs, mp: _ModelPaths, years: range):
    """Planner-set rates applied to the observed anchors; unset ones: the plan's stated rate, else the model."""
    d = plan_defaults(a.region, _inp=inp)
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
        f = _model_frame(p, a.scenario, years)
        anchored = f.index[f["kind"].fillna("").str.startswith(("observed", "derived"))]
        anchor_year = int(anchored[0]) if len(anchored) else None
        if g is not None and anchor_year is not None:
            v = _geometric(anchor_year, f.at[anchor_year, "value"], g, years)
            later = v.index > anchor_year
            f.loc[later, "value"] = v[later]
            f.loc[later, BANDS] = np.nan
            f.loc[later, "note"] = f"growth {g:+.2f}%/yr ({src})"
            detail = f"population(t) = observed {anchor_year} × (1 + {g:+.2f}%)^(t−{anchor_year}), {src}"
        else:
            detail = f"model path ({a.scenario}): {p.detail}"
        pop_paths[basis] = f
        parts.append(_rows(a.region, _pop_indicator(basis), "override", a.scenario, f, p.basis, detail, p.inputs))
        used.append((_pop_indicator(basis), p.inputs))
    if not mp.population:
        parts.append(_missing_rows(a.region, "population_resident", "override", a.scenario, years,
                                   mp.missing.get("population_resident", "")))

    if mp.elderly is None:
        parts.append(_missing_rows(a.region, "elderly_60plus", "override", a.scenario, years,
                                   mp.missing.get("elderly_60plus", "")))
    else:
        f = _model_frame(mp.elderly, a.scenario, years)
        obs = f.index[f["kind"].fillna("").str.startswith(("observed", "derived"))]
        y0 = int(obs[0]) if len(obs) else None
        g, src = chosen("elderly_growth") if a.aging_rate_increment is None else (None, "")
        inc, isrc = chosen("aging_rate_increment") if g is None else (None, "")
        pop = pop_paths[mp.elderly.basis] if mp.elderly.basis in pop_paths else \
            next(iter(pop_paths.values()), None)
        detail = f"model path ({a.scenario}): {mp.elderly.detail}"
        if y0 is not None and g is not None:
            v = _geometric(y0, f.at[y0, "value"], g, years)
            later = v.index > y0
            f.loc[later, "value"], f.loc[later, BANDS] = v[later], np.nan
            f.loc[later, "note"] = f"elderly growth {g:+.2f}%/yr ({src})"
            detail = f"elderly(t) = observed {y0} × (1 + {g:+.2f}%)^(t−{y0}), {src}"
        elif y0 is not None and inc is not None and pop is not None and y0 in pop.index:
            r0 = f.at[y0, "value"] / pop.at[y0, "value"] * 100
            later = [t for t in years if t > y0]
            f.loc[later, "value"] = [pop.at[t, "value"] * (r0 + inc * (t - y0)) / 100 for t in later]
            f.loc[later, BANDS] = np.nan
            f.loc[later, "note"] = f"aging rate +{inc} pp/yr ({isrc})"
            detail = (f"elderly(t) = population(t) × (aging rate {r0:.2f}% in {y0} + {inc} pp × (t−{y0})), {isrc}; "
                      f"population: override path")
        parts.append(_rows(a.region, "elderly_60plus", "override", a.scenario, f, mp.elderly.basis, detail,
                           mp.elderly.inputs))
        used.append(("elderly_60plus", mp.elderly.inputs))

    if mp.infants is None or not pop_paths:
        parts.append(_missing_rows(a.region, "infants_0_3", "override", a.scenario, years,
                                   mp.missing.get("infants_0_3", "needs a population path")))
    else:
        br, bsrc = chosen("birth_rate")
        if br is None and "births" in d:
            pop_b = next(iter(pop_paths.values()))
            br = d["births"]["value"] / pop_b.at[d["births"]["year"], "value"] * 1000
            bsrc = f"derived from the plan's stated births ({d['births']['fact_id']}) / population"
        f = _model_frame(mp.infants, a.scenario, years)
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
            f.loc[later, "value"] = [births[t] * scale for t in later]
            f.loc[later, BANDS] = np.nan
            f.loc[later, "note"] = f"birth rate {br:.2f}‰ from {y0 + 1} ({bsrc})"
            detail = (f"infants(t) = {scale:.3f} × Σ_(k=0..2) birth_rate(t−k) × population(t−k) / 1000; birth rate "
                      f"{br:.2f}‰ after {y0} ({bsrc}), observed/model before; scale fits {y0}")
        parts.append(_rows(a.region, "infants_0_3", "override", a.scenario, f, mp.infants.basis, detail,
                           mp.infants.inputs))
        used.append(("infants_0_3", mp.infants.inputs))
    return parts, used


def vintage_inputs(db: Database | None, as_of: int | None, *, strict: bool = False) -> _Inputs:
    """The inputs of a run as of `as_of` (None: today's data), for callers that project many regions."""
    return _Inputs.load(db, as_of, strict=strict)


def model_path_frames(inp: _Inputs, region: str, to_year: int) -> dict[str, pd.DataFrame]:
    """The `model` method's medium paths of one region, indicator → frame by year (value, lower/upper 80/95, kind):
    population_resident, elderly_60plus, elderly_65plus, birth_rate, infants_0_3, where they can be made."""
    if region not in inp._index()["codes"] and not inp.history(region, "population_resident"):
        raise ValueError(f"region: 未知地区代码 {region} / unknown region code")
    key = ("model_paths", region, to_year)
    if key not in inp.memo:
        inp.memo[key] = _model_paths(inp, region, to_year)
    mp = inp.memo[key]
    out = {_pop_indicator(b): p.frame for b, p in mp.population.items()}
    for ind, p in (("elderly_60plus", mp.elderly), ("elderly_65plus", mp.elderly65), ("birth_rate", mp.birth_rate),
                   ("infants_0_3", mp.infants)):
        if p is not None:
            out[ind] = p.frame
    return out


# -- public API --------------------------------------------------------------------------------------------
def project(assumptions: Assumptions, *, db: Database | None = None) -> Projection:
    """Project one region by one method and scenario (see module docstring). In: validated Assumptions; out:
    Projection whose `.table` has TABLE_COLUMNS, one row per indicator and year START_YEAR..to_year.

    Model fits are memoised by their series values, so repeated calls only re-read the facts.
    """
    return _project(assumptions, _Inputs.load(db))


def project_all(regions=None, *, to_year: int = 2035, db: Database | None = None,
                methods=METHODS, scenarios=SCENARIOS, workers: int | None = None) -> pd.DataFrame:
    """Every region × method × scenario as one tidy frame (TABLE_COLUMNS). regions: codes (default: the five
    plan regions); parents are fitted once and children derived by share.

    workers: processes to spread the regions over (None = automatic: up to 2 cores when there are at least
    PARALLEL_MIN_REGIONS regions and the caller is single-threaded, e.g. the command line or the benchmarks; a
    dashboard session, which runs in a thread, stays in one process). Results are identical either way.
    """
    inp = _Inputs.load(db)
    codes = list(regions) if regions is not None else list(PLAN_REGIONS)
    n = _workers(workers, len(codes))
    if n > 1:
        frames = _project_parallel(inp, codes, n, to_year, tuple(methods), tuple(scenarios))
    else:
        frames = _project_codes(inp, codes, to_year, methods, scenarios)
    return pd.concat(frames, ignore_index=True)


PARALLEL_MIN_REGIONS = 200


def _workers(workers: int | None, n_codes: int) -> int:
    import os
    import threading

    if workers is not None:
        return max(1, int(workers))
    if n_codes < PARALLEL_MIN_REGIONS or threading.active_count() > 1:
        return 1  # small batches do not pay the workers' start-up; a dashboard session keeps its one process
    return min(2, os.cpu_count() or 1)


def _project_codes(inp: _Inputs, codes, to_year, methods, scenarios) -> list[pd.DataFrame]:
    return [_project(Assumptions(code, method=m, scenario=s, to_year=to_year), inp).table
            for code in codes for m in methods for s in scenarios]


def _project_chunk(args) -> pd.DataFrame:
    inp, codes, to_year, methods, scenarios = args
    return pd.concat(_project_codes(inp, codes, to_year, methods, scenarios), ignore_index=True)


# Worker processes get one BLAS/OpenMP thread each: with the default (a thread per core) two forked workers on two
# cores spent twice the CPU time and the parallel run was slower than the serial one (measured, bench/README.md).
# The libraries read these variables when they load, so each worker is a fresh interpreter started with them set
# (a subprocess reading its chunk from stdin: nothing of the caller's __main__ is re-run, no fork of a threaded
# process).
_WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _worker_main() -> None:
    """Entry of a worker: a pickled chunk on stdin, the pickled frame on stdout."""
    import pickle
    import sys

    args = pickle.load(sys.stdin.buffer)
    pickle.dump(_project_chunk(args), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


def _project_parallel(inp: _Inputs, codes, n, to_year, methods, scenarios) -> list[pd.DataFrame]:
    """Contiguous chunks of codes (children of one province stay together, so its fits are done once per worker)
    on `n` worker processes; results in order. Costs ~2 s of worker start-up (imports); a failed worker's chunk
    is projected here instead."""
    import os
    import pickle
    import subprocess
    import sys
    from pathlib import Path

    bounds = np.linspace(0, len(codes), n + 1).astype(int)
    bare = _Inputs(inp.facts, inp.series, inp.regions)  # no memo: each worker fits what its regions need
    chunks = [(bare, codes[a:b], to_year, methods, scenarios) for a, b in zip(bounds, bounds[1:]) if b > a]
    env = dict(os.environ, **_WORKER_ENV)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-c", "from forecasting.projection import _worker_main; _worker_main()"]
    procs = []
    for chunk in chunks:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=env, cwd=root)
        p.stdin.write(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
        p.stdin.close()
        procs.append(p)
    frames = []
    for p, chunk in zip(procs, chunks):
        data = p.stdout.read()
        p.stdout.close()
        if p.wait() == 0 and data:
            frames.append(pickle.loads(data))
        else:
            frames.append(_project_chunk((inp, *chunk[1:])))
    return frames


def assumptions_dict(a: Assumptions) -> dict:
    return {f.name: getattr(a, f.name) for f in fields(a)}


__all__ = ["Assumptions", "Projection", "project", "project_all", "plan_defaults", "assumptions_dict",
           "TABLE_COLUMNS", "COLUMNS", "METHODS", "SCENARIOS", "PLAN_REGIONS"]
