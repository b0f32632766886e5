"""The audit recomputes each plan's arithmetic from its own inputs and finds the slips (verified in the documents)."""
import io
import subprocess
import sys

import pandas as pd
import pytest

from models.planning.audit import AUDIT_COLUMNS, audit, audit_checks, relations
from models.store.facts import all_facts
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def checks(db):
    return audit_checks(all_facts(db), relations(db))


@pytest.fixture(scope="module")
def slips(db):
    return audit(all_facts(db), relations(db))


def find(slips, region, rule, year):
    hit = slips[(slips["region_code"] == region) & (slips["rule"] == rule) & (slips["year"] == year)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_columns(slips):
    assert list(slips.columns) == AUDIT_COLUMNS


def test_yuzhong_bed_demand_parts_do_not_add_up(slips):
    # 002: "预计2025年养老床位需求达4000张(兜底型养老床位500张、普惠型养老床位2500张、家庭养老床位500张)"
    s = find(slips, "500103", "relation:sum", 2025)
    assert (s.stated, s.recomputed, s.difference) == (4000, 3500, 500)


def test_yuzhong_table_places_differ_from_text(slips):
    # table "托位数(个) | 1088 |" vs text "提供托位181个" + "全区幼儿园可提供托位830个"
    s = find(slips, "500103", "relation:sum", 2020)
    assert (s.stated, s.recomputed) == (1088, 1011)


def test_yuzhong_places_per_1000_in_2020(slips):
    # table "每千人口托位数(个) | 1.5 |" vs 1088 / 58.87万 × 1000 = 1.85
    s = find(slips, "500103", "ratio:childcare_places_per_1000", 2020)
    assert s.stated == 1.5 and s.recomputed == pytest.approx(1088 / 588700 * 1000)


def test_yuzhong_nursing_share_target(slips):
    # table "护理型养老床位占比(%) | 37.4 | 60 |" vs "护理型床位需配置2800张" / 4000 = 70%
    s = find(slips, "500103", "ratio:nursing_bed_share", 2025)
    assert (s.stated, s.recomputed) == (60, 70)


def test_yuzhong_place_demand_uses_the_2020_population(slips):
    # "按每千名常住人口拥有4.5个托位进行预测,预计2025年托位需求达2650个" but 4.5 × 56.8万 / 1000 = 2556
    s = find(slips, "500103", "product:childcare_places_per_1000", 2025)
    assert s.stated == 2650 and s.recomputed == pytest.approx(2556)


def test_yuzhong_2025_population_does_not_follow_its_growth_rate(slips):
    # "预计到2025年常住人口为56.8万(根据常住人口年平均增长率为-0.68%进行测算)": 58.87万 × 0.9932^5 = 56.90万
    s = find(slips, "500103", "growth:population_growth", 2025)
    assert s.stated == 568000 and s.recomputed == pytest.approx(588700 * 0.9932 ** 5)
    assert s.recomputed_low > s.stated_high  # outside the rounding of 56.8万


def test_botou_2608_places(slips):
    # 003: "每千人配备托位 4.5 个…按全市总人口 57 万人测算，应配备托位达到 2608 个": 4.5 × 570000 / 1000 = 2565
    s = find(slips, "130981", "product:childcare_places_per_1000", 2025)
    assert (s.stated, s.recomputed, s.difference) == (2608, 2565, 43)


def test_botou_2020_places_per_1000(slips):
    # "（2020 年每千人 0.2 个）" vs "可提供托位370个" / 57万 × 1000 = 0.65 (population of 2025: none stated for 2020)
    s = find(slips, "130981", "ratio:childcare_places_per_1000", 2020)
    assert s.stated == 0.2 and s.recomputed == pytest.approx(370 / 570000 * 1000)
    assert "2025" in s.note


def test_dongli_two_shares_imply_two_populations(slips):
    # 000: "60周岁以上户籍人口99890人，占比22.03%" → 453,427; "3岁以下户籍人口15805人，占比3.45%" → 458,116
    s = find(slips, "120110", "implied_total", 2022)
    assert s.stated == 22.03 and s.recomputed == pytest.approx(99890 / (15805 / 0.0345) * 100)


def test_at_least_five_slips_across_plans(slips):
    assert len(slips) >= 5
    assert set(slips["region_code"]) >= {"500103", "130981", "120110"}


def test_consistent_arithmetic_passes_within_rounding(checks):
    ok = checks[checks["status"] == "ok"].set_index(["region_code", "rule", "year"])
    # 渝中 19.76% = 11.63万 / 58.87万; 和平 27.94% = 12.96万 / 46.39万; 东丽 5225 vs 0.52万张
    assert ok.loc[("500103", "ratio:aging_rate", 2020)].recomputed == pytest.approx(19.7554, abs=1e-4)
    assert ("120101", "ratio:aging_rate", 2021) in ok.index
    assert (ok.loc[("120110", "relation:equal", 2025)]["stated"] == 5225).any()
    gaps = checks[(checks["rule"] == "gap")]
    assert set(gaps["status"]) == {"ok"} and set(gaps["stated"]) == {2085, 2084, 1639}


def test_cli_writes_the_audit_csv():
    out = subprocess.run([sys.executable, "-m", "forecasting", "audit"], cwd=ROOT, capture_output=True, check=True)
    assert out.stdout.startswith("\ufeff".encode())
    df = pd.read_csv(io.BytesIO(out.stdout), encoding="utf-8-sig")
    assert list(df.columns[:6]) == ["region_code", "check", "stated", "recomputed", "difference", "quote"]
    assert len(df) >= 5


def test_yuzhong_planned_places_do_not_close_the_stated_gap(slips):
    # 002: "缺口1639个 … 规划新增公办托位200个,新增社会办托位(含幼儿园)1839个": 200 + 1839 = 2039 ≠ 1639
    s = find(slips, "500103", "planned_additions:childcare_places", 2025)
    assert (s.stated, s.recomputed, s.difference) == (1639, 2039, -400)


def test_yuzhong_bed_gap_against_its_project_list(checks):
    # no 新增…张 in the text; the project list has "床位500张" (渝中区社会福利院建设项目) against "缺口2085张"
    s = checks[(checks["region_code"] == "500103") & (checks["rule"] == "planned_additions:elderly_beds")].iloc[0]
    assert (s.stated, s.recomputed, s.status) == (2085, 500, "inconsistent") and "project" in s.note


def test_audit_runs_on_an_imported_region(fresh_db):
    from models.store import userdata

    rows = ("地区代码,地区名称,指标代码,年份,数值,类型\n420100,武汉市,childcare_places_gap,2025,5000,预测值\n"
            "420100,武汉市,new_public_childcare_places,2025,3000,目标值\n"
            "420100,武汉市,new_private_childcare_places,2025,1000,目标值\n")
    plan, result = userdata.import_file(rows.encode("utf-8"), "wuhan.csv", who="test", db=fresh_db)
    assert result is not None, plan.report_lines()
    slips = audit(all_facts(fresh_db), relations(fresh_db))
    s = find(slips, "420100", "planned_additions:childcare_places", 2025)
    assert (s.stated, s.recomputed) == (5000, 4000)
