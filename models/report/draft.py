"""The 十五五 draft as people read and paste it: the indicator table in the plans' shape (序号, 指标, 单位,
2025年基数, 2030年目标, 属性), the 测算说明 paragraph in Chinese with the numbers filled in, and the files (CSV,
.xlsx, .docx). Pure functions of the draft table (forecasting.draft.Draft.table: DRAFT_COLUMNS, formula, scope).
"""
from __future__ import annotations

import io

import pandas as pd

from models.core.catalogue import label, unit_label
from models.core.export import csv_bytes
from models.core.formatting import MISSING, fmt_number, is_missing

# draft row → catalogue indicator (label, unit); the draft's own ids are the CSV interface (issue 23)
LABELS = {"places_per_1000": "childcare_places_per_1000"}
BASE_YEAR = 2025


def indicator_label(ind: str, lang: str = "zh") -> str:
    """A draft row's indicator in the reader's words (the catalogue's label)."""
    return label(LABELS.get(ind, ind), lang)


def _value(v, unit: str, lang: str) -> str:
    if is_missing(v):
        return MISSING
    return fmt_number(v, unit, lang, with_unit=False, digits=1 if unit in ("percent", "per_1000") else None)


def plan_table(table: pd.DataFrame, *, lang: str = "zh", base_year: int = BASE_YEAR) -> pd.DataFrame:
    """The indicator table as plans print it: 序号, 指标, 单位, {base_year}年基数, {year}年目标, 属性 (headers in
    `lang`). A base of another year says its year (“1,915（2020年）”); a missing figure is “—”."""
    from models.core.i18n import t

    year = int(table["target_year"].iloc[0]) if len(table) else 2030
    rows = []
    for i, r in enumerate(table.to_dict("records"), start=1):
        base = _value(r["base_value"], r["unit"], lang)
        if base != MISSING and not is_missing(r["base_year"]) and int(r["base_year"]) != base_year:
            base += f"（{int(r['base_year'])}年）" if lang == "zh" else f" ({int(r['base_year'])})"
        rows.append([str(i), indicator_label(r["indicator"], lang), unit_label(r["unit"], lang), base,
                     _value(r["target_value"], r["unit"], lang), r["property"] if lang == "zh" else
                     {"预期性": "expected", "约束性": "binding"}.get(r["property"], r["property"])])
    cols = [t("dr_col_no", lang), t("dr_col_indicator", lang), t("dr_col_unit", lang),
            t("dr_col_base", lang, year=base_year), t("dr_col_target", lang, year=year), t("dr_col_property", lang)]
    return pd.DataFrame(rows, columns=cols)


def band_table(table: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """Targets under the projection's 80 % band: indicator, low, medium, high (text in `lang`)."""
    from models.core.i18n import t

    year = int(table["target_year"].iloc[0]) if len(table) else 2030
    return pd.DataFrame([[indicator_label(r["indicator"], lang), _value(r["lower_80"], r["unit"], lang),
                          _value(r["target_value"], r["unit"], lang), _value(r["upper_80"], r["unit"], lang)]
                         for r in table.to_dict("records")],
                        columns=[t("dr_col_indicator", lang), t("dr_col_low", lang),
                                 t("dr_col_target", lang, year=year), t("dr_col_high", lang)])


def additions(table: pd.DataFrame, *, start: int = BASE_YEAR + 1) -> pd.DataFrame:
    """The additions per year start..target year of the counts: annual_addition (⌈gap ÷ years⌉) each year.
    Columns: indicator, year, addition."""
    rows = [{"indicator": r["indicator"], "year": y, "addition": float(r["annual_addition"])}
            for r in table[table["annual_addition"].notna()].to_dict("records")
            for y in range(start, int(r["target_year"]) + 1)]
    return pd.DataFrame(rows, columns=["indicator", "year", "addition"])


def explanation(table: pd.DataFrame, *, region_name: str) -> list[str]:
    """测算说明: paragraphs in Chinese with the numbers filled in (population, standard, formula, source), ready to
    paste into a draft plan. In: the draft table. Out: one paragraph per topic (population, beds, nursing, places)."""
    by = {r["indicator"]: r for r in table.to_dict("records")}
    year = int(table["target_year"].iloc[0]) if len(table) else 2030

    def n(ind: str, unit: str = "") -> str:
        r = by.get(ind)
        return fmt_number(r["target_value"], unit or r["unit"], "zh") if r is not None else "未提供"

    def band(ind: str) -> str:
        r = by.get(ind)
        if r is None or is_missing(r["lower_80"]):
            return ""
        return f"（80%区间{fmt_number(r['lower_80'], r['unit'], 'zh')}至{fmt_number(r['upper_80'], r['unit'], 'zh')}）"

    def source(ind: str) -> str:
        r = by.get(ind)
        return r["basis"] if r is not None else "未提供"

    out = [f"人口：按统计模型（中方案）预测，{year}年{region_name}60岁及以上常住人口{n('elderly_60plus')}{band('elderly_60plus')}，"
           f"常住人口{n('population_resident')}{band('population_resident')}，3岁以下婴幼儿{n('infants_0_3')}"
           f"{band('infants_0_3')}。"]
    b = by.get("elderly_beds")
    if b is not None:
        out.append(f"养老床位：{year}年需养老床位{n('elderly_beds')}，计算式：{b['formula'] or '未提供'}。"
                   f"依据：{source('elderly_beds')}。")
    s = by.get("nursing_bed_share")
    if s is not None:
        out.append(f"护理型床位：护理型床位占比按{n('nursing_bed_share')}测算，护理型床位{n('nursing_beds')} = "
                   f"⌈养老床位 × 护理型床位占比⌉。依据：{source('nursing_bed_share')}。")
    c = by.get("childcare_places")
    if c is not None:
        out.append(f"托位：{year}年需托位{n('childcare_places')}，计算式：{c['formula'] or '未提供'}。"
                   f"依据：{source('childcare_places')}。")
    e = by.get("childcare_enrolment_rate")
    if e is not None:
        out.append(f"入托率：{year}年3岁以下婴幼儿入托率目标{n('childcare_enrolment_rate')}。依据：{source('childcare_enrolment_rate')}。")
    out.append("计数均为整数并向上取整；“80%区间”为人口预测80%区间下的目标；每年新增 = ⌈（目标 − 目标年现有及在建供给）÷ 年数⌉。")
    from models.core.formatting import labelled

    return [labelled(p, "zh") for p in out]


def csv_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The CSV as written by `draft --out FILE.csv`: DRAFT_COLUMNS first, then formula and scope; counts as
    whole numbers (Int64). Text cells are neutralised where the file is written (models.core.export: csv_bytes,
    write_csv, xlsx_bytes)."""
    out = table.copy()
    for c in ("base_year", "target_year"):
        out[c] = pd.array(out[c], dtype="Int64")
    counts = out["unit"].isin(["bed", "place", "person"])
    for c in ("base_value", "target_value", "lower_80", "upper_80", "annual_addition"):
        # counts as whole numbers (4628, not 4628.0), rates as given (73, 4.5, 37.4); missing: empty
        out[c] = [_plain(v, k) for v, k in zip(out[c], counts)]
    return out


def _plain(v, whole: bool) -> str:
    if is_missing(v):
        return ""
    v = float(v)
    return str(int(v)) if (whole or v.is_integer()) and v.is_integer() else f"{v:g}" if abs(v) < 1e6 else repr(v)


def xlsx(table: pd.DataFrame, *, region_name: str) -> bytes:
    """.xlsx: sheet 指标表 (the plans' shape), sheet 测算说明 (the paragraphs), sheet 明细 (the CSV columns)."""
    from models.core.export import xlsx_bytes

    notes = pd.DataFrame({"测算说明": explanation(table, region_name=region_name)})
    return xlsx_bytes({"指标表": plan_table(table), "测算说明": notes, "明细": csv_frame(table)})


def docx(table: pd.DataFrame, *, region_name: str) -> bytes:
    """.docx (python-docx): a title, the indicator table (序号, 指标, 单位, 2025年基数, 2030年目标, 属性), then the
    测算说明 heading and its paragraphs."""
    from docx import Document

    year = int(table["target_year"].iloc[0]) if len(table) else 2030
    doc = Document()
    doc.add_heading(f"{region_name}“十五五”（{year}年）“一老一小”主要指标（测算稿）", level=1)
    shown = plan_table(table)
    grid = doc.add_table(rows=1, cols=len(shown.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, shown.columns):
        cell.text = str(name)
    for values in shown.itertuples(index=False):
        for cell, v in zip(grid.add_row().cells, values):
            cell.text = str(v)
    doc.add_heading("测算说明", level=2)
    for p in explanation(table, region_name=region_name):
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# the 2030 targets a planner confirms through the import (kind 目标值 / 规划标准, year = the draft's target year)
TARGET_TEMPLATE = (("beds_per_1000_elderly", "规划标准"), ("nursing_bed_share", "目标值"),
                   ("childcare_places_per_1000", "目标值"), ("childcare_enrolment_rate", "目标值"),
                   ("affordable_childcare_share", "目标值"), ("elderly_beds", "目标值"), ("nursing_beds", "目标值"),
                   ("childcare_places", "目标值"))


def targets_template(table: pd.DataFrame, *, region_code: str, region_name: str, standards: dict) -> bytes:
    """The import template (models.intake.importer's columns, Chinese headers) for the region's 十五五 targets and
    standards, prefilled with the draft's values (the planner changes what the region decides and imports it on
    the 数据导入 page: stored with who, when and why, editable on the data page, revertible). A value the draft does
    not have is left empty (the importer skips the row and says so). Out: CSV bytes, UTF-8 with BOM."""
    from models.core.catalogue import indicator
    from models.intake.importer import TEMPLATE_HEADERS, template_frame

    year = int(table["target_year"].iloc[0]) if len(table) else 2030
    by = {LABELS.get(r["indicator"], r["indicator"]): r["target_value"] for r in table.to_dict("records")}
    by["beds_per_1000_elderly"] = standards.get("beds_per_1000_elderly")
    h = TEMPLATE_HEADERS
    rows = [{h["region_code"]: region_code, h["region_name"]: region_name, h["indicator"]: ind,
             h["indicator_name"]: label(ind, "zh"), h["year"]: str(year),
             h["value"]: "" if is_missing(by.get(ind)) else f"{float(by[ind]):g}",
             h["unit"]: unit_label(indicator(ind).unit, "zh"), h["basis"]: "常住" if ind.endswith("_1000") else "",
             h["kind"]: kind, h["source"]: "", h["note"]: f"{year}年目标（“十五五”测算稿，请按本地区决定修改）"}
            for ind, kind in TARGET_TEMPLATE]
    return csv_bytes(pd.DataFrame(rows, columns=list(template_frame("facts").columns)))  # BOM, cells neutralised
