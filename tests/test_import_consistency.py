"""Importer consistency (issue 21): an indicator whose definition fixes its 口径 refuses the other one; a second,
different value of the same figure from another document is a conflict in the preview, with both quotes, that the
editor resolves; the projection never starts from a mix of 口径."""
import pytest

from models.intake import importer
from models.store import userdata
from models.store.facts import all_facts

HEAD = "地区代码,地区名称,指标代码,年份,数值,单位,口径,类型,来源,备注,原文"


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEAD, *rows]) + "\n").encode("utf-8-sig")


def test_resident_population_with_registered_basis_is_refused_naming_both():
    plan = importer.parse_file(csv_bytes("500103,,population_resident,2020,2490000,,户籍,现状值,,,"), "a.csv",
                               known_regions={"500103": "渝中区"})
    assert not plan.ok
    (problem,) = plan.rows[0].errors
    assert problem.code == "imp_basis_fixed"
    zh, en = problem.message("zh"), problem.message("en")
    assert "常住人口" in zh and "常住" in zh and "户籍" in zh
    assert "Resident population" in en and "常住" in en and "户籍" in en
    # the same by name, and the registered population with 常住
    plan = importer.parse_file(csv_bytes("500103,,population_registered,2020,2490000,,常住,现状值,,,"), "a.csv",
                               known_regions={"500103": "渝中区"})
    assert plan.rows[0].errors[0].code == "imp_basis_fixed"


def test_fixed_basis_is_filled_when_empty():
    plan = importer.parse_file(csv_bytes("500103,,population_resident,2023,580000,,,现状值,,,"), "a.csv",
                               known_regions={"500103": "渝中区"})
    assert plan.ok and plan.rows[0].record["basis"] == "常住"


def test_a_second_2020_resident_population_is_a_conflict_with_both_quotes(fresh_db):
    # 渝中区 plan: "渝中区现有常住人口58.87万" (2020, 常住)
    data = csv_bytes("500103,,population_resident,2020,590000,,常住,现状值,统计公报,,2020年末常住人口59.00万人")
    plan = userdata.preview(data, "b.csv", db=fresh_db)
    assert not plan.ok and len(plan.conflicts) == 1
    row = plan.conflicts[0]
    assert row.conflicts[0]["value"] == 588700 and "58.87万" in row.conflicts[0]["quote"]
    text = row.problems[-1].message("zh")
    assert row.problems[-1].code == "imp_conflict"
    assert "588700" in text and "590000" in text and "58.87万" in text and "59.00万" in text
    assert "冲突，待选择" in plan.table("zh").iloc[0].tolist()
    with pytest.raises(userdata.Rejected):
        userdata.apply_import(plan, who="a", db=fresh_db)  # nothing is written before the editor chooses
    # keep: the plan's figure stays, nothing written
    kept = plan.resolve({(row.sheet, row.row): "keep"})
    assert not kept.conflicts and not kept.writable
    # import: the file's figure supersedes the plan's (a correction <fact_id>@user); only one 2020 value remains
    chosen = plan.resolve({(row.sheet, row.row): "import"})
    assert chosen.ok
    userdata.apply_import(chosen, who="a", db=fresh_db)
    f = all_facts(fresh_db, region="500103")
    pop = f[(f["indicator"] == "population_resident") & (f["year"] == 2020) & (f["kind"] == "observed")]
    assert pop["value"].tolist() == [590000.0]
    assert pop["fact_id"].iloc[0].endswith("@user")


def test_same_value_or_same_document_is_no_conflict(fresh_db):
    same = userdata.preview(csv_bytes("500103,,population_resident,2020,588700,,常住,现状值,,,"), "c.csv",
                            db=fresh_db)
    assert not same.conflicts
    # two rows of one file that disagree, from two documents
    two = importer.mark_conflicts(importer.parse_file(csv_bytes(
        "420100,武汉市,population_resident,2020,12330000,,常住,现状值,公报A,,常住人口1233万",
        "420100,武汉市,population_resident,2020,12450000,,常住,年度序列,公报B,,常住人口1245万"), "d.csv"))
    assert [r.row for r in two.conflicts] == [3] and two.conflicts[0].conflicts[0]["quote"] == "常住人口1233万"


def test_bad_choice_is_refused():
    two = importer.mark_conflicts(importer.parse_file(csv_bytes(
        "420100,武汉市,population_resident,2020,12330000,,常住,现状值,公报A,,",
        "420100,武汉市,population_resident,2020,12450000,,常住,现状值,公报B,,"), "d.csv"))
    assert two.rows[1].errors[0].code == "imp_duplicate_row"  # same kind in one file: a duplicate, as before
    conflict = importer.mark_conflicts(importer.parse_file(csv_bytes(
        "420100,武汉市,population_resident,2020,12330000,,常住,现状值,公报A,,",
        "420100,武汉市,population_resident,2020,12450000,,常住,年度序列,公报B,,"), "d.csv"))
    with pytest.raises(ValueError, match="maybe"):
        conflict.resolve({("", 3): "maybe"})


def test_english_name_of_a_new_region():
    plan = importer.parse_file(csv_bytes("610900,安康市,population_resident,2020,2490000,,常住,现状值,,,"), "e.csv",
                               known_regions={})
    named = plan.with_english_names({"610900": "Ankang"})
    assert named.new_regions[0]["name_en"] == "Ankang"
    with pytest.raises(importer.Invalid):
        plan.with_english_names({"610900": "安康<script>"})


def test_projection_never_starts_from_a_mix_of_bases(fresh_db):
    """A 户籍 figure stored under 常住人口 (as an older import could) is not an anchor of the resident path."""
    import pandas as pd

    from forecasting.inputs import Inputs

    inp = Inputs.load(fresh_db)
    bad = inp.facts.iloc[[0]].assign(fact_id="U-bad", region_code="500103", indicator="population_resident",
                                     year=2021, value=3_010_000.0, basis="户籍", kind="observed")
    mixed = Inputs(pd.concat([inp.facts, bad], ignore_index=True), inp.series, inp.regions)
    from forecasting.method_model import observed_anchor

    assert observed_anchor(mixed, "500103", "population_resident").value != 3_010_000.0
