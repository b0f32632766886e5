"""`python -m forecasting export` and the round trip of every export (issue 21): each row keeps its own method and
scenario; the xlsx holds exactly the filtered rows, with labelled, frozen, filterable headers."""
import io
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from tests.conftest import ROOT

SCENARIOS = ("low", "medium", "high")


def cli(*args, check=True):
    return subprocess.run([sys.executable, "-m", "forecasting", *args], cwd=ROOT, capture_output=True, text=True,
                          check=check)


@pytest.fixture(scope="module")
def exported(tmp_path_factory, db):
    d = tmp_path_factory.mktemp("export")
    cli("export", "--out", str(d / "all.csv"))
    cli("export", "--out", str(d / "all.xlsx"))
    cli("export", "--region", "500103", "--out", str(d / "yz.xlsx"))
    return d


@pytest.fixture(scope="module")
def project_model(tmp_path_factory, db):
    """`project --region 500103 --method model --scenario S` for each scenario, as the command line writes it."""
    d = tmp_path_factory.mktemp("project")
    out = {}
    for s in SCENARIOS:
        cli("project", "--region", "500103", "--method", "model", "--scenario", s, "--out", str(d / f"{s}.csv"))
        out[s] = pd.read_csv(d / f"{s}.csv", encoding="utf-8-sig", dtype={"region_code": str})
    return out


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"region_code": str})


def read_xlsx(path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, header=1, dtype={"region_code": str, "地区代码": str})


def yuzhong_60plus_2030(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["region_code"] == "500103") & (df["indicator"] == "elderly_60plus") & (df["year"] == 2030)
              & (df["method"] == "model")]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_all_rows_hold_three_scenarios_each_equal_to_project(exported, project_model, kind):
    df = read_csv(exported / "all.csv") if kind == "csv" else read_xlsx(exported / "all.xlsx")["预测"]
    rows = yuzhong_60plus_2030(df)
    assert sorted(rows["scenario"]) == sorted(SCENARIOS)  # three rows, three different scenarios
    for s in SCENARIOS:
        want = yuzhong_60plus_2030(project_model[s])
        assert len(want) == 1
        got = rows.loc[rows["scenario"] == s, "value"]
        assert got.tolist() == pytest.approx(want["value"].tolist(), rel=1e-12)
    # three different values an analyst can tell apart (issue 21 saw 120,724 / 144,622 / 173,231 all stamped
    # model/medium; the census cohort model gives other values since, hence no literal here)
    by = rows.set_index("scenario")["value"]
    assert by["low"] < by["medium"] < by["high"]


def test_every_exported_row_keeps_its_own_method_and_scenario(exported, db):
    from forecasting.projection import project_all

    source = project_all()
    df = read_csv(exported / "all.csv")
    assert len(df) == len(source)
    assert set(df["method"]) == {"plan", "model", "override"} and set(df["scenario"]) == set(SCENARIOS)
    key = ["region_code", "indicator", "year", "method", "scenario"]
    assert not df.duplicated(key).any()
    merged = df.merge(source.assign(region_code=source["region_code"].astype(str)), on=key, suffixes=("", "_src"))
    assert len(merged) == len(source)
    pd.testing.assert_series_equal(merged["value"], merged["value_src"], check_names=False)
    # the export's context is in columns of its own: all rows, every method and scenario
    assert set(df["export_scenario"]) == {"all/all"}
    x = read_xlsx(exported / "all.xlsx")
    p = x["预测"].merge(source.assign(region_code=source["region_code"].astype(str)), on=key, suffixes=("", "_src"))
    assert len(p) == len(source) == len(x["预测"])
    g = x["缺口"]
    # gap rows of every method and scenario, each labelled with its own; the plans' own figures are one scenario
    assert set(zip(g["assumptions"], g["scenario"])) == {("plan", "medium")} | {
        (m, s) for m in ("model", "override") for s in SCENARIOS}
    yz = g[(g["region_code"] == "500103") & (g["year"] == 2025) & (g["assumptions"] == "plan")]
    assert yz.set_index("service")["gap"].to_dict() == {"elderly_beds": 2085, "nursing_beds": 2084,
                                                        "childcare_places": 1639}


def test_xlsx_with_one_region_holds_only_it(exported):
    x = read_xlsx(exported / "yz.xlsx")
    assert list(x) == ["预测", "缺口", "假设", "来源", "规划指标表"]
    for name in ("预测", "缺口", "来源"):
        assert len(x[name]) and set(x[name]["region_code"]) == {"500103"}, name
    assert set(x["规划指标表"]["地区代码"]) == {"500103"}
    a = x["假设"]
    assert set(a["region_code"].dropna().astype(str)) == {"500103"}
    assert a.loc[a["item"] == "filter:regions", "value"].tolist() == ["500103"]


def test_xlsx_headers_labelled_frozen_filtered_and_long_texts_once(exported):
    wb = openpyxl.load_workbook(exported / "all.xlsx")
    ws = wb["预测"]
    labels = [c.value for c in ws[1]]
    ids = [c.value for c in ws[2]]
    assert ids[:3] == ["region_code", "region_name", "indicator"] and labels[:3] == ["地区代码", "地区", "指标代码"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["B"].width >= 8
    # a long text repeated on every row is written once on the assumptions sheet and referenced
    detail = [r[0] for r in ws.iter_rows(min_row=3, min_col=ids.index("method_detail") + 1,
                                         max_col=ids.index("method_detail") + 1, values_only=True)]
    refs = {v for v in detail if isinstance(v, str) and v.startswith("→ T")}
    assert refs
    a = pd.read_excel(exported / "all.xlsx", sheet_name="假设", header=1)
    once = a[a["item"].str.fullmatch(r"T\d+")]
    assert once["item"].is_unique and {f"→ {x}" for x in once["item"]} >= refs
    assert once["value"].str.len().min() >= 80


def test_export_refuses_a_bad_file_type_and_unknown_codes(tmp_path):
    r = cli("export", "--out", str(tmp_path / "x.txt"), check=False)
    assert r.returncode == 2 and ".csv" in r.stderr and not (tmp_path / "x.txt").exists()
    r = cli("export", "--region", "999999", "--out", str(tmp_path / "x.csv"), check=False)
    assert r.returncode == 2 and "999999" in r.stderr
    r = cli("export", "--indicator", "no_such", "--out", str(tmp_path / "x.csv"), check=False)
    assert r.returncode == 2 and "no_such" in r.stderr


def test_filters_apply_to_csv_and_xlsx_alike(tmp_path, db):
    cli("export", "--region", "500103", "--indicator", "elderly_60plus", "elderly_beds", "--method", "model",
        "--scenario", "high", "--out", str(tmp_path / "f.csv"))
    cli("export", "--region", "500103", "--indicator", "elderly_60plus", "elderly_beds", "--method", "model",
        "--scenario", "high", "--out", str(tmp_path / "f.xlsx"))
    c = read_csv(tmp_path / "f.csv")
    x = read_xlsx(tmp_path / "f.xlsx")
    for df in (c, x["预测"]):
        assert set(df["region_code"]) == {"500103"} and set(df["indicator"]) == {"elderly_60plus"}
        assert set(df["method"]) == {"model"} and set(df["scenario"]) == {"high"}
    assert len(c) == len(x["预测"])
    assert set(x["缺口"]["service"]) == {"elderly_beds"} and set(x["缺口"]["scenario"]) == {"high"}
    assert set(c["export_scenario"]) == {"model/high"}


def test_stamp_never_overwrites_a_rows_own_column():
    import datetime as dt

    from models.report.tables import ExportContext, stamp

    ctx = ExportContext(assumptions="model", scenario="medium", generated=dt.date(2026, 12, 5))
    df = pd.DataFrame({"method": ["plan", "model"], "scenario": ["low", "high"]})
    out = stamp(df, ctx)
    assert out["scenario"].tolist() == ["low", "high"] and out["export_scenario"].tolist() == ["model/medium"] * 2
    with pytest.raises(ValueError, match="export_scenario"):
        stamp(out, ctx)


def test_page_build_applies_every_filter_to_the_workbook(db):
    from forecasting.exports import build
    from forecasting.projection import project_all
    from models.report.overview import gaps_for
    from models.store.facts import all_facts

    proj = project_all()
    facts = all_facts()
    e = build(proj, lambda m, s: gaps_for(assumptions=m, scenario=s, projections=None if m == "plan" else proj),
              facts, regions=["120110"], methods=["plan"], scenarios=["medium"])
    x = pd.read_excel(io.BytesIO(e.xlsx(facts)), sheet_name=None, header=1, dtype={"region_code": str,
                                                                                    "地区代码": str})
    assert set(x["预测"]["region_code"]) == {"120110"} and set(x["缺口"]["region_code"]) == {"120110"}
    assert set(x["预测"]["method"]) == {"plan"} and set(x["预测"]["scenario"]) == {"medium"}
