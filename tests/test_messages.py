"""Messages are codes with parameters (models/core/messages.py), rendered in the reader's language at the edge: the gap
table's method_code and reason_codes, the supply reasons, the workbench's reasons and notes."""
import re
from types import MappingProxyType

import pandas as pd
import pytest

from forecasting.planning import gaps
from models.core.i18n import t
from models.core.messages import BILINGUAL, Message, basis_text, bilingual, message
from models.intake.importer import Problem, problem
from models.planning.gaps import gap_table, method_text, reason_text, texts
from models.planning.standards import RegionStandards, Standards

CJK = re.compile(r"[\u4e00-\u9fff]")

# every code this work added, with parameters, its Chinese text exactly as the domain wrote it before, and English
RENDERED = [
    (message("gap_no_bed_standard"), "规划未提供床位测算标准", "the plan states no bed standard"),
    (message("gap_no_nursing_share"), "规划未提供护理型床位占比", "no nursing-bed share"),
    (message("gap_no_childcare_standard"), "规划未提供托位标准", "no childcare standard"),
    (message("gap_no_elderly", year=2025), "未提供2025年60岁及以上人口", "no population aged 60+ for 2025"),
    (message("gap_no_total_population", year=2020), "未提供2020年总人口", "no total population for 2020"),
    (message("gap_elderly_other_basis", bases="常住", basis="户籍"), "仅有常住口径的60岁及以上人口，标准适用于户籍口径",
     "only the resident population aged 60+ is stated; the standard applies to the registered population"),
    (message("gap_total_other_basis", bases="口径未注明、户籍", basis="常住"),
     "仅有口径未注明、户籍口径的总人口，标准适用于常住口径",
     "only the unstated and registered total population is stated; the standard applies to the resident population"),
    (message("gap_no_target"), "规划未提供该年目标", "no target stated for this year"),
    (message("supply_no_count"), "规划未提供现有数量", "the plan states no current count"),
    (message("supply_none_before", first=2021), "规划未提供该年及以前的数量（最早为 2021 年）",
     "no count stated for or before this year"),
    (message("gap_method_per_1000"), "每千名老年人床位标准", "beds per 1000 elderly"),
    (message("gap_method_institutional"), "机构养老占比", "institutional share"),
    (message("gap_method_needs"), "失能失智需求", "needs-based"),
    (message("gap_method_none"), "未提供床位标准", "no bed standard"),
    (message("gap_method_nursing_share"), "护理型占比×床位需求", "nursing share × bed demand"),
    (message("gap_method_places_per_1000"), "每千人口托位标准", "places per 1000 population"),
    (message("gap_method_population", method="stated"), "人口：stated", "population: stated"),
    (message("wb_no_stated_gap"), "规划未说明该年缺口", "the plan states no gap"),
    (message("wb_no_current_supply"), "现有供给未提供", "current supply not stated"),
    (message("wb_note_model_path"), "规划未说明；使用统计模型", "the plan states none: the model path is used"),
    (message("wb_note_plan_none"), "规划未提供", "the plan states none"),
    (message("wb_note_planner_override"), "规划人员设定", "planner override"),
]


@pytest.mark.parametrize(("m", "zh", "en"), RENDERED, ids=[m.code for m, _, _ in RENDERED])
def test_each_code_renders_in_chinese_and_english(m, zh, en):
    assert m.text() == m.text("zh") == zh
    assert m.text("en") == en and not CJK.search(en)
    assert m.text(BILINGUAL) == bilingual(zh, en)


def test_parameters_are_localised_by_name():
    assert [basis_text(b, "en") for b in ("常住", "户籍", "", "口径未注明")] == ["resident", "registered", "unstated",
                                                                           "unstated"]
    assert basis_text("常住", "zh") == "常住"
    m = message("ov_missing", what=message("gap_no_target"), reason="x")  # a Message parameter renders in the language
    assert m.text("en") == "Not provided: no target stated for this year — x"
    assert m.text("zh") == "未提供：规划未提供该年目标 — x"
    ind = message("map_reason_no_base", indicator="elderly_60plus")  # no placeholder: the parameter is unused
    assert ind.localised("en")["indicator"] != "elderly_60plus" and not CJK.search(ind.localised("en")["indicator"])
    assert CJK.search(ind.localised("zh")["indicator"])


def test_messages_are_values_and_round_trip_as_plain_dicts():
    a, b = message("gap_no_elderly", year=2025), message("gap_no_elderly", year=2025)
    assert a == b and hash(a) == hash(b) and a != message("gap_no_elderly", year=2026)
    nested = message("ov_missing", what=a, reason="r")
    assert nested.as_dict() == {"code": "ov_missing", "params": {"reason": "r", "what": {"code": "gap_no_elderly",
                                                                                        "params": {"year": 2025}}}}
    assert Message.from_dict(nested.as_dict()) == nested


def test_bilingual_keeps_the_command_lines_spacing():
    assert bilingual("甲", "a") == "甲 / a"
    assert bilingual("规划未提供该年及以前的数量（最早为 2021 年）", "b") == "规划未提供该年及以前的数量（最早为 2021 年）/ b"


def test_an_import_problem_is_a_message_with_a_severity():
    p = problem("imp_bad_type", "error", name="x.txt")
    assert isinstance(p, Message) and p.severity == "error" and p.params == (("name", "x.txt"),)
    assert p.message("en") == p.text("en") == t("imp_bad_type", "en", name="x.txt")
    assert p.message("zh") == t("imp_bad_type", "zh", name="x.txt")
    # column ids still read as the template's Chinese headers in Chinese
    col = Problem("imp_html", (("column", "region_code"),))
    assert col.message("zh") == t("imp_html", "zh", column="地区代码")
    assert col.message("en") == t("imp_html", "en", column="region_code")


def test_reason_and_method_text():
    codes = [{"part": "demand", "code": "gap_no_elderly", "params": {"year": 2025}},
             {"part": "supply", "code": "supply_no_count", "params": {}},
             {"part": "target", "code": "gap_no_target", "params": {}}]
    assert reason_text(codes) == "需求：未提供2025年60岁及以上人口；供给：规划未提供现有数量；目标：规划未提供该年目标"
    assert reason_text(codes, "en") == ("no population aged 60+ for 2025; the plan states no current count; "
                                        "no target stated for this year")
    assert reason_text(codes, BILINGUAL) == (
        "需求：未提供2025年60岁及以上人口 / no population aged 60+ for 2025；供给：规划未提供现有数量 / the plan states "
        "no current count；目标：规划未提供该年目标 / no target stated for this year")
    assert reason_text([]) == reason_text(None) == reason_text(float("nan")) == ""
    assert reason_text([{"code": "wb_no_current_supply"}], "en") == "current supply not stated"  # no part: no label
    assert method_text("per_1000") == "每千名老年人床位标准"
    assert method_text("per_1000", "en", population_method="interpolated") == \
        "beds per 1000 elderly; population: interpolated"
    assert method_text("nursing_share", BILINGUAL, population_method="stated") == \
        "护理型占比×床位需求 / nursing share × bed demand；人口：stated"
    assert method_text(None) == method_text("") == ""


def test_only_another_basis_says_which_in_both_languages():
    # the standard counts registered elderly; the region states only its resident elderly
    s = Standards(RegionStandards(), MappingProxyType({"999999": RegionStandards(
        beds_per_1000_elderly=32.0, nursing_share=70.0, places_per_1000=4.5, elderly_basis="户籍")}))
    pop = pd.DataFrame({"region_code": "999999", "indicator": ["elderly_60plus", "population_resident"],
                        "year": 2025, "value": [125000.0, 568000.0], "basis": ["常住", "常住"]})
    sup = pd.DataFrame({"region_code": "999999", "service": ["elderly_beds", "nursing_beds", "childcare_places"],
                        "year": 2025, "supply_existing": float("nan"), "supply_year": pd.NA, "pipeline": 0.0,
                        "supply_method": "", "supply_formula": "", "supply_inputs": [[]] * 3,
                        "supply_reason": [message("supply_none_before", first=2026)] * 3,
                        "supply_alternatives": [[]] * 3})
    g = gap_table(pop, s, sup, years=[2025])
    beds = g.set_index("service").loc["elderly_beds"]
    assert beds.reason_codes[0] == {"part": "demand", "code": "gap_elderly_other_basis",
                                    "params": {"bases": "常住", "basis": "户籍"}}
    assert reason_text(beds.reason_codes) == ("需求：仅有常住口径的60岁及以上人口，标准适用于户籍口径；"
                                             "供给：规划未提供该年及以前的数量（最早为 2026 年）；目标：规划未提供该年目标")
    assert reason_text(beds.reason_codes, "en") == (
        "only the resident population aged 60+ is stated; the standard applies to the registered population; "
        "no count stated for or before this year; no target stated for this year")
    # the childcare standard takes either basis: the resident population is used, nothing is missing on demand
    assert [c["part"] for c in g.set_index("service").loc["childcare_places"].reason_codes] == ["supply",
                                                                                             "target"]


@pytest.fixture(scope="module")
def plan_tables():
    return gaps(assumptions="plan")


def test_no_chinese_in_any_english_reason_or_method_of_the_plan_regions(plan_tables):
    g = plan_tables
    assert {"120000", "120101", "120110", "130981", "500103"} <= set(g["region_code"])
    en = texts(g, lang="en")
    assert "method_code" not in en and "reason_codes" not in en
    assert en["reason"].str.len().gt(0).any()
    bad = [x for x in list(en["reason"]) + list(en["method"]) if CJK.search(x)]
    assert bad == []
    # Heping (和平区) states no total population for 2025: the childcare demand is unknown and says so
    r = g[(g["region_code"] == "120101") & (g["service"] == "childcare_places") & (g["year"] == 2025)].iloc[0]
    assert pd.isna(r["demand"])
    assert reason_text(r["reason_codes"]) == "需求：未提供2025年总人口；供给：规划未提供现有数量；目标：规划未提供该年目标"
    assert reason_text(r["reason_codes"], "en") == ("no total population for 2025; the plan states no current count; "
                                                    "no target stated for this year")


def test_the_chinese_rendering_is_the_old_text(plan_tables):
    zh = texts(plan_tables, lang="zh")
    yz = zh[(zh["region_code"] == "500103") & (zh["year"] == 2025)].set_index("service")
    assert yz.loc["elderly_beds", "method"] == "每千名老年人床位标准；人口：stated"
    assert yz.loc["childcare_places", "method"] == "每千人口托位标准；人口：stated"
    assert set(zh["reason"]) >= {"目标：规划未提供该年目标", ""}
    # no English sentence inside the Chinese reasons (population methods and the like stay as data)
    assert not zh["reason"].str.contains(" / ", regex=False).any()
