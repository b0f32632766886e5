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
    # headers are labels in the reader's language (models.core.i18n col_<id>)
    gaps = next(d.value for d in at.dataframe if "服务代码" in d.value.columns)
    row = gaps[(gaps["地区代码"] == "500103") & (gaps["服务代码"] == "elderly_beds") & (gaps["年份"] == 2025)]
    assert pd.to_numeric(row["缺口"]).tolist() == [2085]  # cells are text where a value is missing ("—")
    assert not any(c in gaps.columns for c in ("gap", "region_code", "fact_ids", "None"))
    at.multiselect(key="ex_regions").set_value(["500103"]).run()
    at.multiselect(key="ex_indicators").set_value(["elderly_beds", "elderly_60plus"]).run()
    assert not at.exception, at.exception
    gaps = next(d.value for d in at.dataframe if "服务代码" in d.value.columns)
    assert set(gaps["地区代码"]) == {"500103"} and set(gaps["服务代码"]) == {"elderly_beds"}
    proj = next(d.value for d in at.dataframe if "80%区间下限" in d.value.columns)
    assert set(proj["指标代码"]) == {"elderly_60plus"} and set(proj["方法"]) == {"plan"}
    plan = next(d.value for d in at.dataframe if "指标名称" in d.value.columns)
    assert plan["缺口"].tolist() == [2085, 2084, 1639]


def test_stamp_names_scenario_and_date(db):
    at = open_export()
    at.selectbox(key="ex_method").set_value("model").run()
    assert not at.exception, at.exception
    assert any("情景：统计模型 / 中" in i.value and "生成日期" in i.value for i in at.info)


def test_english_headers_and_banner(db):
    import re

    at = open_export("en")
    for d in at.dataframe:
        assert not any(re.search(r"[\u4e00-\u9fff]", str(c)) for c in d.value.columns), d.value.columns
    assert any("Scenario: The plan's own arithmetic / Medium" in i.value for i in at.info)
    assert not any(re.search(r"[\u4e00-\u9fff]", i.value) for i in at.info)
