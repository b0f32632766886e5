"""The audit of a plan's own arithmetic (issue 21): inequality targets (≥ 不低于, ≤ 不超过) are half-lines, never
value ± rounding; an actual is never divided by a target; actual-versus-target reviews are not audit findings."""
import math

import pandas as pd

from models.planning.audit import audit_checks, interval

COLUMNS = ["fact_id", "region_code", "indicator", "year", "value", "unit", "basis", "kind", "comparator", "quote",
           "source"]
NO_RELATIONS = pd.DataFrame(columns=["relation_id", "region_code", "op", "result_fact", "input_facts", "description"])
NO_PROJECTS = pd.DataFrame(columns=["project_id", "region_code", "indicator", "capacity", "quote"])


def facts(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(COLUMNS, (*r, "plan.txt"))) for r in rows], columns=COLUMNS)


def checks(*rows) -> pd.DataFrame:
    return audit_checks(facts(*rows), NO_RELATIONS, NO_PROJECTS)


def test_inequalities_are_half_lines():
    at_least = {"value": 65.0, "kind": "target", "comparator": "≥", "quote": "护理型床位占比不低于65%"}
    assert interval(at_least) == (65.0, math.inf)
    assert interval({**at_least, "comparator": "≤", "quote": "不超过65%"}) == (-math.inf, 65.0)
    # an approximate current figure stays a rounding interval: 6000余 is 6000 to 7000, not 6000 to infinity
    lo, hi = interval({"value": 6000.0, "kind": "observed", "comparator": ">", "quote": "6000余张"})
    assert lo == 6000 and math.isfinite(hi)


def test_at_least_65_percent_is_met_by_70_percent():
    # 2800 / 4000 = 70 % against "不低于65%": consistent (read as 65 ± 0.5 it was called a slip)
    c = checks(("A", "1", "nursing_bed_share", 2025, 65, "percent", "", "target", "≥", "护理型床位占比不低于65%"),
               ("B", "1", "nursing_beds", 2025, 2800, "bed", "", "target", "=", "护理型床位2800张"),
               ("C", "1", "elderly_beds", 2025, 4000, "bed", "", "target", "=", "养老床位4000张"))
    row = c[c["rule"] == "ratio:nursing_bed_share"].iloc[0]
    assert row["status"] == "ok" and row["recomputed"] == 70 and row["stated_high"] == math.inf


def test_at_most_is_checked_as_at_most():
    c = checks(("A", "1", "nursing_bed_share", 2025, 60, "percent", "", "target", "≤", "占比不超过60%"),
               ("B", "1", "nursing_beds", 2025, 2800, "bed", "", "target", "=", "护理型床位2800张"),
               ("C", "1", "elderly_beds", 2025, 4000, "bed", "", "target", "=", "养老床位4000张"))
    row = c[c["rule"] == "ratio:nursing_bed_share"].iloc[0]
    assert row["status"] == "inconsistent" and row["stated_low"] == -math.inf


def test_an_actual_is_never_divided_by_a_target():
    # actual nursing beds 2025 (observed) and the target bed total: a review for the 终期评估, not an audit check
    c = checks(("A", "1", "nursing_bed_share", 2025, 60, "percent", "", "target", "≥", "占比达到60%"),
               ("B", "1", "nursing_beds", 2025, 1500, "bed", "", "observed", "=", "现有护理型床位1500张"),
               ("C", "1", "elderly_beds", 2025, 4000, "bed", "", "target", "=", "养老床位达到4000张"))
    assert c.empty or not c["rule"].str.startswith("ratio:").any()
    c = checks(("B", "1", "nursing_beds", 2025, 1500, "bed", "", "observed", "=", "现有护理型床位1500张"),
               ("C", "1", "elderly_beds", 2025, 4000, "bed", "", "target", "=", "养老床位达到4000张"),
               ("D", "1", "nursing_bed_share", 2025, 37.5, "percent", "", "observed", "=", "占比37.5%"))
    assert c.empty or not c["rule"].str.startswith("ratio:").any()


def test_no_check_sets_an_actual_against_a_target_on_the_five_plans(db):
    from models.planning.audit import relations
    from models.store.facts import all_facts

    f = all_facts(db)
    kind = dict(zip(f["fact_id"], f["kind"]))
    c = audit_checks(f, relations(db))
    for r in c[~c["rule"].str.startswith("relation:")].itertuples():
        kinds = {kind.get(x) for x in r.fact_ids.split()}
        assert not {"observed", "target"} <= kinds, (r.rule, r.fact_ids)


def test_audit_notes_in_one_language():
    from models.report.tables import one_language

    note = "该年未给出基数，用 2025 年数值、容差放宽 10% / no base for 2020: 2025 used, tolerance widened 10%"
    assert one_language(note, "en") == "no base for 2020: 2025 used, tolerance widened 10%"
    assert one_language(note, "zh") == "该年未给出基数，用 2025 年数值、容差放宽 10%"
    assert one_language("plain text", "en") == "plain text"
    note = "文本未列新增，按项目清单（可能不完整）/ no additions in the text: the project list, which may be partial"
    assert one_language(note, "en") == "no additions in the text: the project list, which may be partial"
    assert one_language(note, "zh") == "文本未列新增，按项目清单（可能不完整）"
