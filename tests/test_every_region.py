"""Every region is first-class (issue 20, item 4): `gaps` for any registry or imported region, demand from the
province's plan standards or the national ones (never an invented standard), supply 未提供, the missing input
named; an imported region in project (all), gaps --assumptions model, the overview's 2030 view and the export; a
province's counties ranked by demand growth and per 1,000 elderly."""
import io
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from forecasting.planning import county_units, gaps, province_ranking
from forecasting.projector import Projector
from models.planning.targets import national_bed_standard
from tests.conftest import ROOT

EPS = 1e-6


def up(x: float) -> int:
    return math.ceil(x - EPS)


@pytest.fixture(scope="module")
def projector(db):
    return Projector.load(db)


def _pop(projector, code: str, indicator: str, year: int) -> float:
    t = projector.project_all([code], methods=("model",), scenarios=("medium",))
    return float(t[(t.indicator == indicator) & (t.year == year)]["value"].iloc[0])


def _row(g: pd.DataFrame, service: str, year: int) -> dict:
    return g[(g.service == service) & (g.year == year)].iloc[0].to_dict()


def _codes(row: dict) -> list[str]:
    return [c["code"] for c in row["reason_codes"]]


def test_a_province_without_a_plan_uses_the_national_standards(db, projector):
    """江苏省 (320000) states no standard: 2025 places 4.5 per 1,000 and nursing 55 %, but no bed standard (none
    exists for 2025: the row says so); 2030 nursing 73 % and the derived national beds figure, labelled."""
    g = gaps(db, assumptions="model", region="320000", years=[2025, 2030], projector=projector)
    assert set(g.region_code) == {"320000"} and set(g.region_name) == {"江苏省"}
    pop25 = _pop(projector, "320000", "population_resident", 2025)
    e30 = _pop(projector, "320000", "elderly_60plus", 2030)

    beds25 = _row(g, "elderly_beds", 2025)
    assert np.isnan(beds25["demand"]) and "gap_no_beds_per_1000" in _codes(beds25)
    assert np.isnan(beds25["supply"]) and "supply_no_count" in _codes(beds25)
    assert "未提供" in beds25["formula"]
    assert _row(g, "childcare_places", 2025)["demand"] == up(4.5 * pop25 / 1000)
    assert "55%" in _row(g, "nursing_beds", 2025)["formula"]

    national = national_bed_standard()
    assert national.value == pytest.approx(30.9)  # 1,000万张 ÷ 32,338万人 × 1000
    beds30 = _row(g, "elderly_beds", 2030)
    assert beds30["demand"] == up(national.value * e30 / 1000)
    note = next(i for i in beds30["inputs"] if i["name"] == "beds_per_1000_elderly")["note"]
    assert note.startswith("全国（推算）") and "1,000万张" in note and "× 1000 = 30.9" in note
    nursing30 = _row(g, "nursing_beds", 2030)
    assert nursing30["demand"] == up(0.73 * beds30["demand"])
    quote = next(i for i in nursing30["inputs"] if i["name"] == "nursing_share")["quote"]
    assert "73%" in quote or "73%" in quote.replace("％", "%")
    assert np.isnan(beds30["supply"]) and np.isnan(beds30["gap"])


def test_a_county_without_a_plan_takes_its_province_plan_standards(db, projector):
    """河东区 (120102) has no plan: Tianjin's (120000) — 3 % of the elderly in institutions, nursing ≥ 60 % — with
    the plan's quote and a note saying the standard is the province's."""
    g = gaps(db, assumptions="model", region="120102", years=[2025], projector=projector)
    e25 = _pop(projector, "120102", "elderly_60plus", 2025)
    beds = _row(g, "elderly_beds", 2025)
    assert beds["method_code"] == "institutional" and beds["demand"] == up(0.03 * e25)
    nursing = _row(g, "nursing_beds", 2025)
    assert nursing["demand"] == up(0.60 * beds["demand"])
    share = next(i for i in nursing["inputs"] if i["name"] == "nursing_share")
    assert share["fact_id"] == "TJ-060" and "沿用所在省级地区（天津市）规划标准" in share["note"]


def test_the_five_plan_regions_keep_their_figures(db, projector):
    """渝中 2025 (plan method) 2085 / 2084 / 1639; a plan region alone and within every region: the same rows."""
    plan = gaps(db, years=[2025], region="500103")
    assert plan.set_index("service")["gap"].to_dict() == {"elderly_beds": 2085, "nursing_beds": 2084,
                                                          "childcare_places": 1639}
    one = gaps(db, assumptions="model", region="120101", years=[2025, 2030], projector=projector)
    five = gaps(db, assumptions="model", years=[2025, 2030], projector=projector)  # the default projector's
    five = five[five.region_code == "120101"].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.drop(columns=["inputs", "reason_codes"]),
                                  five.drop(columns=["inputs", "reason_codes"]))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "forecasting", *args], cwd=ROOT, capture_output=True)


def test_gaps_cli_answers_for_a_registry_region_and_refuses_an_unknown_one():
    out = _cli("gaps", "--region", "320000", "--assumptions", "model", "--year", "2030")
    assert out.returncode == 0, out.stderr.decode()
    df = pd.read_csv(io.BytesIO(out.stdout), encoding="utf-8-sig", dtype={"region_code": str})
    assert df.set_index("service").loc["elderly_beds", "demand"] > 0
    assert df["supply"].isna().all() and df["reason"].str.contains("规划未提供现有数量").all()
    bad = _cli("gaps", "--region", "999999")
    assert bad.returncode == 2 and "unknown region code" in bad.stderr.decode()


def test_an_imported_region_is_in_every_view(fresh_db):
    """安康市 (610900) with an imported 60+: in project (every region), gaps --assumptions model (every region),
    the overview's 2030 view and the export (CSV and the workbook's gap sheet)."""
    from forecasting.exports import build
    from forecasting.planning import covered_regions, region_table
    from forecasting.projection import project_all
    from models.report.overview import gaps_for, overview_tables
    from models.store import userdata
    from models.store.facts import all_facts, regions

    rows = "地区代码,地区名称,指标代码,年份,数值,类型\n610900,安康市,elderly_60plus,2020,500000,现状值\n"
    plan, result = userdata.import_file(rows.encode("utf-8"), "ankang.csv", who="test", db=fresh_db)
    assert result is not None, plan.report_lines()

    p = Projector.load(fresh_db)
    every = gaps(fresh_db, assumptions="model", years=[2030], projector=p, explain=False)
    assert every.region_code.nunique() >= 3300 and "610900" in set(every.region_code)
    proj = p.project_all(["610900"], methods=("model",), scenarios=("medium",))
    e30 = float(proj[(proj.indicator == "elderly_60plus") & (proj.year == 2030)]["value"].iloc[0])
    ankang = every[every.region_code == "610900"].set_index("service")
    assert ankang.loc["elderly_beds", "demand"] == up(national_bed_standard().value * e30 / 1000)
    assert set(every[every.region_code == "610900"].region_name) == {"安康市"}

    assert "610900" in covered_regions(fresh_db)
    projections = project_all(covered_regions(fresh_db), db=fresh_db)
    g30 = gaps_for(fresh_db, assumptions="model", projections=projections, years=[2030], explain=False)
    ov = overview_tables(g30, regions(fresh_db), year=2030)
    assert "610900" in ov.codes
    k = ov.kpi[(ov.kpi.region_code == "610900") & (ov.kpi.service == "elderly_beds")].iloc[0]
    assert k["demand"] == ankang.loc["elderly_beds", "demand"]

    known = region_table(fresh_db)
    export = build(projections, lambda m, s: g30 if m == "model" else gaps_for(fresh_db, assumptions="plan"),
                   all_facts(fresh_db), names=dict(zip(known.region_code, known.region_name)), regions=["610900"],
                   methods=["model"], scenarios=["medium"])
    csv = pd.read_csv(io.BytesIO(export.csv()), encoding="utf-8-sig", dtype={"region_code": str})
    a = csv[(csv.indicator == "elderly_60plus") & (csv.year == 2020)]
    assert set(csv.region_code) == {"610900"} and a["value"].tolist() == [500000]
    sheets = pd.read_excel(io.BytesIO(export.xlsx(all_facts(fresh_db))), sheet_name=None, header=1,
                           dtype={"region_code": str})
    gap_sheet = sheets["缺口"]
    beds = gap_sheet[(gap_sheet.region_code == "610900") & (gap_sheet.service == "elderly_beds")]
    assert beds["demand"].tolist() == [ankang.loc["elderly_beds", "demand"]]


def test_county_ranking_arithmetic():
    from models.report.overview import county_ranking, ranking_view

    units = pd.DataFrame({"region_code": ["1", "2", "3"], "region_name": ["甲", "乙", "丙"]})
    gap = pd.DataFrame({"region_code": ["1", "1", "2", "2", "3", "3"], "service": ["childcare_places"] * 6,
                        "year": [2025, 2030] * 3, "demand": [100.0, 110.0, 1000.0, 1050.0, np.nan, 40.0],
                        "reason_codes": [[], [], [], [], [{"part": "demand", "code": "gap_no_childcare_standard",
                                                          "params": {}}], []]})
    pop = pd.DataFrame({"region_code": ["1", "1", "2", "2", "3", "3"], "indicator": ["elderly_60plus"] * 6,
                        "year": [2025, 2030] * 3, "value": [20000.0, 25000.0, 400000.0, 420000.0, 8000.0, 10000.0]})
    r = county_ranking(gap, pop, units, service="childcare_places")
    assert r["region_code"].tolist() == ["1", "2", "3"]  # 10 % before 5 %; unknown growth last
    assert r["demand_growth"].tolist()[:2] == pytest.approx([10.0, 5.0])
    assert r["demand_per_1000"].tolist() == pytest.approx([110 / 25, 1050 / 420, 40 / 10])
    assert r["population_growth"].tolist() == pytest.approx([25.0, 5.0, 25.0])
    assert r.loc[2, "reason_codes"][0]["code"] == "gap_no_childcare_standard"
    by_rate = county_ranking(gap, pop, units, service="childcare_places", by="demand_per_1000")
    assert by_rate["region_code"].tolist() == ["1", "3", "2"]  # the small county first: 4.4 > 4.0 > 2.5
    view = ranking_view(r, service="childcare_places")
    assert view.iloc[0, 4] == "10%" and view.iloc[2, 4] == "—" and "托位标准" in view.iloc[2, -1]
    with pytest.raises(ValueError):
        county_ranking(gap, pop, units, service="childcare_places", by="gap")


def test_province_ranking_of_tianjin(db, projector):
    """Tianjin's 16 districts: the 14 without a plan take Tianjin's 3 % (30 per 1,000 elderly in both years), so
    the growth of demand is the growth of the elderly; ranked from the fastest growing."""
    units = county_units("120000", db)
    assert len(units) == 16
    codes = list(units.region_code)
    proj = projector.project_all(codes, methods=("model",), scenarios=("medium",))
    r, table = province_ranking("120000", service="elderly_beds", projections=proj, db=db)
    assert sorted(r.region_code) == sorted(codes) and r["rank"].tolist() == list(range(1, 17))
    # 和平区 and 东丽区 have plans of their own that state no bed standard: unknown, last, the input named
    assert sorted(r.region_code.tail(2)) == ["120101", "120110"]
    assert all("gap_no_bed_standard" in [c["code"] for c in rc] for rc in r.reason_codes.tail(2))
    growth = r["demand_growth"].to_numpy()[:14]
    assert np.all(np.diff(growth) <= 0) and not np.isnan(growth).any()
    first = r.iloc[0]
    e = proj[(proj.region_code == first.region_code) & (proj.indicator == "elderly_60plus")].set_index("year")
    d25, d30 = up(0.03 * e.at[2025, "value"]), up(0.03 * e.at[2030, "value"])
    assert (first.demand_base, first.demand) == (d25, d30)
    assert first.demand_growth == pytest.approx((d30 - d25) / d25 * 100)
    assert first.demand_per_1000 == pytest.approx(d30 / e.at[2030, "value"] * 1000)


def test_gaps_csv_written_in_parts_is_the_same_bytes(db, tmp_path, monkeypatch):
    """Every region's table is written CHUNK_ROWS rows at a time: the same bytes as one write (one BOM, one header)."""
    from forecasting.cli import gaps as cli
    from models.core.export import write_csv

    df = gaps(db, assumptions="plan")
    write_csv(cli.csv_part(df), tmp_path / "one.csv")
    monkeypatch.setattr(cli, "CHUNK_ROWS", 7)
    cli.write_chunks(df, tmp_path / "parts.csv")
    assert len(df) > 7 * 3
    assert (tmp_path / "parts.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_the_brief_of_a_registry_region_keeps_the_derived_national_label(db):
    """`brief --region 320000 --year 2030` reads the model gaps of 江苏省 (it has no figures of its own); its
    assumptions show the 全国（推算） beds figure with its formula, and the missing supply."""
    from forecasting.cli.brief import brief_gaps
    from models.report.brief import build_brief

    g = brief_gaps(["320000"], 2030)
    js = g[g.region_code == "320000"].set_index("service")
    assert js.loc["elderly_beds", "demand"] > 0 and js["supply"].isna().all()
    b = build_brief(g, regions=["320000"], year=2030, lang="zh", names={"320000": "江苏省"})
    assert any(a.startswith("全国（推算）：") and "× 1000 = 30.9" in a for a in b.assumptions)
    assert any("规划未提供现有数量" in a for a in b.assumptions)
    assert b.kpis.set_index("service").loc["elderly_beds", "demand"] == js.loc["elderly_beds", "demand"]


def test_the_overview_tree_puts_every_census_county_in_its_province(db, projector):
    """The overview above 30 regions groups by province and city: a census county (玄武区) sits under 南京市 and
    江苏省, and the province filter offers provinces, not one "province" per county (the regions table alone knows
    75 regions, so 2,900 counties were their own provinces)."""
    from models.report.overview import overview_tables
    from models.store.census import regions_with_registry

    g = gaps(db, assumptions="model", years=[2030], explain=False, projector=projector)
    ov = overview_tables(g, regions_with_registry(db), year=2030, lang="zh")
    tree = ov.tree.set_index("code")
    assert tree.loc["320102", ["province_code", "city_code"]].tolist() == ["320000", "320100"]
    assert tree.loc["320102", "path_label"] == "江苏省 › 南京市 › 玄武区"
    provinces = set(ov.tree.loc[ov.tree["has_data"], "province_code"])
    assert {"320000", "500000", "120000"} <= provinces and len(provinces) <= 34


def test_gaps_cli_for_a_census_county_quotes_the_national_policy():
    """玄武区 (320102): Jiangsu has no plan in the database, so its 2025 nursing share and places per 1,000 are the
    national ones, with the policy file's quotes in the inputs; no bed standard for 2025 (the reason says so)."""
    out = _cli("gaps", "--region", "320102", "--year", "2025")
    assert out.returncode == 0, out.stderr.decode()
    df = pd.read_csv(io.BytesIO(out.stdout), encoding="utf-8-sig", dtype={"region_code": str}).set_index("service")
    assert "每千人口拥有3岁以下婴幼儿托位数4.5个" in df.loc["childcare_places", "inputs"]
    assert "到2025年,我国养老机构护理型床位占比要达到55%。" in df.loc["nursing_beds", "inputs"]
    assert "无每千名老年人床位数标准" in df.loc["elderly_beds", "reason"]
