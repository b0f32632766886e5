"""Plan audit (核查): recompute every derived figure of each plan from the inputs the plan states.

Generic rules over indicators and declared relations (no slip is listed by hand):
- relations (table `relations`): op sum (total = Σ parts), sum_le (Σ parts ≤ total), equal (same quantity twice);
- shares and rates: count = rate × base / scale for every (count, rate, base) triple in RATE_RULES stated for
  the same region and year (aging rate vs elderly / population, nursing share vs nursing / beds, beds per 1000
  elderly, places per 1000 population, disabled share, ...). A rate that is a norm (kind standard/assumption/
  target) applied to a future count is checked as a product (stated count vs rate × base); otherwise the rate is
  checked as a ratio (stated rate vs count / base × scale). With no base stated for the year, the nearest year's
  base is used and the tolerance widened by 2% per year of distance (said so in `note`);
- implied totals: two shares of one population (e.g. 22.03% aged 60+ and 3.45% under 3) must imply the same total;
- growth: population(t1) vs population(t0) × (1 + r)^(t1−t0); aging_rate(t1) vs aging_rate(t0) + (t1−t0) × increment;
- gaps: a stated gap vs stated demand − current supply (models.planning.supply);
- duplicates: the same region, indicator, year and kind stated twice with different values (not already linked
  by a relation);
- planned additions: a stated gap vs the additions the plan lists to close it (新增…个/张 figures, e.g. 新增公办托位
  + 新增社会办托位; where the text states none, the capacities of the region's project list `projects`, which may
  be partial: said so in `note`).

Tolerance respects the stated rounding: each stated number is an interval (19.76 → [19.755, 19.765]; 约2000 →
[1500, 2500]; 6000余 → [6000, 7000]; an assumption the plan computes with is exact), the recomputation is
evaluated over its inputs' intervals, and a check fails only when the two intervals do not overlap.

Out: `audit_checks(facts, relations)` every check (status ok | inconsistent); `audit(...)` the inconsistencies.
Columns: AUDIT_COLUMNS = region_code, check, stated, recomputed, difference, quote, then rule, year, indicator,
status, stated_low, stated_high, recomputed_low, recomputed_high, fact_ids, formula, note.
"""
from __future__ import annotations

import itertools
import math

import pandas as pd

from models.planning.standards import stated_halfwidth

AUDIT_COLUMNS = ["region_code", "check", "stated", "recomputed", "difference", "quote", "rule", "year", "indicator",
                 "status", "stated_low", "stated_high", "recomputed_low", "recomputed_high", "fact_ids", "formula",
                 "note"]
POP = ("population_resident", "population_registered")
# (rule, count indicator, rate indicator, base indicators, scale, norm): count = rate × base / scale.
# norm=True: the rate is a planning norm the plans apply to a population to get a count (checked as a product
# when the rate is a standard/assumption/target and the count a projection/target); norm=False: a descriptive
# share, always checked as a ratio.
RATE_RULES = [
    ("aging_rate", "elderly_60plus", "aging_rate", POP, 100, False),
    ("aging_rate_65", "elderly_65plus", "aging_rate_65", POP, 100, False),
    ("infants_share", "infants_0_3", "infants_0_3_share", POP, 100, False),
    ("share_0_14", "population_0_14", "share_0_14", POP, 100, False),
    ("nursing_bed_share", "nursing_beds", "nursing_bed_share", ("elderly_beds",), 100, False),
    ("beds_per_1000_elderly", "elderly_beds", "beds_per_1000_elderly", ("elderly_60plus",), 1000, True),
    ("childcare_places_per_1000", "childcare_places", "childcare_places_per_1000", POP, 1000, True),
    ("disabled_elderly_share", "disabled_elderly", "disabled_elderly_share", ("elderly_60plus",), 100, True),
    ("supported_bed_need_share", "supported_bed_need_persons", "supported_bed_need_share", ("disabled_elderly",), 100,
     True),
    ("family_self_care_share", "family_self_care_persons", "family_self_care_share", ("disabled_elderly",), 100, True),
]
GROWTH_RULES = [  # (rule, level indicator, rate indicator, compound?)
    ("population_growth", POP, "population_growth_rate", True),
    ("elderly_growth", ("elderly_60plus",), "elderly_growth_rate", True),
    ("aging_rate_increment", ("aging_rate",), "aging_rate_increment", False),
]
NORM_KINDS = ("standard", "assumption", "target")
FUTURE_KINDS = ("plan_projection", "target")
DRIFT_PER_YEAR = 0.02


def interval(f) -> tuple[float, float]:
    """The interval a stated figure stands for, given its rounding and comparator. An inequality (≥ 不低于, ≤ 不超过;
    and > < on a target or norm) is a half-line: `≥ 65%` is every value from 65 up, never 65 ± 0.5."""
    v = float(f["value"])
    if f["kind"] == "assumption":
        return v, v  # the plan computes with this number as stated
    if f["comparator"] == "≥" or (f["comparator"] == ">" and f["kind"] in NORM_KINDS):
        return v, math.inf
    if f["comparator"] == "≤" or (f["comparator"] == "<" and f["kind"] in NORM_KINDS):
        return -math.inf, v
    approx = f["comparator"] in ("≈", ">", "<")  # 6000余 (>) stated as a current figure: 6000 to 7000
    h = stated_halfwidth(v, f["quote"], approximate=approx)
    if f["comparator"] == ">":
        return v, v + 2 * h
    if f["comparator"] == "<":
        return v - 2 * h, v
    return v - h, v + h


def _review(*facts) -> bool:
    """True when the facts set an actual against a target: a review (终期评估), not the plan's arithmetic."""
    kinds = {f["kind"] for f in facts}
    return "observed" in kinds and "target" in kinds


def _corners(fn, ivs: list[tuple[float, float]]) -> tuple[float, float, float]:
    """fn over the corners of the input intervals (fn monotone in each input): (low, high)."""
    vals = []
    for c in itertools.product(*ivs):
        try:
            vals.append(fn(*c))
        except (ZeroDivisionError, OverflowError):
            vals.append(math.inf)
    vals = [v for v in vals if v is not None and not math.isnan(v)]
    return (min(vals), max(vals)) if vals else (math.nan, math.nan)


def _consistent(s: tuple[float, float], r: tuple[float, float]) -> bool:
    eps = 1e-9 * max([1.0] + [abs(x) for x in (*s, *r) if math.isfinite(x)])  # a half-line (≥ 65%) has no width
    return s[0] <= r[1] + eps and r[0] <= s[1] + eps


def _n(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4f}".rstrip("0").rstrip(".")


class _Checks:
    def __init__(self):
        self.rows = []

    def add(self, *, region, rule, check, year, indicator, stated_fact, stated_iv, point, rec_iv, inputs, formula,
            note="", stated_value=None):
        stated = float(stated_fact["value"]) if stated_value is None else stated_value
        ok = _consistent(stated_iv, rec_iv)
        facts = [stated_fact] + [f for f in inputs if f is not None]
        self.rows.append({
            "region_code": region, "check": check, "stated": stated, "recomputed": point,
            "difference": stated - point if point is not None else math.nan,
            "quote": " ‖ ".join(dict.fromkeys(f["quote"] for f in facts)),
            "rule": rule, "year": year, "indicator": indicator, "status": "ok" if ok else "inconsistent",
            "stated_low": stated_iv[0], "stated_high": stated_iv[1], "recomputed_low": rec_iv[0],
            "recomputed_high": rec_iv[1], "fact_ids": " ".join(dict.fromkeys(f["fact_id"] for f in facts)),
            "formula": formula, "note": note})


def _parts(relations: pd.DataFrame, by_id: dict) -> set[str]:
    """Facts that a declared sum names as a part of a total of the same indicator (not totals themselves)."""
    out = set()
    for r in relations[relations["op"].isin(["sum", "sum_le"])].itertuples():
        res = by_id.get(r.result_fact)
        for fid in r.input_facts.split():
            f = by_id.get(fid)
            if res is not None and f is not None and f["indicator"] == res["indicator"]:
                out.add(fid)
    return out


def _linked(relations: pd.DataFrame) -> set[frozenset]:
    out = set()
    for r in relations.itertuples():
        ids = [r.result_fact] + r.input_facts.split()
        out |= {frozenset(p) for p in itertools.combinations(ids, 2)}
    return out


def _relation_checks(c: _Checks, relations: pd.DataFrame, by_id: dict) -> None:
    for r in relations.itertuples():
        res = by_id.get(r.result_fact)
        ins = [by_id.get(f) for f in r.input_facts.split()]
        if res is None or any(f is None for f in ins) or pd.isna(res["value"]) or any(pd.isna(f["value"]) for f in ins):
            continue
        ivs = [interval(f) for f in ins]
        label = res["quote"].replace("\n", " ")
        if r.op in ("sum", "sum_le"):
            point = sum(float(f["value"]) for f in ins)
            rec = (sum(i[0] for i in ivs), sum(i[1] for i in ivs))
            formula = " + ".join(_n(f["value"]) for f in ins) + f" = {_n(point)}"
            if r.op == "sum_le":
                s_iv = interval(res)
                ok_iv = (min(s_iv[0], rec[0]), s_iv[1])  # Σ parts may fall short of the total
                c.add(region=r.region_code, rule="relation:sum_le", check=f"部分之和不超过总数 / parts ≤ total: {label}",
                      year=res["year"], indicator=res["indicator"], stated_fact=res, stated_iv=ok_iv, point=point,
                      rec_iv=rec, inputs=ins, formula=f"{formula} ≤ {_n(res['value'])}", note=r.description)
            else:
                c.add(region=r.region_code, rule="relation:sum", check=f"总数等于部分之和 / total = sum of parts: {label}",
                      year=res["year"], indicator=res["indicator"], stated_fact=res, stated_iv=interval(res),
                      point=point, rec_iv=rec, inputs=ins, formula=formula, note=r.description)
        elif r.op == "equal" and len(ins) == 1:
            other = ins[0]
            c.add(region=r.region_code, rule="relation:equal", check=f"同一数值两处表述 / stated twice: {label}",
                  year=res["year"], indicator=res["indicator"], stated_fact=res, stated_iv=interval(res),
                  point=float(other["value"]), rec_iv=ivs[0], inputs=ins,
                  formula=f"{_n(res['value'])} vs {_n(other['value'])}", note=r.description)


def _basis_ok(*bases) -> bool:
    named = {b for b in bases if b}
    return len(named) <= 1


def _rate_checks(c: _Checks, f: pd.DataFrame, parts: set) -> None:
    for rule, count_ind, rate_ind, base_inds, scale, norm in RATE_RULES:
        for region, g in f.groupby("region_code"):
            rates = g[g["indicator"] == rate_ind]
            counts = g[(g["indicator"] == count_ind) & ~g["fact_id"].isin(parts)]
            bases = g[g["indicator"].isin(base_inds) & ~g["fact_id"].isin(parts)]
            if rates.empty:
                continue
            for rate in rates.to_dict("records"):
                y = rate["year"]
                for cnt in counts[counts["year"] == y].to_dict("records"):
                    same = bases[bases["year"] == y]
                    drift, note = 0.0, ""
                    if same.empty and not bases.empty and rate["kind"] == "observed":
                        dist = (bases["year"] - y).abs()
                        same = bases[dist == dist.min()]
                        drift = DRIFT_PER_YEAR * int(dist.min())
                        note = (f"该年未给出基数，用 {int(same['year'].iloc[0])} 年数值、容差放宽 {drift:.0%} / no base for {y}: "
                                f"{int(same['year'].iloc[0])} used, tolerance widened {drift:.0%}")
                    for base in same.to_dict("records"):
                        if not _basis_ok(rate["basis"], cnt["basis"], base["basis"]):
                            continue
                        r_iv, c_iv, b_iv = interval(rate), interval(cnt), interval(base)
                        b_iv = (b_iv[0] * (1 - drift), b_iv[1] * (1 + drift))
                        product = norm and rate["kind"] in NORM_KINDS and cnt["kind"] in FUTURE_KINDS
                        if product:
                            point = float(rate["value"]) * float(base["value"]) / scale
                            rec = _corners(lambda r, b, k=scale: r * b / k, [r_iv, b_iv])
                            c.add(region=region, rule=f"product:{rule}", year=y, indicator=count_ind,
                                  check=f"{count_ind} = {rate_ind} × {base['indicator']} / {scale} ({y})",
                                  stated_fact=cnt, stated_iv=c_iv, point=point, rec_iv=rec, inputs=[rate, base],
                                  formula=f"{_n(rate['value'])} × {_n(base['value'])} / {scale} = {_n(point)}", note=note)
                        else:
                            # a ratio of an actual count to a target total (nursing beds now / target beds), or an
                            # actual share against a target share, is a review, not the plan's arithmetic
                            if not float(base["value"]) or _review(rate, cnt, base):
                                continue
                            point = float(cnt["value"]) / float(base["value"]) * scale
                            rec = _corners(lambda n, b, k=scale: n / b * k, [c_iv, b_iv])
                            c.add(region=region, rule=f"ratio:{rule}", year=y, indicator=rate_ind,
                                  check=f"{rate_ind} = {count_ind} / {base['indicator']} × {scale} ({y})",
                                  stated_fact=rate, stated_iv=r_iv, point=point, rec_iv=rec, inputs=[cnt, base],
                                  formula=f"{_n(cnt['value'])} / {_n(base['value'])} × {scale} = {_n(point)}", note=note)


def _implied_total_checks(c: _Checks, f: pd.DataFrame, parts: set) -> None:
    pop_rules = [r for r in RATE_RULES if r[3] == POP]  # shares or rates of the total population
    for (region, year), g in f.groupby(["region_code", "year"]):
        if g["indicator"].isin(POP).any():
            continue  # a stated total: the rate rules check each share against it
        implied = []
        for _rule, count_ind, rate_ind, _, scale, _norm in pop_rules:
            for cnt in g[(g["indicator"] == count_ind) & ~g["fact_id"].isin(parts)].to_dict("records"):
                for rate in g[g["indicator"] == rate_ind].to_dict("records"):
                    if rate["value"] and _basis_ok(cnt["basis"], rate["basis"]) and (cnt["basis"] or rate["basis"]) \
                            and not _review(cnt, rate):
                        iv = _corners(lambda n, r, k=scale: n / r * k, [interval(cnt), interval(rate)])
                        implied.append((cnt, rate, float(cnt["value"]) / float(rate["value"]) * scale, iv))
        for (c1, r1, p1, _iv1), (c2, r2, p2, iv2) in itertools.combinations(implied, 2):
            # only totals of one named basis (户籍 or 常住) are comparable; an unstated basis could be either
            if not (c1["basis"] or r1["basis"]) or (c1["basis"] or r1["basis"]) != (c2["basis"] or r2["basis"]):
                continue
            if _review(c1, r1, c2, r2):
                continue
            stated = {**r1, "value": r1["value"]}
            # stated: the first share; recomputed: the share the second pair's total gives for the first count
            point = float(c1["value"]) / p2 * 100
            rec = _corners(lambda n, t: n / t * 100, [interval(c1), iv2])
            c.add(region=region, rule="implied_total", year=year, indicator=r1["indicator"],
                  check=(f"两个占比隐含的总人口应一致 / two shares imply one total: {c1['indicator']}/{r1['indicator']} "
                         f"→ {_n(round(p1))}, {c2['indicator']}/{r2['indicator']} → {_n(round(p2))} ({year})"),
                  stated_fact=stated, stated_iv=interval(r1), point=point, rec_iv=rec, inputs=[c1, c2, r2],
                  formula=(f"{_n(c1['value'])} / ({_n(c2['value'])} / {_n(r2['value'])}%) = {_n(point)}%"),
                  note=f"implied totals {_n(round(p1))} vs {_n(round(p2))}")


def _growth_checks(c: _Checks, f: pd.DataFrame, parts: set) -> None:
    for rule, levels, rate_ind, compound in GROWTH_RULES:
        for region, g in f.groupby("region_code"):
            for rate in g[g["indicator"] == rate_ind].to_dict("records"):
                lv = g[g["indicator"].isin(levels) & ~g["fact_id"].isin(parts)]
                for a in lv.to_dict("records"):
                    for b in lv.to_dict("records"):
                        if not (a["year"] < b["year"] and a["year"] < rate["year"] <= b["year"]
                                and a["indicator"] == b["indicator"] and _basis_ok(a["basis"], b["basis"], rate["basis"])):
                            continue
                        if _review(b, rate) or (b["kind"] == "observed" and rate["kind"] != "observed"):
                            continue  # an actual level against a planned rate: a review
                        n = int(b["year"] - a["year"])
                        if compound:
                            fn = lambda x, r, n=n: x * (1 + r / 100) ** n  # noqa: E731
                            formula = f"{_n(a['value'])} × (1 + {_n(rate['value'])}%)^{n}"
                        else:
                            fn = lambda x, r, n=n: x + n * r  # noqa: E731
                            formula = f"{_n(a['value'])} + {n} × {_n(rate['value'])}"
                        point = fn(float(a["value"]), float(rate["value"]))
                        rec = _corners(fn, [interval(a), interval(rate)])
                        c.add(region=region, rule=f"growth:{rule}", year=b["year"], indicator=b["indicator"],
                              check=f"{b['indicator']} {b['year']} = {b['indicator']} {a['year']} grown at {rate_ind}",
                              stated_fact=b, stated_iv=interval(b), point=point, rec_iv=rec, inputs=[a, rate],
                              formula=f"{formula} = {_n(point)}")


def _gap_checks(c: _Checks, f: pd.DataFrame) -> None:
    from models.core.catalogue import SERVICES
    from models.planning.supply import observed_counts

    obs = observed_counts(f)
    for service in SERVICES:
        for gap in f[f["indicator"] == service + "_gap"].to_dict("records"):
            dem = f[(f["region_code"] == gap["region_code"]) & (f["indicator"] == service) & (f["year"] == gap["year"])
                    & (f["kind"] == "plan_projection")]
            sup = obs[(obs["region_code"] == gap["region_code"]) & (obs["service"] == service)
                      & (obs["obs_year"] <= gap["year"])].sort_values("obs_year")
            if dem.empty or sup.empty:
                continue
            d, s = dem.iloc[0].to_dict(), sup.iloc[-1]
            point = float(d["value"]) - float(s["value"])
            lo, hi = interval(d)
            s_facts = [{**x, "kind": "observed", "comparator": "="} for x in s["inputs"]]
            c.add(region=gap["region_code"], rule="gap", year=gap["year"], indicator=gap["indicator"],
                  check=f"缺口 = 需求 − 现有 / gap = demand − supply ({service}, {gap['year']})",
                  stated_fact=gap, stated_iv=interval(gap), point=point, rec_iv=(lo - float(s["value"]), hi - float(s["value"])),
                  inputs=[d] + s_facts, formula=f"{_n(d['value'])} − ({s['formula']}) = {_n(point)}")


def _duplicate_checks(c: _Checks, f: pd.DataFrame, parts: set, linked: set) -> None:
    for (region, ind, year, kind), g in f.groupby(["region_code", "indicator", "year", "kind"]):
        rows = [r for r in g.to_dict("records") if r["fact_id"] not in parts]
        for a, b in itertools.combinations(rows, 2):
            if frozenset((a["fact_id"], b["fact_id"])) in linked or a["unit"] == "count":
                continue
            c.add(region=region, rule="duplicate", year=year, indicator=ind,
                  check=f"同一指标同年两处不同数值 / {ind} {year} ({kind}) stated twice",
                  stated_fact=a, stated_iv=interval(a), point=float(b["value"]), rec_iv=interval(b), inputs=[b],
                  formula=f"{_n(a['value'])} vs {_n(b['value'])}")


# gap indicator → the indicators of planned additions that should close it
ADDITIONS = {"childcare_places_gap": ("new_public_childcare_places", "new_private_childcare_places"),
             "elderly_beds_gap": ("new_elderly_beds", "new_public_elderly_beds", "new_private_elderly_beds"),
             "nursing_beds_gap": ("new_nursing_beds",)}


def _planned_addition_checks(c: _Checks, f: pd.DataFrame, projects: pd.DataFrame | None) -> None:
    for gap in f[f["indicator"].isin(list(ADDITIONS))].to_dict("records"):
        region, service = gap["region_code"], gap["indicator"][:-len("_gap")]
        adds = f[(f["region_code"] == region) & f["indicator"].isin(ADDITIONS[gap["indicator"]])
                 & (f["kind"].isin(FUTURE_KINDS))]
        adds = [a for a in adds.to_dict("records") if a["year"] >= gap["year"] - 5 and a["year"] <= gap["year"]]
        note = "规划文本所列新增 / additions stated in the text"
        if not adds and projects is not None and not projects.empty:
            pr = projects[(projects["region_code"] == region) & (projects["indicator"] == service)
                          & projects["capacity"].notna()]
            adds = [{"fact_id": r["project_id"], "value": float(r["capacity"]), "kind": "target", "comparator": "=",
                     "quote": r["quote"], "year": gap["year"], "indicator": service}
                    for r in pr.to_dict("records")]
            note = ("文本未列新增，按项目清单（可能不完整）/ no additions in the text: the project list, which may be "
                    "partial")
        if not adds:
            continue
        point = sum(float(a["value"]) for a in adds)
        ivs = [interval(a) for a in adds]
        c.add(region=region, rule=f"planned_additions:{service}", year=gap["year"], indicator=gap["indicator"],
              check=f"规划新增应与缺口一致 / planned additions = stated gap ({service}, {gap['year']})",
              stated_fact=gap, stated_iv=interval(gap), point=point,
              rec_iv=(sum(i[0] for i in ivs), sum(i[1] for i in ivs)), inputs=adds,
              formula=" + ".join(_n(a["value"]) for a in adds) + f" = {_n(point)}", note=note)


def audit_checks(facts: pd.DataFrame, relations: pd.DataFrame, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every check with its status (ok | inconsistent). In: facts (all_facts, user imports included), relations
    (table `relations`), projects (table `projects`; default: read from the database)."""
    f = facts[facts["value"].notna() & facts["year"].notna()].copy()
    f["year"] = f["year"].astype(int)
    by_id = {r["fact_id"]: r for r in f.to_dict("records")}
    parts = _parts(relations, by_id)
    c = _Checks()
    _relation_checks(c, relations, by_id)
    _rate_checks(c, f, parts)
    _implied_total_checks(c, f, parts)
    _growth_checks(c, f, parts)
    _gap_checks(c, f)
    _duplicate_checks(c, f, parts, _linked(relations))
    _planned_addition_checks(c, f, _projects() if projects is None else projects)
    df = pd.DataFrame(c.rows, columns=AUDIT_COLUMNS)
    # one row per finding: the same stated figure against the same recomputed value is reported once
    df["_key"] = df["stated"].round(6).astype(str) + "|" + df["recomputed"].round(6).astype(str)
    df = df.sort_values(["region_code", "status", "rule"]).drop_duplicates(["region_code", "year", "_key", "status"])
    return df.drop(columns="_key").sort_values(["region_code", "year", "rule"]).reset_index(drop=True)


def _projects() -> pd.DataFrame | None:
    """The project lists (table `projects`), or None when no database is configured to read them from."""
    from models.store.database import default
    from models.store.facts import projects

    try:
        return projects(default())
    except Exception:  # the audit of given facts still runs without the project lists (e.g. no database file)
        return None


def audit(facts: pd.DataFrame, relations: pd.DataFrame, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """The inconsistencies only (AUDIT_COLUMNS)."""
    df = audit_checks(facts, relations, projects)
    return df[df["status"] == "inconsistent"].reset_index(drop=True)


def relations(db=None) -> pd.DataFrame:
    """The declared relations (table `relations`)."""
    from models.store.database import default

    return (db or default()).query("SELECT * FROM relations ORDER BY relation_id")
