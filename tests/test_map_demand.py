"""The census map coloured by demand (issue 20): models/report/charts_map.py demand_table on the gap model of every
region (model projection, medium): a unit's own demand, or its counties' sum when the gap table has no row for it."""
import math

import pytest

from models.regions import geo
from models.report.charts_map import DEMAND_MEASURES, demand_table, region_value_table
from models.report.overview import gaps_for, scenario_population


@pytest.fixture(scope="module")
def model(db):
    from forecasting.planning import codes_for
    from forecasting.projector import Projector
    from forecasting.region_table import region_table

    p = Projector.load(db)
    proj = p.project_all(codes_for(p, "model"), methods=("model",), scenarios=("medium",))
    gaps = gaps_for(db, assumptions="model", projections=proj, years=[2025, 2030], explain=False)
    return gaps, scenario_population(proj), region_table(db)


def _demand(gaps, code, service, year):
    r = gaps[(gaps.region_code == code) & (gaps.service == service) & (gaps.year == year)]
    return float(r["demand"].iloc[0]) if len(r) else math.nan


def test_every_prefecture_of_the_country_has_a_demand(model):
    gaps, pop, reg = model
    ids = [f["id"] for f in geo.prefecture_boundaries()["features"]]
    d = demand_table(gaps, pop, reg, ids, year=2030).set_index("region_code")
    for m in DEMAND_MEASURES:
        assert int(d[m].notna().sum()) == 367, m  # all but Hong Kong and Macao (outside the census)
    # a unit with its own gap row keeps it: 南京市 (320100)
    assert d.loc["320100", "demand_elderly_beds"] == _demand(gaps, "320100", "elderly_beds", 2030)
    assert d.loc["320100", "counties_elderly_beds"] == 0


def test_a_prefecture_without_a_row_gets_the_sum_of_its_counties(model):
    gaps, pop, reg = model
    counties = reg[reg.county_tier.astype(bool) & (reg.prefecture_code == "320100")]["region_code"].tolist()
    assert len(counties) == 11 and "320102" in counties  # 南京市's 11 districts, 玄武区 among them
    without = gaps[gaps.region_code != "320100"]
    d = demand_table(without, pop, reg, ["320100"], year=2030).iloc[0]
    for service, base in (("elderly_beds", "elderly_60plus"), ("nursing_beds", "elderly_60plus"),
                          ("childcare_places", "population_resident")):
        want = sum(_demand(gaps, c, service, 2030) for c in counties)
        assert d[f"demand_{service}"] == want > 0
        p = pop[(pop.year == 2030) & (pop.indicator == base) & pop.region_code.isin(counties)]["value"].sum()
        assert d[f"base_{service}"] == pytest.approx(p)
        assert d[f"demand_per_1000_{service}"] == round(want / p * 1000, 1)
        assert d[f"counties_{service}"] == 11
    # 2030 national standards where Jiangsu states none: 30.9 beds per 1,000 elderly, 73 % nursing, 4.5 places
    assert (d["demand_per_1000_elderly_beds"], d["demand_per_1000_childcare_places"]) == (30.9, 4.5)
    hover = region_value_table(reg[reg.region_code == "320100"].merge(
        demand_table(without, pop, reg, ["320100"], year=2030), on="region_code"), "demand_elderly_beds")
    assert "由所辖11个区县加总" in hover["hover"].iloc[0] and "缺口模型" in hover["hover"].iloc[0]


def test_a_municipality_sums_its_counties_by_province(model):
    gaps, pop, reg = model
    counties = reg[reg.county_tier.astype(bool) & (reg.province_code == "110000")]["region_code"].tolist()
    d = demand_table(gaps[gaps.region_code != "110000"], pop, reg, ["110000"], year=2030).iloc[0]
    assert d["counties_childcare_places"] == len(counties) == 16
    assert d["demand_childcare_places"] == sum(_demand(gaps, c, "childcare_places", 2030) for c in counties)


def test_unknown_demand_stays_grey_with_the_gap_models_reason(model):
    """2025: no national beds-per-1,000 standard, so 南京's counties have no bed demand and their sum none either;
    Tianjin's counties take the 973 institutional standard of Tianjin's plan."""
    gaps, pop, reg = model
    d = demand_table(gaps[gaps.region_code != "320100"], pop, reg, ["320100", "320102", "120102"],
                     year=2025).set_index("region_code")
    assert math.isnan(d.loc["320100", "demand_elderly_beds"]) and d.loc["320100", "counties_elderly_beds"] == 0
    assert "无每千名老年人床位数标准" in d.loc["320102", "reason_elderly_beds"]
    assert "无每千名老年人床位数标准" in d.loc["320100", "reason_elderly_beds"]  # its counties' reason
    assert d.loc["120102", "demand_elderly_beds"] == _demand(gaps, "120102", "elderly_beds", 2025) > 0
    assert d.loc["120102", "demand_per_1000_elderly_beds"] == 30.0  # 3 % of the elderly
    v = region_value_table(reg[reg.region_code == "320102"].merge(d.reset_index(), on="region_code"),
                           "demand_elderly_beds")
    assert math.isnan(v["value"].iloc[0]) and "无每千名老年人床位数标准" in v["reason"].iloc[0]
