"""预测导出 page through AppTest: filtered tables, downloads, the stamp (scenario, assumptions, date)."""
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_export(lang="zh"):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/export.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang, title", [("zh", "预测导出"), ("en", "Analyst export")])
def test_renders_in_both_languages(db, lang, title):
    at = open_export(lang)
    assert at.title[0].value == title
    assert len(at.get("download_button")) == 6


def test_gap_table_has_the_2085_row_and_filters(db):
    at = open_export()
    gaps = next(d.value for d in at.dataframe if "gap" in d.value.columns)
    row = gaps[(gaps.region_code == "500103") & (gaps.service == "elderly_beds") & (gaps.year == 2025)]
    assert pd.to_numeric(row["gap"]).tolist() == [2085]  # cells are text where a value is missing ("—")
    at.multiselect(key="ex_regions").set_value(["500103"]).run()
    at.multiselect(key="ex_indicators").set_value(["elderly_beds", "elderly_60plus"]).run()
    assert not at.exception, at.exception
    gaps = next(d.value for d in at.dataframe if "gap" in d.value.columns)
    assert set(gaps.region_code) == {"500103"} and set(gaps.service) == {"elderly_beds"}
    proj = next(d.value for d in at.dataframe if "lower_80" in d.value.columns)
    assert set(proj.indicator) == {"elderly_60plus"} and set(proj.method) == {"plan"}
    plan = next(d.value for d in at.dataframe if "指标名称" in d.value.columns)
    assert plan["缺口"].tolist() == [2085, 2084, 1639]


def test_stamp_names_scenario_and_date(db):
    at = open_export()
    at.selectbox(key="ex_method").set_value("model").run()
    assert not at.exception, at.exception
    assert any("情景：model/medium" in i.value and "生成日期" in i.value for i in at.info)
