"""The sourced database holds every figure exactly, with the sentence it came from."""
import subprocess
import sys

import pandas as pd
import pytest

from models.core.catalogue import indicators, units
from models.intake.sources import DOCUMENT_REGIONS, KINDS
from models.store import facts as q
from tests.conftest import ROOT
from tools.check_facts import numbers_in


@pytest.fixture(scope="module")
def facts(db):
    return q.all_facts(db)


def test_every_quote_is_verbatim_in_its_document(db, facts):
    texts = {s: q.document_text(s, db) for s in DOCUMENT_REGIONS}
    missing = [f for f, s, qt in zip(facts.fact_id, facts.source, facts.quote) if qt not in texts[s]]
    assert missing == []


def test_every_value_appears_in_its_quote(facts):
    numeric = facts[facts["value"].notna() & ~facts["note"].str.startswith("DERIVED")]
    absent = [f for f, v, qt in zip(numeric.fact_id, numeric.value, numeric.quote) if round(v, 6) not in numbers_in(qt)]
    assert absent == []
    assert len(numeric) > 300


def test_derived_values_say_how(facts):
    derived = facts[facts["note"].str.startswith("DERIVED")]
    assert (derived["note"].str.len() > len("DERIVED: ")).all()


def test_ids_kinds_and_units_come_from_the_catalogue(facts):
    assert set(facts["indicator"]) <= set(indicators())
    assert set(facts["unit"]) <= set(units())
    assert set(facts["kind"]) <= set(KINDS)
    assert facts["fact_id"].is_unique
    assert (facts["value"].notna() | (facts["text_value"] != "")).all()


def test_all_five_plans_are_covered(facts):
    counts = facts.groupby("region_code").size()
    assert set(counts.index) >= {"120000", "120101", "120110", "500103", "130981"}
    assert (counts[["120000", "120101", "120110", "500103", "130981"]] >= 40).all()


def one(facts, region, indicator, year, kind, value=None):
    rows = facts[(facts.region_code == region) & (facts.indicator == indicator) & (facts.year == year)
                 & (facts.kind == kind)]
    if value is not None:
        rows = rows[rows.value == value]
    assert not rows.empty, (region, indicator, year, kind, value)
    return rows.iloc[0]


@pytest.mark.parametrize("region, indicator, year, kind, value, words", [
    ("500103", "elderly_beds", 2020, "observed", 1915, "提供全托养老床位1915张"),
    ("500103", "nursing_beds", 2020, "observed", 716, "护理型床位716张"),
    ("500103", "elderly_beds", 2025, "target", 4000, "4000"),
    ("500103", "population_resident", 2020, "observed", 588700, "常住人口58.87万"),
    ("500103", "aging_rate", 2020, "observed", 19.76, "19.76%"),
    ("500103", "infants_0_3", 2020, "observed", 17420, "0-3岁婴幼儿17420人"),
    ("500103", "birth_rate", 2025, "plan_projection", 7, "7.00‰"),
    ("120110", "elderly_beds", 2022, "observed", 3545, "养老服务床位3545张"),
    ("120110", "childcare_places", 2022, "observed", 1765, "托位1765个"),
    ("120110", "elderly_beds", 2025, "target", 5225, "5225张"),
    ("120110", "elderly_60plus", 2022, "observed", 99890, "99890人"),
    ("130981", "elderly_60plus", 2020, "observed", 111953, "11.1953万"),
    ("130981", "childcare_places", 2025, "target", 2608, "2608"),
    ("120101", "elderly_60plus", 2021, "observed", 129600, "12.96万"),
    ("120000", "elderly_beds", 2020, "observed", 76000, "7.6万张"),
    ("120000", "elderly_beds", 2025, "target", 100000, "10万张"),
    ("120000", "elderly_60plus", 2025, "plan_projection", 3670000, "367万"),
])
def test_named_figures(facts, region, indicator, year, kind, value, words):
    row = one(facts, region, indicator, year, kind, value)
    assert words in row["quote"]


def test_targets_carry_comparators_and_attributes(facts):
    # "养老机构护理型床位占比不低于60%" (Tianjin) → ≥ 60
    row = one(facts, "120000", "nursing_bed_share", 2025, "target", 60)
    assert row["comparator"] == "≥"
    # Yuzhong's indicator table: "养老床位(张) | 1915 | 4000 | 预期性"
    assert one(facts, "500103", "elderly_beds", 2025, "target", 4000)["attribute"] == "预期性"
    assert (facts[facts.kind == "target"]["comparator"] != "").all()


def test_text_targets_are_kept_as_text(facts):
    text_targets = facts[(facts.kind == "target") & facts.value.isna()]
    assert len(text_targets) >= 10
    assert (text_targets["text_value"] != "").all()


def test_reference_series_cover_national_history(db):
    s = q.reference_series(db, region="100000")
    pop = s[s.indicator == "population_resident"]
    assert pop.year.min() == 1996 and pop.year.max() == 2025  # through 2025 (official_2021_2025.csv)
    assert pop[pop.year == 2023].value.iloc[0] == pytest.approx(140967e4, rel=0.01)
    assert pop[pop.year == 2025].value.iloc[0] == 1_404_890_000  # 2025年末全國人口140489萬人
    br = s[s.indicator == "birth_rate"]
    assert br.year.min() == 1990 and br.year.max() == 2025 and len(br) == 36
    assert br[br.year == 2025].value.iloc[0] == 5.63  # 人口出生率為5.63‰ (the fall is history, not forecast)
    e = s[s.indicator == "elderly_60plus"].set_index("year")["value"]
    assert e[2025] == 323_380_000 and (s[s.indicator == "elderly_60plus"]["published"] > e.index.to_numpy()).all()
    assert (s["source"] != "").all()


def test_projects_carry_years_and_capacity(db):
    p = q.projects(db, region="500103").set_index("indicator")
    assert p.loc["elderly_beds", "capacity"] == 500
    assert (p.loc["elderly_beds", "start_year"], p.loc["elderly_beds", "end_year"]) == (2023, 2025)
    assert p.loc["childcare_places", "capacity"] == 200


def test_quote_in_context_finds_the_passage(db, facts):
    row = one(facts, "500103", "elderly_beds", 2020, "observed", 1915)
    ctx = q.quote_in_context(row["source"], row["quote"], width=50, db=db)
    assert ctx["start"] > 0 and len(ctx["before"]) == 50
    assert q.readable("365bet网上娱乐_365BETAPP官网_365体育平台网址养老") == "天津市养老"


def test_facts_cli_writes_bom_csv_with_the_named_columns(db, tmp_path):
    out = tmp_path / "facts.csv"
    r = subprocess.run([sys.executable, "-m", "forecasting", "facts", "--region", "500103", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"region_code": str})
    assert list(df.columns[:10]) == ["region_code", "region_name", "indicator", "year", "value", "unit", "basis",
                                     "kind", "source", "quote"]
    assert set(df.region_code) == {"500103"}
    assert ((df.indicator == "elderly_beds") & (df.value == 1915)).any()


def test_facts_cli_rejects_unknown_region(db):
    r = subprocess.run([sys.executable, "-m", "forecasting", "facts", "--region", "999999"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "未知地区代码" in r.stderr
