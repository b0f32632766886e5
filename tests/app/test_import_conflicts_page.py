"""数据导入 through AppTest (issue 21): a second, different 2020 常住人口 is a conflict the editor resolves before
anything is written; 常住人口 with 口径 户籍 is refused; a new region gets its English name."""
from tests.app.conftest import PASSWORD
from tests.app.test_import_page import open_page, unlock

HEAD = "地区代码,地区名称,指标代码,年份,数值,单位,口径,类型,来源,备注,原文\n"


def upload(at, name: str, body: str):
    at.get("file_uploader")[0].set_value((name, (HEAD + body).encode("utf-8-sig"), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_conflict_is_shown_with_both_quotes_and_resolved_by_the_editor(page_db):
    at = upload(unlock(open_page(), "import", PASSWORD), "pop.csv",
                "500103,,population_resident,2020,590000,,常住,现状值,统计公报,,2020年末常住人口59.00万人\n")
    assert not [b for b in at.button if b.key == "import_confirm"]  # nothing can be written before a choice
    (radio,) = [r for r in at.radio if r.key.startswith("import_choice_")]
    shown = " ".join(x.value for x in at.text)
    assert "58.87万" in shown and "59.00万" in shown  # both quotes
    radio.set_value("import").run()
    at.button(key="import_confirm").click().run()
    assert not at.exception, at.exception
    rows = page_db.query("SELECT fact_id, value FROM user_facts WHERE indicator = 'population_resident'")
    assert rows["value"].tolist() == [590000.0] and rows["fact_id"].iloc[0].endswith("@user")


def test_resident_population_with_registered_basis_is_refused(page_db):
    at = upload(unlock(open_page(), "import", PASSWORD), "bad.csv",
                "500103,,population_resident,2021,2490000,,户籍,现状值,,,\n")
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert page_db.scalar("SELECT count(*) FROM user_facts") == 0


def test_new_region_is_asked_for_its_english_name(page_db):
    at = upload(unlock(open_page(), "import", PASSWORD), "ankang.csv",
                "610900,安康市,elderly_beds,2023,12000,,,现状值,民政统计,,\n")
    at.text_input(key="import_name_en_610900").set_value("Ankang").run()
    at.button(key="import_confirm").click().run()
    assert not at.exception, at.exception
    assert page_db.scalar("SELECT name_en FROM user_regions WHERE code = '610900'") == "Ankang"
