"""Demand, supply and gap (需求、供给、缺口) for elderly-care beds, nursing beds and childcare places.

    demand(elderly_beds)     = beds_per_1000_elderly × elderly_60plus / 1000          (bed_method 'per_1000')
                             = institutional_share% × elderly_60plus                  ('institutional', Tianjin 973)
                             = elderly_60plus × disabled_share% × supported_share%    ('needs')
    demand(nursing_beds)     = nursing_share% × demand(elderly_beds)
    demand(childcare_places) = places_per_1000 × population / 1000
    gap = demand − supply;  target_gap = target − supply;  achieved_share = supply / target × 100

In:  population — a tidy frame region_code, indicator (elderly_60plus, population_resident, population_registered),
     year, value [, basis, method, fact_id, quote, source, lower_*, upper_*]: the plan's own figures
     (`plan_population`) or a projection (forecasting.projection, columns region_code, indicator, year, method,
     scenario, value, ...); standards — models.planning.standards.Standards; supply — models.planning.supply.supply_table.
Out: `gap_table(...)`: one row per region, service, year with GAP_COLUMNS first, then the stated figures
     (demand_stated, gap_stated and their differences), the population used, `formula` (the arithmetic with the
     numbers) and `inputs` (list of dicts: name, value, year, fact_id, source, quote). A missing input gives NaN with
     a reason, never 0.

Messages are codes (models/core/messages.py), rendered in the reader's language at the edge with `texts(...)` or
`reason_text` / `method_text`:
- `method_code`: how demand is computed — per_1000 | institutional | needs | none (elderly beds, by the bed
  method), nursing_share (nursing beds), places_per_1000 (childcare); i18n key 'gap_method_<code>'. The population
  behind it is `population_method` (stated | interpolated | the projection's method/scenario).
- `reason_codes`: why a number is unknown, a list of {part: demand | supply | target, code, params} (params a dict;
  code a key of models.core.i18n.STRINGS, e.g. gap_no_elderly {year}, gap_elderly_other_basis {bases, basis},
  supply_no_count, gap_no_target); empty when every number is known. JSON-ready; rows share equal dicts, so treat
  them as read-only.
"""
from __future__ import annotations

import functools
from collections import namedtuple

import numpy as np
import pandas as pd

from models.core.catalogue import SERVICES
from models.core.i18n import t
from models.core.messages import BASIS_UNSTATED, Message, message
from models.planning.standards import NUMERIC_FIELDS, Standards, stated_halfwidth
from models.planning.supply import NO_COUNT

YEARS = range(2020, 2036)
GAP_COLUMNS = ["region_code", "region_name", "service", "year", "demand", "supply", "gap", "target", "target_gap",
               "method_code"]
POPULATION_INDICATORS = ("elderly_60plus", "population_resident", "population_registered")


def require_year(year: int) -> int:
    """A planning year inside YEARS; ValueError (zh/en) otherwise."""
    if year not in YEARS:
        raise ValueError(f"年份须在 {YEARS.start}–{YEARS.stop - 1} 之间 / year must lie in {YEARS.start}–{YEARS.stop - 1}")
    return year


_KIND_RANK = {"assumption": 0, "plan_projection": 1, "observed": 2, "target": 3}
_PROV_COLS = ["fact_id", "source", "quote"]


# -- population ------------------------------------------------------------------------------------------------------

def plan_population(facts: pd.DataFrame, *, years=YEARS, interpolate: bool = True) -> pd.DataFrame:
    """The plans' own population figures (observed, projections, assumptions), one row per region, indicator,
    basis and year; with `interpolate`, geometric interpolation between two stated years (never beyond them).

    Out columns: region_code, indicator, year, value (persons), basis, method ('stated'|'interpolated'), fact_id,
    source, quote (interpolated rows cite both end points).
    """
    f = facts[facts["indicator"].isin(POPULATION_INDICATORS) & facts["value"].notna() & facts["year"].notna()
              & facts["kind"].isin(list(_KIND_RANK))].copy()
    f["basis"] = np.where((f["indicator"] == "population_registered") & (f["basis"] == ""), "户籍", f["basis"])
    f["_rank"] = f["kind"].map(_KIND_RANK)
    f = f.sort_values(["_rank", "fact_id"]).drop_duplicates(["region_code", "indicator", "basis", "year"])
    f = f.assign(year=f["year"].astype(int), method="stated")[
        ["region_code", "indicator", "year", "value", "basis", "method", "fact_id", "source", "quote"]]
    if not interpolate:
        return f.sort_values(["region_code", "indicator", "basis", "year"]).reset_index(drop=True)
    # consecutive stated points a, b of one series (vectorised): every year strictly between them inside `years`
    f = f.sort_values(["region_code", "indicator", "basis", "year"])
    nxt = f.groupby(["region_code", "indicator", "basis"], sort=False).shift(-1)
    ok = nxt["year"].notna() & (f["value"] > 0) & (nxt["value"] > 0)
    a, b = f[ok], nxt[ok]
    span = (b["year"].astype(int) - a["year"]).to_numpy()
    n = np.maximum(span - 1, 0)
    idx = np.repeat(np.arange(len(a)), n)
    step = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + 1  # 1..n-1 within each pair
    ay, av, bv = a["year"].to_numpy()[idx], a["value"].to_numpy()[idx], b["value"].to_numpy()[idx]
    y = ay + step
    keep = np.isin(y, list(years))
    idx, y = idx[keep], y[keep]
    interp = pd.DataFrame({
        "region_code": a["region_code"].to_numpy()[idx], "indicator": a["indicator"].to_numpy()[idx],
        "year": y.astype(int), "value": av[keep] * (bv[keep] / av[keep]) ** ((y - ay[keep]) / span[idx]),
        "basis": a["basis"].to_numpy()[idx], "method": "interpolated",
        "fact_id": a["fact_id"].to_numpy()[idx] + " " + b["fact_id"].to_numpy()[idx].astype(object),
        "source": a["source"].to_numpy()[idx],
        "quote": a["quote"].to_numpy()[idx] + " … " + b["quote"].to_numpy()[idx].astype(object)}, columns=f.columns)
    out = pd.concat([f, interp], ignore_index=True) if len(interp) else f
    return out.sort_values(["region_code", "indicator", "basis", "year"]).reset_index(drop=True)


def _normalise_population(population: pd.DataFrame) -> dict[str, np.ndarray]:
    """The population rows gap_table can use (the POPULATION_INDICATORS with a value) as plain columns:
    region_code, indicator, year (int), value, basis (registered figures without one: 户籍), method (a projection's
    with '/<scenario>'), fact_id, source, quote (missing text: its default)."""
    keep = (population["indicator"].isin(POPULATION_INDICATORS) & population["value"].notna()).to_numpy()
    p = {c: population[c].to_numpy(dtype=object)[keep] for c in ("region_code", "indicator")}
    p["year"] = population["year"].to_numpy()[keep].astype(np.int64)
    p["value"] = population["value"].to_numpy(dtype=float)[keep]
    for c, default in (("basis", ""), ("method", "projection"), ("fact_id", ""), ("source", ""), ("quote", "")):
        v = population[c].to_numpy(dtype=object)[keep] if c in population else np.full(keep.sum(), default,
                                                                                        dtype=object)
        p[c] = np.where(pd.isna(v), default, v).astype(object)
    if "scenario" in population:  # a projection: name the scenario in the method
        scen = population["scenario"].to_numpy(dtype=object)[keep]
        p["method"] = np.array([f"{m}/{sc}" if not pd.isna(sc) else str(m) for m, sc in zip(p["method"], scen)],
                               dtype=object)
    p["basis"] = np.where((p["indicator"] == "population_registered") & (p["basis"] == ""), "户籍",
                          p["basis"]).astype(object)
    return p


def _member(values: np.ndarray, wanted) -> np.ndarray:
    """values ∈ wanted, elementwise, by a set (np.isin compares object arrays pairwise: seconds on 150,000 rows)."""
    wanted = set(wanted)
    return np.fromiter((v in wanted for v in values.tolist()), dtype=bool, count=len(values))


_BASIS_RANK = {"常住": {"常住": 0, "": 1}, "户籍": {"户籍": 0, "": 1}, "": {"常住": 0, "": 1, "户籍": 2}}


def _pick_population(pop: dict, codes: np.ndarray, years: np.ndarray, bases: np.ndarray,
                     indicators: tuple) -> dict[str, np.ndarray]:
    """For each (region code, year, required basis) the best population row: basis as required, then resident
    before registered (then the first stated). Returns value (float, NaN where none), indicator, basis, method,
    fact_id, source, quote (objects, NaN where none), one entry per key. Dictionary lookups: fast for one region
    (the workbench's rerun) and for thousands."""
    sel = _member(pop["indicator"], indicators)
    ind_rank = {ind: i for i, ind in enumerate(indicators)}
    cand: dict[tuple, list] = {}
    cols = ["indicator", "value", "basis", "method"] + _PROV_COLS
    for row in zip(pop["region_code"][sel].tolist(), pop["year"][sel].tolist(), *(pop[c][sel].tolist() for c in cols)):
        cand.setdefault((row[0], int(row[1])), []).append(row[2:])
    picked = []
    missing = (np.nan,) * len(cols)
    for code, year, req in zip(codes.tolist(), years.tolist(), bases.tolist()):
        ranks = _BASIS_RANK.get(req, _BASIS_RANK[""])
        best, best_key = missing, None
        for r in cand.get((code, int(year)), ()):
            rank = ranks.get(r[2])
            if rank is None:
                continue
            key = (rank, ind_rank[r[0]])
            if best_key is None or key < best_key:
                best, best_key = r, key
        picked.append(best)
    return {c: np.array([r[i] for r in picked], dtype=float) if c == "value" else _objects([r[i] for r in picked])
            for i, c in enumerate(cols)}


def _objects(values: list) -> np.ndarray:
    """A 1-d object array of `values` as they are (np.array would make a list of lists 2-d)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _population_reason(pop: dict, codes: np.ndarray, years: np.ndarray, bases: np.ndarray,
                       missing: np.ndarray, indicators: tuple, msg: tuple[str, str]) -> np.ndarray:
    """Why no population was found, as a Message per key: msg[0] {year} (none for the year) or msg[1] {bases,
    basis} (only another basis); None where one was found (`missing` False)."""
    out = np.full(len(codes), None, dtype=object)
    where = np.flatnonzero(missing)
    if not len(where):
        return out
    sel = _member(pop["indicator"], indicators) & _member(pop["region_code"], codes[where].tolist())
    stated: dict[tuple, set] = {}  # (region, year) → the bases stated (a handful: 常住, 户籍, unstated)
    for code, year, b in zip(pop["region_code"][sel].tolist(), pop["year"][sel].tolist(), pop["basis"][sel].tolist()):
        stated.setdefault((code, int(year)), set()).add(b or BASIS_UNSTATED)
    for i in where.tolist():
        key = (codes[i], int(years[i]))
        out[i] = (message(msg[1], bases="、".join(sorted(stated[key])), basis=bases[i]) if key in stated
                  else message(msg[0], year=int(years[i])))
    return out


# -- stated figures and targets from the facts ---------------------------------------------------------------------

def _prov(row) -> dict:
    return {"fact_id": row["fact_id"], "source": row["source"], "quote": row["quote"]}


def _best(f: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key, the most precisely stated value (then running text over table cells)."""
    f = f.assign(_half=[stated_halfwidth(v, q) for v, q in zip(f["value"], f["quote"])],
                 _table=f["quote"].str.contains(r"\||\t", regex=True))
    return f.sort_values(["_half", "_table", "fact_id"]).drop_duplicates(keys)


def plan_figures(facts: pd.DataFrame) -> pd.DataFrame:
    """The plans' stated demand, gap, target count and target rate per region, service and year.

    Columns: region_code, service, year, and for each of demand_stated, gap_stated, target_count, target_rate
    the value and `<name>_prov` (fact_id, source, quote). target_rate is a percent of the bed target for nursing
    beds and places per 1000 population for childcare.
    """
    f = facts[facts["value"].notna() & facts["year"].notna()].copy()
    f["year"] = f["year"].astype(int)
    parts = []
    specs = [("demand_stated", {s: s for s in SERVICES}, ("plan_projection",)),
             ("gap_stated", {s + "_gap": s for s in SERVICES}, ("plan_projection", "observed", "target")),
             ("target_count", {s: s for s in SERVICES}, ("target",)),
             ("target_rate", {"nursing_bed_share": "nursing_beds", "childcare_places_per_1000": "childcare_places"},
              ("target",))]
    for name, mapping, kinds in specs:
        sub = f[f["indicator"].isin(list(mapping)) & f["kind"].isin(kinds)]
        sub = sub.assign(service=sub["indicator"].map(mapping))
        sub = _best(sub, ["region_code", "service", "year"])
        parts.append(pd.DataFrame({"region_code": sub["region_code"], "service": sub["service"], "year": sub["year"],
                                   name: sub["value"].astype(float), name + "_prov": [{"fact_id": a, "source": b, "quote": c} for a, b, c in
                                                   zip(sub["fact_id"], sub["source"], sub["quote"])]}))
    out = parts[0]
    for p in parts[1:]:
        out = out.merge(p, on=["region_code", "service", "year"], how="outer")
    return out


# -- the gap table --------------------------------------------------------------------------------------------------

def _round_to(x: np.ndarray, step: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(~np.isnan(step), np.floor(x / step + 0.5) * step, x)


def _n(x) -> str:
    if x is None or pd.isna(x):
        return "未提供"
    x = float(x)
    return f"{x:,.0f}" if x.is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def gap_table(population: pd.DataFrame, standards: Standards, supply: pd.DataFrame, *, years=YEARS,
              figures: pd.DataFrame | None = None, names: dict | None = None, regions=None,
              explain: bool = True) -> pd.DataFrame:
    """Demand, supply, gap, target and target gap per region, service and year (see the module docstring).

    In:  population (tidy, persons), standards, supply (models.planning.supply.supply_table), figures (plan_figures: stated
         demand/gap/targets; None = none), names {region_code: name}, regions (codes; default: every region in
         supply, population or standards). `explain=False` skips the formula/inputs text (faster for many regions).
    Out: GAP_COLUMNS, then achieved_share (%), demand_unrounded, supply_existing, pipeline, supply_year,
         demand_stated, demand_difference (stated − computed), gap_stated, gap_difference, target_recomputed,
         population_indicator, population_year, population_basis, population_method, formula, inputs,
         reason_codes (method_code and reason_codes: see the module docstring; render them with `texts`).

    Computed on plain arrays, one DataFrame at the end: its cost is the rows', not ~50 pandas operations per call
    (a workbench rerun asks for 3 rows).
    """
    years = sorted(years)
    pop = _normalise_population(population)
    codes = sorted(set(regions) if regions is not None else
                   set(supply["region_code"]) | set(pop["region_code"]) | set(standards.regions))
    n_r, n_y = len(codes), len(years)
    st = {k: np.asarray(v, dtype=float if k in NUMERIC_FIELDS else object)
          for k, v in standards.columns(codes).items()}
    # the (region, year) grid, region-major; `g` holds its columns, each a standard repeated over the years
    g = {k: np.repeat(v, n_y) for k, v in st.items()}
    g["year"] = np.tile(np.asarray(years, dtype=np.int64), n_r)
    cpy = g["childcare_population_year"]
    g["pop_year"] = np.where(np.isnan(cpy), g["year"], np.nan_to_num(cpy)).astype(np.int64)

    # elderly population in the demand year; total population in the standard's population year
    e = _pick_population(pop, g["region_code"], g["year"], g["elderly_basis"], ("elderly_60plus",))
    t = _pick_population(pop, g["region_code"], g["pop_year"], g["population_basis"],
                         ("population_resident", "population_registered"))
    E, P = e["value"], t["value"]
    e_reason = _population_reason(pop, g["region_code"], g["year"], g["elderly_basis"], np.isnan(E),
                                  ("elderly_60plus",), ("gap_no_elderly", "gap_elderly_other_basis"))
    t_reason = _population_reason(pop, g["region_code"], g["pop_year"], g["population_basis"], np.isnan(P),
                                  ("population_resident", "population_registered"),
                                  ("gap_no_total_population", "gap_total_other_basis"))

    # elderly-care beds
    m = g["bed_method"]
    raw_beds = np.select([m == "per_1000", m == "institutional", m == "needs"],
                         [g["beds_per_1000_elderly"] * E / 1000, g["institutional_share"] / 100 * E,
                          E * g["disabled_share"] / 100 * g["supported_share"] / 100], default=np.nan)
    beds = _round_to(raw_beds, g["beds_round_to"])
    # no bed standard: the plan states none; or (a region without standards of its own) neither its province's plan
    # nor a national 2025 figure gives one (models.planning.targets has a national figure for 2030 only)
    own = np.repeat(np.array([standards.own(c) for c in codes], dtype=bool), n_y)
    bed_reason = np.where(m == "", np.where(own, _NO_BED_STANDARD, _NO_BEDS_PER_1000),
                          np.where(np.isnan(E), e_reason, None))
    # nursing beds
    nursing = g["nursing_share"] / 100 * beds
    nursing_reason = np.where(np.isnan(g["nursing_share"]), _NO_NURSING_SHARE, bed_reason)
    # childcare places
    raw_places = g["places_per_1000"] * P / 1000
    places = _round_to(raw_places, g["childcare_round_to"])
    place_reason = np.where(np.isnan(g["places_per_1000"]), _NO_CHILDCARE_STANDARD,
                            np.where(np.isnan(P), t_reason, None))

    # one row per (region, year, service), services in SERVICES order
    per = {"elderly_beds": (beds, raw_beds, bed_reason, e, g["year"]),
           "nursing_beds": (nursing, nursing, nursing_reason, e, g["year"]),
           "childcare_places": (places, raw_places, place_reason, t, g["pop_year"])}

    def interleave(values) -> np.ndarray:  # one array per service (SERVICES order) → one per row
        return np.stack([np.asarray(v) for v in values], axis=1).reshape(-1)

    def rows(i: int) -> np.ndarray:  # item i of each service's tuple
        return interleave(per[s][i] for s in SERVICES)

    def picked(col: str) -> np.ndarray:  # a column of each service's population pick
        return interleave(per[s][3][col] for s in SERVICES)

    n_s = len(SERVICES)
    d = {k: np.repeat(v, n_s) for k, v in g.items()}
    d["service"] = np.tile(np.array(SERVICES, dtype=object), n_r * n_y)
    d["demand"], d["demand_unrounded"] = rows(0).astype(float), rows(1).astype(float)
    d["demand_reason"] = np.where(np.isnan(d["demand"]), rows(2), None)
    d["population_year"] = rows(4).astype(np.int64)
    for c in ("value", "indicator", "basis", "method"):
        d["population_" + c] = picked(c)
    d["population_prov"] = [{"fact_id": a, "source": b, "quote": c} for a, b, c in
                            zip(picked("fact_id"), picked("source"), picked("quote"))]
    d["beds_demand"] = np.repeat(beds, n_s)

    # supply
    keys = list(zip(d["region_code"].tolist(), d["service"].tolist(), d["year"].tolist()))
    sup = _lookup(supply, keys, {"supply_existing": np.nan, "pipeline": np.nan, "supply_year": pd.NA,
                                 "supply_formula": np.nan, "supply_inputs": np.nan, "supply_reason": np.nan})
    d.update(sup)
    d["pipeline"] = np.where(np.isnan(d["pipeline"]), 0.0, d["pipeline"])
    d["supply"] = np.where(d["count_pipeline"].astype(bool), d["supply_existing"] + d["pipeline"],
                           d["supply_existing"])
    d["supply_reason"] = [r if isinstance(r, Message) else NO_COUNT for r in d["supply_reason"]]
    d["gap"] = d["demand"] - d["supply"]

    # stated figures and targets
    stated = ("demand_stated", "gap_stated", "target_count", "target_rate")
    d.update(_lookup(figures if figures is not None else pd.DataFrame(columns=["region_code", "service", "year"]),
                     keys, {**{c: np.nan for c in stated}, **{c + "_prov": None for c in stated}}))
    bed_target = np.repeat(d["target_count"].reshape(-1, n_s)[:, SERVICES.index("elderly_beds")], n_s)
    svc = d["service"]
    d["target_recomputed"] = np.select(
        [svc == "nursing_beds", svc == "childcare_places"],
        [d["target_rate"] / 100 * bed_target, d["target_rate"] * d["population_value"] / 1000], default=np.nan)
    has_count = ~np.isnan(d["target_count"])
    d["target"] = np.where(has_count, d["target_count"], d["target_recomputed"])
    d["target_method"] = np.where(has_count, "stated",
                                  np.where(~np.isnan(d["target_recomputed"]), "rate × base", "")).astype(object)
    d["target_gap"] = d["target"] - d["supply"]
    with np.errstate(divide="ignore", invalid="ignore"):
        d["achieved_share"] = d["supply"] / d["target"] * 100
    d["demand_difference"] = d["demand_stated"] - d["demand"]
    d["gap_difference"] = d["gap_stated"] - d["gap"]
    d["reason_codes"] = _reasons(d)
    d["method_code"] = _methods(d)
    d["region_name"] = np.array([(names or {}).get(c, "") for c in d["region_code"]], dtype=object)
    if explain:
        d["formula"] = np.array(_formulas(d), dtype=object)
        d["inputs"] = _inputs(d)
    else:
        d["formula"], d["inputs"] = np.full(len(svc), "", dtype=object), [[] for _ in range(len(svc))]
    extra = ["achieved_share", "demand_unrounded", "supply_existing", "pipeline", "supply_year", "demand_stated",
             "demand_difference", "gap_stated", "gap_difference", "target_recomputed", "target_method",
             "population_indicator", "population_year", "population_basis", "population_method", "formula", "inputs",
             "reason_codes"]
    out = {c: d[c] for c in GAP_COLUMNS + extra}
    out["supply_year"] = pd.array(out["supply_year"], dtype="Int64")
    out["inputs"], out["reason_codes"] = _objects(out["inputs"]), _objects(out["reason_codes"])  # a list per row
    return pd.DataFrame(out)


def _lookup(frame: pd.DataFrame, keys: list[tuple], columns: dict) -> dict:
    """For each (region_code, service, year) in `keys` the row's value of each of `columns` (name → the value
    where `frame` has no such row or column), as arrays (float columns as floats): a left join by dictionary."""
    at: dict[tuple, int] = {}
    if len(frame):
        for i, k in enumerate(zip(frame["region_code"].tolist(), frame["service"].tolist(),
                                  frame["year"].tolist())):
            at.setdefault(k, i)
    pos = [at.get(k, -1) for k in keys]
    out = {}
    for c, missing in columns.items():
        vals = frame[c].tolist() if c in frame else []
        got = [vals[i] if i >= 0 else missing for i in pos] if vals else [missing] * len(keys)
        if c in frame and frame[c].dtype.kind == "f" or (c not in frame and isinstance(missing, float)):
            out[c] = np.asarray(got, dtype=float)
        else:
            out[c] = _objects(got)
    return out


# -- reasons and methods as codes (rendered at the edge: texts, reason_text, method_text) ----------------------------

_NO_BED_STANDARD = message("gap_no_bed_standard")
_NO_BEDS_PER_1000 = message("gap_no_beds_per_1000")
_NO_NURSING_SHARE = message("gap_no_nursing_share")
_NO_CHILDCARE_STANDARD = message("gap_no_childcare_standard")
_NO_TARGET = message("gap_no_target")


def _reasons(df: dict) -> list[list[dict]]:
    """Per row the reason_codes (see the module docstring): the demand, supply and target Message of every missing
    number. Equal reasons share one dict (thousands of rows, a handful of distinct reasons)."""
    items: dict[tuple, dict] = {}

    def item(part: str, m: Message) -> dict:
        if (part, m) not in items:
            items[(part, m)] = {"part": part, **m.as_dict()}
        return items[(part, m)]

    out = []
    for d, dr, s, sr, tg in zip(np.isnan(df["demand"]).tolist(), list(df["demand_reason"]),
                                np.isnan(df["supply"]).tolist(), list(df["supply_reason"]),
                                np.isnan(df["target"]).tolist()):
        row = []
        if d and isinstance(dr, Message):
            row.append(item("demand", dr))
        if s and isinstance(sr, Message):
            row.append(item("supply", sr))
        if tg:
            row.append(item("target", _NO_TARGET))
        out.append(row)
    return out


def _methods(df: dict) -> np.ndarray:
    """method_code per row (see the module docstring)."""
    m = np.where(df["bed_method"] == "", "none", df["bed_method"])
    m = np.where(df["service"] == "nursing_beds", "nursing_share", m)
    return np.where(df["service"] == "childcare_places", "places_per_1000", m).astype(object)


def reason_text(codes, lang: str = "zh") -> str:
    """A row's reason_codes as one text in `lang` ('zh' | 'en' | messages.BILINGUAL): Chinese '需求：…；供给：…',
    English '…; …' (the parts without a label), bilingual '需求：中文 / English；…'; '' without reasons. An item
    without a part (e.g. the workbench's own reasons) is its message alone."""
    if not isinstance(codes, list | tuple) or not codes:
        return ""
    return ("; " if lang == "en" else "；").join(
        _part_text(c.get("part", ""), c["code"], tuple(sorted((c.get("params") or {}).items())), lang) for c in codes)


@functools.lru_cache(maxsize=4096)  # a handful of distinct reasons over thousands of rows
def _part_text(part: str, code: str, params: tuple, lang: str) -> str:
    text = Message.from_dict({"code": code, "params": dict(params)}).text(lang)
    # the part label is Chinese only ('需求：…'), also in the bilingual CSV ('需求：中文 / English')
    return t(f"gap_part_{part}", "en" if lang == "en" else "zh", text=text) if part else text


def method_text(code, lang: str = "zh", *, population_method=None) -> str:
    """A row's method_code in `lang` ('zh' | 'en' | messages.BILINGUAL), with '；人口：<population_method>' when
    one is given ('' for a missing code)."""
    if not isinstance(code, str) or not code:
        return ""
    m = message(f"gap_method_{code}")
    text = m.text(lang)
    if isinstance(population_method, str) and population_method:
        p = message("gap_method_population", method=population_method)
        text += ("; " + p.text("en")) if lang == "en" else ("；" + p.text("zh"))
    return text


def texts(gaps: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """The gap table with its codes rendered in `lang` ('zh' | 'en' | messages.BILINGUAL): method_code becomes
    `method` (with the population method) and reason_codes becomes `reason`, each in its place. In/out: gap_table's
    frame (a copy; a frame without the code columns is returned as it is)."""
    out = gaps.copy()
    if "method_code" in out:
        # plain lists: iterating pandas' arrow-backed strings costs ~1 µs per value
        pop = out["population_method"].tolist() if "population_method" in out else [None] * len(out)
        keys = list(zip(out["method_code"].tolist(), [p if isinstance(p, str) else None for p in pop]))
        cache = {key: method_text(key[0], lang, population_method=key[1]) for key in set(keys)}
        out["method_code"] = [cache[key] for key in keys]
    if "reason_codes" in out:
        # rows share their reason dicts (gap_table): render each combination once; `out` holds them, so ids are stable
        seen: dict[tuple, str] = {}
        rendered = []
        for c in out["reason_codes"].tolist():
            key = tuple(map(id, c)) if isinstance(c, list) else ()
            if key not in seen:
                seen[key] = reason_text(c, lang)
            rendered.append(seen[key])
        out["reason_codes"] = rendered
    return out.rename(columns={"method_code": "method", "reason_codes": "reason"})


def _plain(col) -> list:
    """A column as a list of Python values (floats, ints, str; objects as they are)."""
    return col.tolist() if isinstance(col, np.ndarray) else list(col)


def _formulas(df: dict) -> list[str]:
    out = []
    cols = ["service", "bed_method", "beds_per_1000_elderly", "institutional_share", "disabled_share",
            "supported_share", "nursing_share", "places_per_1000", "population_value", "population_indicator",
            "population_year", "population_basis", "demand_unrounded", "demand", "beds_demand", "supply",
            "supply_existing", "pipeline", "count_pipeline", "supply_formula", "supply_year", "gap", "target",
            "target_method", "target_rate", "target_gap", "demand_stated", "gap_stated"]
    row = namedtuple("Row", cols)
    for r in map(row._make, zip(*(_plain(df[c]) for c in cols))):
        indicator = r.population_indicator if isinstance(r.population_indicator, str) else "population"  # NaN: none
        pop = f"{indicator}({r.population_year}{', ' + r.population_basis if isinstance(r.population_basis, str) and r.population_basis else ''}) {_n(r.population_value)}"
        if r.service == "elderly_beds":
            if r.bed_method == "per_1000":
                d = f"demand = beds_per_1000_elderly × {pop} / 1000 = {_n(r.beds_per_1000_elderly)} × {_n(r.population_value)} / 1000 = {_n(r.demand_unrounded)}"
            elif r.bed_method == "institutional":
                d = f"demand = institutional_share × {pop} = {_n(r.institutional_share)}% × {_n(r.population_value)} = {_n(r.demand_unrounded)}"
            elif r.bed_method == "needs":
                d = (f"demand = {pop} × disabled_share × supported_share = {_n(r.population_value)} × "
                     f"{_n(r.disabled_share)}% × {_n(r.supported_share)}% = {_n(r.demand_unrounded)}")
            else:
                d = "demand = 未提供 (no bed standard)"
        elif r.service == "nursing_beds":
            d = f"demand = nursing_share × elderly-bed demand = {_n(r.nursing_share)}% × {_n(r.beds_demand)} = {_n(r.demand_unrounded)}"
        else:
            d = f"demand = places_per_1000 × {pop} / 1000 = {_n(r.places_per_1000)} × {_n(r.population_value)} / 1000 = {_n(r.demand_unrounded)}"
        if pd.notna(r.demand) and pd.notna(r.demand_unrounded) and r.demand != r.demand_unrounded:
            d += f" ≈ {_n(r.demand)} (rounded)"
        has_formula = isinstance(r.supply_formula, str) and r.supply_formula  # NaN: the region has no supply row
        s = f"supply = {r.supply_formula if has_formula else _n(r.supply_existing)}"
        if pd.notna(r.supply_year):
            s += f" ({r.supply_year})"
        if r.count_pipeline and r.pipeline:
            s += f" + pipeline {_n(r.pipeline)} = {_n(r.supply)}"
        g = f"gap = demand − supply = {_n(r.demand)} − {_n(r.supply)} = {_n(r.gap)}"
        t = f"target = {_n(r.target)}" + (f" ({r.target_method})" if r.target_method else "")
        tg = f"target_gap = target − supply = {_n(r.target)} − {_n(r.supply)} = {_n(r.target_gap)}"
        stated = ""
        if pd.notna(r.demand_stated) or pd.notna(r.gap_stated):
            stated = f"; plan states demand {_n(r.demand_stated)}, gap {_n(r.gap_stated)}"
        out.append("; ".join([d, s, g, t, tg]) + stated)
    return out


def _inputs(df: dict) -> list[list[dict]]:
    params = {"elderly_beds": {"per_1000": ["beds_per_1000_elderly"], "institutional": ["institutional_share"],
                               "needs": ["disabled_share", "supported_share"], "": []},
              "nursing_beds": ["nursing_share"], "childcare_places": ["places_per_1000", "childcare_population_year",
                                                                       "childcare_round_to"]}
    keys = ["service", "bed_method", "population_value", "population_indicator", "population_year",
            "population_basis", "population_method", "population_prov", "supply_inputs"]
    keys += [k for k in df if k.endswith("__prov")]
    keys += [c + sfx for c in ("target_count", "target_rate", "demand_stated", "gap_stated") for sfx in ("", "_prov")]
    out = []
    for r in (dict(zip(keys, vals)) for vals in zip(*(_plain(df[k]) for k in keys))):
        names = params[r["service"]]
        names = names[r["bed_method"]] if isinstance(names, dict) else names
        if r["service"] == "nursing_beds":
            names = names + params["elderly_beds"][r["bed_method"]]
        items = []
        for name in names:
            prov = r.get(name + "__prov") or {}
            if prov.get("value") is not None:
                items.append({"name": name, "value": prov["value"], "fact_id": prov.get("fact_id", ""),
                              "source": prov.get("source", ""), "quote": prov.get("quote", ""),
                              "note": prov.get("note", "")})
        if pd.notna(r["population_value"]):
            items.append({"name": r["population_indicator"], "year": int(r["population_year"]),
                          "value": float(r["population_value"]), "basis": r["population_basis"],
                          "method": r["population_method"], **(r["population_prov"] or {})})
        for s in r["supply_inputs"] if isinstance(r["supply_inputs"], list) else []:  # NaN: no supply row
            items.append({"name": "supply:" + s["indicator"], **s})
        for name in ("target_count", "target_rate", "demand_stated", "gap_stated"):
            prov = r.get(name + "_prov")
            if isinstance(prov, dict) and pd.notna(r.get(name)):
                items.append({"name": name, "value": r[name], **prov})
        out.append(items)
    return out


# -- whole beds and places for people -------------------------------------------------------------------------------

COUNT_COLUMNS = ("demand", "supply", "gap", "target", "target_gap")
_EPS = 1e-6  # float noise (4000.0000000001 is 4000 beds, not 4001)


def round_up(x):
    """A count rounded up to a whole number, float noise ignored (4000.0000000001 → 4000, 2346.5 → 2347): a Series
    element-wise, else one value as a float; missing stays NaN. The one rounding of counts (gaps, draft)."""
    if isinstance(x, pd.Series):
        return np.ceil(x.astype(float) - _EPS)
    return float(np.ceil(float(x) - _EPS)) if x is not None and not pd.isna(x) else np.nan


def _nursing_share_of_beds(gaps: pd.DataFrame) -> pd.Series:
    """Per nursing-bed row the share of the bed demand it is (nursing demand ÷ bed demand of the same region and
    year, before rounding); NaN elsewhere, or without a positive bed demand."""
    if not {"service", "region_code", "year"} <= set(gaps.columns) or not (gaps["service"] == "nursing_beds").any():
        return pd.Series(np.nan, index=gaps.index)
    d = gaps["demand"].astype(float)
    beds = d.where(gaps["service"] == "elderly_beds")
    beds = gaps.assign(_b=beds).groupby(["region_code", "year"], sort=False)["_b"].transform("max")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = d / beds.where(beds > 0)
    return share.where(gaps["service"] == "nursing_beds")


def whole_counts(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gap table in whole beds and places, as shown to people and written to files (CLI, pages, export, brief).

    demand and target are rounded UP (a need of 2,346.5 beds is met only by 2,347); nursing beds are the nursing
    share of the whole bed demand, rounded up (⌈share × ⌈beds⌉⌉; their demand_unrounded is share × ⌈beds⌉); supply is a count, rounded to
    the nearest whole; gap = demand − supply and target_gap = target − supply are recomputed from the whole
    numbers, achieved_share (%) from them. Each of COUNT_COLUMNS keeps its value before this rounding in
    `<col>_unrounded` (an existing demand_unrounded — the model's demand before the plan's own rounding — is kept
    as it is). Missing stays NaN. Idempotent. In/out: models.planning.gaps.gap_table's frame (a copy is returned).
    """
    out = gaps.copy()
    for c in COUNT_COLUMNS:
        if c in out and f"{c}_unrounded" not in out:
            out[f"{c}_unrounded"] = out[c].astype(float)

    if "demand" in out:
        nursing_share = _nursing_share_of_beds(out)
        out["demand"] = round_up(out["demand"])
        # nursing beds are a share of the whole beds to provide: ⌈share × ⌈bed demand⌉⌉ (the draft's rule, issue 23)
        ok = nursing_share.notna()
        bed_whole = out["demand"].where(out["service"] == "elderly_beds") if ok.any() else None
        if bed_whole is not None:
            beds = out.assign(_b=bed_whole).groupby(["region_code", "year"], sort=False)["_b"].transform("max")
            nursing = nursing_share[ok] * beds[ok]
            out.loc[ok, "demand"] = round_up(nursing)
            if "demand_unrounded" in out:  # the nursing demand before its own rounding: share × whole beds
                out.loc[ok, "demand_unrounded"] = nursing.astype(float)
    if "target" in out:
        out["target"] = round_up(out["target"])
    if "supply" in out:
        out["supply"] = np.floor(out["supply"].astype(float) + 0.5)
        if "demand" in out:
            out["gap"] = out["demand"] - out["supply"]
        if "target" in out:
            out["target_gap"] = out["target"] - out["supply"]
            if "achieved_share" in out:
                out["achieved_share"] = out["supply"] / out["target"].where(out["target"] != 0) * 100
    return out


# -- wiring: the plans' own numbers, or a projection -----------------------------------------------------------------

def plan_gaps(db=None, *, assumptions: str = "plan", years=YEARS, region: str | None = None,
              population: pd.DataFrame | None = None, explain: bool = True) -> pd.DataFrame:
    """gap_table from the database: assumptions 'plan' (the plans' populations and standards, existing supply),
    'model' (the projected `population` the caller passes in, plan standards, pipeline counted), or a JSON file/dict
    of standard overrides (applied to the plan standards; key "population": "model" uses the projection). Without
    `population`, model assumptions raise PopulationRequired: forecasting.planning.gaps is the entry point that
    projects and passes it in.
    """
    from models.planning.standards import plan_standards
    from models.planning.supply import supply_table
    from models.store.facts import all_facts, projects

    facts = all_facts(db)
    known = region_table(db)
    if region:  # one region's figures (and its province's, for the standards) decide what it reads
        province = known.set_index("region_code")["province_code"].get(region, "")
        standards = plan_standards(facts[facts["region_code"].isin([region, province])].reset_index(drop=True))
        facts = facts[facts["region_code"] == region].reset_index(drop=True)
    else:
        standards = plan_standards(facts)
    spec = None
    mode = assumptions if assumptions in ("plan", "model") else "plan"
    if assumptions not in ("plan", "model"):
        spec = read_spec(assumptions)
        if spec.get("population") == "model":
            mode = "model"
    if population is None:
        if mode != "plan":
            raise PopulationRequired("model assumptions need the projected population (forecasting.planning.gaps)")
        population = plan_population(facts, years=years)
    names = dict(zip(known["region_code"], known["region_name"]))
    # every region with facts and every region the population covers (a projection: every registry region and
    # every imported one); a region without standards of its own takes its province's plan standards, else the
    # '*' (national) ones
    codes = [region] if region else sorted(set(facts["region_code"]) | set(population["region_code"].astype(str)))
    provinces = dict(zip(known["region_code"], known["province_code"]))
    standards = standards.inherit({c: provinces.get(c, "") for c in codes}, names)
    if mode == "model":
        # a projection replaces the plan's population quirks (e.g. Yuzhong applying 4.5‰ to its 2020 population)
        standards = standards.override(count_pipeline=True, childcare_population_year=None, childcare_round_to=None,
                                       beds_round_to=None)
    supply = supply_table(facts, projects(db), years=years)
    if region:
        population = population[population["region_code"] == region]
        supply = supply[supply["region_code"] == region]
    # the standards of the period: the plans' up to 2025; 十五五 targets after (models.planning.targets, issue 23)
    from models.planning.targets import REVIEW_YEAR, period_standards

    figures = plan_figures(facts)
    parts = []
    for period in ([y for y in years if y <= REVIEW_YEAR], [y for y in years if y > REVIEW_YEAR]):
        if period:
            st = period_standards(standards, facts, year=max(period))
            st = st.with_overrides(spec) if spec else st
            parts.append(gap_table(population, st, supply, years=period, figures=figures, names=names,
                                   regions=codes, explain=explain))
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True).sort_values(["region_code", "year"], kind="stable",
                                                           ignore_index=True)


def region_table(db=None) -> pd.DataFrame:
    """Every region the gap table can name: the regions table (base and user-added) and the census registry, with
    region_code, region_name and province_code (a region's province; '' for the nation and where unknown)."""
    from models.store.census import choosable_regions
    from models.store.facts import regions

    reg = choosable_regions(db)[["region_code", "region_name", "province_code"]]
    base = regions(db)
    extra = base[~base["code"].isin(set(reg["region_code"]))]
    if len(extra):  # regions the registry does not know: a province is its own, others take their parent's
        prov = dict(zip(reg["region_code"], reg["province_code"]))
        extra = pd.DataFrame({"region_code": extra["code"], "region_name": extra["name_zh"],
                              "province_code": [c if lv == "province" else prov.get(p, "") for c, p, lv in
                                                zip(extra["code"], extra["parent_code"], extra["level"])]})
        reg = pd.concat([reg, extra], ignore_index=True)
    # the regions table's names first (what the plans call them), the registry's for the rest
    names = dict(zip(base["code"], base["name_zh"]))
    reg = reg.assign(region_name=[names.get(c, n) for c, n in zip(reg["region_code"], reg["region_name"])],
                     province_code=reg["province_code"].fillna("").astype(str))
    return reg.drop_duplicates("region_code").reset_index(drop=True)


def read_spec(spec) -> dict:
    """A standards/assumptions spec: a dict as it is, or a JSON file ({"beds_per_1000_elderly": 35} or
    {"500103": {"nursing_share": 60}}); FileNotFoundError / ValueError (zh/en) for a missing or invalid file."""
    if isinstance(spec, dict):
        return spec
    import json
    from pathlib import Path

    try:
        out = json.loads(Path(spec).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"找不到假设文件 {spec} / assumptions file not found") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"假设文件不是有效的 JSON：{exc} / assumptions file is not valid JSON") from exc
    if not isinstance(out, dict):
        raise ValueError("假设文件须为 JSON 对象 / the assumptions file must hold a JSON object")
    return out


class PopulationRequired(ValueError):
    """plan_gaps with model assumptions needs the projected population passed in (models/ never projects)."""


def projected_population(projection: pd.DataFrame, *, years=YEARS) -> pd.DataFrame:
    """The population rows of a projection table (forecasting's tidy contract) for `years`."""
    return projection[projection["indicator"].isin(POPULATION_INDICATORS) & projection["year"].isin(list(years))]
