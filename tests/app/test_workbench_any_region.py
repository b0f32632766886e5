"""规划测算: any region of the census registry opens in the workbench (issue 20): its demand from the model
projection and its province's or the national standards, its supply 未提供 named as a missing input with the
region's prefilled import template."""
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_workbench(**query):
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["lang"] = "zh"
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page("pages/workbench.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_county_without_a_plan_opens_with_its_missing_inputs_named(db):
    from forecasting.projector import Projector

    at = open_workbench(region="120102", year="2025", method="model")
    assert at.session_state["wb_region"] == "120102"
    assert [m.value for m in at.metric][:3] == ["未提供"] * 3  # no supply: no gap, never 0
    line = next(c.value for c in at.caption if c.value.startswith("缺少输入："))
    assert "规划未提供现有数量" in line and "数据导入" in line
    assert "下载河东区的导入模板（预填）" in [b.label for b in at.get("download_button")]
    # the demand is Tianjin's 3 % of the district's projected 60+ (the explanation's formula)
    t = Projector.load().project_all(["120102"], methods=("model",), scenarios=("medium",))
    e = float(t[(t.indicator == "elderly_60plus") & (t.year == 2025)]["value"].iloc[0])
    codes = [c.value for c in at.code]
    assert any(f"3% × {e:,.2f}".rstrip("0").rstrip(".") in c and f"= {0.03 * e:,.2f}" in c for c in codes), codes[:3]
