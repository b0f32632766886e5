"""Planning standards (规划标准) as data: which norm turns a population into a demand, per region and service.

In:  the national figures (data/reference/policy_2025_2030.csv, level national, kind target: the one place that
     names the national standards, NATIONAL_STANDARDS), data/standards.csv (region_code '*' = every region: supply
     rules only) and the facts. A standards.csv row names either a literal value with its source and quote, or a
     fact (fact_indicator + fact_kind) whose value and quote come from the database, so the quote is always the
     plan's own words. Region rows override the national defaults.
Out: `Standards`, a frozen, validated set of `RegionStandards` (one per region, plus the '*' default), each field
     carrying its provenance (`Provenance`: value, source, quote, fact_id, note). Planners override fields with
     `Standards.override(...)` or a JSON file (`Standards.with_overrides(path_or_dict)`).

Units: beds_per_1000_elderly beds per 1000 persons aged 60+; places_per_1000 places per 1000 population;
every *_share is a percent number (3 means 3%).
"""
from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd


class Range(NamedTuple):
    """The accepted values of one assumption: lo ≤ value ≤ hi in `unit`, set in steps of `step` (the widget's).
    Units: 'per_1000' (per 1000 persons), 'percent', '%/yr', 'pp/yr' (percentage points per year), '‰'."""
    lo: float
    hi: float
    step: float
    unit: str


# The planner-settable standards' ranges: the only statement of them (validation below, the workbench's widgets and
# its sensitivity steps read them; forecasting.assumptions composes them with the projection rates).
STANDARD_RANGES = MappingProxyType({
    "beds_per_1000_elderly": Range(0.0, 1000.0, 1.0, "per_1000"),
    "nursing_share": Range(0.0, 100.0, 1.0, "percent"),
    "places_per_1000": Range(0.0, 1000.0, 0.1, "per_1000"),
    "disabled_share": Range(0.0, 100.0, 1.0, "percent"),
    "supported_share": Range(0.0, 100.0, 1.0, "percent"),
    "institutional_share": Range(0.0, 100.0, 1.0, "percent"),
})

BED_METHODS = ("per_1000", "institutional", "needs", "")
NUMERIC_FIELDS = ("beds_per_1000_elderly", "nursing_share", "places_per_1000", "disabled_share", "supported_share",
                  "institutional_share", "childcare_population_year", "childcare_round_to", "beds_round_to")
SHARE_FIELDS = ("nursing_share", "disabled_share", "supported_share", "institutional_share")
# Fields that imply a bed-demand method when a planner sets them without naming the method.
_METHOD_OF = {"beds_per_1000_elderly": "per_1000", "institutional_share": "institutional",
              "disabled_share": "needs", "supported_share": "needs"}
_LABELS = {  # zh labels for error messages
    "beds_per_1000_elderly": "每千名老年人床位数", "nursing_share": "护理型床位占比", "places_per_1000": "每千人口托位数",
    "disabled_share": "失能失智老年人占比", "supported_share": "需保障床位占比", "institutional_share": "机构养老占比",
    "childcare_population_year": "托位测算人口年份", "childcare_round_to": "托位取整单位", "beds_round_to": "床位取整单位",
    "bed_method": "床位需求测算方法", "count_pipeline": "计入在建项目", "elderly_basis": "老年人口口径",
    "population_basis": "总人口口径",
}
BASES = ("常住", "户籍", "")
# The plans' (十四五) standards are stated for years up to 2025; a figure set for a later year is a 十五五 target or
# standard (models.planning.targets), never read as the plan's standard.
PLAN_END_YEAR = 2025


@dataclass(frozen=True)
class Provenance:
    """Where a standard's value comes from: a fact (fact_id + verbatim quote) or a cited source, or a user override."""
    value: Any
    source: str = ""
    quote: str = ""
    fact_id: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return {"value": self.value, "source": self.source, "quote": self.quote, "fact_id": self.fact_id,
                "note": self.note}


def _bad(name: str, value, why_zh: str, why_en: str) -> ValueError:
    return ValueError(f"{_LABELS.get(name, name)}（{name}）= {value!r}：{why_zh} / {name} = {value!r}: {why_en}")


@dataclass(frozen=True)
class RegionStandards:
    """One region's standards (None = the plan states none). Validated at construction.

    beds_per_1000_elderly: beds per 1000 persons aged 60+ (bed_method 'per_1000')
    institutional_share:   percent of the elderly in institutions, one bed each (bed_method 'institutional')
    disabled_share, supported_share: percent of elderly disabled/with dementia, percent of them needing a supported
                           bed (bed_method 'needs': demand = elderly × disabled% × supported%)
    nursing_share:         nursing beds as percent of elderly-care beds
    places_per_1000:       childcare places per 1000 population
    childcare_population_year: apply places_per_1000 to the population of this year (None = the demand year)
    childcare_round_to, beds_round_to: round demand to this step (None = no rounding)
    count_pipeline:        supply includes planned projects completed by the year (False = existing supply only,
                           as the plans compute their gaps)
    elderly_basis, population_basis: '常住', '户籍' or '' (either) for the population the standard applies to
    """
    beds_per_1000_elderly: float | None = None
    nursing_share: float | None = None
    places_per_1000: float | None = None
    disabled_share: float | None = None
    supported_share: float | None = None
    institutional_share: float | None = None
    bed_method: str = ""
    childcare_population_year: int | None = None
    childcare_round_to: float | None = None
    beds_round_to: float | None = None
    count_pipeline: bool = False
    elderly_basis: str = ""
    population_basis: str = ""
    provenance: MappingProxyType = field(default_factory=lambda: MappingProxyType({}), compare=False, repr=False)

    def __post_init__(self):
        for name in NUMERIC_FIELDS:
            v = getattr(self, name)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
                raise _bad(name, v, "须为数值或留空", "must be a number or None")
            if v < 0:
                raise _bad(name, v, "不能为负数", "must not be negative")
        for name in SHARE_FIELDS:
            v, hi = getattr(self, name), STANDARD_RANGES[name].hi
            if v is not None and v > hi:
                raise _bad(name, v, f"百分比须在0到{hi:g}之间", f"a percent must lie between 0 and {hi:g}")
        for name in ("beds_per_1000_elderly", "places_per_1000"):
            v, hi = getattr(self, name), STANDARD_RANGES[name].hi
            if v is not None and v > hi:
                raise _bad(name, v, f"每千人指标不能超过{hi:g}", f"a per-1000 rate must not exceed {hi:g}")
        for name in ("childcare_round_to", "beds_round_to"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise _bad(name, v, "取整单位须大于0", "rounding step must be positive")
        y = self.childcare_population_year
        if y is not None and (int(y) != y or not 1950 <= y <= 2100):
            raise _bad("childcare_population_year", y, "须为1950–2100之间的年份", "must be a year 1950–2100")
        if self.bed_method not in BED_METHODS:
            raise _bad("bed_method", self.bed_method, f"须为 {BED_METHODS} 之一", f"must be one of {BED_METHODS}")
        if not isinstance(self.count_pipeline, bool):
            raise _bad("count_pipeline", self.count_pipeline, "须为 true 或 false", "must be true or false")
        for name in ("elderly_basis", "population_basis"):
            if getattr(self, name) not in BASES:
                raise _bad(name, getattr(self, name), "须为 常住、户籍 或留空", "must be 常住, 户籍 or ''")

    @property
    def effective_bed_method(self) -> str:
        """The bed-demand method: the stated one, else the first whose parameters are present ('' = none)."""
        if self.bed_method:
            return self.bed_method
        if self.beds_per_1000_elderly is not None:
            return "per_1000"
        if self.institutional_share is not None:
            return "institutional"
        if self.disabled_share is not None and self.supported_share is not None:
            return "needs"
        return ""

    def source_of(self, name: str) -> Provenance:
        return self.provenance.get(name, Provenance(getattr(self, name)))

    def changed(self, note: str = "用户设定 / planner override", **changes) -> RegionStandards:
        """A copy with `changes` applied (validated); provenance of changed fields says 'planner override'."""
        unknown = set(changes) - {f.name for f in fields(self)} - {"provenance"}
        if unknown:
            raise ValueError(f"未知参数 {sorted(unknown)} / unknown standard(s) {sorted(unknown)}")
        changes = dict(changes)
        set_method = [m for k, m in _METHOD_OF.items() if k in changes and changes[k] is not None]
        if set_method and "bed_method" not in changes:
            changes["bed_method"] = set_method[0]
        prov = dict(self.provenance)
        for k, v in changes.items():
            prov[k] = Provenance(v, source="override", note=note)
        return replace(self, **changes, provenance=MappingProxyType(prov))


@dataclass(frozen=True)
class Standards:
    """Standards for every region: `default` ('*') and per-region sets (a region's set already includes '*').

    `missing` lists standards.csv rows that could not be resolved (e.g. the fact is not curated yet), with reason.
    """
    default: RegionStandards
    regions: MappingProxyType
    missing: tuple = ()

    def for_region(self, code: str) -> RegionStandards:
        return self.regions.get(code, self.default)

    def override(self, region: str | None = None, **changes) -> Standards:
        """A new Standards with `changes` for one region, or (region None) for the default and every region."""
        if region is not None:
            regs = dict(self.regions)
            regs[region] = self.for_region(region).changed(**changes)
            return replace(self, regions=MappingProxyType(regs))
        return replace(self, default=self.default.changed(**changes),
                       regions=MappingProxyType({c: s.changed(**changes) for c, s in self.regions.items()}))

    def with_overrides(self, spec: dict | str | Path) -> Standards:
        """Apply a JSON file or dict: {"beds_per_1000_elderly": 35} for all regions, or
        {"*": {...}, "500103": {...}} ('*' first, then regions). Invalid names or values raise ValueError."""
        if not isinstance(spec, dict):
            try:
                spec = json.loads(Path(spec).read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise ValueError(f"假设文件不是有效的 JSON：{exc} / assumptions file is not valid JSON") from exc
        if not isinstance(spec, dict):
            raise ValueError("假设文件须为 JSON 对象 / the assumptions file must hold a JSON object")
        spec = {k: v for k, v in spec.items() if not k.startswith("_") and k != "population"}
        nested = {k: v for k, v in spec.items() if isinstance(v, dict)}
        flat = {k: v for k, v in spec.items() if not isinstance(v, dict)}
        out = self.override(**flat) if flat else self
        if "*" in nested:
            out = out.override(**nested.pop("*"))
        for code, changes in nested.items():
            out = out.override(region=code, **changes)
        return out

    def own(self, code: str) -> bool:
        """Whether `code` has standards of its own (rows in data/standards.csv or stated in its facts), not the
        '*' defaults alone."""
        rs = self.regions.get(code)
        return rs is not None and rs is not self.default

    def inherit(self, parents: dict, names: dict | None = None) -> Standards:
        """A region without standards of its own takes its parent's (a province's plan standards) where the parent
        has its own: parents {region code: parent code (its province)}, names {code: name} for the note. Each field
        the parent states (not the '*' default) says so in its provenance note; the rest stay the national '*'
        defaults. Regions whose parent has none are left as they are (the '*' defaults)."""
        regs = dict(self.regions)
        made: dict[str, RegionStandards] = {}
        for code, parent in parents.items():
            if not parent or parent == code or self.own(code) or not self.own(parent):
                continue
            if parent not in made:
                base = self.regions[parent]
                note = (f"沿用所在省级地区（{(names or {}).get(parent, parent)}）规划标准 / the province's plan "
                        f"standard ({parent}): the region states none")
                prov = {k: (replace(p, note=f"{note}；{p.note}" if p.note else note)
                            if p is not self.default.provenance.get(k) else p) for k, p in base.provenance.items()}
                made[parent] = replace(base, provenance=MappingProxyType(prov))
            regs[code] = made[parent]
        return replace(self, regions=MappingProxyType(regs)) if made else self

    def frame(self, codes) -> pd.DataFrame:
        """One row per region code: every standard, the effective bed method, and per field `<field>__prov` (dict)."""
        return pd.DataFrame(self.columns(codes))

    def columns(self, codes) -> dict[str, list]:
        """`frame` as plain columns (name → list, one value per code; numeric fields as floats with NaN for none):
        models.planning.gaps computes on them without a DataFrame."""
        cols: dict[str, list] = {"region_code": list(codes)}
        for code in codes:
            s = self.for_region(code)
            for f in fields(s):
                if f.name == "provenance":
                    continue
                v = s.effective_bed_method if f.name == "bed_method" else getattr(s, f.name)
                if f.name in NUMERIC_FIELDS:
                    v = np.nan if v is None else float(v)
                cols.setdefault(f.name, []).append(v)
                cols.setdefault(f.name + "__prov", []).append(s.source_of(f.name).as_dict())
        return cols


# -- the national frame: data/reference/policy_2025_2030.csv -------------------------------------------------------

@functools.cache
def _policy() -> pd.DataFrame:
    from models.intake.sources import read_policy

    return read_policy()


def national_policy() -> pd.DataFrame:
    """The national rows of data/reference/policy_2025_2030.csv (a copy: the cached frame stays unchanged)."""
    p = _policy()
    return p[p["level"] == "national"].reset_index(drop=True).copy()


def national(indicator: str, *, kind: str, year: int | None = None, latest: bool = False) -> dict | None:
    """One national figure as a dict (indicator, year, kind, value, unit, document, issuer, date, source, quote),
    of `year`, or with `latest` the latest year up to `year`; None when the file has none. (A copy: the lookup is
    cached, thousands of regions ask for the same figure.)"""
    hit = _national(indicator, kind, year, latest)
    return dict(hit) if hit is not None else None


@functools.lru_cache(maxsize=256)
def _national(indicator: str, kind: str, year: int | None, latest: bool) -> dict | None:
    p = _policy()
    p = p[(p["level"] == "national") & (p["indicator"] == indicator) & (p["kind"] == kind) & p["value"].notna()]
    if year is not None:
        p = p[p["year"] <= year] if latest else p[p["year"] == year]
    if p.empty:
        return None
    r = p.sort_values("year").iloc[-1].to_dict()
    r["value"] = float(r["value"])
    r["year"] = int(r["year"])
    return r


def policy_source(row: dict) -> str:
    """A national figure's source as a reader names it: document (issuer, date) and the page it was read from."""
    return f"{row['document']}（{row['issuer']}，{row['date']}）；{row['source']}"


# RegionStandards field → the policy file's national indicator (kind target) that states it. The plans' period
# (PLAN_END_YEAR) reads these here; the 十五五 years read the same file in models.planning.targets.
NATIONAL_STANDARDS = MappingProxyType({"nursing_share": "nursing_bed_share", "places_per_1000": "places_per_1000"})
NATIONAL_STANDARD_NOTE = ("全国“十四五”目标（本地区及所在省级地区未设定时采用） / national 十四五 target (used where "
                          "neither the region nor its province states one)")


def national_standards(year: int = PLAN_END_YEAR) -> RegionStandards:
    """The national standards of `year` (the '*' default of the plans' period): each field of NATIONAL_STANDARDS
    whose national target for `year` the policy file states, with its document, source page and quote; None for
    the rest (there is no national beds-per-1,000 standard for 2025: gap_no_beds_per_1000)."""
    values, prov = {}, {}
    for name, indicator in NATIONAL_STANDARDS.items():
        row = national(indicator, kind="target", year=year)
        if row is None:
            continue
        values[name] = row["value"]
        prov[name] = Provenance(row["value"], policy_source(row), row["quote"], "", NATIONAL_STANDARD_NOTE)
    return RegionStandards(**values, provenance=MappingProxyType(prov))


# -- building the plan's standards from data/standards.csv and the facts -------------------------------------------

STANDARD_FIELDS = {f.name for f in fields(RegionStandards)} - {"provenance"}
_TEXT_FIELDS = {"bed_method"}
# standards.csv rows that are not RegionStandards fields but supply rules (read by models.planning.supply)
SUPPLY_RULES = ("supply_component", "pipeline_replaces", "pipeline_adds")


def standards_rows() -> pd.DataFrame:
    """data/standards.csv as text columns (empty frame with the columns if the file is missing)."""
    from models.intake.sources import read_standards

    df = read_standards()
    cols = ["region_code", "service", "standard", "value", "unit", "basis", "fact_indicator", "fact_kind", "source",
            "quote", "note"]
    return df if not df.empty else pd.DataFrame(columns=cols)


def _plan_period(facts: pd.DataFrame) -> pd.Series:
    """Facts of the plans' period: no year, or a year up to PLAN_END_YEAR."""
    return facts["year"].isna() | (facts["year"].fillna(0).astype(int) <= PLAN_END_YEAR)


def _resolve(row: dict, facts: pd.DataFrame) -> tuple[Provenance | None, str]:
    """A standards.csv row → Provenance, reading the value from the facts when the row names a fact."""
    if row["fact_indicator"]:
        f = facts[(facts["region_code"] == row["region_code"]) & (facts["indicator"] == row["fact_indicator"])
                  & (facts["kind"] == row["fact_kind"]) & facts["value"].notna() & _plan_period(facts)]
        if f.empty:
            return None, (f"{row['region_code']} {row['standard']}: 未找到 {row['fact_indicator']} ({row['fact_kind']}) "
                          f"/ no such fact yet")
        f = f.sort_values("year").iloc[-1]  # the latest statement of the standard
        return Provenance(float(f["value"]), f["source"], f["quote"], f["fact_id"], row["note"]), ""
    return Provenance(row["value"], row["source"], row["quote"], "", row["note"]), ""


def plan_standards(facts: pd.DataFrame, rows: pd.DataFrame | None = None) -> Standards:
    """The plans' own standards: the national ones (national_standards, the policy file) as the '*' default, then
    any '*' rows of data/standards.csv, then each region's rows, values from facts where a row names one.

    In: facts (models.store.facts.all_facts), rows (data/standards.csv; read when None).
    """
    rows = standards_rows() if rows is None else rows
    rows = rows[rows["standard"].isin(STANDARD_FIELDS)]
    missing = []

    def build(base: RegionStandards, sub: pd.DataFrame) -> RegionStandards:
        values, prov = {}, dict(base.provenance)
        for row in sub.to_dict("records"):
            p, why = _resolve(row, facts)
            if p is None:
                missing.append(why)
                continue
            name = row["standard"]
            v = p.value
            if name not in _TEXT_FIELDS:
                v = float(v)
                if name == "childcare_population_year":
                    v = int(v)
            values[name] = v
            if name in ("beds_per_1000_elderly", "disabled_share", "supported_share", "institutional_share"):
                values["elderly_basis"] = row["basis"]
            if name in ("places_per_1000", "childcare_population_year"):
                values["population_basis"] = row["basis"]
            prov[name] = Provenance(v, p.source, p.quote, p.fact_id, p.note)
        return replace(base, **values, provenance=MappingProxyType(prov))

    default = build(national_standards(), rows[rows["region_code"] == "*"])
    regions = {code: build(default, sub) for code, sub in rows[rows["region_code"] != "*"].groupby("region_code")}
    regions.update(_own_fact_standards(facts, default, exclude=set(regions)))
    for code in facts["region_code"].unique():
        regions.setdefault(code, default)
    return Standards(default, MappingProxyType(regions), tuple(missing))


# A region without rows in data/standards.csv (e.g. one a planner imported) takes its standards from its own facts:
# field → (indicator, kinds in order of preference). The latest year of the first kind present wins.
OWN_FACT_STANDARDS = {"beds_per_1000_elderly": ("beds_per_1000_elderly", ("standard", "target")),
                      "nursing_share": ("nursing_bed_share", ("target", "standard")),
                      "places_per_1000": ("childcare_places_per_1000", ("standard", "target"))}


def _own_fact_standards(facts: pd.DataFrame, default: RegionStandards, *, exclude: set) -> dict:
    """{code: RegionStandards} for regions not in `exclude` that state a standard of their own (see
    OWN_FACT_STANDARDS); '*' defaults fill the rest. One pass over the facts (fast for thousands of regions)."""
    by_ind = {ind: (name, kinds) for name, (ind, kinds) in OWN_FACT_STANDARDS.items()}
    f = facts[facts["indicator"].isin(list(by_ind)) & facts["value"].notna() & ~facts["region_code"].isin(exclude)
              & _plan_period(facts)]
    if f.empty:
        return {}
    f = f.assign(_field=f["indicator"].map(lambda i: by_ind[i][0]),
                 _pref=[by_ind[i][1].index(k) if k in by_ind[i][1] else -1 for i, k in zip(f["indicator"], f["kind"])])
    f = f[f["_pref"] >= 0].sort_values(["_pref", "year", "fact_id"], ascending=[False, True, True])
    f = f.drop_duplicates(["region_code", "_field"], keep="last")  # first kind, then the latest year
    note = "本地区自有标准（事实） / the region's own stated standard (no row in data/standards.csv)"
    by_code: dict[str, list[dict]] = {}
    for r in f[["region_code", "_field", "value", "basis", "source", "quote", "fact_id"]].to_dict("records"):
        by_code.setdefault(r["region_code"], []).append(r)
    out = {}
    for code, records in by_code.items():
        values, prov = {}, dict(default.provenance)
        for r in records:
            v = float(r["value"])
            values[r["_field"]] = v
            if r["_field"] == "beds_per_1000_elderly":
                values["elderly_basis"] = r["basis"] if r["basis"] in BASES else ""
            if r["_field"] == "places_per_1000":
                values["population_basis"] = r["basis"] if r["basis"] in BASES else ""
            prov[r["_field"]] = Provenance(v, r["source"], r["quote"], r["fact_id"], note)
        try:
            out[code] = replace(default, **values, provenance=MappingProxyType(prov))
        except ValueError:  # an invalid stated value (e.g. a share over 100) leaves the '*' defaults
            continue
    return out


def supply_rules(rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The supply rules of data/standards.csv (supply components, pipeline treatment), with their sources."""
    rows = standards_rows() if rows is None else rows
    return rows[rows["standard"].isin(SUPPLY_RULES)].reset_index(drop=True)


# -- how precisely a figure is stated (shared by supply choice and the audit) ----------------------------------------

_NUM = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万|亿)?")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def stated_halfwidth(value: float, quote: str, *, approximate: bool = False) -> float:
    """Half the last stated digit of `value` as written in `quote`, in the value's own unit.

    "11.63万" for 116300 → 0.005 × 10^4 = 50; "19.76%" → 0.005; "0.52" in a 万张 table for 5200 → 50. When
    `approximate` (约, 近, 左右), trailing zeros of an integer are not significant: "约2000" → 500.
    When the number cannot be found in the quote, the value's own decimals decide.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    text = (quote or "").translate(_FULLWIDTH)
    for m in _NUM.finditer(text):
        digits = m.group(1).replace(",", "")
        x = float(digits)
        if x == 0 and value != 0:
            continue
        for scale in (1.0, {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1.0), 1e4, 1e8, 1e-4):
            if x * scale and math.isclose(x * scale, value, rel_tol=1e-9):
                return _half(digits, approximate) * scale
            if x == 0 and value == 0:
                return 0.5
    return _half(repr(float(value)).rstrip("0").rstrip(".") if value % 1 else str(int(value)), approximate)


def _half(digits: str, approximate: bool) -> float:
    if "." in digits:
        return 0.5 * 10 ** -len(digits.split(".")[1])
    if approximate:
        stripped = digits.rstrip("0")
        zeros = len(digits) - len(stripped)
        return 0.5 * 10 ** zeros if stripped else 0.5
    return 0.5
