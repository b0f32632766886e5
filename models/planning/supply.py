"""Supply (供给) of elderly-care beds, nursing beds and childcare places by region and year.

In:  facts (models.store.facts.all_facts: kind=observed counts with their year), projects (models.store.facts.projects: the
     pipeline, capacity and completion year) and the supply rules of data/standards.csv.
Out: `supply_table(...)`: one row per region, service, year with
     supply_existing  the latest stated count in or before the year (carried forward; NaN before the first count),
     supply_year      the year of that count,
     pipeline         net capacity of planned projects completed by the year (end_year ≤ year),
     supply_method, supply_formula, supply_inputs (list of dicts with fact_id, quote), supply_reason (why NaN:
     a models.core.messages.Message — supply_no_count, or supply_none_before with the first year — None with a count),
     supply_alternatives (other statements of the same count that were not chosen).

Rules (documented, each with its source in data/standards.csv):
- Childcare supply counts institution places plus kindergarten 托班 places stated separately (Yuzhong's gap
  1639 = 2650 − 181 − 830). A count that a declared sum relation uses as a *part* of a same-indicator total is
  still a statement of that indicator for its part; when two statements of one count disagree, the more precise
  one wins, then the one in running text over the one in an indicator table (the plans' own gap arithmetic uses
  the text), and the other is listed in supply_alternatives.
- Nursing beds: the stated count; else, for a year with a stated nursing-bed share and bed count, share × beds
  (method 'derived').
- Pipeline: a project adds its capacity, unless a `pipeline_replaces` rule says it replaces existing beds of an
  indicator (Yuzhong's welfare home rebuilds the existing public home: 500 − 325 = +175 beds).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from models.core.catalogue import SERVICES
from models.core.messages import message
from models.planning.standards import stated_halfwidth, supply_rules

YEARS = range(2020, 2036)
SUPPLY_COLUMNS = ["region_code", "service", "year", "supply_existing", "supply_year", "pipeline", "supply_method",
                  "supply_formula", "supply_inputs", "supply_reason", "supply_alternatives"]
NO_COUNT = message("supply_no_count")  # the plan states no current count (also where a region has no supply row)


def _is_table(quote: str) -> bool:
    """Indicator-table cells are quoted with their ' |' or tab separators; running text has neither."""
    return "|" in quote or "\t" in quote


def _pick(group: pd.DataFrame) -> tuple[pd.Series, list]:
    """One statement of a count: most precise, then text over table. Returns (chosen row, alternatives)."""
    g = group.assign(_half=[stated_halfwidth(v, q) for v, q in zip(group["value"], group["quote"])],
                     _table=[_is_table(q) for q in group["quote"]])
    g = g.sort_values(["_half", "_table", "fact_id"])
    chosen = g.iloc[0]
    alts = [_ref(r) for _, r in g.iloc[1:].iterrows() if r["value"] != chosen["value"]]
    return chosen, alts


def _ref(r) -> dict:
    return {"indicator": r["indicator"], "year": int(r["year"]), "value": float(r["value"]), "fact_id": r["fact_id"],
            "source": r["source"], "quote": r["quote"]}


def _fmt(x: float) -> str:
    return "未提供" if x is None or pd.isna(x) else (f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}")


def observed_counts(facts: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stated supply per region, service and observation year (no carrying forward).

    Columns: region_code, service, obs_year, value, method, formula, inputs (list of dicts), alternatives.
    Each statement's precision is computed once and the statements are bucketed by region, year and indicator in
    one pass (the choice per bucket is `_pick`'s: most precise, then text over table, then fact_id).
    """
    rules = supply_rules() if rules is None else rules
    components = {s: list(rules.loc[(rules["standard"] == "supply_component") & (rules["service"] == s), "value"])
                  for s in SERVICES}
    wanted = set(SERVICES) | {c for cs in components.values() for c in cs} | {"nursing_bed_share"}
    obs = facts[(facts["kind"] == "observed") & facts["value"].notna() & facts["year"].notna()
                & facts["indicator"].isin(list(wanted))]
    o = obs[["region_code", "year", "indicator", "value", "fact_id", "source", "quote"]].copy()
    o["year"] = o["year"].astype(int)
    o["value"] = o["value"].astype(float)
    o["_half"] = [stated_halfwidth(v, q) for v, q in zip(o["value"], o["quote"])]
    o["_table"] = [_is_table(q) for q in o["quote"]]
    o = o.sort_values(["_half", "_table", "fact_id"])
    buckets: dict[tuple, list[dict]] = {}
    for r in o.to_dict("records"):
        buckets.setdefault((r["region_code"], r["year"], r["indicator"]), []).append(r)

    def pick(key):
        rows = buckets.get(key)
        if not rows:
            return None, []
        chosen = rows[0]
        return chosen, [_ref(r) for r in rows[1:] if r["value"] != chosen["value"]]

    out = []
    for code, year in sorted({(k[0], k[1]) for k in buckets}):
        for service in SERVICES:
            chosen, alts = pick((code, year, service))
            if chosen is None:
                continue
            inputs, value = [_ref(chosen)], float(chosen["value"])
            parts = [f"{service} {_fmt(value)}"]
            for comp in components[service]:
                cc, calts = pick((code, year, comp))
                if cc is not None:
                    inputs.append(_ref(cc))
                    alts += calts
                    value += float(cc["value"])
                    parts.append(f"{comp} {_fmt(cc['value'])}")
            formula = " + ".join(parts) + (f" = {_fmt(value)}" if len(parts) > 1 else "")
            out.append((code, service, int(year), value, "stated", formula, inputs, alts))
        # nursing beds derived from a stated share and bed count of the same year
        if (code, year, "nursing_beds") in buckets:
            continue
        s, _ = pick((code, year, "nursing_bed_share"))
        b, _ = pick((code, year, "elderly_beds"))
        if s is not None and b is not None:
            value = float(s["value"]) * float(b["value"]) / 100
            formula = f"nursing_bed_share {_fmt(s['value'])}% × elderly_beds {_fmt(b['value'])} = {_fmt(value)}"
            out.append((code, "nursing_beds", int(year), value, "derived: share × beds", formula,
                        [_ref(s), _ref(b)], []))
    df = pd.DataFrame(out, columns=["region_code", "service", "obs_year", "value", "method", "formula", "inputs",
                                    "alternatives"])
    return df.astype({"region_code": "str", "service": "str", "obs_year": "int64", "value": "float64"})  # typed when empty


def pipeline_table(projects: pd.DataFrame, facts: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net capacity each project adds, with its completion year and the rule applied.

    Columns: project_id, region_code, service, end_year, capacity, replaced, net, treatment, quote.
    """
    rules = supply_rules() if rules is None else rules
    out = []
    for p in projects.to_dict("records"):
        if p.get("indicator") not in SERVICES or pd.isna(p.get("capacity")) or pd.isna(p.get("end_year")):
            continue
        r = rules[(rules["region_code"] == p["region_code"]) & (rules["service"] == p["indicator"])
                  & rules["standard"].isin(["pipeline_replaces", "pipeline_adds"])]
        replaced, treatment = 0.0, "adds (no statement that it replaces existing capacity)"
        if not r.empty and r.iloc[0]["standard"] == "pipeline_replaces":
            ind = r.iloc[0]["value"]
            ex = facts[(facts["region_code"] == p["region_code"]) & (facts["indicator"] == ind)
                       & (facts["kind"] == "observed") & facts["value"].notna()]
            if ex.empty:
                replaced, treatment = np.nan, f"replaces existing {ind}, whose count is not stated"
            else:
                e, _ = _pick(ex[ex["year"] == ex["year"].max()])
                replaced = float(e["value"])
                treatment = f"replaces existing {ind} {_fmt(replaced)} ({e['fact_id']}: {e['quote']})"
        elif not r.empty:
            treatment = f"adds ({r.iloc[0]['quote']})"
        out.append({"project_id": p["project_id"], "region_code": p["region_code"], "service": p["indicator"],
                    "end_year": int(p["end_year"]), "capacity": float(p["capacity"]), "replaced": replaced,
                    "net": float(p["capacity"]) - replaced, "treatment": treatment, "quote": p["quote"]})
    return pd.DataFrame(out, columns=["project_id", "region_code", "service", "end_year", "capacity", "replaced",
                                      "net", "treatment", "quote"])


def supply_table(facts: pd.DataFrame, projects: pd.DataFrame | None = None, *, years=YEARS,
                 rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Supply by region, service and year (see the module docstring for columns and rules)."""
    rules = supply_rules() if rules is None else rules
    obs = observed_counts(facts, rules)
    codes = sorted(facts["region_code"].unique())
    grid = pd.MultiIndex.from_product([codes, SERVICES, list(years)], names=["region_code", "service", "year"])
    grid = grid.to_frame(index=False).astype({"region_code": "str", "service": "str"})  # typed when empty
    obs_sorted = obs.sort_values("obs_year")
    # latest count in or before each year: merge_asof by year within region+service
    merged = pd.merge_asof(grid.sort_values("year"), obs_sorted, left_on="year", right_on="obs_year",
                           by=["region_code", "service"], direction="backward")
    first = obs.groupby(["region_code", "service"])["obs_year"].min()
    merged = merged.join(first.rename("first_year"), on=["region_code", "service"])
    merged["supply_reason"] = [None if v == v else (NO_COUNT if f != f else message("supply_none_before", first=int(f)))
                               for v, f in zip(merged["value"], merged["first_year"])]  # x != x: NaN
    pipe = pipeline_table(projects, facts, rules) if projects is not None and len(projects) else None
    merged["pipeline"] = 0.0
    if pipe is not None and not pipe.empty:
        for p in pipe.to_dict("records"):
            hit = ((merged["region_code"] == p["region_code"]) & (merged["service"] == p["service"])
                   & (merged["year"] >= p["end_year"]))
            merged.loc[hit, "pipeline"] += p["net"]
    out = merged.rename(columns={"value": "supply_existing", "obs_year": "supply_year", "method": "supply_method",
                                 "formula": "supply_formula", "inputs": "supply_inputs",
                                 "alternatives": "supply_alternatives"})
    out["supply_year"] = out["supply_year"].astype("Int64")
    for c in ("supply_inputs", "supply_alternatives"):
        out[c] = [v if isinstance(v, list) else [] for v in out[c]]
    out["supply_method"] = out["supply_method"].fillna("")
    out["supply_formula"] = out["supply_formula"].fillna("")
    return out[SUPPLY_COLUMNS].sort_values(["region_code", "service", "year"]).reset_index(drop=True)
