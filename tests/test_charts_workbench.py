"""Chart builders of the workbench (models/report/charts_workbench.py): pure figures, inspected without a browser."""
import numpy as np
import pandas as pd
import pytest

from forecasting.workbench import PlanData, PlannerScenario, compare_scenarios, evaluate, sensitivity
from models.core.catalogue import SERVICES
from models.report.charts import SERVICE_COLOURS
from models.report.charts_workbench import (
    METHOD_COLOURS,
    fan_chart,
    methods_chart,
    scenarios_chart,
    supply_demand_chart,
    tornado_chart,
    waterfall_chart,
)

YZ = "500103"


@pytest.fixture(scope="module")
def data(db):
    return PlanData.load(db)


@pytest.fixture(scope="module")
def ev(data):
    return evaluate(PlannerScenario(YZ), data=data)


def _ints(fig):
    return fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"


def test_fan_chart_has_80_and_95_bands_and_the_three_methods(ev):
    fig = fan_chart(ev.projections, indicator_id="elderly_60plus", lang="zh", chosen="plan")
    names = [tr.name for tr in fig.data]
    assert names[:2] == ["95%区间", "80%区间"]
    assert [tr.line.color for tr in fig.data[2:]] == [METHOD_COLOURS[m] for m in ("plan", "model", "override")]
    assert fig.data[2].line.width > fig.data[3].line.width  # the chosen method is drawn thicker
    assert _ints(fig)
    # the 95% band encloses the 80% band where both exist
    lo95, lo80 = min(v for v in fig.data[0].y if v), min(v for v in fig.data[1].y if v)
    assert lo95 <= lo80
    plan = fig.data[2]
    assert dict(zip(plan.x, plan.y))[2020] == 116300  # “其中60岁及以上老年人口11.63万” (2020)


def test_fan_chart_in_english(ev):
    fig = fan_chart(ev.projections, indicator_id="population_resident", lang="en")
    assert fig.data[0].name == "95% interval" and "projection" in fig.layout.title.text


def test_supply_demand_chart_one_panel_per_service(ev):
    fig = supply_demand_chart(ev.gaps, lang="zh")
    assert len(fig.layout.annotations) == len(SERVICES)
    demand = [tr for tr in fig.data if tr.name == "需求"]
    assert [tr.line.color for tr in demand] == [SERVICE_COLOURS[s] for s in SERVICES]
    assert dict(zip(demand[0].x, demand[0].y))[2025] == 4000  # “预计2025年养老床位需求达4000张”
    assert fig.layout.xaxis.tickformat == "d"
    with_pipe = [tr for tr in fig.data if tr.name == "现有+在建项目"][0]
    assert dict(zip(with_pipe.x, with_pipe.y))[2025] == 1915 + 175


def test_waterfall_chart_runs_from_supply_to_demand(ev):
    fig = waterfall_chart(ev.waterfall, service="elderly_beds", year=2025, lang="zh")
    w = fig.data[0]
    assert list(w.measure) == ["absolute", "relative", "relative", "relative", "total"]
    assert list(w.y) == [1915, 175, 1910, 0, 4000]
    assert list(w.x)[0] == "现有供给" and list(w.x)[-1] == "预测需求"


def test_waterfall_leaves_out_unknown_steps_and_says_so():
    w = pd.DataFrame({"service": "childcare_places", "step": ["supply_existing", "pipeline", "to_demand", "demand"],
                      "measure": ["absolute", "relative", "relative", "total"], "value": [np.nan, 0, np.nan, 2000.0],
                      "formula": "", "reason": ["no count", "", "no count", ""]})
    fig = waterfall_chart(w, service="childcare_places", year=2025, lang="zh")
    assert 0 not in [v for v, m in zip(fig.data[0].y, fig.data[0].measure) if m == "absolute"]
    assert "现有供给 未提供" in fig.layout.title.text


def test_tornado_largest_on_top_and_missing_left_out(data):
    sens = sensitivity(PlannerScenario(YZ), data=data)
    fig = tornado_chart(sens, service="elderly_beds", year=2025, lang="zh")
    low, high = fig.data
    assert low.orientation == "h"
    assert high.y[-1].startswith("每千名老年人养老床位数")  # plotly draws the last category on top
    assert high.x[-1] == pytest.approx(400)
    shown = sens[(sens.service == "elderly_beds") & sens.impact.notna()]
    assert len(high.y) == len(shown)
    assert not any("机构养老占比" in y for y in high.y)


def test_methods_chart_groups_by_method(ev):
    fig = methods_chart(ev.methods, year=2025, lang="en")
    names = [tr.name for tr in fig.data]
    assert names[0] == "As stated" and "Plan method (the plan's figures) (current)" in names
    assert fig.layout.barmode == "group"
    assert list(fig.data[0].y) == [2085, 2084, 1639]


def test_scenarios_chart_one_trace_per_scenario(data):
    cmp = compare_scenarios({"a": PlannerScenario(YZ), "b": PlannerScenario(YZ, beds_per_1000_elderly=35)},
                            data=data)
    fig = scenarios_chart(cmp, year=2025, lang="zh")
    assert [tr.name for tr in fig.data] == ["a", "b"]
    assert fig.data[1].y[0] == 2460


def test_missing_gap_is_a_gap_not_zero():
    cmp = pd.DataFrame({"name": "x", "service": SERVICES, "gap": [np.nan, 10.0, 20.0]})
    fig = scenarios_chart(cmp, year=2025, lang="zh")
    assert fig.data[0].y[0] is None and fig.data[0].text[0] == "未提供"
