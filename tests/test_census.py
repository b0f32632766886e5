"""The 2020 and 2010 censuses by county, sex and age group (models/regions/census.py, data/reference/census/).

Figures checked against the census bulletins (quoted in data/reference/census/README.md): national 65+ 190,635,280
(the bulletin's figure), 60+ 264,018,218 from the groups (bulletin 264,018,766), 渝中区 588,717, 重庆 60+ 21.87 %."""
import pandas as pd
import pytest

from models.regions import census
from models.store import census as stored


@pytest.fixture(scope="module")
def units2020():
    return census.units(2020)


def _sum_from(frame, lo):
    groups = [g for g in census.AGE_GROUPS if census.age_bounds(g)[0] >= lo]
    return frame[[f"{s}_{g}" for g in groups for s in "mf"]].sum(axis=1)


def test_national_elderly_from_the_age_groups(units2020):
    nation = units2020[units2020["region_code"] == census.NATION].iloc[0]
    assert nation["total"] == 1_409_778_724
    assert int(_sum_from(units2020[units2020["region_code"] == "100000"], 60).iat[0]) == 264_018_218
    assert int(_sum_from(units2020[units2020["region_code"] == "100000"], 65).iat[0]) == 190_635_280


def test_provinces_sum_to_the_census_total_in_both_years():
    for year in census.YEARS:
        u = census.units(year)
        assert int(u.loc[u["level"] == "province", "total"].sum()) == census.CENSUS_TOTAL[year]
        assert (u["level"] == "province").sum() == 31


def test_county_tier_units_sum_exactly_to_each_province_and_the_nation():
    for year in census.YEARS:
        u = census.units(year)
        tier = u[census.county_tier(u)]
        by_province = tier.groupby("province_code")["total"].sum()
        provinces = u[u["level"] == "province"].set_index("region_code")["total"]
        assert (by_province.reindex(provinces.index) == provinces).all(), year
        assert int(tier["total"].sum()) == census.CENSUS_TOTAL[year]
    # every age group too (2020; in 2010 the county rows of 建昌县 and 石鼓区 carry the source's errors)
    u = census.units(2020)
    tier = u[census.county_tier(u)]
    for col in census.AGE_COLUMNS:
        by_province = tier.groupby("province_code")[col].sum()
        provinces = u[u["level"] == "province"].set_index("region_code")[col]
        assert (by_province.reindex(provinces.index) == provinces).all(), col


def test_age_groups_add_up_to_the_total_except_the_two_known_2010_errors(units2020):
    assert (units2020[list(census.AGE_COLUMNS)].sum(axis=1) == units2020["total"]).all()
    u10 = census.units(2010)
    off = u10[u10[list(census.AGE_COLUMNS)].sum(axis=1) != u10["total"]]
    assert dict(zip(off["region_name"], off[list(census.AGE_COLUMNS)].sum(axis=1) - off["total"])) == {
        "建昌县": 30_000, "石鼓区": -6}
    assert "+30,000" in off.set_index("region_name").loc["建昌县", "note"]


def test_units_and_parents_2020(units2020):
    u = units2020.set_index("region_code")
    assert u.loc["500103", "region_name"] == "渝中区" and u.loc["500103", "total"] == 588_717
    assert tuple(u.loc["500103", ["parent_code", "province_code", "prefecture_code"]]) == ("500000", "500000",
                                                                                             "500100")
    assert u.loc["500100", "region_name"] == "重庆市市辖区"
    assert u.loc["120101", "total"] == 355_000  # bulletin 35.5万
    assert tuple(u.loc["130981", ["parent_code", "prefecture_code"]]) == ("130900", "130900")  # 泊头 under 沧州
    assert tuple(u.loc["419001", ["parent_code", "prefecture_code"]]) == ("410000", "")  # 济源: directly
    assert tuple(u.loc["429004", ["parent_code", "prefecture_code"]]) == ("420000", "")  # 仙桃: 省直辖
    # 170971 五台山风景名胜区: printed with a code whose prefix is not Shanxi's; kept, placed by its row, noted
    assert tuple(u.loc["170971", ["province_code", "prefecture_code"]]) == ("140000", "140900")
    assert "不符" in u.loc["170971", "note"]
    counts = units2020["level"].value_counts().to_dict()
    assert counts == {"country": 1, "province": 31, "city": 338, "county": 2985}


def test_zones_without_a_code_get_the_documented_synthetic_codes(units2020):
    synthetic = units2020[units2020["note"].str.contains("合成代码")]
    assert len(synthetic) == 42  # 45 code-less rows minus 全国 and the three 直辖县级 subtotals
    u = units2020.set_index("region_code")
    assert u.loc["140191", "region_name"] == "山西转型综合改革示范区" and u.loc["140191", "total"] == 258_826
    assert u.loc["220293", "region_name"] == "吉林中国新加坡食品区"  # the third code-less row under 吉林市
    assert u.loc["460391", "region_name"] == "西沙群岛" and u.loc["460391", "parent_code"] == "460300"
    assert (synthetic["region_code"].str[4] == "9").all()
    u10 = census.units(2010).set_index("region_code")
    assert u10.loc["232795", "region_name"] == "加格达奇"  # 2010 positions start at 5: codes never shared
    assert not set(synthetic["region_code"]) & set(u10.index)


def test_prefecture_cities_without_counties_stand_in_the_county_tier(units2020):
    tier = units2020[census.county_tier(units2020) & (units2020["level"] == "city")]
    assert set(tier["region_name"]) == {"东莞市", "中山市", "儋州市", "嘉峪关市"}


def test_long_table_contract():
    long = census.read_census(2020)
    assert list(long.columns) == ["region_code", "region_name", "census_year", "sex", "age_group", "age_lo",
                                  "age_hi", "persons"]
    assert len(long) == 3355 * 2 * 19
    yz = long[long["region_code"] == "500103"]
    assert yz["persons"].sum() == 588_717
    assert list(yz["age_group"].iloc[:19]) == list(census.AGE_GROUPS) and set(yz["sex"]) == {"male", "female"}
    last = yz[yz["age_group"] == "85+"].iloc[0]
    assert last["age_lo"] == 85 and pd.isna(last["age_hi"])
    assert tuple(yz[yz["age_group"] == "1-4"].iloc[0][["age_lo", "age_hi"]]) == (1, 4)
    cq = long[long["region_code"] == "500000"]
    assert round(100 * cq.loc[cq["age_lo"] >= 60, "persons"].sum() / cq["persons"].sum(), 2) == 21.87
    assert round(100 * cq.loc[cq["age_lo"] >= 65, "persons"].sum() / cq["persons"].sum(), 2) == 17.08


def test_bad_year_is_refused():
    with pytest.raises(ValueError, match="普查年份"):
        census.read_census(2015)


def test_database_tables_hold_both_censuses(db):
    persons = stored.census_persons(db, year=2020, codes=["500103"])
    assert persons["persons"].sum() == 588_717 and set(persons["census_year"]) == {2020}
    both = stored.census_persons(db, codes="110101")
    assert sorted(both.groupby("census_year")["persons"].sum().to_dict().items()) == [(2010, 573_180),
                                                                                       (2020, 708_829)]
    figures = stored.census_figures(db).set_index("region_code")
    assert figures.loc["100000", "elderly_60plus"] == 264_018_218
    assert figures.loc["100000", "elderly_65plus"] == 190_635_280
    assert figures.loc["500103", "population"] == 588_717
    assert round(100 * figures.loc["500000", "elderly_60plus"] / figures.loc["500000", "population"], 2) == 21.87
    nation10 = stored.census_figures(db, year=2010).set_index("region_code").loc["100000", "population"]
    assert nation10 == 1_332_810_869


@pytest.mark.parametrize("year", census.YEARS)
def test_the_derived_copy_equals_the_workbook(year):
    """The build reads census_county_{year}_ages.csv.gz; it must be the workbook's rows and columns exactly."""
    from_xlsx = census.read_xlsx(year)
    pd.testing.assert_frame_equal(census.raw(year), from_xlsx, check_dtype=False)
