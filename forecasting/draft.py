"""The 十五五 draft (2026–2030 indicator table) of one region: the projection + the 2030 standards + the gap model.

    elderly_60plus, infants_0_3, population_resident (target year) = the model projection's medium value;
        lower_80 / upper_80 its 80 % band (Projector.load().project(Assumptions(code, method="model")))
    elderly_beds      = ⌈beds_per_1000_elderly × elderly_60plus / 1000⌉
    nursing_beds      = ⌈elderly_beds × nursing_share / 100⌉
    childcare_places  = ⌈places_per_1000 × population_resident / 1000⌉
    nursing_bed_share, places_per_1000 = the 2030 standards (models.planning.targets: the region's own, else the
        national 十五五 figure, else its 十四五 standard carried forward)
    childcare_enrolment_rate = the region's base enrolment + 6 points (national 十五五), where a base exists
    lower_80 / upper_80 of a count = the same formula on the band's population
    annual_addition (counts) = ⌈(target − supply in the target year) / (target year − 2025)⌉: the gap spread over
        the 十五五 years (supply = the gap model's: existing + projects completed by then)

The counts are the gap model's demand (forecasting.planning / models.planning.gaps.plan_gaps under model
assumptions and the same standards, in whole numbers), so the draft and `gaps --year 2030` agree by construction.
Out: `Draft` (frozen): `table` (DRAFT_COLUMNS first, then formula, scope), the region, the year, and `missing`
(what is lacking, as Messages) when no draft can be made.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.assumptions import Assumptions
from forecasting.projector import Projector
from models.core.formatting import fmt_number
from models.core.messages import MessageError, message
from models.planning.gaps import POPULATION_INDICATORS, plan_gaps, read_spec, round_up, whole_counts
from models.planning.targets import CARRIED_NOTE, REVIEW_YEAR, TARGET_YEAR

DRAFT_COLUMNS = ["region_code", "region_name", "indicator", "unit", "base_year", "base_value", "base_source",
                 "target_year", "target_value", "lower_80", "upper_80", "property", "basis", "annual_addition"]
EXTRA_COLUMNS = ["formula", "scope"]
# draft row → the catalogue indicator it is (label and unit)
CATALOGUE = {"elderly_60plus": "elderly_60plus", "infants_0_3": "infants_0_3",
             "population_resident": "population_resident", "elderly_beds": "elderly_beds",
             "nursing_beds": "nursing_beds", "nursing_bed_share": "nursing_bed_share",
             "childcare_places": "childcare_places", "places_per_1000": "childcare_places_per_1000",
             "childcare_enrolment_rate": "childcare_enrolment_rate"}
PROPERTIES = ("预期性", "约束性")
STANDARD_INPUTS = ("beds_per_1000_elderly", "institutional_share", "disabled_share", "supported_share",
                   "nursing_share", "places_per_1000")


class DraftIncomplete(MessageError):
    """No draft can be made: the message names the missing input (e.g. the 2030 population projection)."""


@dataclass(frozen=True)
class Draft:
    region_code: str
    region_name: str
    year: int
    table: pd.DataFrame = field(repr=False)
    population_detail: str = ""  # how the projection was made (method_detail of the 60+ path)
    standards: dict = field(default_factory=dict)  # the standards used: name → value (beds_per_1000_elderly, …)


def _spec(standards) -> dict:
    """A --standards file or dict as a gap-model assumptions spec with the projection as population."""
    return {**(read_spec(standards) if standards is not None else {}), "population": "model"}


def _band_population(pop: pd.DataFrame, column: str) -> pd.DataFrame:
    return pop.assign(value=pop[column].astype(float))


def _latest_observed(facts: pd.DataFrame, ind: str, year: int) -> dict | None:
    """The region's latest observed `ind` up to `year` (the review's choice: models.planning.review.latest_rows —
    the latest year; in one year a user's figure, then the last entered), None without one."""
    from models.planning.review import latest_rows

    f = facts[(facts["indicator"] == ind) & (facts["kind"] == "observed") & facts["value"].notna()
              & facts["year"].notna()]
    f = f[f["year"].astype(int) <= int(year)]
    return next(iter(latest_rows(f).values()), None) if len(f) else None


def _source(row: dict | None) -> str:
    """A fact as its base_source: the document by title, the fact id and the verbatim quote."""
    from models.report.brief import source_title

    if not row:
        return ""
    quote = " ".join(str(row.get("quote") or "").split())
    return f"{source_title(row.get('source') or '')} {row.get('fact_id', '')}：“{quote}”".strip()


def _property(facts: pd.DataFrame, ind: str, year: int) -> tuple[str, str]:
    """(property, where it comes from): the attribute of the region's target for `ind` of the target year, else of
    its 2025 target, else 预期性 (no source states 约束性)."""
    f = facts[(facts["indicator"] == ind) & (facts["kind"] == "target") & facts["attribute"].isin(PROPERTIES)
              & facts["year"].notna()]
    for y in (year, REVIEW_YEAR):
        hit = f[f["year"].astype(int) == y]
        if len(hit):
            r = hit.sort_values("fact_id").iloc[0]
            return r["attribute"], f"属性同{y}年规划指标（{r['fact_id']}）"
    return "预期性", "属性：规划未注明，按预期性"


def _standard_basis(prov: dict, name: str, value: float) -> str:
    """The standard used, with its quote and source (models.planning.standards.Provenance as a dict)."""
    from models.report.brief import source_title

    quote = " ".join(str(prov.get("quote") or "").split())
    parts = [f"{name} = {value:g}"]
    if prov.get("note"):
        parts.append(str(prov["note"]))
    if quote:
        parts.append(f"原文：“{quote}”")
    if prov.get("source"):
        parts.append(f"来源：{source_title(str(prov['source']))}")
    if prov.get("fact_id"):
        parts.append(str(prov["fact_id"]))
    return "；".join(parts)


def _scope(prov: dict) -> str:
    """Where a standard comes from (models.planning.targets' notes): override | national | carried | region."""
    note = str(prov.get("note") or "")
    if prov.get("source") == "override":
        return "override"
    if note.startswith(CARRIED_NOTE):
        return "carried"
    if note.startswith("全国"):  # the national 十五五 target, or the national provision derived (全国（推算）)
        return "national"
    return "region"


def draft(region: str, *, year: int = TARGET_YEAR, standards=None, db=None,
          projector: Projector | None = None) -> Draft:
    """The draft of `region` for `year` (2026–2035; default 2030) under the 2030 standards, with `standards` (a
    JSON file or dict as `gaps --assumptions`: {"beds_per_1000_elderly": 35} or {"500103": {"nursing_share": 75}})
    applied on top. Raises DraftIncomplete naming the missing input when the projection has no 60+ or total
    population for `year` (e.g. a county before the census projection lands)."""
    from models.store.facts import all_facts, region_name

    year = int(year)
    if not REVIEW_YEAR < year <= 2035:
        raise ValueError(f"年份须在 {REVIEW_YEAR + 1}–2035 之间 / year must lie in {REVIEW_YEAR + 1}–2035")
    spec = _spec(standards)
    projector = projector or Projector.load(db)
    name = region_name(region, db=db)
    proj = projector.project(Assumptions(region, method="model", to_year=max(year, TARGET_YEAR)))
    t = proj.table
    at = t[t["year"] == year].set_index("indicator")
    missing = [ind for ind in ("elderly_60plus", "population_resident")
               if ind not in at.index or pd.isna(at.loc[ind, "value"])]
    if missing:
        from models.core.catalogue import label

        why = "; ".join(str(at.loc[i, "note"]) for i in missing if i in at.index and isinstance(at.loc[i, "note"], str))
        raise DraftIncomplete(message(
            "dr_missing_input", region=f"{name}（{region}）",
            what_zh="、".join(f"{year}年{label(i)}（统计模型预测）" for i in missing) + (f"（{why}）" if why else ""),
            what_en=", ".join(f"the {year} {label(i, 'en')} (model projection)" for i in missing)
            + (f" ({why})" if why else "")))
    pop = t[t["indicator"].isin(POPULATION_INDICATORS) & (t["year"] == year) & t["value"].notna()]
    gaps = {band: whole_counts(plan_gaps(db, assumptions=spec, years=[year], region=region, explain=True,
                                         population=p)).set_index("service")
            for band, p in (("medium", pop), ("lower_80", _band_population(pop, "lower_80")),
                            ("upper_80", _band_population(pop, "upper_80")))}
    facts = all_facts(db, region=region)
    estimate = t[t["year"] == REVIEW_YEAR].set_index("indicator")["value"].to_dict()
    rows = _population_rows(region, name, year, at, facts, census=_census_base(region, db), estimate=estimate)
    rows += _service_rows(region, name, year, gaps, facts)
    table = pd.DataFrame(rows, columns=DRAFT_COLUMNS + EXTRA_COLUMNS)
    detail = str(at.loc["elderly_60plus", "method_detail"]) if "method_detail" in at else ""
    used = {i["name"]: float(i["value"]) for s in ("elderly_beds", "nursing_beds", "childcare_places")
            for i in gaps["medium"].loc[s, "inputs"] if i.get("name") in STANDARD_INPUTS}
    return Draft(region, name, year, table, detail, used)


def _row(region, name, ind, year, *, base=None, base_value=None, base_year=None, base_source="", target=np.nan,
         lower=np.nan, upper=np.nan, prop="预期性", basis="", addition=np.nan, formula="", scope="") -> dict:
    from models.core.catalogue import indicator

    if base is not None:
        base_value, base_year, base_source = float(base["value"]), int(base["year"]), _source(base)
    return {"region_code": region, "region_name": name, "indicator": ind, "unit": indicator(CATALOGUE[ind]).unit,
            "base_year": base_year, "base_value": base_value, "base_source": base_source, "target_year": year,
            "target_value": target, "lower_80": lower, "upper_80": upper, "property": prop, "basis": basis,
            "annual_addition": addition, "formula": formula, "scope": scope}


CENSUS_YEAR = 2020


def _census_base(region: str, db=None) -> dict[str, dict]:
    """The region's 2020 census figures as draft bases, indicator → {value, year, source}: population_resident (the
    census total: residents), elderly_60plus, infants_0_3 (ages 0–2, split from the census groups: an estimate, the
    source says how; forecasting.region_table). {} when the region is not a census unit (e.g. an imported one)."""
    from forecasting.region_table import INFANT_SOURCE, infants_0_3
    from models.regions.census import SOURCE
    from models.store import census as stored

    fig = stored.census_figures(db, year=CENSUS_YEAR, codes=[region])
    if fig.empty:
        return {}
    f = fig.iloc[0]
    infants = infants_0_3(stored.census_persons(db, year=CENSUS_YEAR, codes=[region]))
    out = {}
    for ind, v, src in (("population_resident", f["population"], SOURCE), ("elderly_60plus", f["elderly_60plus"], SOURCE),
                        ("infants_0_3", infants.get(region), f"{SOURCE}；{INFANT_SOURCE}")):
        if v is not None and not pd.isna(v):
            out[ind] = {"value": float(v), "year": CENSUS_YEAR, "source": src}
    return out


def _population_base(ind: str, facts: pd.DataFrame, census: dict, estimate: dict) -> dict:
    """A population row's base columns: the latest observed fact up to REVIEW_YEAR; else the 2020 census; else none,
    saying why. The model's REVIEW_YEAR estimate is named beside a census base or a missing one (a figure for the
    base year, but an estimate, not a count)."""
    from models.core.catalogue import label

    fact = _latest_observed(facts, ind, REVIEW_YEAR)
    if fact is not None:
        return {"base_value": float(fact["value"]), "base_year": int(fact["year"]), "base_source": _source(fact)}
    est = estimate.get(ind)
    est_text = (f"{REVIEW_YEAR}年统计模型估算（中方案）{fmt_number(round_up(est), 'person')}"
                if est is not None and not pd.isna(est) else "")
    c = census.get(ind)
    if c is not None:
        text = f"{c['year']}年普查{label(ind)} {fmt_number(c['value'], 'person')}：{c['source']}"
        return {"base_value": c["value"], "base_year": c["year"],
                "base_source": text + (f"；另：{est_text}" if est_text else "")}
    why = f"未提供：本地区无{REVIEW_YEAR}年及以前的{label(ind)}观测值，亦非{CENSUS_YEAR}年普查单位"
    return {"base_value": np.nan, "base_year": None, "base_source": why + (f"（{est_text}）" if est_text else "")}


def _population_rows(region, name, year, at: pd.DataFrame, facts: pd.DataFrame, *, census: dict | None = None,
                     estimate: dict | None = None) -> list[dict]:
    rows = []
    for ind in ("elderly_60plus", "infants_0_3", "population_resident"):
        if ind not in at.index:
            continue
        r = at.loc[ind]
        value = round_up(r["value"])  # persons: whole numbers, rounded up (the formula keeps the projection's value)
        basis = (f"统计模型预测（中方案），80%区间 {r['lower_80']:,.0f}–{r['upper_80']:,.0f}；{r['method_detail']}"
                 if pd.notna(r["value"]) else f"未提供：{r['note']}")
        rows.append(_row(region, name, ind, year, **_population_base(ind, facts, census or {}, estimate or {}),
                         target=value,
                         lower=round_up(r["lower_80"]), upper=round_up(r["upper_80"]), prop="预期性", basis=basis,
                         formula=f"{ind}({year}) = ⌈model/medium {fmt_number(round(float(r['value']), 2))}⌉ = "
                                 f"{fmt_number(value)}",
                         scope="projection"))
    return rows


def _service_rows(region, name, year, gaps: dict, facts: pd.DataFrame) -> list[dict]:
    g = gaps["medium"]
    span = year - REVIEW_YEAR
    std = {}
    for i in g.loc["elderly_beds", "inputs"] + g.loc["nursing_beds", "inputs"] + g.loc["childcare_places", "inputs"]:
        if i.get("name") in STANDARD_INPUTS:
            std.setdefault(i["name"], i)
    rows = []
    for service in ("elderly_beds", "nursing_beds", "childcare_places"):
        r = g.loc[service]
        target = r["demand"]
        prop, prop_note = _property(facts, service, year)
        params = {"elderly_beds": [k for k in ("beds_per_1000_elderly", "institutional_share", "disabled_share",
                                               "supported_share") if k in std],
                  "nursing_beds": ["nursing_share"], "childcare_places": ["places_per_1000"]}[service]
        basis = "；".join(_standard_basis(std[k], k, float(std[k]["value"])) for k in params if k in std)
        if pd.isna(target):
            from models.planning.gaps import reason_text

            basis = "未提供：" + reason_text(r["reason_codes"], "zh") + ("；" + basis if basis else "")
        addition = (round_up(max(float(r["gap"]), 0.0) / span) if pd.notna(r["gap"]) else np.nan)
        supply_year = int(r["supply_year"]) if pd.notna(r["supply_year"]) else None
        sup_inputs = [i for i in r["inputs"] if str(i.get("name", "")).startswith("supply:")]
        base_source = "；".join(_source(i) for i in sup_inputs) if sup_inputs else ""
        if pd.isna(r["supply_existing"]):  # say why there is no base (the gap model's supply reason)
            from models.planning.gaps import reason_text

            why = reason_text([{**c, "part": ""} for c in r["reason_codes"] if c.get("part") == "supply"], "zh")
            base_source = "未提供：" + (why or "无现有数量") + ("；" + base_source if base_source else "")
        if service == "nursing_beds" and "nursing_share" in std:
            how = (f"elderly_beds {fmt_number(g.loc['elderly_beds', 'demand'])} × nursing_share "
                   f"{fmt_number(std['nursing_share']['value'])}%")
        else:
            how = r["formula"].split(";")[0].split("=", 1)[1].strip()
        formula = (f"{service} = ⌈{how}⌉ = {fmt_number(target)}; annual_addition = ⌈(target − supply({year}) "
                   f"{fmt_number(r['supply'])}) / {span}⌉ = {fmt_number(addition)}" if pd.notna(target) else "")
        rows.append(_row(region, name, service, year, base_value=r["supply_existing"], base_year=supply_year,
                         base_source=base_source, target=target, lower=gaps["lower_80"].loc[service, "demand"],
                         upper=gaps["upper_80"].loc[service, "demand"], prop=prop,
                         basis=(basis + "；" + prop_note) if basis else prop_note, addition=addition, formula=formula,
                         scope=_scope(std[params[0]]) if params and params[0] in std else ""))
        if service == "nursing_beds":
            rows.append(_rate_row(region, name, year, "nursing_bed_share", std.get("nursing_share"), facts))
        if service == "childcare_places":
            rows.append(_rate_row(region, name, year, "places_per_1000", std.get("places_per_1000"), facts))
            enrol = _enrolment_row(region, name, year, facts)
            if enrol:
                rows.append(enrol)
    return rows


# the rate rows: draft row → (the standard that sets it, the catalogue indicator of its base, text when missing)
RATES = {"nursing_bed_share": ("nursing_share", "nursing_bed_share", "未提供：无护理型床位占比标准"),
         "places_per_1000": ("places_per_1000", "childcare_places_per_1000", "未提供：无每千人口托位数标准")}


def _rate_row(region, name, year, ind: str, prov: dict | None, facts) -> dict:
    """A rate of the draft (nursing-bed share, places per 1,000): the 2030 standard, its base, quote and source."""
    param, catalogue_id, none = RATES[ind]
    prop, note = _property(facts, catalogue_id, year)
    from models.core.catalogue import label

    value = float(prov["value"]) if prov else np.nan
    basis = (_standard_basis(prov, param, value) + "；" + note) if prov else none
    base = _latest_observed(facts, catalogue_id, REVIEW_YEAR)
    missing = {} if base is not None else {
        "base_source": f"未提供：本地区无{REVIEW_YEAR}年及以前的{label(catalogue_id)}观测值（规划或导入数据）"}
    return _row(region, name, ind, year, base=base, **missing, target=value,
                lower=value, upper=value, prop=prop, basis=basis,
                formula=f"{ind}({year}) = {param} = {fmt_number(value)}",
                scope=_scope(prov) if prov else "")


def _enrolment_row(region, name, year, facts) -> dict | None:
    from models.planning.standards import RegionStandards
    from models.planning.targets import base_enrolment, region_targets

    base = base_enrolment(facts, region)
    if base is None:
        return None
    # enrolment is not a gap-model standard: the region's own 2030 target, else base + 6 points (national)
    t = region_targets(facts, region, RegionStandards(), year=year, names=("enrolment_rate",))["enrolment_rate"]
    if t.value is None:
        return None
    prop, note = _property(facts, "childcare_enrolment_rate", year)
    basis = _standard_basis(t.provenance().as_dict(), "childcare_enrolment_rate", t.value) + "；" + note
    return _row(region, name, "childcare_enrolment_rate", year, base=base, target=t.value, lower=t.value,
                upper=t.value, prop=prop, basis=basis, scope=t.scope,
                formula=f"childcare_enrolment_rate({year}) = {fmt_number(base['value'])} + 6 = {fmt_number(t.value)}"
                if t.scope == "national" else f"childcare_enrolment_rate({year}) = {fmt_number(t.value)}")
