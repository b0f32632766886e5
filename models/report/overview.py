"""The leadership overview (总览), as data: KPI per region and service, deltas against the plans' own figures,
the region hierarchy, aggregates by province/city for many regions, and the explanation of every number.

In:  the gap model's table (models/planning/gaps.py: one row per region_code × service × year; base units beds, places;
     NaN = not provided, with `reason_codes`), the regions table (models.store.facts.regions: code, name_zh, name_en, level,
     parent_code). Out: data frames; the page only lays them out. Nothing here draws or caches.

    gap_delta      = gap − gap_stated          (our recomputed gap minus the plan's stated gap; NaN if none stated)
    achieved_share = supply / target × 100     (percent of the plan's target the current supply reaches)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.core.catalogue import SERVICES, indicator
from models.core.formatting import fmt_number
from models.planning.gaps import POPULATION_INDICATORS, YEARS, method_text, plan_gaps, reason_text, whole_counts
from models.planning.review import (  # noqa: F401  (the overview's 终期评估: re-exported for pages and ui/cache)
    final_review,
    review_template,
    review_templates,
    review_view,
    without_actual,
    without_targets,
)
from models.planning.targets import REVIEW_YEAR  # noqa: F401  (re-exported: pages and ui/cache read it here)

ASSUMPTIONS = ("plan", "model")
CARD_LIMIT = 30  # above this many regions the overview aggregates by province/city instead of one card each
KPI_COLUMNS = ["region_code", "region_name", "service", "year", "demand", "supply", "gap", "gap_stated", "gap_delta",
               "target", "target_gap", "achieved_share", "method_code", "formula", "inputs", "reason_codes",
               "supply_year"]
TREE_COLUMNS = ["code", "name", "level", "parent_code", "depth", "path", "path_label", "has_data", "card_parent",
                "province_code", "city_code"]
SORT_KEYS = ("gap", "achieved_share", "region_code")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


# -- computing the gaps for the overview and the export ---------------------------------------------------------

def scenario_population(projections: pd.DataFrame, *, method: str = "model", scenario: str = "medium") -> pd.DataFrame:
    """The population rows of one projection method and scenario (forecasting.projection's tidy table), in the
    gap model's population contract (region_code, indicator, year, value in persons, basis, method, scenario)."""
    p = projections[(projections["method"] == method) & (projections["scenario"] == scenario)
                    & projections["indicator"].isin(POPULATION_INDICATORS)]
    return p[p["value"].notna()].reset_index(drop=True)


def gaps_for(db=None, *, assumptions: str = "plan", scenario: str = "medium", projections: pd.DataFrame | None = None,
             years=YEARS, region: str | None = None, explain: bool = True) -> pd.DataFrame:
    """The gap table, in whole beds and places (models.planning.gaps.whole_counts), under the plan's assumptions (the plans'
    own populations and standards: one scenario) or a projection ('model' or 'override', scenario low/medium/high;
    plan standards, pipeline counted).

    In: `projections` forecasting.projection.project_all's tidy table (region_code, indicator, year, method,
    scenario, value, …), required unless assumptions='plan': the caller (the page, through ui/cache.py) computes
    it, so that the domain model never imports forecasting. Out: models.planning.gaps.gap_table's frame, whole numbers,
    with `<col>_unrounded`.
    """
    if assumptions == "plan":
        return whole_counts(plan_gaps(db, assumptions="plan", years=years, region=region, explain=explain))
    if assumptions not in ("model", "override"):
        raise ValueError(f"assumptions: 应为 plan、model 或 override / must be plan, model or override, got {assumptions!r}")
    if projections is None:
        raise ValueError("projections: 需要人口预测表 / the projection table is required for assumptions "
                         f"{assumptions!r}")
    pop = scenario_population(projections, method=assumptions, scenario=scenario)
    pop = pop[pop["year"].isin(list(years))]
    return whole_counts(plan_gaps(db, assumptions="model", years=years, region=region, explain=explain,
                                  population=pop))


# -- KPI --------------------------------------------------------------------------------------------------------

def kpis(gaps: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """One row per region and service in `year`: demand, supply, gap, the plan's stated gap and our difference
    (gap_delta = gap − gap_stated), target, target_gap, achieved_share (%), with method_code, formula, inputs,
    reason_codes (codes as models.planning.gaps returns them, rendered by `explanation`; formula and inputs empty when the
    gap table was computed without explanations). Regions in the table's order, services in
    SERVICES order; a service without a row is kept with NaN (未提供)."""
    rows = gaps[gaps["year"].astype("Int64") == int(year)]
    codes = list(dict.fromkeys(rows["region_code"].astype(str)))
    grid = pd.MultiIndex.from_product([codes, list(SERVICES)], names=["region_code", "service"]).to_frame(index=False)
    rows = rows.assign(region_code=rows["region_code"].astype(str))
    out = grid.merge(rows, on=["region_code", "service"], how="left")
    names = dict(zip(rows["region_code"], rows["region_name"]))
    out["region_name"] = out["region_code"].map(names).fillna("")
    out["year"] = int(year)
    for c in ("demand", "supply", "gap", "target", "target_gap", "achieved_share"):
        out[c] = out[c].astype(float) if c in out else np.nan
    out["gap_stated"] = out["gap_stated"].astype(float) if "gap_stated" in out else np.nan
    # the year of the supply count (a 2020 stock is not "2025 现有")
    out["supply_year"] = pd.array(out["supply_year"] if "supply_year" in out else [pd.NA] * len(out), dtype="Int64")
    out["gap_delta"] = out["gap"] - out["gap_stated"]
    for c in ("method_code", "formula"):
        out[c] = out[c].fillna("").astype(str) if c in out else ""
    out["reason_codes"] = [v if isinstance(v, list) else []
                           for v in (out["reason_codes"] if "reason_codes" in out else [None] * len(out))]
    out["inputs"] = [v if isinstance(v, list) else [] for v in (out["inputs"] if "inputs" in out else [None] * len(out))]
    return out[KPI_COLUMNS]


def kpi_text(row: dict, measure: str, lang: str = "zh") -> str:
    """A KPI value as shown on a card: the gap in beds/places, or the target share in percent; 未提供 if missing."""
    if measure == "achieved_share":
        return fmt_number(row.get("achieved_share"), "percent", lang, digits=0)  # no decimals on the overview
    return fmt_number(row.get(measure), indicator(row["service"]).unit, lang)


def delta_text(row: dict, lang: str = "zh") -> str | None:
    """Our gap minus the plan's stated gap, signed ('+12张', '−3张', '0张'); None when the plan states no gap."""
    d = row.get("gap_delta")
    if _missing(d):
        return None
    unit = indicator(row["service"]).unit
    sign = "+" if d > 0 else ("-" if d < 0 else "")
    return sign + fmt_number(abs(d), unit, lang)


def explanation(row: dict, lang: str = "zh") -> dict:
    """What a card's numbers rest on: {'formula', 'method' and 'reason' (rendered in `lang` from the row's
    method_code and reason_codes), 'inputs': [{name, value, year, fact_id, source, quote}]} from a gap row computed
    with explain=True."""
    inputs = []
    for i in row.get("inputs") or []:
        if not isinstance(i, dict):
            continue
        inputs.append({"name": i.get("name", ""), "value": i.get("value"), "year": i.get("year"),
                       "fact_id": i.get("fact_id", ""), "source": i.get("source", ""), "quote": i.get("quote", ""),
                       "note": i.get("note", "") or ""})  # e.g. 全国（推算） with its formula, or a province's standard
    return {"formula": row.get("formula") or "", "method": method_text(row.get("method_code"), lang),
            "reason": reason_text(row.get("reason_codes"), lang), "inputs": inputs}


# -- the region hierarchy ---------------------------------------------------------------------------------------

def _name(row, lang: str) -> str:
    if lang == "en" and isinstance(row.get("name_en"), str) and row["name_en"]:
        return row["name_en"]
    return row.get("name_zh") or row["code"]


def region_names(regions: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """Region code → display name in `lang` (English name when given, else the Chinese one)."""
    return {r["code"]: _name(r, lang) for r in regions.to_dict("records")}


def hierarchy(regions: pd.DataFrame, codes, *, lang: str = "zh") -> pd.DataFrame:
    """The regions with data (`codes`) and their ancestors, depth first (a parent before its children, children by
    code), one row each: TREE_COLUMNS. `path` the codes from the top (below China) down to the region;
    `card_parent` the nearest ancestor that itself has data (a card is drawn inside that ancestor's card, e.g.
    和平区 and 东丽区 inside 天津市), else ''; province_code / city_code the ancestors at those levels (a county of a
    municipality has no city: city_code is its province)."""
    reg = {r["code"]: r for r in regions.to_dict("records")}
    codes = [str(c) for c in codes]
    have = set(codes)

    def chain(code: str) -> list[str]:
        out = [code]
        while True:
            p = reg.get(out[-1], {}).get("parent_code") or ""
            if not p or p in out or p not in reg or reg[p].get("level") == "country":
                return out[::-1]
            out.append(p)

    paths = {c: chain(c) for c in codes}
    nodes = {c for p in paths.values() for c in p}
    children: dict[str, list[str]] = {}
    roots = []
    for n in sorted(nodes):
        p = chain(n)
        (children.setdefault(p[-2], []) if len(p) > 1 else roots).append(n)
    order: list[str] = []

    def walk(n: str) -> None:
        order.append(n)
        for c in children.get(n, []):
            walk(c)

    for r in roots:
        walk(r)
    rows = []
    for n in order:
        path = chain(n)
        levels = {reg.get(c, {}).get("level"): c for c in path}
        province = levels.get("province") or path[0]
        rows.append({
            "code": n, "name": _name(reg.get(n, {"code": n}), lang), "level": reg.get(n, {}).get("level") or "",
            "parent_code": reg.get(n, {}).get("parent_code") or "", "depth": len(path) - 1, "path": path,
            "path_label": " › ".join(_name(reg.get(c, {"code": c}), lang) for c in path), "has_data": n in have,
            "card_parent": next((c for c in reversed(path[:-1]) if c in have), ""),
            "province_code": province, "city_code": levels.get("city") or province})
    return pd.DataFrame(rows, columns=TREE_COLUMNS)


# -- many regions: aggregates and a paged table -----------------------------------------------------------------

def aggregate(kpi: pd.DataFrame, tree: pd.DataFrame, *, level: str = "province", lang: str = "zh",
              within: str | None = None) -> pd.DataFrame:
    """Totals per province (level='province') or city ('city') over the regions below it that have data (the
    group's own plan figures are left out so nothing is counted twice). Per service: gap_<service> = Σ known gaps,
    known_<service> = how many regions have a gap (the others are 未提供, not 0), achieved_<service> = Σ supply /
    Σ target × 100 over regions with both. `within` keeps the groups inside one province.
    Columns: group_code, group_name, regions, then the per-service columns."""
    if level not in ("province", "city"):
        raise ValueError(f"level: 应为 province 或 city / must be province or city, got {level!r}")
    col = f"{level}_code"
    t = tree[tree["has_data"]][list(dict.fromkeys(["code", col, "province_code"]))].rename(columns={"code": "region_code"})
    t = t[t["region_code"] != t[col]]
    if within:
        t = t[t["province_code"] == within]
    k = kpi.merge(t, on="region_code", how="inner")
    names = dict(zip(tree["code"], tree["name"]))
    out = pd.DataFrame({"group_code": sorted(set(t[col]))})
    out["group_name"] = out["group_code"].map(names).fillna(out["group_code"])
    out["regions"] = out["group_code"].map(t.groupby(col)["region_code"].nunique()).fillna(0).astype(int)
    for s in SERVICES:
        g = k[k["service"] == s]
        out[f"gap_{s}"] = out["group_code"].map(g.groupby(col)["gap"].sum(min_count=1))
        out[f"known_{s}"] = out["group_code"].map(g.groupby(col)["gap"].count()).fillna(0).astype(int)
        both = g[g["supply"].notna() & g["target"].notna()]
        sums = both.groupby(col)[["supply", "target"]].sum()
        out[f"achieved_{s}"] = out["group_code"].map(sums["supply"] / sums["target"].replace(0, np.nan) * 100)
    return out


def region_table(kpi: pd.DataFrame, tree: pd.DataFrame) -> pd.DataFrame:
    """One row per region: region_code, region_name, path_label, province_code, city_code, then gap_<service>,
    gap_stated_<service>, achieved_<service> for each service (NaN = 未提供)."""
    wide = kpi.pivot_table(index="region_code", columns="service", values=["gap", "gap_stated", "achieved_share"],
                           aggfunc="first", dropna=False)
    out = pd.DataFrame({"region_code": list(dict.fromkeys(kpi["region_code"]))})
    names = dict(zip(kpi["region_code"], kpi["region_name"]))
    out["region_name"] = out["region_code"].map(names)
    info = tree.set_index("code")
    for c in ("path_label", "province_code", "city_code"):
        out[c] = out["region_code"].map(info[c]) if len(info) else ""
    for s in SERVICES:
        for measure, name in (("gap", "gap"), ("gap_stated", "gap_stated"), ("achieved_share", "achieved")):
            key = (measure, s)
            out[f"{name}_{s}"] = out["region_code"].map(wide[key]) if key in wide.columns else np.nan
    return out


def sort_and_page(table: pd.DataFrame, *, by: str, ascending: bool = False, page: int = 1,
                  page_size: int = 50) -> tuple[pd.DataFrame, int]:
    """Sorted (missing values last, whatever the direction) and cut to one page (1-based).
    Returns (the page's rows, number of pages)."""
    if by not in table.columns:
        raise ValueError(f"by: 没有列 {by!r} / no column {by!r}")
    ordered = table.sort_values(by, ascending=ascending, na_position="last", kind="stable")
    pages = max(1, math.ceil(len(ordered) / page_size))
    page = min(max(1, int(page)), pages)
    return ordered.iloc[(page - 1) * page_size: page * page_size].reset_index(drop=True), pages


# -- the leader's first screen: every region compared -------------------------------------------------------------

COMPARE_YEARS = (2025, 2030, 2035)  # 2025: the plans' own figures (十四五 end); 2030, 2035: the projection
# REVIEW_YEAR (models.planning.targets): 终期评估, the 十四五 targets are for 2025
DEFAULT_FOCUS = "500103"  # 渝中区: the region shown in detail first when it is among the regions offered


def default_focus(options) -> str | None:
    """The focus region a page opens on: DEFAULT_FOCUS when offered, else the first option (None: no options).
    The page and the start-up warm-up (ui/warm.py) both ask here, so the card warmed is the card drawn."""
    options = list(options)
    if not options:
        return None
    return DEFAULT_FOCUS if DEFAULT_FOCUS in options else options[0]


def comparison(kpi: pd.DataFrame) -> pd.DataFrame:
    """Every region's three services for the comparison chart and table, regions sorted: the most complete first
    (how many of the three gaps are known, then how many target gaps), then by the largest gap.

    In: kpis(...) of one year (whole numbers). Out: the kpi rows with `rank` (0 = first region), `known` (gaps
    known for the region) and `known_targets`, ordered by rank then SERVICES order.
    """
    k = kpi.copy()
    by_region = k.groupby("region_code", sort=False)
    known = by_region["gap"].count()
    known_t = by_region["target_gap"].count()
    largest = by_region["gap"].max().fillna(-np.inf)
    largest_t = by_region["target_gap"].max().fillna(-np.inf)
    order = pd.DataFrame({"known": known, "known_targets": known_t, "largest": largest, "largest_t": largest_t})
    order = order.sort_values(["known", "known_targets", "largest", "largest_t"], ascending=False, kind="stable")
    rank = {c: i for i, c in enumerate(order.index)}
    k["rank"] = k["region_code"].map(rank)
    k["known"] = k["region_code"].map(known)
    k["known_targets"] = k["region_code"].map(known_t)
    svc = {s: i for i, s in enumerate(SERVICES)}
    k = k.assign(_s=k["service"].map(svc)).sort_values(["rank", "_s"], kind="stable").drop(columns="_s")
    return k.reset_index(drop=True)


COMPARE_TABLE_KEYS = ("region", "ov_c_service", "ov_c_gap", "ov_c_stated", "ov_c_delta", "ov_c_target",
                      "ov_c_completion")


def compare_table(cmp: pd.DataFrame, *, names: dict | None = None, lang: str = "zh") -> pd.DataFrame:
    """The compact table beside the comparison chart, as text a leader reads: region, service, gap, the plan's own
    gap, our difference, target, completion (supply / target, whole percent). Missing → "—".
    In: comparison(...). Out: one row per region × service, headers in `lang` (COMPARE_TABLE_KEYS)."""
    from models.core.catalogue import label
    from models.core.formatting import cell
    from models.core.i18n import t

    names = names or {}
    rows = []
    for r in cmp.to_dict("records"):
        unit = indicator(r["service"]).unit
        # units are the service's (张 / 个): the cells carry the number only, to fit beside the chart
        rows.append([names.get(r["region_code"]) or r["region_name"] or r["region_code"], label(r["service"], lang),
                     cell(r["gap"], unit, lang, with_unit=False), cell(r["gap_stated"], unit, lang, with_unit=False),
                     _signed(r.get("gap_delta")), cell(r["target"], unit, lang, with_unit=False),
                     cell(r["achieved_share"], "percent", lang, digits=0)])
    return pd.DataFrame(rows, columns=[t(k, lang) for k in COMPARE_TABLE_KEYS])


def _signed(d) -> str:
    if _missing(d):
        return "—"
    return ("+" if d > 0 else ("-" if d < 0 else "")) + f"{abs(d):,.0f}"


def missing_line(rows, lang: str = "zh") -> str:
    """One quiet line naming what a region's plan does not give ("规划未给出：托位缺口、护理型床位缺口"), or ''
    when every gap is known. In: kpi rows (dicts) of one region."""
    from models.core.catalogue import label
    from models.core.i18n import t

    what = [t("ov_gap", lang, service=label(r["service"], lang)) for r in rows if _missing(r.get("gap"))]
    sep = "、" if lang == "zh" else ", "
    return t("ov_not_given", lang, what=sep.join(what)) if what else ""


def missing_inputs(rows, lang: str = "zh") -> str:
    """What a region's gap rows lack, as one line that names each missing input once ("缺少输入：规划未提供床位测算标准、
    规划未提供现有数量。可在“数据导入”页导入…"), or '' when nothing is missing. In: gap or kpi rows (dicts with
    reason_codes)."""
    from models.core.i18n import t

    seen: dict[str, None] = {}
    for r in rows:
        for c in r.get("reason_codes") or []:
            seen.setdefault(reason_text([{k: v for k, v in c.items() if k != "part"}], lang), None)
    what = [w for w in seen if w]
    return t("mi_line", lang, what=("、" if lang == "zh" else "; ").join(what)) if what else ""


# -- 终期评估: the review itself lives in models/planning/review.py; the overview shows its view ----------------------
# (final_review, review_view, review_template(s), without_actual, without_targets are imported above)


@dataclass(frozen=True)
class OverviewTables:
    """What the overview lays out for one year and language, computed once per data version (ui/cache.py).

    kpi: kpis(gaps, year); codes: the regions with rows, in the gap table's order; names: code → display name;
    tree: hierarchy(regions, codes); paths: code → path label; comparison: comparison(kpi) (the first screen);
    regions_wide: region_table(kpi, tree) (the many-regions table)."""

    kpi: pd.DataFrame
    codes: list
    names: dict
    tree: pd.DataFrame
    paths: dict
    comparison: pd.DataFrame
    regions_wide: pd.DataFrame


def overview_tables(gaps: pd.DataFrame, regions: pd.DataFrame, *, year: int, lang: str = "zh") -> OverviewTables:
    """The overview's tables from the national gap table of `year` (whole numbers, explain=False) and the regions
    table: everything the page needs that does not depend on a widget below the year switch."""
    kpi = kpis(gaps, year=year)
    codes = list(dict.fromkeys(kpi["region_code"]))
    tree = hierarchy(regions, codes, lang=lang)
    return OverviewTables(kpi=kpi, codes=codes, names=region_names(regions, lang), tree=tree,
                          paths=dict(zip(tree["code"], tree["path_label"])), comparison=comparison(kpi),
                          regions_wide=region_table(kpi, tree))


@dataclass(frozen=True)
class RegionCard:
    """One region's card on the overview: rows (kpis of its explained gap rows, as dicts), headline (the brief's
    one sentence) and chart (models.report.charts.gap_chart)."""

    rows: list
    headline: str
    chart: object


def region_card(explained: pd.DataFrame, *, code: str, year: int, lang: str = "zh",
                names: dict | None = None) -> RegionCard:
    """A region's card from its gap rows of `year` computed with explain=True (whole numbers)."""
    from models.core.i18n import t
    from models.report.brief import build_brief
    from models.report.charts import gap_chart

    names = names or {}
    name = names.get(code, code)
    return RegionCard(rows=kpis(explained, year=year).to_dict("records"),
                      headline=build_brief(explained, regions=[code], year=year, lang=lang, names=names).headline,
                      chart=gap_chart(explained, lang=lang, title=t("ov_chart_title", lang, region=name, year=year)))


# -- a province's counties ranked (issue 20): demand growth and demand per 1,000 --------------------------------

RANKING_COLUMNS = ["rank", "region_code", "region_name", "base_population", "population", "population_growth",
                   "demand_base", "demand", "demand_growth", "demand_per_1000", "reason_codes"]
RANKING_SORTS = ("demand_growth", "demand_per_1000")
# demand per 1,000 elderly (60+) for every service (issue 20): for beds under a per-elderly standard it is the
# standard itself, for places it shows where children are many among the old; population_growth is the 60+ growth
PER_1000_OF = {"elderly_beds": "elderly_60plus", "nursing_beds": "elderly_60plus",
               "childcare_places": "elderly_60plus"}


def county_ranking(gaps: pd.DataFrame, population: pd.DataFrame, units: pd.DataFrame, *, service: str,
                   base_year: int = REVIEW_YEAR, year: int = 2030, by: str = "demand_growth") -> pd.DataFrame:
    """A province's county-level units ranked by the growth of one service's demand from `base_year` to `year`
    and by demand per 1,000 (absolute demand and gaps of regions of very different size mislead, so both).

        demand_growth   = (demand(year) − demand(base_year)) / demand(base_year) × 100          (%)
        demand_per_1000 = demand(year) / population(year) × 1000   (population: PER_1000_OF[service])
        population_growth = (population(year) − population(base_year)) / population(base_year) × 100

    In: gaps — the gap table (whole numbers) of the units for both years (region_code, service, year, demand,
    reason_codes); population — projection rows (region_code, indicator, year, value) of one method and scenario;
    units — region_code, region_name of the units to rank. Out: RANKING_COLUMNS, sorted by `by` (descending,
    missing last), rank 1.. ; a unit whose demand is unknown keeps NaN and the reason_codes naming the missing
    input (e.g. no bed standard for 2025), never 0."""
    if by not in RANKING_SORTS:
        raise ValueError(f"by: 应为 {RANKING_SORTS} 之一 / must be one of {RANKING_SORTS}, got {by!r}")
    codes = units["region_code"].astype(str).tolist()
    g = gaps[(gaps["service"] == service) & gaps["year"].isin([base_year, year])]
    g = g.assign(region_code=g["region_code"].astype(str))
    demand = g.pivot_table(index="region_code", columns="year", values="demand", aggfunc="first", dropna=False)
    reasons = {(c, int(y)): r for c, y, r in zip(g["region_code"], g["year"], g["reason_codes"])}
    p = population[(population["indicator"] == PER_1000_OF[service]) & population["year"].isin([base_year, year])]
    pop = p.assign(region_code=p["region_code"].astype(str)).pivot_table(
        index="region_code", columns="year", values="value", aggfunc="first")

    def col(frame: pd.DataFrame, y: int) -> np.ndarray:
        if y not in frame.columns:
            return np.full(len(codes), np.nan)
        return frame[y].reindex(codes).to_numpy(dtype=float)

    d0, d1, p0, p1 = col(demand, base_year), col(demand, year), col(pop, base_year), col(pop, year)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({
            "region_code": codes, "region_name": units["region_name"].tolist(), "base_population": p0,
            "population": p1, "population_growth": np.where(p0 > 0, (p1 - p0) / p0 * 100, np.nan),
            "demand_base": d0, "demand": d1, "demand_growth": np.where(d0 > 0, (d1 - d0) / d0 * 100, np.nan),
            "demand_per_1000": np.where(p1 > 0, d1 / p1 * 1000, np.nan)})
    def demand_reasons(c: str) -> list:  # what the demand lacks (supply and targets do not enter the ranking)
        items = [r for y in (base_year, year) for r in (reasons.get((c, y)) or []) if r.get("part") == "demand"]
        return [r for i, r in enumerate(items) if r not in items[:i]]

    out["reason_codes"] = [demand_reasons(c) if np.isnan(a) or np.isnan(b) else []
                           for c, a, b in zip(codes, d0, d1)]
    # ties and unknown demand growth (e.g. no 2025 bed standard) are ordered by the growth of the elderly
    out = out.sort_values([by, "population_growth"], ascending=False, na_position="last",
                          kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[RANKING_COLUMNS]


def ranking_view(ranking: pd.DataFrame, *, service: str, base_year: int = REVIEW_YEAR, year: int = 2030,
                 lang: str = "zh") -> pd.DataFrame:
    """county_ranking as text a reader reads: headers in `lang`, whole beds/places, percents with one decimal,
    the per-1,000 figure with one decimal, a missing number "—" and the missing input named."""
    from models.core.catalogue import label
    from models.core.formatting import cell
    from models.core.i18n import t

    unit = indicator(service).unit
    per = label(PER_1000_OF[service], lang)
    return pd.DataFrame({
        t("rk_col_rank", lang): ranking["rank"],
        t("region", lang): [f"{n} ({c})" for n, c in zip(ranking["region_name"], ranking["region_code"])],
        t("rk_col_demand", lang, year=base_year): [cell(v, unit, lang) for v in ranking["demand_base"]],
        t("rk_col_demand", lang, year=year): [cell(v, unit, lang) for v in ranking["demand"]],
        t("rk_col_growth", lang, base=base_year, year=year): [cell(v, "percent", lang, digits=1)
                                                              for v in ranking["demand_growth"]],
        t("rk_col_per_1000", lang, per=per, year=year): ["—" if _missing(v) else f"{v:,.1f}"
                                                         for v in ranking["demand_per_1000"]],
        t("rk_col_pop_growth", lang, per=per, base=base_year, year=year): [
            cell(v, "percent", lang, digits=1) for v in ranking["population_growth"]],
        t("rk_col_missing", lang): [reason_text(r, lang) for r in ranking["reason_codes"]],
    })
