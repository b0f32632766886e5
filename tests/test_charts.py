"""Chart builders of the overview (models/report/charts.py): pure figures, inspected without a browser."""
import math

import pandas as pd
import pytest

from models.core.catalogue import SERVICES
from models.report.charts import (
    DEMAND_COLOUR,
    SERVICE_COLOURS,
    SUPPLY_COLOUR,
    comparison_chart,
    gap_chart,
    gap_trend_chart,
    supply_demand_chart,
)


def yuzhong(year=2025) -> pd.DataFrame:
    # 渝中区 plan: 养老床位需求4000张，现有1915张，缺口2085张；护理型床位2800张（现有716张）；托位2650个（现有1011个）
    return pd.DataFrame({
        "region_code": "500103", "region_name": "渝中区", "service": list(SERVICES), "year": year,
        "demand": [4000.0, 2800.0, 2650.0], "supply": [1915.0, 716.0, 1011.0], "gap": [2085.0, 2084.0, 1639.0],
        "target": [4000.0, 2800.0, math.nan]})


def trace(fig, meta):
    return next(tr for tr in fig.data if tr.meta == meta)


def test_gap_chart_supply_demand_and_target_marker():
    fig = gap_chart(yuzhong())
    assert [tr.meta for tr in fig.data] == ["supply", "demand", "target"]
    assert list(trace(fig, "supply").y) == [1915, 716, 1011]
    assert list(trace(fig, "demand").y) == [4000, 2800, 2650]
    # the missing childcare target is not drawn (None), never as 0
    assert list(trace(fig, "target").y) == [4000, 2800, None]
    assert trace(fig, "target").marker.symbol == "line-ew"
    assert list(trace(fig, "demand").x) == ["养老床位", "护理型床位", "托位"]
    assert trace(fig, "supply").name == "现有"


def test_legend_colours_match_the_bars():
    fig = gap_chart(yuzhong().iloc[::-1])  # row order does not matter: services in catalogue order
    # one colour per trace: the legend square of 现有 and of 预测需求 is the colour of their bars, and they differ
    assert trace(fig, "supply").marker.color == SUPPLY_COLOUR and trace(fig, "demand").marker.color == DEMAND_COLOUR
    assert SUPPLY_COLOUR != DEMAND_COLOUR
    assert len(set(SERVICE_COLOURS.values())) == len(SERVICES)
    fig = supply_demand_chart(yuzhong(), service="nursing_beds")
    assert trace(fig, "demand").marker.color == SERVICE_COLOURS["nursing_beds"]


def cmp_rows():
    from models.report.overview import comparison, kpis

    rows = pd.concat([yuzhong().assign(target_gap=[2085.0, 2084.0, math.nan]),
                      pd.DataFrame({"region_code": "120101", "region_name": "和平区", "service": list(SERVICES),
                                    "year": 2025, "gap": math.nan, "target_gap": math.nan})], ignore_index=True)
    return comparison(kpis(rows, year=2025))


def test_comparison_chart_names_every_region_in_order_with_service_colours():
    fig = comparison_chart(cmp_rows(), title="2025")
    gap = trace(fig, "gap:elderly_beds")
    assert list(gap.y) == ["渝中区", "和平区"] and list(gap.x) == [2085, None]  # missing is not drawn as 0
    assert gap.orientation == "h" and gap.marker.color == SERVICE_COLOURS["elderly_beds"]
    # the value without its unit (the panel title names the service): short enough to stay in its panel
    assert gap.name == "养老床位缺口" and list(gap.text) == ["2,085", ""]
    assert list(gap.textposition) == ["inside", "outside"]  # the longest bar carries its value inside
    for s in SERVICES:  # legend colour = bar colour, one entry per service
        assert trace(fig, f"gap:{s}").marker.color == SERVICE_COLOURS[s]
    assert list(trace(fig, "target_gap:elderly_beds").x) == [2085, None]
    missing = trace(fig, "missing:childcare_places")
    assert list(missing.y) == ["和平区"] and list(missing.text) == ["规划未给出"]  # 渝中区 has its 1639
    assert fig.layout.yaxis.autorange == "reversed"  # the first (most complete) region on top
    assert [a.text for a in fig.layout.annotations] == ["养老床位", "护理型床位", "托位"]


def test_english_labels():
    fig = gap_chart(yuzhong(), lang="en")
    assert list(trace(fig, "demand").x)[0] == "Elderly-care beds"
    assert trace(fig, "supply").name == "Supply"


def test_trend_chart_years_are_integers():
    rows = pd.concat([yuzhong(2024), yuzhong(2025)], ignore_index=True)
    fig = gap_trend_chart(rows, service="elderly_beds")
    assert list(trace(fig, "demand").x) == [2024, 2025]
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"


def test_unknown_service_is_refused():
    with pytest.raises(ValueError, match="unknown service"):
        gap_trend_chart(yuzhong(), service="beds")
    with pytest.raises(ValueError, match="unknown service"):
        supply_demand_chart(yuzhong(), service="beds")


def test_hover_says_not_provided():
    fig = gap_chart(yuzhong())
    assert "规划目标: 未提供" in trace(fig, "target").hovertext[2]
