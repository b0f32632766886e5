"""Export shapes (models/report/tables.py): CSV with BOM and the model's columns, the Excel workbook's sheets and values,
the plans' indicator-table shape, and the audit view."""
import datetime as dt
import io
import json

import pandas as pd
import pytest

from models.planning.gaps import GAP_COLUMNS
from models.report.tables import (
    META_COLUMNS,
    PLAN_TABLE_COLUMNS,
    SHEETS,
    ExportContext,
    assumptions_table,
    audit_view,
    check_text,
    csv_export,
    filter_gaps,
    filter_projections,
    for_display,
    gaps_table,
    plan_indicator_table,
    projections_table,
    sources_table,
    workbook,
)

DAY = dt.date(2026, 11, 23)
CTX = ExportContext(assumptions="plan", scenario="medium", generated=DAY, filters=(("regions", ("500103",)),))


@pytest.fixture(scope="module")
def facts(db):
    from models.store.facts import all_facts

    return all_facts(db)


@pytest.fixture(scope="module")
def raw_gaps(db):
    from models.report.overview import gaps_for

    return gaps_for(db, assumptions="plan")


@pytest.fixture(scope="module")
def projections(db):
    from forecasting.projection import project_all

    return project_all(["500103", "120110"], db=db)


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"region_code": str})


def test_gap_csv_has_bom_model_columns_and_the_2085_row(raw_gaps):
    data = csv_export(gaps_table(raw_gaps), CTX)
    assert data.startswith(b"\xef\xbb\xbf")
    df = read_csv(data)
    # the method code is exported as text in the export's language
    assert list(df.columns[:len(GAP_COLUMNS) + 1]) == GAP_COLUMNS[:3] + ["service_label"] + GAP_COLUMNS[3:-1] + [
        "method"]
    assert list(df.columns[-3:]) == META_COLUMNS
    # the context in columns of its own; the row's own assumptions and scenario are kept
    assert set(df["export_scenario"]) == {"plan/medium"} and set(df["generated_on"]) == {"2026-11-23"}
    assert set(df["assumptions"]) == {"plan"} and set(df["scenario"]) == {"medium"}
    # 渝中区 “缺口2085张”
    row = df[(df.region_code == "500103") & (df.service == "elderly_beds") & (df.year == 2025)].iloc[0]
    assert (row["demand"], row["supply"], row["gap"], row["gap_stated"], row["gap_delta"]) == (4000, 1915, 2085, 2085, 0)
    assert "YZ-065" in row["fact_ids"].split()
    assert json.loads(row["inputs"])[0]["name"] == "beds_per_1000_elderly"
    # values equal the model's, row for row; missing stays empty, never 0
    assert len(df) == len(raw_gaps)
    pd.testing.assert_series_equal(df["gap"], raw_gaps["gap"].reset_index(drop=True), check_names=False)
    assert df["gap"].isna().sum() == raw_gaps["gap"].isna().sum() > 0


def test_projection_csv_keeps_the_models_values(projections):
    table = projections_table(projections, names={"500103": "渝中区"})
    df = read_csv(csv_export(table, CTX))
    assert df.columns[0] == "region_code" and {"value", "lower_80", "method", "scenario", "unit"} <= set(df.columns)
    assert list(df["value"].round(6).fillna(-1)) == list(projections["value"].round(6).fillna(-1))
    assert set(df.loc[df.region_code == "500103", "region_name"]) == {"渝中区"}


def test_filters(projections, raw_gaps):
    p = filter_projections(projections_table(projections), regions=["500103"], indicators=["elderly_60plus"],
                           methods=["plan"], scenarios=["medium"])
    assert len(p) and set(p["region_code"]) == {"500103"} and set(p["method"]) == {"plan"}
    g = filter_gaps(gaps_table(raw_gaps), regions=["500103"], indicators=["nursing_beds"], years=[2025])
    assert len(g) == 1 and g["gap"].iloc[0] == 2084
    assert len(filter_gaps(gaps_table(raw_gaps))) == len(raw_gaps)


def test_workbook_sheets_and_values_equal_the_models(raw_gaps, projections, facts):
    gaps = gaps_table(raw_gaps)
    plan = plan_indicator_table(raw_gaps, facts, year=2025)
    data = workbook(projections=projections_table(projections), gaps=gaps, facts=facts, ctx=CTX, raw_gaps=raw_gaps,
                    plan_table=plan)
    # a header row of labels, then the row of ids (header=1 reads the ids)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=1, dtype={"region_code": str, "地区代码": str})
    assert list(sheets) == [SHEETS[k] for k in ("projections", "gaps", "assumptions", "sources", "plan_table")]
    assert list(sheets) == ["预测", "缺口", "假设", "来源", "规划指标表"]
    g = sheets["缺口"]
    pd.testing.assert_series_equal(g["gap"], raw_gaps["gap"].reset_index(drop=True), check_names=False)
    assert set(g["scenario"]) == {"medium"} and "export_scenario" not in g.columns
    p = sheets["预测"]
    assert len(p) == len(projections)
    pd.testing.assert_series_equal(p["value"], projections["value"].reset_index(drop=True), check_names=False)
    a = sheets["假设"].astype(object).where(sheets["假设"].notna(), "")
    assert a["item"].tolist()[:3] == ["export_scenario", "export_assumptions", "generated_on"]
    assert a.loc[a["item"] == "generated_on", "value"].iloc[0] == "2026-11-23"
    assert "filter:regions" in set(a["item"])
    yz = a[(a["region_code"].astype(str) == "500103") & (a["item"] == "beds_per_1000_elderly")].iloc[0]
    assert float(yz["value"]) == 32 and yz["quote"] == "根据每千名常住老年人拥有32张床位标准"
    s = sheets["来源"]
    assert s.loc[s["fact_id"] == "YZ-065", "quote"].iloc[0] == "缺口2085张"
    assert s["fact_id"].is_unique
    t = sheets["规划指标表"]
    assert list(t.columns[:len(PLAN_TABLE_COLUMNS)]) == PLAN_TABLE_COLUMNS


def test_plan_indicator_table_shape(raw_gaps, facts):
    t = plan_indicator_table(raw_gaps, facts, year=2025, regions=["500103"])
    assert list(t.columns) == PLAN_TABLE_COLUMNS
    # 渝中区指标表：养老床位(张) 1915 → 4000，预期性
    assert t.iloc[0].tolist() == ["500103", "渝中区", "养老床位（张）", 1915, 4000, 4000, 2085, "预期性"]
    assert t.set_index("指标名称").loc["托位（个）", "缺口"] == 1639
    en = plan_indicator_table(raw_gaps, facts, year=2025, regions=["120101"], lang="en")
    assert en["缺口"].isna().all() and en["指标名称"].iloc[0] == "Elderly-care beds (beds)"
    # the plan's attribute in the reader's language: 和平区 护理型床位 约束性 → binding
    assert plan_indicator_table(raw_gaps, facts, year=2025, regions=["120101"], lang="en")["指标属性"].tolist() == [
        "", "binding", ""]


def test_assumptions_and_sources_without_gaps():
    a = assumptions_table(pd.DataFrame(columns=["region_code", "inputs"]), CTX)
    assert a["value"].tolist()[:3] == ["plan/medium", CTX.meta()["export_assumptions"], "2026-11-23"]
    s = sources_table(pd.DataFrame({"fact_id": ["A-1"], "region_code": ["1"], "region_name": ["x"],
                                    "indicator": ["y"], "year": [2020], "value": [1.0], "unit": ["bed"],
                                    "kind": ["observed"], "source": ["f"], "quote": ["q"]}),
                      projections=pd.DataFrame({"inputs": ["derived A-1/B-2; series:1/x"]}))
    assert s["fact_id"].tolist() == ["A-1"]


def test_context_is_validated():
    with pytest.raises(ValueError, match="assumptions"):
        ExportContext(assumptions="guess")
    with pytest.raises(ValueError, match="scenario"):
        ExportContext(scenario="extreme")
    with pytest.raises(ValueError, match="generated"):
        ExportContext(generated="today")


def test_audit_view_inconsistent_first_with_links(db, facts):
    from models.planning.audit import audit_checks, relations

    checks = audit_checks(facts, relations(db))
    bad = audit_view(checks, facts)
    assert len(bad) == (checks["status"] == "inconsistent").sum() > 0 and set(bad["status"]) == {"inconsistent"}
    every = audit_view(checks, facts, include_ok=True)
    assert len(every) == len(checks)
    status = every["status"].tolist()
    assert status == sorted(status, key=lambda s: s != "inconsistent")
    q = every["quotes"].iloc[0][0]
    assert q["link"] == f"/data?fact={q['fact_id']}" and q["quote"] == facts.set_index("fact_id").loc[q["fact_id"], "quote"]
    yz = audit_view(checks, facts, regions=["500103"])
    assert set(yz["region_code"]) == {"500103"}


def test_check_text_one_language():
    s = "总数等于部分之和 / total = sum of parts: 托位1011个"
    assert check_text(s) == "总数等于部分之和：托位1011个"
    assert check_text(s, "en") == "total = sum of parts: “托位1011个”"  # the plan's words, quoted
    formula = "childcare_places_per_1000 = childcare_places / population_resident × 1000 (2020)"
    assert check_text(formula) == formula


def test_gap_export_is_whole_with_unrounded_columns(raw_gaps):
    g = read_csv(csv_export(gaps_table(raw_gaps), CTX))
    for c in ("demand", "supply", "gap", "target", "target_gap"):
        assert f"{c}_unrounded" in g.columns
        assert (g[c].dropna() % 1 == 0).all()
    # 渝中区 childcare: 4.5 × 588,700 / 1000 = 2,649.15 → the plan's 2,650; the unrounded figure is kept
    yz = g[(g["region_code"] == "500103") & (g["year"] == 2025)].set_index("service")
    assert yz.loc["childcare_places", "demand"] == 2650
    assert yz.loc["childcare_places", "demand_unrounded"] == pytest.approx(2649.15)
    # interpolated years give fractional demands: every one is rounded up, never down
    frac = g[g["demand_unrounded"] % 1 > 0]
    assert len(frac) and (frac["demand"] >= frac["demand_unrounded"]).all()
    assert ((frac["demand"] - frac["demand_unrounded"]) < 1 + 1e-6).all()


def test_screen_tables_show_a_dash_not_none(raw_gaps):
    shown = for_display(gaps_table(raw_gaps).drop(columns=["inputs"]))
    hp = shown[(shown["region_code"] == "120101") & (shown["year"] == 2025)]
    assert (hp["gap"] == "—").all() and (hp["supply"] == "—").all()
    assert not shown.isin(["None", "nan", "NaN"]).any().any()
    assert shown.isna().sum().sum() == 0
    yz = shown[(shown["region_code"] == "500103") & (shown["year"] == 2025)].set_index("service")
    assert yz.loc["elderly_beds", "gap"] == "2085"
