"""The overview's domain (models/report/overview.py): KPI per region and service, deltas, hierarchy, aggregates."""
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.core.catalogue import SERVICES
from models.report.overview import (
    aggregate,
    compare_table,
    comparison,
    delta_text,
    explanation,
    final_review,
    gaps_for,
    hierarchy,
    kpi_text,
    kpis,
    missing_line,
    overview_tables,
    region_card,
    region_table,
    sort_and_page,
)


@pytest.fixture(scope="module")
def plan_2025(db):
    return gaps_for(db, assumptions="plan", years=[2025])


@pytest.fixture(scope="module")
def regions(db):
    from models.store.facts import regions

    return regions(db)


def kpi_of(k, region, service):
    return k[(k.region_code == region) & (k.service == service)].iloc[0].to_dict()


def test_yuzhong_2025_bed_gap_is_2085_and_equals_the_plan(plan_2025):
    k = kpis(plan_2025, year=2025)
    r = kpi_of(k, "500103", "elderly_beds")
    # “预计2025年养老床位需求达4000张…缺口2085张”
    assert (r["gap"], r["gap_stated"], r["gap_delta"]) == (2085, 2085, 0)
    assert kpi_text(r, "gap") == "2,085张"
    assert delta_text(r) == "0张"
    assert r["achieved_share"] == pytest.approx(1915 / 4000 * 100)
    assert kpi_text(r, "achieved_share") == "48%"  # no decimals on the overview (1915 / 4000 = 47.875 %)
    # “护理型床位需配置2800张…缺口2084张”
    assert kpi_of(k, "500103", "nursing_beds")["gap"] == 2084
    e = explanation(r)
    assert "4,000 − 1,915 = 2,085" in e["formula"]
    assert {"YZ-065", "YZ-060"} <= {i["fact_id"] for i in e["inputs"]}


def test_missing_numbers_stay_missing_with_a_reason(plan_2025):
    k = kpis(plan_2025, year=2025)
    r = kpi_of(k, "120101", "elderly_beds")
    assert math.isnan(r["gap"]) and delta_text(r) is None
    assert kpi_text(r, "gap") == "未提供" and kpi_text(r, "gap", "en") == "not provided"
    assert "未提供" in explanation(r)["reason"] or "规划" in explanation(r)["reason"]
    assert explanation(r, "en")["reason"] and "规划" not in explanation(r, "en")["reason"]


def test_delta_is_our_gap_minus_the_plans():
    r = {"service": "elderly_beds", "gap_delta": -12.0}
    assert delta_text(r) == "-12张"
    assert delta_text({"service": "childcare_places", "gap_delta": 3.0}, "en") == "+3 places"


def test_kpis_keep_every_service_of_every_region():
    g = pd.DataFrame({"region_code": ["1"], "region_name": ["x"], "service": ["elderly_beds"], "year": [2025],
                      "gap": [5.0]})
    k = kpis(g, year=2025)
    assert list(k["service"]) == list(SERVICES)
    assert k["gap"].isna().sum() == 2 and k["gap_stated"].isna().all()


def test_model_assumptions_differ_from_the_plan(db, plan_2025):
    from forecasting.projection import project_all  # the caller brings the projection: models/ never imports it

    proj = project_all(db=db, methods=("model",), scenarios=("medium",))
    model = kpis(gaps_for(db, assumptions="model", years=[2025], projections=proj), year=2025)
    r = kpi_of(model, "500103", "elderly_beds")
    assert r["gap_stated"] == 2085
    assert r["gap_delta"] == pytest.approx(r["gap"] - 2085)
    assert (model["demand"].dropna() % 1 == 0).all()  # whole beds and places
    with pytest.raises(ValueError, match="assumptions"):
        gaps_for(db, assumptions="guess")
    with pytest.raises(ValueError, match="projection"):
        gaps_for(db, assumptions="model", years=[2025])


def test_heping_and_dongli_inside_tianjin(regions, plan_2025):
    tree = hierarchy(regions, plan_2025["region_code"].unique()).set_index("code")
    assert tree.loc["120101", "card_parent"] == "120000" and tree.loc["120110", "card_parent"] == "120000"
    assert tree.loc["120000", "card_parent"] == "" and tree.loc["120000", "depth"] == 0
    assert tree.loc["130981", "path_label"] == "河北省 › 沧州市 › 泊头市"
    assert tree.loc["130981", "city_code"] == "130900" and tree.loc["500103", "city_code"] == "500000"
    assert not tree.loc["130900", "has_data"]
    order = list(tree.index)
    assert order.index("120000") < order.index("120101") < order.index("120110") < order.index("130000")
    assert hierarchy(regions, ["120101"], lang="en").set_index("code").loc["120101", "path_label"] == \
        "Tianjin › Heping District"


def synthetic(n=120):
    """n counties under 3 provinces × 2 cities; every fifth gap unknown."""
    regs = [{"code": "100000", "name_zh": "中国", "name_en": "", "level": "country", "parent_code": ""}]
    rows = []
    for p in range(3):
        pc = f"{11 + p}0000"
        regs.append({"code": pc, "name_zh": f"省{p}", "name_en": "", "level": "province", "parent_code": "100000"})
        for c in range(2):
            cc = f"{11 + p}{c + 1:02d}00"
            regs.append({"code": cc, "name_zh": f"市{p}{c}", "name_en": "", "level": "city", "parent_code": pc})
    for i in range(n):
        p, c = i % 3, (i // 3) % 2
        code = f"{11 + p}{c + 1:02d}{i // 6 + 1:02d}"
        regs.append({"code": code, "name_zh": f"县{i}", "name_en": "", "level": "county",
                     "parent_code": f"{11 + p}{c + 1:02d}00"})
        for s in SERVICES:
            rows.append({"region_code": code, "region_name": f"县{i}", "service": s, "year": 2025,
                         "demand": 100.0, "supply": 40.0, "gap": math.nan if i % 5 == 0 else 60.0,
                         "target": 80.0, "target_gap": 40.0, "achieved_share": 50.0})
    return pd.DataFrame(regs), pd.DataFrame(rows)


def test_aggregate_by_province_and_city_counts_missing_apart():
    regs, gaps = synthetic()
    k = kpis(gaps, year=2025)
    tree = hierarchy(regs, k["region_code"].unique())
    prov = aggregate(k, tree, level="province")
    assert len(prov) == 3 and prov["regions"].sum() == 120
    for row in prov.to_dict("records"):
        assert row["gap_elderly_beds"] == 60 * row["known_elderly_beds"]
        assert row["achieved_nursing_beds"] == pytest.approx(50)
    assert prov["known_elderly_beds"].sum() == 120 - 24
    city = aggregate(k, tree, level="city", within="110000")
    assert list(city["group_code"]) == ["110100", "110200"] and city["regions"].sum() == 40
    with pytest.raises(ValueError):
        aggregate(k, tree, level="county")


def test_region_table_is_one_row_per_region():
    regs, gaps = synthetic(30)
    k = kpis(gaps, year=2025)
    table = region_table(k, hierarchy(regs, k["region_code"].unique()))
    assert len(table) == 30 and table["gap_elderly_beds"].isna().sum() == 6
    assert table["path_label"].str.startswith("省").all()


@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=60), st.integers(1, 9), st.booleans())
def test_pages_cover_every_row_once_missing_last(values, size, ascending):
    table = pd.DataFrame({"region_code": [str(i) for i in range(len(values))],
                          "gap": [math.nan if v is None else v for v in values]})
    _, pages = sort_and_page(table, by="gap", ascending=ascending, page_size=size)
    seen = pd.concat([sort_and_page(table, by="gap", ascending=ascending, page=p, page_size=size)[0]
                      for p in range(1, pages + 1)])
    assert sorted(seen["region_code"]) == sorted(table["region_code"])
    known = seen["gap"].notna().tolist()
    assert known == sorted(known, reverse=True)  # every missing value after every known one


# -- the leader's first screen --------------------------------------------------------------------------------

def test_comparison_puts_the_complete_region_first(plan_2025):
    cmp = comparison(kpis(plan_2025, year=2025))
    order = list(dict.fromkeys(cmp["region_code"]))
    # 渝中区 gives all three gaps (2085 / 2084 / 1639); 和平区 gives none and comes last
    assert order[0] == "500103" and order[-1] == "120101"
    assert set(order) == {"120000", "120101", "120110", "130981", "500103"}
    yz = cmp[cmp["region_code"] == "500103"].set_index("service")
    assert yz["gap"].tolist() == [2085, 2084, 1639] and (yz["known"] == 3).all()


def test_compare_table_reads_as_text_with_dashes(plan_2025):
    table = compare_table(comparison(kpis(plan_2025, year=2025)))
    assert list(table.columns) == ["地区", "服务", "缺口", "规划缺口", "差额", "目标", "完成度"]
    yz = table[(table["地区"] == "渝中区") & (table["服务"] == "养老床位")].iloc[0].tolist()
    assert yz == ["渝中区", "养老床位", "2,085", "2,085", "0", "4,000", "48%"]
    heping = table[table["地区"] == "和平区"]
    assert (heping[["缺口", "目标", "完成度"]] == "—").all().all()
    assert not table.isin(["None", "nan", "未提供"]).any().any()
    assert not table["完成度"].str.contains(r"\.", regex=True).any()  # no decimals on the overview


def test_missing_line_names_what_the_plan_does_not_give(plan_2025):
    k = kpis(plan_2025, year=2025)
    rows = k[k["region_code"] == "130981"].to_dict("records")
    assert missing_line(rows) == "规划未给出：养老床位缺口、护理型床位缺口"
    assert missing_line(k[k["region_code"] == "500103"].to_dict("records")) == ""


def test_final_review_names_plan_sources_by_title():
    """The review itself is tested in tests/test_review.py; the overview re-exports it and shows sources by title."""
    from models.report.brief import source_title

    facts = pd.DataFrame([
        {"fact_id": "YZ-084", "region_code": "500103", "region_name": "渝中区", "indicator": "elderly_beds",
         "year": 2025, "value": 4000.0, "kind": "target", "comparator": "=", "source": "002_51a7105132515ef9.txt",
         "quote": "4000", "origin": "plan"},
        {"fact_id": "X-1", "region_code": "500103", "region_name": "渝中区", "indicator": "elderly_beds",
         "year": 2025, "value": 4100.0, "kind": "observed", "comparator": "=", "source": "002_51a7105132515ef9.txt",
         "quote": "4100", "origin": "plan"}])
    r = final_review(facts, source_title=source_title).set_index(["region_code", "indicator"])
    assert r.loc[("500103", "elderly_beds"), "source"] == "《渝中区“一老一小”整体解决方案》"
    assert r.loc[("500103", "elderly_beds"), "status"] == "met"


def test_overview_tables_equal_the_functions_they_precompute(regions, plan_2025):
    ov = overview_tables(plan_2025, regions, year=2025, lang="zh")
    pd.testing.assert_frame_equal(ov.kpi, kpis(plan_2025, year=2025))
    pd.testing.assert_frame_equal(ov.comparison, comparison(ov.kpi))
    pd.testing.assert_frame_equal(ov.tree, hierarchy(regions, ov.codes, lang="zh"))
    pd.testing.assert_frame_equal(ov.regions_wide, region_table(ov.kpi, ov.tree))
    assert ov.codes[:1] and ov.names["500103"] == "渝中区"
    yz = ov.kpi[(ov.kpi["region_code"] == "500103") & (ov.kpi["service"] == "elderly_beds")].iloc[0]
    assert yz["gap"] == 2085


def test_region_card_headline_and_rows(db):
    g = gaps_for(db, assumptions="plan", years=[2025], region="500103", explain=True)
    c = region_card(g, code="500103", year=2025, lang="zh", names={"500103": "渝中区"})
    assert c.headline == "渝中区2025年养老床位缺口2085张，护理型床位缺口2084张，托位缺口1639个"
    assert [r["gap"] for r in c.rows] == [2085, 2084, 1639]
    assert c.chart.layout.title.text and "渝中区" in c.chart.layout.title.text

# -- whole beds and places; one formatter -------------------------------------------------------------------------

def test_whole_counts_round_demand_up_and_keep_the_unrounded():
    from models.planning.gaps import whole_counts

    g = pd.DataFrame({"service": ["nursing_beds", "elderly_beds"], "demand": [2346.5, 4000.0000000001],
                      "supply": [716.0, 1915.0], "gap": [1630.5, 2085.0], "target": [2346.2, 4000.0],
                      "target_gap": [1630.2, 2085.0], "achieved_share": [30.5, 47.875]})
    w = whole_counts(g)
    assert w["demand"].tolist() == [2347, 4000]  # half a bed is a bed; float noise is not
    assert w["gap"].tolist() == [1631, 2085] and w["target_gap"].tolist() == [1631, 2085]
    assert w["demand_unrounded"].tolist() == [2346.5, 4000.0000000001]
    assert w["gap_unrounded"].tolist() == [1630.5, 2085.0]
    pd.testing.assert_frame_equal(whole_counts(w), w)  # idempotent


def test_gaps_cli_prints_whole_numbers_and_the_plans_gaps():
    import io
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = subprocess.run([sys.executable, "-m", "forecasting", "gaps", "--year", "2025", "--assumptions", "plan"],
                         cwd=ROOT, capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode("utf-8-sig")
    df = pd.read_csv(io.StringIO(text), dtype={"region_code": str})
    head = text.splitlines()[1:]
    for c in ("demand", "supply", "gap", "target", "target_gap"):
        assert (df[c].dropna() % 1 == 0).all()
    # no "4000.0" in the count columns: integers as written
    cols = text.splitlines()[0].split(",")
    i = cols.index("demand")
    assert all("." not in line.split(",")[j] for line in head for j in range(i, i + 5))
    yz = df[df["region_code"] == "500103"].set_index("service")
    assert yz["gap"].to_dict() == {"elderly_beds": 2085, "nursing_beds": 2084, "childcare_places": 1639}
    assert yz.loc["elderly_beds", ["demand", "supply"]].tolist() == [4000, 1915]
    assert yz.loc["childcare_places", ["demand", "supply"]].tolist() == [2650, 1011]
    assert yz.loc["childcare_places", "demand_unrounded"] == pytest.approx(2649.15)


def test_one_formatter_whole_counts_short_percentages_wan():
    from models.core.formatting import MISSING, cell, fmt_number, fmt_wan

    assert fmt_number(2346.5, "bed") == "2,347张" and fmt_number(1639, "place", "en") == "1,639 places"
    assert fmt_number(47.875, "percent") == "47.9%" and fmt_number(14.187, "percent", digits=0) == "14%"
    assert fmt_wan(34100, "bed") == "3.41万张" and fmt_wan(2085, "bed") == "2,085张"
    assert cell(None, "bed") == MISSING == "—" and cell(float("nan"), "percent") == "—"


def test_formulae_in_the_readers_words():
    from models.core.formatting import labelled

    zh = labelled("childcare_places_per_1000 = childcare_places / population_resident × 1000 (2020)")
    assert zh == "每千人口托位数 = 托位 / 常住人口 × 1000 (2020)"
    f = "demand = nursing_share × elderly-bed demand = 70% × 4,000 = 2,800; supply = nursing_beds 716 (2020)"
    assert labelled(f) == "需求 = 护理型床位占比 × 养老床位需求 = 70% × 4,000 = 2,800；现有 = 护理型床位 716 (2020)"
    assert labelled(f, "en").startswith("demand = nursing-bed share × elderly-bed demand")


def test_one_explained_table_gives_each_region_the_rows_of_its_own(db):
    """The overview's cards read one explained plan table for all regions (ui/cache.py, up to CARD_LIMIT regions):
    each region's rows equal the table computed for that region alone."""
    from models.report.overview import gaps_for

    everything = gaps_for(db, years=[2025], explain=True)
    for code in ("500103", "120000", "130981", "120110", "120101"):
        alone = gaps_for(db, years=[2025], region=code, explain=True).reset_index(drop=True)
        mine = everything[everything["region_code"] == code].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[alone.columns], alone, check_dtype=False)  # str vs object text columns
