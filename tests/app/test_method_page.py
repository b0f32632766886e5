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


def _tables(at):
    return [d.value for d in at.dataframe]


def test_method_page_backtest_per_level_and_raking_factors():
    """The backtest per level × method (with the naive baseline) and the raking factors per province: labelled in the
    reader's language, every cell text, figures equal to what forecasting computes."""
    import numpy as np

    from forecasting.backtest import region_level, vintage_backtest
    from forecasting.method_report import raking_report

    at = AppTest.from_file("../../app.py", default_timeout=300).run()
    at.switch_page("pages/method.py").run()
    assert not at.exception
    levels, raking = _tables(at)[1], _tables(at)[2]
    # per level and method, recomputed here from the backtest rows
    bt = vintage_backtest(2020)
    prov = bt[(bt["region_code"].map(region_level) == "province") & (bt["method"] == "model")]
    row = levels[(levels["层级"] == "省级") & (levels["方法"] == "队列模型")].iloc[0]
    assert row["MAPE %"] == f"{np.mean(np.abs(prov['error_pct'])):.2f}"
    inside = int(prov["inside_80"].astype(bool).sum())
    assert row["80%区间覆盖率"].endswith(f"({inside}/{len(prov)})") and inside / len(prov) >= 0.7
    assert int(row["地区数"]) == prov["region_code"].nunique() == 31
    naive = levels[(levels["层级"] == "省级") & (levels["方法"] == "沿用最近值")].iloc[0]
    assert naive["80%区间覆盖率"] == "—" and float(naive["MAPE %"]) > float(row["MAPE %"])  # baseline is worse
    nation = levels[(levels["层级"] == "全国") & (levels["方法"] == "队列模型")].iloc[0]
    assert float(nation["MAPE %"]) <= 2.5
    assert set(levels["层级"]) == {"全国", "省级", "区县"} and len(levels) == 9
    county = levels[levels["层级"] == "区县"]
    if (county["检验值个数"] == "0").all():  # no county figure after 2020 in the database: said, never 0 %
        assert (county["MAPE %"] == "未提供（无公布数字）").all()
        assert any("区县：数据库中没有2020年以后公布的数字" in c.value for c in at.caption)
    assert all(levels[c].map(type).eq(str).all() for c in levels.columns)
    # raking: the nation's three bands first, then every province × band; factors as the signed change they make (factor − 1, %)
    rk = raking_report()
    assert len(raking) == len(rk) == 3 + 31 * 3
    assert list(raking["调整"][:3]) == ["各省 → 全国"] * 3
    bj = raking[(raking["省份"] == "北京市") & (raking["年龄段"] == "65岁及以上")].iloc[0]
    want = rk[(rk["province_code"] == "110000") & (rk["band"] == "old")].iloc[0]
    assert bj["调整"] == "区县 → 本省"
    assert [bj[y] for y in ("2025", "2030", "2035")] == [f"{(want[y] - 1) * 100:+.1f}%" for y in ("2025", "2030",
                                                                                                 "2035")]
    worst = max((want[y] for y in ("2025", "2030", "2035")), key=lambda v: abs(v - 1))
    assert bj["最大偏离"] == f"{(worst - 1) * 100:+.1f}%"
    assert all(raking[c].map(type).eq(str).all() for c in raking.columns)
    assert any("偏离1" in c.value for c in at.caption)


def test_method_page_levels_and_raking_in_english():
    at = AppTest.from_file("../../app.py", default_timeout=300)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/method.py").run()
    assert not at.exception
    levels, raking = _tables(at)[1], _tables(at)[2]
    assert {"Level", "Method", "MAPE %", "80% coverage"} <= set(levels.columns)
    assert set(levels["Method"]) == {"cohort model", "trend (ETS)", "last value (naive)"}
    assert {"Province", "Step", "Age band", "Largest deviation"} <= set(raking.columns)
    assert set(raking["Age band"]) == {"0–59", "60–64", "65+"}
    assert "counties → province" in set(raking["Step"])
    assert any("far from 1" in c.value for c in at.caption)
