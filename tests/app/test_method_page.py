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
    data = json.loads(charts[1].proto.spec)["data"]
    names = [tr.get("name") for tr in (data["data"] if isinstance(data, dict) else data)]
    assert {"队列模型", "趋势外推（ETS）", "沿用最近值", "公布值"} <= set(names)  # labels, not ids
    table = at.dataframe[0].value.set_index("方法")
    # cells are formatted text (one decimal at most), never raw floats
    assert float(table.loc["队列模型", "MAPE %"]) <= 2.0 and float(table.loc["队列模型", "80%区间覆盖率"]) >= 0.8
    md = " ".join(m.value for m in at.markdown)
    assert "进入人数 E(t) = B(t−60) × S₆₀(t−60)" in md and "世界人口展望2024" in md
    assert any("World Population Prospects" not in c.value and "世界人口展望2024" in c.value for c in at.caption)
