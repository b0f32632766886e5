"""Export shapes for analysts (预测导出) and the plan audit page: tables from the model's frames, CSV and Excel bytes.

In:  the projection table (forecasting.projection.project_all: TABLE_COLUMNS, persons / percent / ‰), the gap table
     (models.planning.gaps: GAP_COLUMNS + extras, beds / places, computed with explain=True so that inputs cite their facts),
     the facts (models.store.facts.all_facts) and an `ExportContext` (which scenario and assumptions, when generated).
Out: data frames with plain numbers in base units (no formatting: the analyst computes with them), and bytes:
     CSV UTF-8 with BOM (models.core.export.csv_bytes), an .xlsx workbook with the sheets SHEETS.
Every export carries the scenario, the assumptions and the generation date: in a CSV as columns of their own
(META_COLUMNS, after the table's own columns, which are never overwritten: a row's method and scenario are its own),
in the workbook once, as the first rows of the assumptions sheet.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from models.core.catalogue import SERVICES, indicator, label, unit_label
from models.core.export import csv_bytes, xlsx_bytes
from models.core.i18n import STRINGS, t
from models.planning.gaps import GAP_COLUMNS, texts
from models.planning.standards import NUMERIC_FIELDS

ASSUMPTION_SETS = ("plan", "model", "override")
SCENARIOS = ("low", "medium", "high")
# The export's context, in columns of its own: a row's own columns (method, scenario, ...) are never overwritten.
META_COLUMNS = ["export_scenario", "export_assumptions", "generated_on"]
SHEETS = {"projections": "预测", "gaps": "缺口", "assumptions": "假设", "sources": "来源",
          "plan_table": "规划指标表"}
PROJECTION_EXPORT_COLUMNS = ["region_code", "region_name", "indicator", "indicator_label", "year", "method",
                             "scenario", "value", "unit", "lower_80", "upper_80", "lower_95", "upper_95", "basis",
                             "note", "method_detail", "inputs"]
# the method and reason codes (models.planning.gaps: method_code, reason_codes) are exported as text in the export's
# language; `assumptions` and `scenario` are the row's own (the population the gap was computed from)
GAP_EXPORT_COLUMNS = GAP_COLUMNS[:3] + ["service_label"] + GAP_COLUMNS[3:-1] + ["method", "assumptions", "scenario"] + [
    "achieved_share", "gap_stated", "gap_delta", "demand_stated", "target_method", "population_indicator",
    "population_year", "population_basis", "population_method", "formula", "reason", "fact_ids", "inputs",
    # the figures before rounding to whole beds/places (models.planning.gaps.whole_counts): demand is rounded up
    "demand_unrounded", "supply_unrounded", "gap_unrounded", "target_unrounded", "target_gap_unrounded"]
# The plans' own indicator tables (主要指标): one row per indicator with its current and target value.
PLAN_TABLE_COLUMNS = ["地区代码", "地区", "指标名称", "现状值", "目标值", "预测值", "缺口", "指标属性"]
ASSUMPTION_COLUMNS = ["item", "region_code", "value", "unit", "fact_id", "source", "quote", "note"]
SOURCE_COLUMNS = ["fact_id", "region_code", "region_name", "indicator", "year", "value", "unit", "kind", "source",
                  "quote"]
_RATE_OF = {"nursing_beds": "nursing_bed_share", "childcare_places": "childcare_places_per_1000"}
_UNITS = {"projections": {"aging_rate": "percent", "birth_rate": "permille"}}
ALL = "all"  # an export context over every method or scenario: each row carries its own
LONG_TEXT = 80  # in the workbook, a text this long that repeats is written once on the assumptions sheet


@dataclass(frozen=True)
class ExportContext:
    """What an export was computed under. assumptions: plan | model | override (the gap model's population: the
    plans' own figures, or the projection method of that name) or 'all' (rows of every method, each labelled with
    its own); scenario: low | medium | high or 'all' (the plans' own figures are one scenario: 'medium');
    generated: the generation date; filters: what the analyst filtered (name, value) pairs, for the record."""
    assumptions: str = "plan"
    scenario: str = "medium"
    generated: dt.date = field(default_factory=dt.date.today)
    filters: tuple = ()

    def __post_init__(self):
        if self.assumptions not in (*ASSUMPTION_SETS, ALL):
            raise ValueError(f"assumptions: 应为 {'|'.join(ASSUMPTION_SETS)} / must be one of {ASSUMPTION_SETS}, "
                             f"got {self.assumptions!r}")
        if self.scenario not in (*SCENARIOS, ALL):
            raise ValueError(f"scenario: 应为 {'|'.join(SCENARIOS)} / must be one of {SCENARIOS}, got {self.scenario!r}")
        if not isinstance(self.generated, dt.date):
            raise ValueError(f"generated: 应为日期 / must be a date, got {self.generated!r}")

    @property
    def scenario_text(self) -> str:
        return f"{self.assumptions}/{self.scenario}"

    def meta(self, lang: str = "zh") -> dict:
        """The context in META_COLUMNS: export_scenario ('model/medium', 'all/all'), export_assumptions (a short
        description in `lang`), generated_on (ISO date)."""
        return {"export_scenario": self.scenario_text, "export_assumptions": t(f"ex_what_{self.assumptions}", lang),
                "generated_on": self.generated.isoformat()}


def stamp(df: pd.DataFrame, ctx: ExportContext, *, lang: str = "zh") -> pd.DataFrame:
    """The frame with META_COLUMNS appended (same values on every row). The row's own columns are never
    overwritten: a frame that already has a META_COLUMNS column is refused."""
    clash = [c for c in META_COLUMNS if c in df.columns]
    if clash:
        raise ValueError(f"stamp: 列 {clash} 已存在 / columns {clash} exist already and would be overwritten")
    return df.assign(**ctx.meta(lang))


def column_label(column: str, lang: str = "zh") -> str:
    """The header a person reads for an export column id (models.core.i18n col_<id>); the id when none is known."""
    key = f"col_{column}"
    return t(key, lang) if key in STRINGS else str(column)


def labelled(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The frame as a screen shows it: column ids replaced by labels in `lang`, the 口径 columns in `lang`."""
    from models.core.formatting import basis_text

    out = df.assign(**{c: df[c].map(lambda b: basis_text(b, lang)) for c in ("basis", "population_basis")
                       if c in df.columns})
    return out.rename(columns={c: column_label(c, lang) for c in out.columns})


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _isin(col: pd.Series, values: Iterable | None) -> pd.Series:
    if values is None:
        return pd.Series(True, index=col.index)
    return col.astype(str).isin([str(v) for v in values])


# -- projections and gaps ----------------------------------------------------------------------------------------

def projections_table(projections: pd.DataFrame, *, names: dict | None = None, lang: str = "zh") -> pd.DataFrame:
    """The projection table in export shape (PROJECTION_EXPORT_COLUMNS): region name, indicator label and unit
    added; values unchanged (persons, percent for aging_rate, ‰ for birth_rate)."""
    p = projections.copy()
    p["region_name"] = [(names or {}).get(c, "") for c in p["region_code"]]
    p["indicator_label"] = p["indicator"].map(lambda i: label(i, lang))
    p["unit"] = p["indicator"].map(lambda i: _UNITS["projections"].get(i, "person"))
    for c in PROJECTION_EXPORT_COLUMNS:
        if c not in p:
            p[c] = ""
    return p[PROJECTION_EXPORT_COLUMNS].reset_index(drop=True)


def filter_projections(table: pd.DataFrame, *, regions=None, indicators=None, methods=None,
                       scenarios=None) -> pd.DataFrame:
    """Rows of the projection table matching every given filter (None = no filter)."""
    keep = (_isin(table["region_code"], regions) & _isin(table["indicator"], indicators)
            & _isin(table["method"], methods) & _isin(table["scenario"], scenarios))
    return table[keep].reset_index(drop=True)


def _fact_ids(inputs) -> str:
    if not isinstance(inputs, list):
        return ""
    ids = []
    for i in inputs:
        if isinstance(i, dict) and i.get("fact_id"):
            ids += str(i["fact_id"]).split()  # interpolated populations cite both end points
    return " ".join(dict.fromkeys(ids))


def gaps_table(gaps: pd.DataFrame, *, lang: str = "zh", assumptions: str = "plan",
               scenario: str = "medium") -> pd.DataFrame:
    """The gap table in export shape (GAP_EXPORT_COLUMNS): beds/places as computed by the gap model, gap_delta =
    gap − gap_stated, method (with the population method) and reason in `lang` (models.planning.gaps.texts), the cited fact
    ids, and `inputs` as JSON text (name, value, fact_id, source, quote of every input). Each row is labelled with
    the assumptions and scenario it was computed under (the plans' own figures: one scenario, 'medium')."""
    if assumptions not in ASSUMPTION_SETS or scenario not in SCENARIOS:
        raise ValueError(f"gaps_table: assumptions {assumptions!r} / scenario {scenario!r}")
    g = texts(gaps, lang=lang)
    g["assumptions"] = assumptions
    g["scenario"] = "medium" if assumptions == "plan" else scenario
    g["service_label"] = g["service"].map(lambda s: label(s, lang))
    g["gap_delta"] = g["gap"] - g["gap_stated"] if "gap_stated" in g else math.nan
    inputs = g["inputs"] if "inputs" in g else pd.Series([[]] * len(g), index=g.index)
    g["fact_ids"] = inputs.map(_fact_ids)
    g["inputs"] = inputs.map(lambda v: json.dumps(v if isinstance(v, list) else [], ensure_ascii=False, default=str))
    for c in GAP_EXPORT_COLUMNS:
        if c not in g:
            g[c] = math.nan
    return g[GAP_EXPORT_COLUMNS].reset_index(drop=True)


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """A table as a person reads it on screen: every missing cell shows "—" (models.core.formatting.MISSING), never
    None or NaN; whole-number columns (beds, places, persons, years) without decimals, and stay numbers where nothing
    is missing; fractional values as text, whole above 1000 and with two decimals at most below (never a raw float
    like 775967.7119). For screens only: the CSV/Excel exports keep empty cells and full precision."""
    from models.core.formatting import MISSING

    out = table.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            whole = col.dropna().map(lambda v: float(v).is_integer()).all()
            if whole and not col.isna().any():
                continue
            # no raw floats on a screen (775967.7119): whole numbers above 1000, else two decimals at most
            out[c] = [MISSING if _missing(v) else (f"{int(v)}" if float(v).is_integer() else _screen_number(v))
                      for v in col]
        elif col.dtype == object or pd.api.types.is_string_dtype(col):
            out[c] = [MISSING if (v is None or (not isinstance(v, list | dict | tuple) and _missing(v))) else v
                      for v in col]
    return out


def _screen_number(v) -> str:
    v = float(v)
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.2f}".rstrip("0").rstrip(".")


def filter_gaps(table: pd.DataFrame, *, regions=None, indicators=None, years=None) -> pd.DataFrame:
    """Rows of the gap export table matching every filter (indicators: service ids; None = no filter)."""
    keep = _isin(table["region_code"], regions) & _isin(table["service"], indicators) & _isin(table["year"], years)
    return table[keep].reset_index(drop=True)


# -- the plans' own indicator table ------------------------------------------------------------------------------

def _attribute(facts: pd.DataFrame, region: str, service: str, year: int) -> str:
    """约束性/预期性/倡导性 of the plan's target for the service (or for its rate: nursing share, places per 1000)."""
    f = facts[(facts["region_code"] == region) & (facts["kind"] == "target") & (facts["year"] == year)
              & (facts["attribute"].fillna("") != "")]
    for ind in (service, _RATE_OF.get(service)):
        hit = f[f["indicator"] == ind]
        if len(hit):
            return str(hit["attribute"].iloc[0])
    return ""


def attribute_text(attribute: str, lang: str = "zh") -> str:
    """约束性 / 预期性 / 倡导性 in the reader's language (other words as written)."""
    key = f"attr_{attribute}"
    return t(key, lang) if attribute and key in STRINGS else attribute


def plan_indicator_table(gaps: pd.DataFrame, facts: pd.DataFrame, *, year: int = 2025, lang: str = "zh",
                         regions=None, names: dict | None = None) -> pd.DataFrame:
    """The shape of the plans' own indicator tables, one row per region and service in `year`:
    地区代码, 地区, 指标名称 (label with unit: 养老床位（张）), 现状值 (current supply), 目标值 (the plan's target),
    预测值 (projected demand), 缺口 (demand − supply), 指标属性 (约束性/预期性 from the plan's target). Numbers in beds
    / places as the gap model computed them; NaN = 未提供 (empty cell), never 0."""
    g = gaps[(gaps["year"].astype("Int64") == int(year)) & _isin(gaps["region_code"], regions)]
    by_key = {(str(r["region_code"]), r["service"]): r for r in g.to_dict("records")}
    codes = list(dict.fromkeys(g["region_code"].astype(str)))
    rows = []
    for code in codes:
        for service in SERVICES:
            r = by_key.get((code, service), {})
            unit = unit_label(indicator(service).unit, lang)
            rows.append({
                "地区代码": code, "地区": (names or {}).get(code) or r.get("region_name") or code,
                "指标名称": f"{label(service, lang)}（{unit}）" if lang == "zh" else f"{label(service, lang)} ({unit})",
                "现状值": r.get("supply", math.nan), "目标值": r.get("target", math.nan),
                "预测值": r.get("demand", math.nan), "缺口": r.get("gap", math.nan),
                "指标属性": attribute_text(_attribute(facts, code, service, int(year)), lang)})
    out = pd.DataFrame(rows, columns=PLAN_TABLE_COLUMNS)
    for c in ("现状值", "目标值", "预测值", "缺口"):
        out[c] = out[c].astype(float)
    return out


# -- assumptions and sources -------------------------------------------------------------------------------------

def assumptions_table(gaps: pd.DataFrame, ctx: ExportContext, *, lang: str = "zh",
                      texts_once: dict[str, str] | None = None) -> pd.DataFrame:
    """The assumptions sheet (ASSUMPTION_COLUMNS): first the export's scenario, assumptions, generation date and
    filters; then, per region, every planning standard the gap model used (beds per 1000 elderly, nursing share,
    places per 1000 ...) with its fact and quote, and the population method behind the demand; last, the long
    texts the workbook writes once (`texts_once`: reference → text, see workbook)."""
    rows = [{"item": k, "region_code": "", "value": v} for k, v in ctx.meta(lang).items()]
    rows += [{"item": f"filter:{k}", "region_code": "", "value": ", ".join(map(str, v)) if isinstance(v, list | tuple)
              else str(v)} for k, v in ctx.filters]
    seen = set()
    for r in gaps.to_dict("records"):
        code = str(r["region_code"])
        for i in r.get("inputs") or []:
            if not isinstance(i, dict) or i.get("name") not in NUMERIC_FIELDS:
                continue
            key = (code, i["name"], i.get("value"))
            if key in seen:
                continue
            seen.add(key)
            rows.append({"item": i["name"], "region_code": code, "value": i.get("value"),
                         "fact_id": i.get("fact_id", ""), "source": i.get("source", ""), "quote": i.get("quote", ""),
                         "note": i.get("note", "")})
        pm = r.get("population_method")
        if not _missing(pm) and (code, "population_method", pm) not in seen:
            seen.add((code, "population_method", pm))
            rows.append({"item": "population_method", "region_code": code, "value": pm})
    rows += [{"item": ref, "region_code": "", "value": text} for ref, text in (texts_once or {}).items()]
    rows = [{c: ("" if _missing(r.get(c)) else str(r[c])) for c in ASSUMPTION_COLUMNS} for r in rows]
    return pd.DataFrame(rows, columns=ASSUMPTION_COLUMNS)


_ID_TOKEN = re.compile(r"[A-Za-z0-9_@.\-]+")


def sources_table(facts: pd.DataFrame, *, gaps: pd.DataFrame | None = None,
                  projections: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every fact the exported numbers rest on (SOURCE_COLUMNS), with its verbatim quote: the facts cited in the
    gap rows' inputs and the fact ids named in the projections' `inputs` text. Ordered by fact id."""
    ids: set[str] = set()
    if gaps is not None and "inputs" in gaps:
        for v in gaps["inputs"]:
            if isinstance(v, str):  # the export shape: JSON text
                v = json.loads(v) if v.startswith("[") else []
            ids.update(_fact_ids(v).split())
    if gaps is not None and "fact_ids" in gaps:
        for v in gaps["fact_ids"].dropna():
            ids.update(str(v).split())
    known = set(facts["fact_id"])
    if projections is not None and "inputs" in projections:
        for text in projections["inputs"].dropna().unique():
            ids.update(tok for tok in _ID_TOKEN.findall(str(text).replace("/", " ")) if tok in known)
    f = facts[facts["fact_id"].isin(ids)].sort_values("fact_id")
    return f[SOURCE_COLUMNS].reset_index(drop=True)


# -- bytes -------------------------------------------------------------------------------------------------------

def csv_export(table: pd.DataFrame, ctx: ExportContext, *, lang: str = "zh") -> bytes:
    """One table as CSV (UTF-8 with BOM), the export context in columns of its own (META_COLUMNS) after the
    table's own columns."""
    return csv_bytes(stamp(table, ctx, lang=lang))


def texts_once(sheets: dict[str, pd.DataFrame], *, min_length: int = LONG_TEXT) -> tuple[dict, dict]:
    """The sheets with every text of at least `min_length` characters that occurs on more than one row replaced by a
    reference ('T1', 'T2' … in order of first use), and {reference: text}: a workbook states a long constant text
    once (on the assumptions sheet), not on every row."""
    refs: dict[str, str] = {}
    out = {}
    for name, df in sheets.items():
        df = df.copy()
        for c in df.columns:
            if df[c].dtype != object and not pd.api.types.is_string_dtype(df[c]):
                continue
            counts = df[c].map(lambda v: v if isinstance(v, str) and len(v) >= min_length else None).value_counts()
            long = [v for v, n in counts.items() if n > 1]
            if not long:
                continue
            for v in long:
                refs.setdefault(v, f"T{len(refs) + 1}")
            df[c] = df[c].map(lambda v: f"→ {refs[v]}" if isinstance(v, str) and v in refs else v)
        out[name] = df
    return out, {ref: text for text, ref in refs.items()}


def workbook(*, projections: pd.DataFrame, gaps: pd.DataFrame, facts: pd.DataFrame, ctx: ExportContext,
             raw_gaps: pd.DataFrame | None = None, plan_table: pd.DataFrame | None = None,
             lang: str = "zh") -> bytes:
    """The Excel workbook (SHEETS): projections, gaps, assumptions, sources, and the plans' indicator-table shape
    when given. In: the export-shape tables (projections_table, gaps_table, plan_indicator_table), already filtered
    as the analyst filtered them (every filter applies to the workbook as to the CSV), and the gap model's own rows
    (raw_gaps, for the standards it used; default: none).

    Each data row keeps its own columns (method, scenario ...); the export context (scenario, assumptions, date,
    filters) is on the assumptions sheet, once, with every long text that repeats (referenced as '→ T1' in the
    rows). Every sheet: a header row of labels in `lang` above the row of column ids, frozen, with an autofilter
    and column widths."""
    data = {SHEETS["projections"]: projections, SHEETS["gaps"]: gaps,
            SHEETS["sources"]: sources_table(facts, gaps=gaps, projections=projections)}
    if plan_table is not None:
        data[SHEETS["plan_table"]] = plan_table
    data, once = texts_once(data)
    assumptions = assumptions_table(raw_gaps if raw_gaps is not None else gaps.iloc[0:0], ctx, lang=lang,
                                    texts_once=once)
    order = [SHEETS[k] for k in ("projections", "gaps", "assumptions", "sources", "plan_table")]
    sheets = {name: (assumptions if name == SHEETS["assumptions"] else data[name]) for name in order
              if name == SHEETS["assumptions"] or name in data}
    labels = {name: [column_label(c, lang) for c in df.columns] for name, df in sheets.items()}
    return xlsx_bytes(sheets, labels=labels)


# -- the plan audit page -----------------------------------------------------------------------------------------

AUDIT_VIEW_COLUMNS = ["region_code", "status", "check", "year", "indicator", "stated", "recomputed", "difference",
                      "formula", "note", "quotes"]


def check_text(text: str, lang: str = "zh") -> str:
    """An audit check's bilingual description ('总数等于部分之和 / total = sum of parts: 原文…') in one language; the
    part after ': ' (the plan's words) is kept in both."""
    text = str(text)
    zh, _, en = text.partition(" / ")
    if not en or not re.search(r"[\u4e00-\u9fff]", zh):  # not bilingual (e.g. a formula with a division)
        return text
    head, colon, tail = en.partition(": ")
    if lang == "en":  # the plan's words after the colon are a quote: marked as one
        return f"{head}: “{tail}”" if colon and re.search(r"[\u4e00-\u9fff]", tail) else en
    return zh + ("：" + tail if colon else "")


def one_language(text, lang: str = "zh") -> str:
    """A note written '中文 / English' in one language (the part in `lang`); other text unchanged."""
    if not isinstance(text, str):
        return text
    m = re.match(r"^(.*[\u4e00-\u9fff）)%])\s*/\s+(.*)$", text, re.S)
    if not m or re.search(r"[\u4e00-\u9fff]", m.group(2)):
        return text
    return m.group(2) if lang == "en" else m.group(1)


def audit_view(checks: pd.DataFrame, facts: pd.DataFrame, *, include_ok: bool = False, regions=None,
               lang: str = "zh") -> pd.DataFrame:
    """The audit findings as the audit page shows them: inconsistent checks first (then consistent ones when
    `include_ok`), by region and year; `check` in `lang`; `quotes` a list of {fact_id, quote, link} per fact the
    check rests on (link: the data page's deep link /data?fact=FACT_ID)."""
    c = checks[_isin(checks["region_code"], regions)]
    if not include_ok:
        c = c[c["status"] == "inconsistent"]
    c = c.assign(_rank=(c["status"] != "inconsistent").astype(int)).sort_values(
        ["_rank", "region_code", "year", "rule"], kind="stable")
    quotes = dict(zip(facts["fact_id"], facts["quote"]))
    out = c[[x for x in AUDIT_VIEW_COLUMNS if x != "quotes"]].copy()
    out["check"] = out["check"].map(lambda s: check_text(s, lang))
    out["note"] = out["note"].map(lambda s: one_language(s, lang))
    out["quotes"] = [[{"fact_id": f, "quote": quotes.get(f, ""), "link": f"/data?fact={f}"} for f in str(ids).split()]
                     for ids in c["fact_ids"]]
    return out.reset_index(drop=True)
