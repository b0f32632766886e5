"""The importer reads units and indicator names as planners write them, and a refusal names what is accepted."""
import io

import openpyxl

from models.intake import importer

WUHAN = """地区代码,地区名称,指标名称,年份,数值,单位,类型,来源
420100,武汉市,养老床位,2020,7.5万,,现状值,武汉市一老一小整体解决方案（新闻报道）
420100,武汉市,每千名老年人养老床位数,2025,40,张,目标值,同上
420100,武汉市,每千人口托位数,2025,4.5,个/千人,目标值,同上
420100,武汉市,老龄化率,2020,17.5,%,现状值,同上
420100,武汉市,护理型床位占比,2025,55,%,目标值,同上
420100,武汉市,托位,2025,6万,,目标值,同上
"""


def test_wuhan_rows_import_as_a_planner_wrote_them():
    plan = importer.parse_file(WUHAN.encode("utf-8"), "wuhan.csv", known_regions={})
    assert plan.ok, plan.report_lines()
    got = {(r.record["indicator"], r.record["value"]) for r in plan.rows}
    assert got == {("elderly_beds", 75000), ("beds_per_1000_elderly", 40), ("childcare_places_per_1000", 4.5),
                   ("aging_rate", 17.5), ("nursing_bed_share", 55), ("childcare_places", 60000)}


def test_per_1000_unit_spellings():
    for unit in ("张/千人", "张/每千名老年人", "个/千人", "个/每千人", "‰", "张", "个"):
        assert importer.unit_multiplier(unit, "per_1000") == 1, unit
    assert importer.unit_multiplier("万人", "person") == 10_000 and importer.unit_multiplier("万张", "bed") == 10_000


def test_refused_unit_names_the_accepted_spellings():
    try:
        importer.unit_multiplier("个每千户", "per_1000")
    except importer.Invalid as exc:
        zh, en = exc.problem.message("zh"), exc.problem.message("en")
    assert "可用" in zh and "个/千人" in zh and "张/每千名老年人" in zh
    assert "accepted" in en and "个/千人" in en


def test_unknown_name_suggests_the_indicator():
    try:
        importer.parse_indicator("", "老龄化比例")
    except importer.Invalid as exc:
        assert exc.problem.message("zh").endswith("您是否指 aging_rate（老龄化率(60岁及以上占比)）？（可用写法见模板“指标目录”）")
        assert "Did you mean aging_rate (Share aged 60+)?" in exc.problem.message("en")
    assert importer.parse_indicator("", "老龄化率") == "aging_rate"


def test_code_and_name_disagree_names_both():
    try:
        importer.parse_indicator("elderly_beds", "托位")
    except importer.Invalid as exc:
        msg, code = exc.problem.message("zh"), exc.problem.code
    assert code == "imp_indicator_mismatch"
    assert "elderly_beds 是“养老床位”" in msg and "childcare_places（托位）" in msg


def test_note_comparator_and_quote_column():
    csv = ("地区代码,地区名称,指标代码,年份,数值,类型,备注,原文\n"
           "420100,武汉市,nursing_bed_share,2025,60,目标值,不低于；年份按规划期末,护理型床位占比不低于60%\n")
    plan = importer.parse_file(csv.encode("utf-8"), "x.csv", known_regions={})
    assert plan.ok, plan.report_lines()
    rec = plan.rows[0].record
    assert rec["comparator"] == "≥" and rec["quote"] == "护理型床位占比不低于60%"


def test_catalogue_sheet_lists_accepted_spellings():
    wb = openpyxl.load_workbook(io.BytesIO(importer.template_bytes("xlsx")))
    ws = wb["指标目录"]
    head = [c.value for c in ws[1]]
    assert "可用名称写法" in head and "可用单位写法" in head
    rows = {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert "老龄化率" in rows["aging_rate"]["可用名称写法"]
    assert "个/千人" in rows["childcare_places_per_1000"]["可用单位写法"]
