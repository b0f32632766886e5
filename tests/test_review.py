"""The final review (终期评估, models/planning/review.py): every 2025 target in the form the plan states it.

No Wuhan plan text is available offline: the Wuhan test extracts and imports a paragraph written from the figures
issue 23 states for Wuhan's plan (护理型床位占比 ≥ 65 %, 4.5 places per 1,000), through the same extraction and
import flow as a real plan text, then imports the 2025 test actuals of the issue (52,000 beds, 30,000 nursing)
with the review's own prefilled template."""
import io

import pandas as pd
import pytest

from models.intake import extract as ex
from models.planning.review import (
    TEMPLATE_INDICATORS,
    final_review,
    national_context,
    review_template,
    review_templates,
    review_view,
    without_actual,
    without_targets,
)
from models.store import user_documents as ud
from models.store import userdata
from models.store.facts import all_facts

# written from issue 23's figures for Wuhan (not the plan's own text, which is not available offline)
WUHAN = "到2025年，养老机构护理型床位占比不低于65%，每千人口拥有3岁以下婴幼儿托位数达到4.5个。"


def _filled(code: str, name: str, values: dict, source: str = "2025年民政统计（测试数据）") -> bytes:
    df = pd.read_csv(io.BytesIO(review_template(code, name)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    df["数值"] = [values.get(i, "—") for i in df["指标代码"]]
    df["来源"] = source
    return df.to_csv(index=False).encode("utf-8-sig")


@pytest.fixture
def wuhan(fresh_db):
    rows = ex.extract(WUHAN).frame()
    out = ud.import_extracted(rows, text=WUHAN, title="武汉市目标（据issue 23）", filename="", who="王科长",
                              region_code="420100", region_name="武汉市", db=fresh_db)
    assert out.result is not None, out.plan.report_lines()
    plan, result = userdata.import_file(_filled("420100", "武汉市", {"elderly_beds": "52000", "nursing_beds": "30000"}),
                                        "终期评估.csv", who="王科长", db=fresh_db)
    assert result is not None, plan.report_lines()
    return fresh_db


def test_wuhan_nursing_share_is_reviewed_as_a_share_not_as_beds(wuhan):
    review = final_review(all_facts(wuhan)).set_index(["region_code", "indicator"])
    share = review.loc[("420100", "nursing_bed_share")]
    assert share["comparator"] == "≥" and share["target"] == 65
    assert share["actual"] == pytest.approx(30000 / 52000 * 100)  # 57.69 %
    assert round(share["actual"], 1) == 57.7 and share["actual_year"] == 2025
    assert (share["status"], bool(share["met"])) == ("not_met", False)
    assert "nursing_beds ÷ elderly_beds(2025)" in share["formula"] and "30,000 ÷ 52,000 × 100 = 57.69" in share["formula"]
    view = review_view(review.reset_index(), names={"420100": "武汉市"}).set_index(["地区", "指标"])
    row = view.loc[("武汉市", "护理型床位占比")]
    assert (row["2025年目标"], row["实际数"], row["结论"]) == ("≥65%", "57.7%", "未达标")
    assert row["计算"].startswith("护理型床位占比 = 护理型床位 ÷ 养老床位(2025)")
    assert row["全国2025年"].startswith("目标55%，2024年实际65.7%（已达标）；来源：")
    # no "39,000 beds": the plan states no bed count, so no bed row is reviewed against a target
    assert review.loc[("420100", "elderly_beds"), "status"] == "no_target"


def test_wuhan_places_per_1000_are_reviewed_against_4_5(wuhan):
    review = final_review(all_facts(wuhan)).set_index(["region_code", "indicator"])
    places = review.loc[("420100", "childcare_places_per_1000")]
    assert places["target"] == 4.5 and places["status"] == "no_actual"
    assert places["missing"] == "actual:childcare_places"  # no 2025 place count yet: said, not invented
    # test figures: 60,000 places and a resident population of 13,000,000 in 2025 → 4.62 per 1,000, met
    userdata.import_file(_filled("420100", "武汉市", {"childcare_places": "60000", "population_resident": "13000000"}),
                         "托位.csv", who="王科长", db=wuhan)
    review = final_review(all_facts(wuhan)).set_index(["region_code", "indicator"])
    places = review.loc[("420100", "childcare_places_per_1000")]
    assert places["actual"] == pytest.approx(60000 / 13_000_000 * 1000)
    assert places["status"] == "met" and places["completion"] == pytest.approx(4.615 / 4.5 * 100, abs=0.1)
    assert "childcare_places ÷ population_resident(2025) × 1000 = 60,000 ÷ 13,000,000 × 1000 = 4.62" in \
        places["formula"]
    assert places["national"]["actual"] == 4.73 and places["national"]["target"] == 4.5


def test_yuzhong_counts_against_counts_with_an_imported_actual(fresh_db):
    review = final_review(all_facts(fresh_db)).set_index(["region_code", "indicator"])
    beds = review.loc[("500103", "elderly_beds")]
    assert (beds["target"], beds["status"]) == (4000, "no_actual")  # 养老床位(张) | 1915 | 4000 (YZ-084)
    assert review.loc[("500103", "nursing_bed_share"), "target"] == 60  # 护理型养老床位占比(%) 37.4 → 60
    userdata.import_file(_filled("500103", "渝中区", {"elderly_beds": "3200"}), "yz.csv", who="王科长", db=fresh_db)
    review = final_review(all_facts(fresh_db)).set_index(["region_code", "indicator"])
    beds = review.loc[("500103", "elderly_beds")]
    assert (beds["actual"], beds["actual_year"], beds["status"], beds["origin"]) == (3200, 2025, "not_met", "user")
    assert beds["completion"] == pytest.approx(80.0)
    # the 2020 stocks (1,915 beds; 37.4 %) are not review actuals
    assert review.loc[("500103", "nursing_bed_share"), "status"] == "no_actual"
    assert review.loc[("500103", "nursing_bed_share"), "missing"] == "actual:nursing_beds"


def test_at_most_targets_are_met_from_below():
    facts = pd.DataFrame([
        {"fact_id": "T1", "region_code": "999999", "region_name": "测试", "indicator": "nursing_bed_share",
         "year": 2025, "value": 50.0, "kind": "target", "comparator": "≤", "source": "", "quote": "",
         "origin": "user"},
        {"fact_id": "A1", "region_code": "999999", "region_name": "测试", "indicator": "nursing_bed_share",
         "year": 2025, "value": 40.0, "kind": "observed", "comparator": "=", "source": "s", "quote": "",
         "origin": "user"}])
    r = final_review(facts).iloc[0]
    assert (r["status"], bool(r["met"])) == ("met", True)


def test_regions_with_actuals_but_no_targets_are_listed(fresh_db):
    userdata.import_file(_filled("500110", "綦江区", {"elderly_beds": "5200"}), "qj.csv", who="王科长", db=fresh_db)
    review = final_review(all_facts(fresh_db))
    assert without_targets(review) == {"500110": ["elderly_beds"]}
    row = review[review["region_code"] == "500110"].iloc[0]
    assert (row["status"], row["missing"], row["actual"]) == ("no_target", "target", 5200)
    view = review_view(review[review["region_code"] == "500110"], names={"500110": "綦江区"})
    assert view.iloc[0]["缺少"] == "规划未给出2025年目标" and view.iloc[0]["结论"] == "规划未给出目标"
    assert "500110" not in without_actual(review) and "120101" in without_actual(review)


def test_template_covers_every_reviewable_indicator_and_imports(fresh_db):
    from models.intake import importer

    data = review_template("500103", "渝中区")
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(df.columns) == list(importer.template_frame("facts").columns)
    assert df["指标代码"].tolist() == list(TEMPLATE_INDICATORS) == [
        "elderly_beds", "nursing_beds", "nursing_bed_share", "childcare_places", "childcare_places_per_1000",
        "affordable_childcare_places", "elderly_60plus", "population_resident"]
    assert set(df["年份"]) == {"2025"} and set(df["类型"]) == {"现状值"} and set(df["数值"]) == {""}
    df["数值"] = ["3200", "1500", "46.9", "1800", "3.2", "600", "13.1万", "56.5万"]
    plan = importer.parse_file(df.to_csv(index=False).encode("utf-8-sig"), "t.csv")
    assert plan.ok and len(plan.rows) == 8, plan.report_lines()
    both = pd.read_csv(io.BytesIO(review_templates({"500103": "渝中区", "120101": "和平区"})), encoding="utf-8-sig",
                       dtype=str, keep_default_na=False)
    assert both["地区代码"].tolist() == ["500103"] * 8 + ["120101"] * 8


def test_national_context_is_quoted():
    beds = national_context("elderly_beds")
    assert (beds["target"], beds["actual"], beds["actual_year"], beds["met"]) == (10_000_000, 7_993_000, 2024, False)
    assert "799.3万張" in beds["quote"] or "799.3万张" in beds["quote"]
    assert national_context("childcare_places_per_1000")["met"] is True
