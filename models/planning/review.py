"""The final review (终期评估) of the 十四五 plans: every 2025 target in the form the plan states it, against the
latest actual of 2025 or later, with the national 2025 result beside it.

    counts   (养老床位, 护理型床位, 托位, 普惠托位 …): actual count vs target count
    shares   (护理型床位占比, 普惠性托位占比): actual share vs target share; a share not stated as such is computed
             from its counts of the same year:  nursing_bed_share = nursing_beds ÷ elderly_beds × 100
    per 1000 (每千人口托位数, 每千名老年人养老床位数): computed from the actual and the population of that year:
             childcare_places_per_1000 = childcare_places ÷ population_resident × 1000
             beds_per_1000_elderly     = elderly_beds ÷ elderly_60plus × 1000
    comparator: ≥ / > / = (to reach) are met when actual ≥ target; ≤ / < when actual ≤ target.
    completion = actual ÷ target × 100 (%)

In:  facts (models.store.facts.all_facts: plans, imports and corrections; a correction `<id>@user` already
     supersedes its plan figure), the national figures (models.planning.targets.national: policy_2025_2030.csv).
Out: `final_review(...)` one row per region × indicator with a target or an actual (REVIEW_COLUMNS); status
     met | not_met | no_actual (a target without an actual, or without the figures to compute it: `missing` says
     which) | no_target (an actual without a target: `missing` = the target). The view (models.report.overview)
     renders it in the reader's language; the template (`review_templates`) lists every reviewable indicator.
Nothing here draws, caches or writes.
"""
from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np
import pandas as pd

from models.core.catalogue import indicator, label, unit_label
from models.planning.targets import REVIEW_YEAR, national, policy_source

# indicator → the form the plans state it in
FORMS = MappingProxyType({
    "elderly_beds": "count", "nursing_beds": "count", "nursing_bed_share": "share",
    "beds_per_1000_elderly": "per_1000", "affordable_elderly_beds": "count",
    "childcare_places": "count", "childcare_places_per_1000": "per_1000", "affordable_childcare_places": "count",
    "affordable_childcare_share": "share", "public_childcare_places": "count",
})
# a share or ratio computed from two figures of the same year: indicator → (numerator, denominator, factor)
DERIVED = MappingProxyType({
    "nursing_bed_share": ("nursing_beds", "elderly_beds", 100),
    "beds_per_1000_elderly": ("elderly_beds", "elderly_60plus", 1000),
    "childcare_places_per_1000": ("childcare_places", "population_resident", 1000),
    "affordable_childcare_share": ("affordable_childcare_places", "childcare_places", 100),
})
POPULATIONS = ("elderly_60plus", "population_resident")
# the figures a planner fills in for the review (the prefilled import template), in this order
TEMPLATE_INDICATORS = ("elderly_beds", "nursing_beds", "nursing_bed_share", "childcare_places",
                       "childcare_places_per_1000", "affordable_childcare_places", "elderly_60plus",
                       "population_resident")
# review indicator → the national indicator of data/reference/policy_2025_2030.csv
NATIONAL_INDICATORS = MappingProxyType({"elderly_beds": "elderly_beds", "nursing_bed_share": "nursing_bed_share",
                                        "childcare_places_per_1000": "places_per_1000",
                                        "childcare_places": "childcare_places"})
STATUSES = ("met", "not_met", "no_actual", "no_target")
REVIEW_COLUMNS = ["region_code", "region_name", "indicator", "form", "comparator", "target", "target_fact_id",
                  "target_quote", "actual", "actual_year", "formula", "completion", "met", "status", "origin",
                  "fact_id", "source", "quote", "missing", "national"]
_AT_MOST = ("≤", "<")
_POP_KINDS = {"observed": 0, "plan_projection": 1, "assumption": 2, "target": 3}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def latest_rows(f: pd.DataFrame) -> dict:
    """(region, indicator) → the row of the latest year; in one year a user's figure first, then the last entered."""
    f = f.assign(_user=(f["origin"] == "user").astype(int) if "origin" in f else 0, _y=f["year"].astype(int))
    f = f.sort_values(["_y", "_user", "fact_id"], ascending=[False, False, False], kind="stable")
    return {(r["region_code"], r["indicator"]): r for r in f.drop_duplicates(["region_code", "indicator"])
            .to_dict("records")}


def _targets(facts: pd.DataFrame, year: int) -> dict:
    """(region, indicator) → the plan's `year` target: a user's figure first, then one stated with a comparator,
    then the first (by fact id)."""
    f = facts[facts["indicator"].isin(list(FORMS)) & (facts["kind"] == "target") & facts["value"].notna()
              & facts["year"].notna()]
    f = f[f["year"].astype(int) == int(year)]
    f = f.assign(_user=(f["origin"] == "user").astype(int) if "origin" in f else 0,
                 _cmp=(f["comparator"].fillna("=").replace("", "=") != "=").astype(int))
    f = f.sort_values(["_user", "_cmp", "fact_id"], ascending=[False, False, True], kind="stable")
    return {(r["region_code"], r["indicator"]): r for r in f.drop_duplicates(["region_code", "indicator"])
            .to_dict("records")}


def _populations(facts: pd.DataFrame) -> dict:
    """(region, indicator, year) → the population row of that year: observed first, then the plan's projection or
    assumption (the plan's own figure for that year, said so in the formula)."""
    f = facts[facts["indicator"].isin(POPULATIONS) & facts["value"].notna() & facts["year"].notna()
              & facts["kind"].isin(list(_POP_KINDS))]
    f = f.assign(_k=f["kind"].map(_POP_KINDS), _y=f["year"].astype(int),
                 _user=(f["origin"] == "user").astype(int) if "origin" in f else 0)
    f = f.sort_values(["_k", "_user", "fact_id"], ascending=[True, False, True], kind="stable")
    return {(r["region_code"], r["indicator"], r["_y"]): r for r in
            f.drop_duplicates(["region_code", "indicator", "_y"]).to_dict("records")}


def national_context(ind: str, *, year: int = REVIEW_YEAR) -> dict | None:
    """The national result beside a region's: {indicator, target, target_year, actual, actual_year, met, source,
    quote} from data/reference/policy_2025_2030.csv (the latest actual up to `year`), None when the file has none."""
    nat = NATIONAL_INDICATORS.get(ind)
    if not nat:
        return None
    t = national(nat, kind="target", year=year)
    a = national(nat, kind="actual", year=year, latest=True)
    if t is None and a is None:
        return None
    met = None if (t is None or a is None) else bool(a["value"] >= t["value"])
    return {"indicator": ind, "target": t["value"] if t else None, "target_year": t["year"] if t else None,
            "actual": a["value"] if a else None, "actual_year": a["year"] if a else None, "met": met,
            "source": policy_source(a or t), "quote": (a or t)["quote"],
            "target_source": policy_source(t) if t else "", "target_quote": t["quote"] if t else ""}


def _derived_actual(code: str, ind: str, actuals: dict, facts_obs: dict, pops: dict, year: int):
    """A share or ratio computed from its two figures of the same year (DERIVED): (value, year, formula, the
    numerator's row, missing) — value None and `missing` naming what is lacking when it cannot be computed."""
    num, den, factor = DERIVED[ind]
    a = actuals.get((code, num))
    if a is None:
        return None, None, "", None, f"actual:{num}"
    y = int(a["year"])
    d = pops.get((code, den, y)) if den in POPULATIONS else facts_obs.get((code, den, y))
    if d is None or not d["value"]:
        return None, None, "", a, f"figure:{den}:{y}"
    value = float(a["value"]) / float(d["value"]) * factor
    how = "" if den not in POPULATIONS or d["kind"] == "observed" else f" ({d['kind']} {d['fact_id']})"
    formula = (f"{ind} = {num} ÷ {den}({y}){how} × {factor:g} = {_n(float(a['value']))} ÷ "
               f"{_n(float(d['value']))} × {factor:g} = {_n(round(value, 2))}")
    return value, y, formula, a, ""


def final_review(facts: pd.DataFrame, *, year: int = REVIEW_YEAR, names: dict | None = None,
                 source_title=None) -> pd.DataFrame:
    """The final review (see the module docstring): one row per region × indicator with a `year` target or an
    actual of `year` or later, regions by code, indicators in FORMS order.

    In: facts (all_facts), names {code: region name} (default: the facts' region_name), source_title(source) →
    a readable source name (default: as stored). Out: REVIEW_COLUMNS: target and actual in the indicator's own unit
    (counts, percent, per 1000), actual_year, formula (ids; how a computed actual was obtained, '' for a stated
    one), completion (%), met (bool or NA), status, origin / fact_id / source / quote of the actual, missing (what
    is lacking: 'target'; 'actual:<indicator>' no actual of `year` or later; 'figure:<indicator>:<year>' the
    figure a computed actual needs), national (national_context or None).
    """
    names = dict(names or {})
    for c, n in zip(facts["region_code"], facts["region_name"]):
        if isinstance(n, str) and n:
            names.setdefault(c, n)
    targets = _targets(facts, year)
    obs = facts[(facts["kind"] == "observed") & facts["value"].notna() & facts["year"].notna()]
    later = obs[obs["year"].astype(int) >= int(year)]
    actuals = latest_rows(later[later["indicator"].isin(list(FORMS))])
    by_year = {(r["region_code"], r["indicator"], int(r["year"])): r for r in
               obs.sort_values("fact_id").to_dict("records")}
    pops = _populations(facts)
    order = {ind: i for i, ind in enumerate(FORMS)}
    keys = sorted(set(targets) | set(actuals), key=lambda k: (k[0], order[k[1]]))
    rows = []
    for code, ind in keys:
        t = targets.get((code, ind))
        a = actuals.get((code, ind))
        formula, missing = "", ""
        if a is not None:
            actual, actual_year = float(a["value"]), int(a["year"])
        elif t is not None and ind in DERIVED:
            actual, actual_year, formula, a, missing = _derived_actual(code, ind, actuals, by_year, pops, year)
        else:
            actual, actual_year, missing = None, None, f"actual:{ind}"
        if t is None:
            missing = "target"
        comparator = (t.get("comparator") or "=") if t is not None else ""
        target = float(t["value"]) if t is not None else np.nan
        if t is not None and actual is not None:
            met = bool(actual <= target) if comparator in _AT_MOST else bool(actual >= target)
            status, completion = ("met" if met else "not_met"), (actual / target * 100 if target else np.nan)
        else:
            met, completion = pd.NA, np.nan
            status = "no_target" if t is None else "no_actual"
        src = (a.get("source") or "") if (a is not None and actual is not None) else ""
        rows.append({
            "region_code": code, "region_name": names.get(code, ""), "indicator": ind, "form": FORMS[ind],
            "comparator": comparator, "target": target, "target_fact_id": t["fact_id"] if t is not None else "",
            "target_quote": t["quote"] if t is not None else "",
            "actual": np.nan if actual is None else actual,
            "actual_year": pd.NA if actual_year is None else actual_year, "formula": formula,
            "completion": completion, "met": met, "status": status,
            "origin": a["origin"] if (a is not None and actual is not None and "origin" in a) else "",
            "fact_id": a["fact_id"] if (a is not None and actual is not None) else "",
            "source": (source_title(src) if (source_title and src) else src),
            "quote": a["quote"] if (a is not None and actual is not None) else "", "missing": missing,
            "national": national_context(ind, year=year)})
    out = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    out["actual_year"] = pd.array(out["actual_year"], dtype="Int64")
    return out


def without_actual(review: pd.DataFrame) -> list[str]:
    """The regions of a final_review table with a target but no actual for any of them, in the table's order."""
    with_target = review[review["status"] != "no_target"]
    has = with_target.groupby("region_code", sort=False)["actual"].count()
    return [c for c in dict.fromkeys(with_target["region_code"]) if not has.get(c, 0)]


def without_targets(review: pd.DataFrame) -> dict[str, list[str]]:
    """Regions with actuals but no 2025 target at all: {code: the indicators they have actuals for}."""
    out = {}
    for code, g in review.groupby("region_code", sort=False):
        if (g["status"] == "no_target").all():
            out[code] = list(g["indicator"])
    return out


def review_templates(regions: dict[str, str], *, year: int = REVIEW_YEAR) -> bytes:
    """The import template (models.intake.importer.template_frame's columns, Chinese headers) prefilled for the
    final review: one row per region × reviewable indicator (TEMPLATE_INDICATORS: beds, nursing beds and share,
    places, places per 1,000, 普惠托位, 60+, population) for the `year` actual (kind 现状值), the value left empty
    for the planner. In: {region code: display name}, in the order given. Out: CSV bytes, UTF-8 with BOM."""
    from models.core.export import csv_bytes
    from models.intake.importer import TEMPLATE_HEADERS, template_frame

    h = TEMPLATE_HEADERS
    rows = [{h["region_code"]: code, h["region_name"]: name, h["indicator"]: ind,
             h["indicator_name"]: label(ind, "zh"), h["year"]: str(year), h["value"]: "",
             h["unit"]: unit_label(indicator(ind).unit, "zh"),
             h["basis"]: "常住" if ind in POPULATIONS else "", h["kind"]: "现状值", h["source"]: "",
             h["note"]: f"{year}年实际数（终期评估）"} for code, name in regions.items() for ind in TEMPLATE_INDICATORS]
    return csv_bytes(pd.DataFrame(rows, columns=list(template_frame("facts").columns)))  # BOM, cells neutralised


def review_template(region_code: str, region_name: str, *, year: int = REVIEW_YEAR) -> bytes:
    """review_templates for one region."""
    return review_templates({region_code: region_name}, year=year)


# -- the review as a leader reads it --------------------------------------------------------------------------------

REVIEW_STATUS_KEYS = MappingProxyType({"met": "ov_r_met", "not_met": "ov_r_not_met", "no_actual": "ov_r_no_actual",
                                       "no_target": "ov_r_no_target"})


def _value_text(value, ind: str, lang: str, comparator: str = "") -> str:
    from models.core.formatting import MISSING, fmt_number

    if _missing(value):
        return MISSING
    unit = indicator(ind).unit
    text = fmt_number(value, unit, lang, digits=1 if unit in ("percent", "per_1000") else None)
    return (comparator if comparator not in ("", "=") else "") + text


def national_text(ctx: dict | None, lang: str = "zh") -> str:
    """The national result in one line: target, the latest actual and its year, met or not, and the source."""
    from models.core.formatting import MISSING
    from models.core.i18n import t

    if not ctx:
        return MISSING
    ind = ctx["indicator"]
    verdict = "" if ctx["met"] is None else t("ov_r_met" if ctx["met"] else "ov_r_not_met", lang)
    return t("rv_national_line", lang, target=_value_text(ctx["target"], ind, lang),
             year=ctx["actual_year"] or MISSING, actual=_value_text(ctx["actual"], ind, lang),
             verdict=verdict or MISSING, source=ctx["source"])


def missing_text(missing: str, lang: str = "zh", *, year: int = REVIEW_YEAR) -> str:
    """What a review row lacks, in words: the plan's target, or the figure (and year) an actual needs."""
    from models.core.formatting import MISSING, labelled
    from models.core.i18n import t

    if not missing:
        return MISSING
    if missing == "target":
        return t("rv_missing_target", lang, year=year)
    kind, ind, *when = missing.split(":")
    if kind == "actual":
        return t("rv_missing_actual", lang, what=labelled(ind, lang), year=year)
    return t("rv_missing_figure", lang, what=labelled(ind, lang), year=when[0] if when else year)


def review_view(review: pd.DataFrame, *, names: dict | None = None, lang: str = "zh",
                year: int = REVIEW_YEAR) -> pd.DataFrame:
    """The final review as text in `lang`: region, indicator, target (with its comparator, in the plan's form),
    actual, its year, how it was computed, completion (whole percent), verdict, source of the actual, what is
    missing, and the national result. Missing cells "—". In: final_review(...) with `source` a readable title."""
    from models.core.formatting import MISSING, cell, is_missing, labelled
    from models.core.i18n import t

    names = names or {}
    status = {k: t(v, lang) for k, v in REVIEW_STATUS_KEYS.items()}
    rows = []
    for r in review.to_dict("records"):
        src = r["source"] or ""
        rows.append({
            t("region", lang): names.get(r["region_code"]) or r["region_name"] or r["region_code"],
            t("rv_indicator", lang): label(r["indicator"], lang),
            t("ov_r_target", lang, year=year): _value_text(r["target"], r["indicator"], lang, r["comparator"]),
            t("ov_r_actual", lang): _value_text(r["actual"], r["indicator"], lang),
            t("ov_r_year", lang): MISSING if is_missing(r["actual_year"]) else str(int(r["actual_year"])),
            t("rv_formula", lang): labelled(r["formula"], lang) if r["formula"] else MISSING,
            t("ov_r_completion", lang): cell(r["completion"], "percent", lang, digits=0),
            t("ov_r_status", lang): status[r["status"]],
            t("ov_r_source", lang): (t("ov_r_import_source", lang, note=src) if r["origin"] == "user" and src
                                     else src) or MISSING,
            t("rv_missing", lang): missing_text(r["missing"], lang, year=year),
            t("rv_national", lang, year=year): national_text(r["national"], lang)})
    return pd.DataFrame(rows)
