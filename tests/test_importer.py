"""Parsing rules of models/intake/importer.py: numbers as planners type them, files in every accepted encoding, templates."""
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.intake import importer
from models.intake.importer import Invalid, parse_file, parse_value

KNOWN = {"120000": "天津市", "500103": "渝中区", "370102": "历下区"}
HEAD = "地区代码,地区名称,指标代码,年份,数值,类型"


@pytest.mark.parametrize("text, unit, value, comparator", [
    ("12.96万", "person", 129600, "="),          # 万 → ×10000, exactly (Decimal, no 129600.00000000001)
    ("12.96万人", "person", 129600, "="),
    ("0.52万张", "bed", 5200, "="),
    ("１２３", "bed", 123, "="),                  # full-width digits
    ("１，２３４", "bed", 1234, "="),              # full-width comma separator
    ("1,234,567", "person", 1234567, "="),
    ("1 234", "bed", 1234, "="),
    ("不低于60%", "percent", 60, "≥"),
    ("≥ 55％", "percent", 55, "≥"),
    (">90", "percent", 90, ">"),
    ("不超过5", "percent", 5, "≤"),
    ("约5000", "bed", 5000, "≈"),
    ("3000以上", "bed", 3000, "≥"),
    ("7‰", "permille", 7, "="),
    ("5.5", "per_1000", 5.5, "="),
    ("1.2亿", "person", 120_000_000, "="),
    ("500万元", "yuan_10k", 500, "="),
    ("-0.5", "percent", None, None),               # negative share: refused (see below), growth rates allowed
    (129600.0, "person", 129600, "="),            # a number cell from Excel
    ("2e5", "person", 200000, "="),
])
def test_values_as_planners_type_them(text, unit, value, comparator):
    if value is None:
        with pytest.raises(Invalid):
            parse_value(text, unit=unit, indicator_id="aging_rate")
        return
    parsed = parse_value(text, unit=unit)
    assert parsed.value == value and parsed.comparator == comparator and not parsed.missing


@pytest.mark.parametrize("text", ["", "—", "——", "-", "－", "无", "未提供", "N/A", "…", None, float("nan")])
def test_missing_markers_are_missing_never_zero(text):
    parsed = parse_value(text, unit="bed")
    assert parsed.missing and parsed.value is None


def test_growth_rate_may_be_negative():
    assert parse_value("-0.5%", unit="percent", indicator_id="population_growth_rate").value == -0.5


def test_fraction_for_a_percent_is_kept_but_warned():
    parsed = parse_value("0.6", unit="percent")
    assert parsed.value == 0.6 and parsed.warnings[0].code == "imp_w_fraction_percent"
    assert "60" in parsed.warnings[0].message("zh")


@given(st.integers(min_value=0, max_value=1_999_999_999))
def test_thousands_separators_and_fullwidth_round_trip(n):
    assert parse_value(f"{n:,}", unit="person").value == n
    fullwidth = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_value(fullwidth, unit="person").value == n


@given(st.decimals(min_value=0, max_value=100_000, places=2))
def test_wan_is_exact(d):
    assert parse_value(f"{d}万", unit="person").value == float(d * 10000)


@pytest.mark.parametrize("year, expected", [("2023", 2023), ("2023年", 2023), ("２０２３", 2023), ("2023.0", 2023),
                                            (2023, 2023)])
def test_years(year, expected):
    assert importer.parse_year(year) == expected


def _csv(*rows, head=HEAD):
    return "\n".join([head, *rows]) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_accepted_encodings(encoding):
    data = _csv("500103,渝中区,elderly_beds,2023,0.52万张,现状值", "370102,历下区,births,2022,3,100,年度序列"
                .replace("3,100", "3100")).encode(encoding)
    plan = parse_file(data, "x.csv", known_regions=KNOWN)
    assert plan.ok, plan.report_lines()
    assert [r.record["value"] for r in plan.rows] == [5200, 3100]
    assert [r.target for r in plan.rows] == ["fact", "series"]


def test_english_headers_labels_and_a_missing_value_row():
    data = ("region_code,region_name,indicator_name,year,value,unit,basis,kind,source,note\n"
            "500103,,养老床位,2023,1915,张,,observed,2023年民政统计,\n"
            "500103,,Childcare places,2023,—,,,observed,,未统计\n"
            "500103,,60岁及以上老年人口,2021,10.5,万人,户籍,年度序列,年鉴,\n").encode()
    plan = parse_file(data, "x.csv", known_regions=KNOWN)
    assert plan.ok
    fact, skipped, series = plan.rows
    assert fact.record["indicator"] == "elderly_beds" and fact.record["source"] == "2023年民政统计"
    assert skipped.target == "skip" and skipped.record["value"] is None  # 未提供, not 0
    assert series.record == {**series.record, "indicator": "elderly_60plus", "value": 105000, "basis": "户籍"}
    assert "跳过" in plan.summary("zh") or "1" in plan.summary("zh")


def test_preview_table_has_every_row_with_interpretation_and_problems():
    data = _csv("500103,渝中区,elderly_beds,2023,0.52万张,现状值", "500103,渝中区,elderly_beds,2024,-1,现状值").encode()
    plan = parse_file(data, "x.csv", known_regions=KNOWN)
    table = plan.table("zh")
    assert len(table) == 2 and not plan.ok
    assert "5,200张" in table.iloc[0]["解读"] and table.iloc[1]["问题"].startswith("数值“-1”为负")
    assert plan.table("en").columns.tolist()[-1] == "Problems"


def test_new_region_needs_a_name_and_gets_a_level_and_parent():
    ok = parse_file(_csv("370103,市中区,elderly_beds,2023,100,现状值").encode(), "x.csv", known_regions=KNOWN)
    assert ok.new_regions == ({"code": "370103", "name_zh": "市中区", "name_en": "", "level": "county",
                               "parent_code": "370000"},)
    tianjin_district = importer.new_region("120119", "蓟州区", {"120000": "天津市"})
    assert tianjin_district["parent_code"] == "120000"
    assert importer.new_region("370100", "济南市", {})["level"] == "city"


def test_known_region_name_difference_is_a_warning():
    plan = parse_file(_csv("500103,渝中,elderly_beds,2023,100,现状值").encode(), "x.csv", known_regions=KNOWN)
    assert plan.ok and plan.rows[0].problems[0].code == "imp_w_name_differs"
    assert plan.rows[0].record["region_name"] == "渝中区"


@pytest.mark.parametrize("fmt, kind", [("xlsx", "facts"), ("csv", "facts"), ("csv", "series")])
def test_templates_import_cleanly(fmt, kind):
    data = importer.template_bytes(fmt, kind)
    plan = parse_file(data, f"t.{fmt}", known_regions=KNOWN)
    assert plan.ok, plan.report_lines()
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").startswith("地区代码,地区名称,指标代码")


def test_xlsx_template_has_chinese_headers_catalogue_and_instructions():
    wb = openpyxl.load_workbook(io.BytesIO(importer.template_bytes("xlsx")))
    assert wb.sheetnames == ["数据", "年度序列", "指标目录", "说明"]
    assert [c.value for c in wb["数据"][1]] == list(importer.TEMPLATE_HEADERS.values())
    ids = {r[0].value for r in wb["指标目录"].iter_rows(min_row=2)}
    assert {"elderly_beds", "childcare_places", "population_resident", "births", "birth_rate"} <= ids
    plan = parse_file(importer.template_bytes("xlsx"), "t.xlsx", known_regions=KNOWN)
    assert {r.sheet for r in plan.rows} == {"数据", "年度序列"}  # catalogue and instructions are not imported


def test_xlsx_number_cells_and_a_formula_are_told_apart():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD.split(","))
    ws.append([500103, "渝中区", "elderly_beds", 2023, 1915, "现状值"])
    ws.append([500103, "渝中区", "nursing_beds", 2023, "=A2*0", "现状值"])
    buf = io.BytesIO()
    wb.save(buf)
    plan = parse_file(buf.getvalue(), "x.xlsx", known_regions=KNOWN)
    assert plan.rows[0].record["value"] == 1915 and plan.rows[0].record["year"] == 2023
    assert plan.rows[1].errors[0].code == "imp_formula" and not plan.ok


def test_messages_exist_in_both_languages():
    from models.core.i18n import STRINGS
    for key, (zh, en) in STRINGS.items():
        if key.startswith(("imp_", "ud_", "role_", "ed_")):
            assert zh and en and zh != en, key
