"""AppTest: the page 方法与检验 shows the entrants, the vintage check, the paths and the method statement."""
import json

from streamlit.testing.v1 import AppTest


def test_method_page_shows_the_check_and_the_statement():
    at = AppTest.from_file("../../app.py", default_timeout=300).run()
    at.switch_page("pages/method.py").run()
    assert not at.exception
    assert at.title[0].value == "方法与检验"
    charts = at.get("plotly_chart")
    assert len(charts) == 4
    names = [tr.get("name") for tr in json.loads(charts[1].proto.spec)["data"]["data"]] if "data" in json.loads(
        charts[1].proto.spec) and isinstance(json.loads(charts[1].proto.spec)["data"], dict) else \
        [tr.get("name") for tr in json.loads(charts[1].proto.spec)["data"]]
    assert {"model", "ets", "naive", "公布值"} <= set(names)
    table = at.dataframe[0].value.set_index("方法")
    assert table.loc["model", "MAPE %"] <= 2.0
    md = " ".join(m.value for m in at.markdown)
    assert "进入人数 E(t) = B(t−60) × S₆₀(t−60)" in md and "世界人口展望2024" in md
    assert any("World Population Prospects" not in c.value and "世界人口展望2024" in c.value for c in at.caption)
