"""数据与来源 page, through Streamlit's AppTest."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_page(lang="zh", **params):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/data_sources.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang, title", [("zh", "数据与来源"), ("en", "Data & sources")])
def test_renders_in_both_languages(db, lang, title):
    at = open_page(lang)
    assert at.title[0].value == title


def test_filter_by_region_and_indicator(db):
    at = open_page()
    at.selectbox(key="data_region").set_value("500103").run()
    at.selectbox(key="data_indicator").set_value("elderly_beds").run()
    df = at.dataframe[0].value
    assert set(df["值" if "值" in df.columns else "数值"]) >= {"1,915张", "4,000张"}
    assert at.caption[0].value == f"共 {len(df)} 条数据"


def test_deep_link_shows_quote_in_context(db):
    from models.store.facts import all_facts
    f = all_facts(db, region="500103")
    fid = f[(f.indicator == "nursing_beds") & (f.value == 716)].fact_id.iloc[0]
    at = open_page(fact=fid)
    html = [m.value for m in at.markdown if "<mark>" in m.value]
    assert html and "716" in html[0].split("<mark>")[1]
