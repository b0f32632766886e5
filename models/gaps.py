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
     scenario, value, ...); standards — models.standards.Standards; supply — models.supply.supply_table.
Out: `gap_table(...)`: one row per region, service, year with GAP_COLUMNS first, then the stated figures
     (demand_stated, gap_stated and their differences), the population used, `formula` (the arithmetic with the
     numbers) and `inputs` (list of dicts: name, value, year, fact_id, source, quote). A missing input gives NaN with
     a reason, never 0.

Messages are codes (models/messages.py), rendered in the reader's language at the edge with `texts(...)` or
`reason_text` / `method_text`:
- `method_code`: how demand is computed — per_1000 | institutional | needs | none (elderly beds, by the bed
  method), nursing_share (nursing beds), places_per_1000 (childcare); i18n key 'gap_method_<code>'. The population
  behind it is `population_method` (stated | interpolated | the projection's method/scenario).
- `reason_codes`: why a number is unknown, a list of {part: demand | supply | target, code, params} (params a dict;
  code a key of models.i18n.STRINGS, e.g. gap_no_elderly {year}, gap_elderly_other_basis {bases, basis},
  supply_no_count, gap_no_target); empty when every number is known. JSON-ready; rows share equal dicts, so treat
  them as read-only.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from models.catalogue import SERVICES
from models.i18n import t
from models.messages import BASIS_UNSTATED, Message, message
from models.standards import Standards, stated_halfwidth
from models.supply import NO_COUNT

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


def _normalise_population(population: pd.DataFrame) -> pd.DataFrame:
    p = population.copy()
    for c, default in (("basis", ""), ("method", "projection"), ("fact_id", ""), ("source", ""), ("quote", "")):
        if c not in p:
            p[c] = default
        p[c] = p[c].fillna(default)
    if "scenario" in p:  # a projection: name the scenario in the method
        p["method"] = p["method"].astype(str) + np.where(p["scenario"].notna(), "/" + p["scenario"].astype(str), "")
    p["basis"] = np.where((p["indicator"] == "population_registered") & (p["basis"] == ""), "户籍", p["basis"])
    p["year"] = p["year"].astype(int)
    return p[p["indicator"].isin(POPULATION_INDICATORS) & p["value"].notna()]


_BASIS_RANK = {"常住": {"常住": 0, "": 1}, "户籍": {"户籍": 0, "": 1}, "": {"常住": 0, "": 1, "户籍": 2}}


def _pick_population(pop: pd.DataFrame, keys: pd.DataFrame, indicators: tuple, basis_col: str,
                     year_col: str) -> pd.DataFrame:
    """For each key row (region_code, year_col, basis_col) the best population row: basis as required, then
    resident before registered (then the first stated). Returns the key columns with value, basis, method, fact_id,
    source, quote (prefixed 'p_'), in the order of `keys`. Dictionary lookups: fast for one region (the
    workbench's rerun) and for thousands."""
    p = pop[pop["indicator"].isin(indicators)]
    ind_rank = {ind: i for i, ind in enumerate(indicators)}
    cand: dict[tuple, list] = {}
    cols = ["indicator", "value", "basis", "method"] + _PROV_COLS
    for row in zip(p["region_code"], p["year"], *(p[c] for c in cols)):
        cand.setdefault((row[0], int(row[1])), []).append(row[2:])
    picked = []
    missing = (np.nan,) * len(cols)
    for code, year, req in zip(keys["region_code"], keys[year_col], keys[basis_col]):
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
    out = keys[["region_code", year_col, basis_col]].reset_index(drop=True)
    values = list(zip(*picked)) if picked else [[] for _ in cols]
    for c, v in zip(cols, values):
        out["p_" + c] = pd.Series(v, dtype=float) if c == "value" else pd.Series(v, dtype=object)
    return out


def _population_reason(pop: pd.DataFrame, df: pd.DataFrame, indicators: tuple, year_col: str, basis_col: str,
                       codes: tuple[str, str]) -> pd.Series:
    """Why no population was found, as a Message: codes[0] {year} (none for the year) or codes[1] {bases, basis}
    (only another basis); None where one was found."""
    full, df = df, df[df["_missing"]] if "_missing" in df else df
    out = pd.Series(None, index=full.index, dtype=object)
    if df.empty:
        return out
    p = pop[pop["indicator"].isin(indicators) & pop["region_code"].isin(df["region_code"].unique())]
    bases: dict[tuple, set] = {}  # (region, year) → the bases stated (a handful: 常住, 户籍, unstated)
    for code, year, b in zip(p["region_code"], p["year"], p["basis"]):
        bases.setdefault((code, int(year)), set()).add(b or BASIS_UNSTATED)
    out[df.index] = [message(codes[1], bases="、".join(sorted(bases[(c, int(y))])), basis=b) if (c, int(y)) in bases
                     else message(codes[0], year=int(y))
                     for c, y, b in zip(df["region_code"], df[year_col], df[basis_col])]
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

def _round_to(x: pd.Series, step: pd.Series) -> pd.Series:
    return pd.Series(np.where(step.notna(), np.floor(x / step + 0.5) * step, x), index=x.index)


def _n(x) -> str:
    if x is None or pd.isna(x):
        return "未提供"
    x = float(x)
    return f"{x:,.0f}" if x.is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def gap_table(population: pd.DataFrame, standards: Standards, supply: pd.DataFrame, *, years=YEARS,
              figures: pd.DataFrame | None = None, names: dict | None = None, regions=None,
              explain: bool = True) -> pd.DataFrame:
    """Demand, supply, gap, target and target gap per region, service and year (see the module docstring).

    In:  population (tidy, persons), standards, supply (models.supply.supply_table), figures (plan_figures: stated
         demand/gap/targets; None = none), names {region_code: name}, regions (codes; default: every region in
         supply, population or standards). `explain=False` skips the formula/inputs text (faster for many regions).
    Out: GAP_COLUMNS, then achieved_share (%), demand_unrounded, supply_existing, pipeline, supply_year,
         demand_stated, demand_difference (stated − computed), gap_stated, gap_difference, target_recomputed,
         population_indicator, population_year, population_basis, population_method, formula, inputs,
         reason_codes (method_code and reason_codes: see the module docstring; render them with `texts`).
    """
    years = list(years)
    pop = _normalise_population(population)
    codes = sorted(set(regions) if regions is not None else
                   set(supply["region_code"]) | set(pop["region_code"]) | set(standards.regions))
    st = standards.frame(codes)
    base = pd.MultiIndex.from_product([codes, years], names=["region_code", "year"]).to_frame(index=False)
    base = base.merge(st, on="region_code", how="left")
    base["pop_year"] = np.where(base["childcare_population_year"].notna(), base["childcare_population_year"],
                                base["year"]).astype(int)

    # elderly population in the demand year; total population in the standard's population year
    e = _pick_population(pop, base, ("elderly_60plus",), "elderly_basis", "year")
    t = _pick_population(pop, base, ("population_resident", "population_registered"), "population_basis", "pop_year")
    E, P = e["p_value"], t["p_value"]
    e_reason = _population_reason(pop, base.assign(_missing=E.isna().values), ("elderly_60plus",), "year",
                                  "elderly_basis", ("gap_no_elderly", "gap_elderly_other_basis"))
    t_reason = _population_reason(pop, base.assign(_missing=P.isna().values),
                                  ("population_resident", "population_registered"), "pop_year", "population_basis",
                                  ("gap_no_total_population", "gap_total_other_basis"))

    # elderly-care beds
    m = base["bed_method"]
    raw_beds = pd.Series(np.select(
        [m == "per_1000", m == "institutional", m == "needs"],
        [base["beds_per_1000_elderly"] * E / 1000, base["institutional_share"] / 100 * E,
         E * base["disabled_share"] / 100 * base["supported_share"] / 100], default=np.nan), index=base.index)
    beds = _round_to(raw_beds, base["beds_round_to"])
    bed_reason = pd.Series(np.where(m == "", _NO_BED_STANDARD, np.where(E.isna(), e_reason, None)), index=base.index)
    # nursing beds
    nursing = base["nursing_share"] / 100 * beds
    nursing_reason = pd.Series(np.where(base["nursing_share"].isna(), _NO_NURSING_SHARE, bed_reason),
                               index=base.index)
    # childcare places
    raw_places = base["places_per_1000"] * P / 1000
    places = _round_to(raw_places, base["childcare_round_to"])
    place_reason = pd.Series(np.where(base["places_per_1000"].isna(), _NO_CHILDCARE_STANDARD,
                                      np.where(P.isna(), t_reason, None)), index=base.index)

    frames = []
    for service, demand, raw, reason, popf, pop_year in (
            ("elderly_beds", beds, raw_beds, bed_reason, e, base["year"]),
            ("nursing_beds", nursing, nursing, nursing_reason, e, base["year"]),
            ("childcare_places", places, raw_places, place_reason, t, base["pop_year"])):
        frames.append(base.assign(
            service=service, demand=demand.astype(float), demand_unrounded=raw.astype(float),
            demand_reason=np.where(demand.isna(), reason, None), population_value=popf["p_value"].values,
            population_indicator=popf["p_indicator"].values, population_year=pop_year.values,
            population_basis=popf["p_basis"].values, population_method=popf["p_method"].values,
            population_prov=[{"fact_id": a, "source": b, "quote": c} for a, b, c in
                             zip(popf["p_fact_id"], popf["p_source"], popf["p_quote"])],
            beds_demand=beds.values))
    df = pd.concat(frames, ignore_index=True)

    # supply
    df = df.merge(supply, on=["region_code", "service", "year"], how="left")
    df["pipeline"] = df["pipeline"].fillna(0.0)
    df["supply"] = np.where(df["count_pipeline"].astype(bool), df["supply_existing"] + df["pipeline"],
                            df["supply_existing"])
    df["supply_reason"] = [r if isinstance(r, Message) else NO_COUNT for r in df["supply_reason"]]
    df["gap"] = df["demand"] - df["supply"]

    # stated figures and targets
    fig = figures if figures is not None else pd.DataFrame(columns=["region_code", "service", "year"])
    df = df.merge(fig, on=["region_code", "service", "year"], how="left")
    for c in ("demand_stated", "gap_stated", "target_count", "target_rate"):
        if c not in df:
            df[c], df[c + "_prov"] = np.nan, None
        df[c] = df[c].astype(float)
    bed_target = df.loc[df["service"] == "elderly_beds", ["region_code", "year", "target_count"]]
    bed_target = df[["region_code", "year"]].merge(bed_target.rename(columns={"target_count": "_bt"}),
                                                   on=["region_code", "year"], how="left")["_bt"]
    bed_target.index = df.index
    df["target_recomputed"] = np.select(
        [df["service"] == "nursing_beds", df["service"] == "childcare_places"],
        [df["target_rate"] / 100 * bed_target, df["target_rate"] * df["population_value"] / 1000], default=np.nan)
    df["target"] = df["target_count"].fillna(df["target_recomputed"])
    df["target_method"] = np.where(df["target_count"].notna(), "stated",
                                   np.where(df["target_recomputed"].notna(), "rate × base", ""))
    df["target_gap"] = df["target"] - df["supply"]
    df["achieved_share"] = df["supply"] / df["target"] * 100
    df["demand_difference"] = df["demand_stated"] - df["demand"]
    df["gap_difference"] = df["gap_stated"] - df["gap"]
    df["reason_codes"] = _reasons(df)
    df["method_code"] = _methods(df)
    df["region_name"] = [(names or {}).get(c, "") for c in df["region_code"]]
    if explain:
        df["formula"] = _formulas(df)
        df["inputs"] = _inputs(df)
    else:
        df["formula"], df["inputs"] = "", [[] for _ in range(len(df))]
    extra = ["achieved_share", "demand_unrounded", "supply_existing", "pipeline", "supply_year", "demand_stated",
             "demand_difference", "gap_stated", "gap_difference", "target_recomputed", "target_method",
             "population_indicator", "population_year", "population_basis", "population_method", "formula", "inputs",
             "reason_codes"]
    order = {s: i for i, s in enumerate(SERVICES)}
    df = df.sort_values(["region_code", "year"], kind="stable")
    df = df.iloc[np.lexsort((df["service"].map(order), df["year"], df["region_code"]))]
    return df[GAP_COLUMNS + extra].reset_index(drop=True)


# -- reasons and methods as codes (rendered at the edge: texts, reason_text, method_text) ----------------------------

_NO_BED_STANDARD = message("gap_no_bed_standard")
_NO_NURSING_SHARE = message("gap_no_nursing_share")
_NO_CHILDCARE_STANDARD = message("gap_no_childcare_standard")
_NO_TARGET = message("gap_no_target")


def _reasons(df: pd.DataFrame) -> list[list[dict]]:
    """Per row the reason_codes (see the module docstring): the demand, supply and target Message of every missing
    number. Equal reasons share one dict (thousands of rows, a handful of distinct reasons)."""
    items: dict[tuple, dict] = {}

    def item(part: str, m: Message) -> dict:
        if (part, m) not in items:
            items[(part, m)] = {"part": part, **m.as_dict()}
        return items[(part, m)]

    out = []
    for d, dr, s, sr, tg in zip(df["demand"].isna().tolist(), df["demand_reason"].tolist(),
                                df["supply"].isna().tolist(), df["supply_reason"].tolist(), df["target"].isna().tolist()):
        row = []
        if d and isinstance(dr, Message):
            row.append(item("demand", dr))
        if s and isinstance(sr, Message):
            row.append(item("supply", sr))
        if tg:
            row.append(item("target", _NO_TARGET))
        out.append(row)
    return out


def _methods(df: pd.DataFrame) -> pd.Series:
    """method_code per row (see the module docstring)."""
    m = df["bed_method"].replace({"": "none"})
    m = np.where(df["service"] == "nursing_beds", "nursing_share", m)
    return pd.Series(np.where(df["service"] == "childcare_places", "places_per_1000", m), index=df.index)


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


def _formulas(df: pd.DataFrame) -> list[str]:
    out = []
    cols = ["service", "bed_method", "beds_per_1000_elderly", "institutional_share", "disabled_share",
            "supported_share", "nursing_share", "places_per_1000", "population_value", "population_indicator",
            "population_year", "population_basis", "demand_unrounded", "demand", "beds_demand", "supply",
            "supply_existing", "pipeline", "count_pipeline", "supply_formula", "supply_year", "gap", "target",
            "target_method", "target_rate", "target_gap", "demand_stated", "gap_stated"]
    for r in df[cols].itertuples(index=False):
        pop = f"{r.population_indicator or 'population'}({r.population_year}{', ' + r.population_basis if isinstance(r.population_basis, str) and r.population_basis else ''}) {_n(r.population_value)}"
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
        s = f"supply = {r.supply_formula or _n(r.supply_existing)}"
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


def _inputs(df: pd.DataFrame) -> list[list[dict]]:
    params = {"elderly_beds": {"per_1000": ["beds_per_1000_elderly"], "institutional": ["institutional_share"],
                               "needs": ["disabled_share", "supported_share"], "": []},
              "nursing_beds": ["nursing_share"], "childcare_places": ["places_per_1000", "childcare_population_year",
                                                                       "childcare_round_to"]}
    out = []
    for r in df.to_dict("records"):
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
        for s in r.get("supply_inputs") or []:
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


def whole_counts(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gap table in whole beds and places, as shown to people and written to files (CLI, pages, export, brief).

    demand and target are rounded UP (a need of 2,346.5 beds is met only by 2,347); supply is a count, rounded to
    the nearest whole; gap = demand − supply and target_gap = target − supply are recomputed from the whole
    numbers, achieved_share (%) from them. Each of COUNT_COLUMNS keeps its value before this rounding in
    `<col>_unrounded` (an existing demand_unrounded — the model's demand before the plan's own rounding — is kept
    as it is). Missing stays NaN. Idempotent. In/out: models.gaps.gap_table's frame (a copy is returned).
    """
    out = gaps.copy()
    for c in COUNT_COLUMNS:
        if c in out and f"{c}_unrounded" not in out:
            out[f"{c}_unrounded"] = out[c].astype(float)

    def up(s: pd.Series) -> pd.Series:
        return np.ceil(s.astype(float) - _EPS)

    if "demand" in out:
        out["demand"] = up(out["demand"])
    if "target" in out:
        out["target"] = up(out["target"])
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
    from models.facts import all_facts, projects, regions
    from models.standards import plan_standards
    from models.supply import supply_table

    facts = all_facts(db)
    if region:  # one region's figures decide its standards, supply, population and stated figures
        facts = facts[facts["region_code"] == region].reset_index(drop=True)
    standards = plan_standards(facts)
    spec = None
    mode = assumptions if assumptions in ("plan", "model") else "plan"
    if assumptions not in ("plan", "model"):
        spec = assumptions
        if not isinstance(spec, dict):
            import json
            from pathlib import Path

            try:
                spec = json.loads(Path(spec).read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise FileNotFoundError(f"找不到假设文件 {assumptions} / assumptions file not found") from None
            except json.JSONDecodeError as exc:
                raise ValueError(f"假设文件不是有效的 JSON：{exc} / assumptions file is not valid JSON") from exc
        if spec.get("population") == "model":
            mode = "model"
    if mode == "model":
        # a projection replaces the plan's population quirks (e.g. Yuzhong applying 4.5‰ to its 2020 population)
        standards = standards.override(count_pipeline=True, childcare_population_year=None, childcare_round_to=None,
                                       beds_round_to=None)
    if spec:
        standards = standards.with_overrides(spec)
    if population is None:
        if mode != "plan":
            raise PopulationRequired("model assumptions need the projected population (forecasting.planning.gaps)")
        population = plan_population(facts, years=years)
    supply = supply_table(facts, projects(db), years=years)
    names = dict(zip(regions(db)["code"], regions(db)["name_zh"]))
    codes = sorted(set(facts["region_code"]))
    if region:
        codes = [region]
        population = population[population["region_code"] == region]
        supply = supply[supply["region_code"] == region]
    return gap_table(population, standards, supply, years=years, figures=plan_figures(facts), names=names,
                     regions=codes, explain=explain)


class PopulationRequired(ValueError):
    """plan_gaps with model assumptions needs the projected population passed in (models/ never projects)."""


def projected_population(projection: pd.DataFrame, *, years=YEARS) -> pd.DataFrame:
    """The population rows of a projection table (forecasting's tidy contract) for `years`."""
    return projection[projection["indicator"].isin(POPULATION_INDICATORS) & projection["year"].isin(list(years))]
