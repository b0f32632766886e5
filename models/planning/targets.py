"""A region's 十五五 (2026–2030) targets and standards, as data, and the national figures behind them.

Where they live: a region's 2030 targets and standards are facts like any other (kind `target` or `standard`, a
year of the 十五五 period 2026–2030): a plan's curated figures, or a planner's import (template rows 目标值/规划标准,
models/intake/importer.py) and in-table edits on the data page, both stored in `user_facts` with who, when and why
and a change-log entry that can be reverted (models/store/userdata.py). Nothing here writes.

The national frame (data/reference/policy_2025_2030.csv, read by models.planning.standards.national) supplies the
defaults where a region states none, each labelled national (全国) with its quote:
- nursing_share: 养老机构护理型床位占比 73 % by 2030 (2026年政府工作报告; 十五五纲要);
- childcare enrolment: 3岁以下婴幼儿入托率 +6 percentage points 2026–2030 (十五五纲要), applied to a region's
  own base enrolment; there is no national default without one;
- beds per 1,000 elderly and places per 1,000 population: there is no national 2030 figure (no national bed total;
  places per 1,000 were replaced by the enrolment rate), so the region's 2025 standard is carried forward and said
  so ('carried').

In:  facts (models.store.facts.all_facts: region_code, indicator, year, value, kind, comparator, attribute, source,
     quote, fact_id, origin), the plan standards (models.planning.standards.Standards).
Out: `Target` per standard (value, scope region | national | carried | none, comparator, property, provenance),
     `region_targets(...)`, and `period_standards(...)`: the Standards of a year after 2025 (what every 2030 view
     reads: the gap table, the overview, the export, the draft).
Units: beds_per_1000_elderly beds per 1000 persons aged 60+; places_per_1000 per 1000 population; shares and the
enrolment rate percent numbers (73 means 73 %).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from types import MappingProxyType

import pandas as pd

from models.planning.standards import (
    PLAN_END_YEAR,
    Provenance,
    RegionStandards,
    Standards,
    national,
    policy_source,
)

REVIEW_YEAR = PLAN_END_YEAR  # the 十四五 end: its targets are reviewed (models/planning/review.py)
PERIOD = range(2026, 2031)  # 十五五
TARGET_YEAR = 2030

# standard (a RegionStandards field, or 'enrolment_rate' / 'affordable_share') → the fact indicator that states it
TARGET_INDICATORS = MappingProxyType({
    "beds_per_1000_elderly": "beds_per_1000_elderly",
    "nursing_share": "nursing_bed_share",
    "places_per_1000": "childcare_places_per_1000",
    "enrolment_rate": "childcare_enrolment_rate",
    "affordable_share": "affordable_childcare_share",
})
STANDARD_NAMES = ("beds_per_1000_elderly", "nursing_share", "places_per_1000")  # fields of RegionStandards
SCOPES = ("region", "national", "carried", "override", "none")
NATIONAL_NOTE = "全国“十五五”目标（本地区未设定时采用） / national 十五五 target (the region sets none)"
CARRIED_NOTE = ("“十五五”无全国标准，沿用“十四五”标准 / no national 十五五 figure: the 十四五 standard (the region's "
                "plan's, else the national one) carried forward")
ENROLMENT_NOTE = ("全国“十五五”：3岁以下婴幼儿入托率提高6个百分点，加于本地区基数 / national 十五五: enrolment "
                  "+6 percentage points on the region's base")


@dataclass(frozen=True)
class Target:
    """One 十五五 target or standard of a region: `value` (None = none stated, nothing invented), `scope`
    (region: the region's own figure; national: the national 十五五 figure as default; carried: the region's 十四五
    standard carried forward; override: a planner's setting; none), the comparator as stated (≥, ≤, =), the
    property (约束性 / 预期性, '' when no source states it), the year it is set for and its provenance."""

    name: str
    value: float | None
    scope: str
    year: int | None = None
    comparator: str = "="
    property: str = ""
    source: str = ""
    quote: str = ""
    fact_id: str = ""
    note: str = ""

    def provenance(self) -> Provenance:
        return Provenance(self.value, self.source, self.quote, self.fact_id, self.note)


# -- the national frame -------------------------------------------------------------------------------------------

@functools.cache
def national_bed_standard() -> Target | None:
    """The national bed provision planned for 十四五 as beds per 1,000 elderly — there is no national 2030 bed total,
    so this is the default where a region (and its plan) states no bed standard at all, derived and said so:
    养老服务床位总量约1000万张 (2025 target) ÷ 2025年全国60岁及以上人口 × 1000. None when a figure is missing."""
    from models.intake.sources import read_official

    beds = national("elderly_beds", kind="target", year=REVIEW_YEAR)
    off = read_official()
    e = off[(off["region_code"] == "100000") & (off["indicator"] == "elderly_60plus") & (off["year"] == REVIEW_YEAR)]
    if beds is None or e.empty:
        return None
    elderly = float(e["value"].iloc[0])
    value = round(beds["value"] / elderly * 1000, 1)
    note = (f"全国（推算）：“十四五”养老服务床位总量约{beds['value'] / 1e4:,.0f}万张 ÷ {REVIEW_YEAR}年全国60岁及以上人口"
            f"{elderly / 1e4:,.0f}万人 × 1000 = {value:g}；“十五五”无全国床位总量目标 / national (derived): the 十四五 "
            f"bed total ÷ the {REVIEW_YEAR} national 60+ × 1000; there is no national 2030 bed total")
    return Target("beds_per_1000_elderly", value, "national", year=TARGET_YEAR, comparator="=",
                  source=f"{policy_source(beds)}；{e['source'].iloc[0]}", quote=f"{beds['quote']} … {e['quote'].iloc[0]}",
                  note=note)


def _national_target(name: str, row: dict, year: int, note: str = NATIONAL_NOTE) -> Target:
    return Target(name, row["value"], "national", year=year, comparator="≥", property="",
                  source=policy_source(row), quote=row["quote"], fact_id="", note=note)


# -- a region's own 十五五 figures ---------------------------------------------------------------------------------

_KIND_ORDER = {"target": 0, "standard": 1}


def own_targets(facts: pd.DataFrame, *, year: int = TARGET_YEAR) -> dict[tuple[str, str], Target]:
    """{(region_code, standard name): Target} of every region that states a 十五五 figure for a year 2026..`year`
    (the latest year first; in one year a user's figure before a plan's, a target before a standard). One pass
    over the facts: fast for thousands of regions."""
    by_ind = {ind: name for name, ind in TARGET_INDICATORS.items()}
    f = facts[facts["indicator"].isin(list(by_ind)) & facts["kind"].isin(list(_KIND_ORDER)) & facts["value"].notna()
              & facts["year"].notna()]
    f = f[(f["year"].astype(int) >= PERIOD.start) & (f["year"].astype(int) <= int(year))]
    if f.empty:
        return {}
    origin = f["origin"] if "origin" in f else pd.Series("plan", index=f.index)
    f = f.assign(_user=(origin == "user").astype(int), _kind=f["kind"].map(_KIND_ORDER),
                 _year=f["year"].astype(int))
    f = f.sort_values(["_year", "_user", "_kind", "fact_id"], ascending=[False, False, True, False], kind="stable")
    out = {}
    for r in f.drop_duplicates(["region_code", "indicator"]).to_dict("records"):
        name = by_ind[r["indicator"]]
        out[(r["region_code"], name)] = Target(
            name, float(r["value"]), "region", year=int(r["year"]), comparator=_text(r.get("comparator")) or "=",
            property=_text(r.get("attribute")), source=_text(r.get("source")), quote=_text(r.get("quote")),
            fact_id=_text(r.get("fact_id")), note=_text(r.get("note")))
    return out


def _text(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def base_enrolment(facts: pd.DataFrame, code: str, *, year: int = REVIEW_YEAR) -> dict | None:
    """The region's latest observed 3岁以下婴幼儿入托率 up to `year` (a fact row as a dict), None without one."""
    f = facts[(facts["region_code"] == code) & (facts["indicator"] == TARGET_INDICATORS["enrolment_rate"])
              & (facts["kind"] == "observed") & facts["value"].notna() & facts["year"].notna()]
    f = f[f["year"].astype(int) <= int(year)]
    if f.empty:
        return None
    return f.sort_values(["year", "fact_id"]).iloc[-1].to_dict()


def region_targets(facts: pd.DataFrame, code: str, base: RegionStandards, *, year: int = TARGET_YEAR,
                   own: dict | None = None, names=tuple(TARGET_INDICATORS)) -> dict[str, Target]:
    """The region's 十五五 targets and standards for `year`, name → Target (every name of TARGET_INDICATORS):
    its own figure, else the national 十五五 figure (nursing share; enrolment as base + 6 points), else its 十四五
    standard carried forward (`base`, the region's plan standards), else none. `own`: own_targets(facts) when
    the caller has it already (many regions); `names`: the targets wanted (default all)."""
    own = own_targets(facts[facts["region_code"] == code], year=year) if own is None else own
    out: dict[str, Target] = {}
    for name in names:
        if (code, name) in own:
            out[name] = own[(code, name)]
            continue
        if name == "nursing_share":
            row = national("nursing_bed_share", kind="target", year=TARGET_YEAR)
            if row is not None:
                out[name] = _national_target(name, row, year)
                continue
        if name == "enrolment_rate":
            change = national("childcare_enrolment_rate_change", kind="target", year=TARGET_YEAR)
            b = base_enrolment(facts, code)
            if change is not None and b is not None:
                out[name] = Target(name, float(b["value"]) + change["value"], "national", year=year, comparator="≥",
                                   source=policy_source(change), quote=change["quote"], fact_id=_text(b["fact_id"]),
                                   note=f"{ENROLMENT_NOTE}：{float(b['value']):g}% + {change['value']:g} "
                                        f"（{int(b['year'])}年基数 {b['fact_id']}）")
                continue
        if name in STANDARD_NAMES and getattr(base, name) is not None:
            p = base.source_of(name)
            out[name] = Target(name, float(getattr(base, name)), "carried", year=year, comparator="=",
                               source=p.source, quote=p.quote, fact_id=p.fact_id,
                               note=CARRIED_NOTE + (f"；{p.note}" if p.note else ""))
            continue
        if name == "beds_per_1000_elderly" and not base.effective_bed_method and national_bed_standard():
            out[name] = replace(national_bed_standard(), year=year)
            continue
        out[name] = Target(name, None, "none", year=year)
    return out


def _apply(rs: RegionStandards, targets: dict[str, Target]) -> RegionStandards:
    """`rs` with the 十五五 standards of `targets` (and without the 十四五 plans' own computing quirks: the population
    year and rounding steps they used for their 2025 figures)."""
    values, prov = {}, dict(rs.provenance)
    for name in STANDARD_NAMES:
        t = targets.get(name)
        if t is None or t.value is None:
            continue
        prov[name] = t.provenance()  # a carried standard keeps its value; its provenance says it is carried
        if t.scope != "carried":
            values[name] = t.value
    if "beds_per_1000_elderly" in values and not rs.bed_method:
        values["bed_method"] = "per_1000"
    return replace(rs, **values, childcare_population_year=None, childcare_round_to=None, beds_round_to=None,
                   provenance=MappingProxyType(prov))


def period_standards(standards: Standards, facts: pd.DataFrame, *, year: int = TARGET_YEAR) -> Standards:
    """The standards that apply in `year`: for 2025 and before the plans' (`standards` unchanged); for a year of the
    十五五 period or later, each region's own 十五五 standards, the national ones where it has none, its 十四五
    standard carried forward where neither exists (region_targets). The '*' default takes the national ones."""
    if int(year) <= REVIEW_YEAR:
        return standards
    y = min(int(year), TARGET_YEAR)
    own = own_targets(facts, year=y)
    default = _apply(standards.default, region_targets(facts, "*", standards.default, year=y, own={},
                                                       names=STANDARD_NAMES))
    with_own = {code for code, _ in own}
    shared: dict[int, RegionStandards] = {}  # regions without figures of their own share their (default) standards

    def one(code: str, rs: RegionStandards) -> RegionStandards:
        if code in with_own:
            return _apply(rs, region_targets(facts, code, rs, year=y, own=own, names=STANDARD_NAMES))
        if id(rs) not in shared:
            shared[id(rs)] = _apply(rs, region_targets(facts, code, rs, year=y, own={}, names=STANDARD_NAMES))
        return shared[id(rs)]

    regions = {code: one(code, rs) for code, rs in standards.regions.items()}
    return replace(standards, default=default, regions=MappingProxyType(regions))


def region_period_standards(rs: RegionStandards, facts: pd.DataFrame, code: str, *, year: int) -> RegionStandards:
    """period_standards for one region (the workbench's rerun: one region, not the whole table)."""
    if int(year) <= REVIEW_YEAR:
        return rs
    y = min(int(year), TARGET_YEAR)
    return _apply(rs, region_targets(facts, code, rs, year=y, names=STANDARD_NAMES))

