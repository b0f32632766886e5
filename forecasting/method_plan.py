"""The `plan` method: each plan's own arithmetic from its own stated inputs."""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.assumptions import PLAN_RATE_INDICATORS
from forecasting.contract import INFANT_COHORTS, START_YEAR
from forecasting.inputs import Anchor, Inputs, population_indicator
from models.store.database import Database


# -- plan method -------------------------------------------------------------------------------------------
def plan_defaults(region: str, db: Database | None = None, *, inputs: Inputs | None = None) -> dict:
    """The plan's stated assumptions for `region`: {field: {value, unit, year, fact_id, quote, kind}}.

    Fields: population_growth (%/yr), elderly_growth (%/yr), aging_rate_increment (pp/yr), birth_rate (‰),
    births (persons/yr). Only those the plan states; looked up by indicator and kind, never by fact id.
    """
    inp = inputs or Inputs.load(db)
    key = ("plan_defaults", region)
    if key in inp.memo:
        return inp.memo[key]
    out = {}
    for name, ind in PLAN_RATE_INDICATORS.items():
        f = inp.fact(region, ind, ("assumption", "plan_projection", "observed"))
        if f is None or (name in ("birth_rate", "births") and f["kind"] == "observed"):
            continue
        out[name] = {k: f[k] for k in ("value", "unit", "year", "fact_id", "quote", "kind")}
        out[name]["year"] = int(out[name]["year"])
    inp.memo[key] = out
    return out


def geometric(base_year: int, base: float, rate_pct: float, years) -> pd.Series:
    return pd.Series({t: base * (1 + rate_pct / 100) ** (t - base_year) for t in years}, dtype=float)


def stated_path(base: Anchor | None, end: Anchor, years) -> tuple[pd.Series, pd.Series]:
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


def from_base(base: Anchor, path: pd.Series, note) -> tuple[pd.Series, pd.Series]:
    """A path the plan states from its base year by a rule (a rate, an increment): the values from the base year
    on (NaN before it) and a note per year ('observed' in the base year, then note(t))."""
    vals = path.copy()
    vals[vals.index < base.year] = np.nan
    notes = pd.Series({t: ("observed" if t == base.year else note(t)) if t >= base.year
                       else "未提供: before the plan's base year" for t in path.index})
    return vals, notes


def endpoint(inp: Inputs, region: str, indicator: str, kinds=("plan_projection",)) -> Anchor | None:
    f = inp.fact(region, indicator, kinds)
    return None if f is None else Anchor(int(f["year"]), float(f["value"]), f["basis"] or "", f["fact_id"])


def plan_paths(inp: Inputs, region: str, years: range) -> dict:
    """indicator → (values Series, notes Series, basis, method_detail, inputs) by the plan's own arithmetic."""
    d = plan_defaults(region, inputs=inp)
    out = {}

    def put(ind, vals, notes, basis, detail, inputs):
        out[ind] = (vals.reindex(years), notes.reindex(years).fillna("未提供"), basis, detail, inputs)

    # population (observed base; derived from elderly / aging rate when the plan gives only those)
    pop_base = None
    f = inp.fact(region, "population_resident", ("observed",)) or inp.fact(region, "population_registered",
                                                                            ("observed",))
    if f is not None:
        pop_base = Anchor(int(f["year"]), float(f["value"]), f["basis"] or "", f["fact_id"])
    else:
        e, r = inp.fact(region, "elderly_60plus", ("observed",)), None
        if e is not None:
            r = inp.fact(region, "aging_rate", ("observed",), year=int(e["year"]))
        if e is not None and r is not None:
            pop_base = Anchor(int(e["year"]), e["value"] * 100 / r["value"], e["basis"] or "",
                               f"derived {e['fact_id']}/{r['fact_id']}")
    pop_end = endpoint(inp, region, "population_resident", ("plan_projection", "assumption")) \
        or endpoint(inp, region, "population_registered", ("plan_projection", "assumption"))
    if pop_end is None:
        e, r = endpoint(inp, region, "elderly_60plus"), endpoint(inp, region, "aging_rate")
        if e is not None and r is not None and e.year == r.year:
            pop_end = Anchor(e.year, e.value * 100 / r.value, e.basis, f"derived {e.ref}/{r.ref}")
    pop = None
    if pop_base is not None and "population_growth" in d:
        g = d["population_growth"]
        vals, notes = from_base(pop_base, geometric(pop_base.year, pop_base.value, g["value"], years),
                                lambda t: "stated rate" if t <= g["year"] else
                                "stated rate continued beyond the plan horizon (our assumption)")
        check = f"; plan states {pop_end.value:,.0f} in {pop_end.year} ({pop_end.ref})" if pop_end else ""
        pop = (vals, notes, pop_base.basis, f"population(t) = {pop_base.value:,.0f} × (1 {g['value']:+.2f}%)^(t−"
               f"{pop_base.year}) (stated rate){check}", f"{pop_base.ref}; {g['fact_id']}")
    elif pop_end is not None:
        vals, notes = stated_path(pop_base, pop_end, years)
        pop = (vals, notes, pop_end.basis or (pop_base.basis if pop_base else ""),
               "stated endpoint, method not given; geometric interpolation from the observed base",
               "; ".join(a.ref for a in (pop_base, pop_end) if a))
    if pop is not None:
        put(population_indicator(pop[2]), *pop)

    # elderly 60+
    e_base = endpoint(inp, region, "elderly_60plus", ("observed",))
    e_end = endpoint(inp, region, "elderly_60plus")
    r_base = endpoint(inp, region, "aging_rate", ("observed",))
    if e_base is not None and "elderly_growth" in d:
        g = d["elderly_growth"]
        vals, notes = from_base(e_base, geometric(e_base.year, e_base.value, g["value"], years),
                                lambda t: "stated rate")
        put("elderly_60plus", vals, notes, e_base.basis,
            f"elderly(t) = {e_base.value:,.0f} × (1 + {g['value']:.2f}%)^(t−{e_base.year}) (stated rate)",
            f"{e_base.ref}; {g['fact_id']}")
    elif r_base is not None and "aging_rate_increment" in d and pop is not None:
        g = d["aging_rate_increment"]
        rate, notes = from_base(r_base, pd.Series({t: r_base.value + g["value"] * (t - r_base.year) for t in years},
                                                  dtype=float), lambda t: "stated increment")
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
        vals, notes = stated_path(e_base, e_end, years)
        put("elderly_60plus", vals, notes, e_end.basis or (e_base.basis if e_base else ""),
            "stated endpoint, method not given; geometric interpolation from the observed base",
            "; ".join(a.ref for a in (e_base, e_end) if a))
    elif e_base is not None:
        vals, notes = stated_path(None, e_base, years)
        put("elderly_60plus", vals, notes.where(vals.isna(), f"observed ({e_base.ref})").where(
            vals.notna(), "未提供: the plan states no projection"),
            e_base.basis, "observed only; the plan states no projection", e_base.ref)
    a_end = endpoint(inp, region, "aging_rate")
    if "aging_rate" not in out and a_end is not None:
        vals, notes = stated_path(r_base, a_end, years)
        put("aging_rate", vals, notes, a_end.basis, "stated endpoint, method not given (percent)",
            "; ".join(a.ref for a in (r_base, a_end) if a))

    # infants 0-3
    i_base = endpoint(inp, region, "infants_0_3", ("observed",))
    i_end = endpoint(inp, region, "infants_0_3")
    if i_end is not None:
        vals, notes = stated_path(i_base, i_end, years)
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
        vals, notes = stated_path(None, i_base, years)
        put("infants_0_3", vals, notes.where(vals.isna(), f"observed ({i_base.ref})").where(
            vals.notna(), "未提供: the plan states no projection"),
            i_base.basis, "observed only; the plan states no projection", i_base.ref)
    return out
