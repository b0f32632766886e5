"""`python -m forecasting regions`: every region with its 2020 census figures (forecasting/region_table.py)."""
import pandas as pd
import pytest

from forecasting.cli import main
from forecasting.region_table import COLUMNS, region_table
from models.core.messages import MessageError
from models.store import census as stored


def _read(path):
    return pd.read_csv(path, dtype={c: str for c in ("region_code", "parent_code", "province_code",
                                                     "prefecture_code", "code_2010")},
                       keep_default_na=False, na_values={"infants_0_3_2020": [""]}, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def county_csv(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("regions") / "r.csv"
    assert main(["regions", "--level", "county", "--out", str(out)]) == 0
    return _read(out)


def test_county_listing_covers_the_country_and_sums_to_the_census_total(county_csv):
    assert list(county_csv.columns[:len(COLUMNS)]) == COLUMNS
    with_60 = county_csv[county_csv["elderly_60plus_2020"] > 0]
    assert len(with_60) >= 2800 and len(county_csv) == 2989
    assert county_csv["population_2020"].sum() == 1_409_778_724
    assert county_csv["elderly_60plus_2020"].sum() == 264_018_218
    assert county_csv["elderly_65plus_2020"].sum() == 190_635_280
    assert county_csv["county_tier"].astype(str).eq("True").all()
    assert (county_csv["level"] == "county").all()  # the four cities without counties read 'county' with a note
    assert set(county_csv.loc[county_csv["note"].fillna("").str.contains("地级市，不设县级单位"), "region_name"]) == {
        "东莞市", "中山市", "儋州市", "嘉峪关市"}


def test_yuzhong_and_chongqing(db):
    cq = region_table(db, province="500000").set_index("region_code")
    assert cq.loc["500103", "population_2020"] == 588_717
    assert cq.loc["500103", "region_name"] == "渝中区" and cq.loc["500103", "parent_code"] == "500000"
    assert cq.loc["500000", "share_60plus_2020"] == 21.87
    counties = cq[cq["county_tier"]]
    assert counties["population_2020"].sum() == cq.loc["500000", "population_2020"] == 32_054_159
    assert counties["elderly_80plus_2020"].sum() == cq.loc["500000", "elderly_80plus_2020"]
    assert set(cq["province_code"]) == {"500000"}


def test_infants_0_3_are_age_0_plus_a_cohort_weighted_share_of_ages_1_to_4(db):
    table = region_table(db, level="province").set_index("region_code")
    figures = stored.census_figures(db).set_index("region_code")
    for code in ("500000", "440000", "110000"):
        age0, one_to_four = figures.loc[code, "age_0"], figures.loc[code, "age_1_4"]
        share = (table.loc[code, "infants_0_3_2020"] - age0) / one_to_four
        # births fell from 17.9 M (2016) to 14.7 M (2019): ages 1–2 are fewer than half of ages 1–4, not 0.5
        assert 0.40 < share < 0.49, code
    nation = region_table(db, level=None).set_index("region_code").loc["100000"]
    assert nation["infants_0_3_2020"] == 42_058_394
    assert "拆分" in nation["source"] and "Lei Dong" in nation["source"]
    # each region's own groups are split: the provinces add up to the nation within rounding
    assert abs(int(table["infants_0_3_2020"].sum()) - 42_058_394) <= 31


def test_levels_and_province_filter(db):
    provinces = region_table(db, level="province")
    assert len(provinces) == 31 and provinces["population_2020"].sum() == 1_409_778_724
    prefectures = region_table(db, level="city")
    assert len(prefectures) == 368 and prefectures["population_2020"].sum() == 1_409_778_724
    assert "419001" in set(prefectures["region_code"])  # 济源, directly under Henan
    cities = region_table(db, level="city", province="440000")
    assert cities["population_2020"].sum() == 126_012_510  # 广东's 21 prefectures, 东莞 and 中山 included
    assert len(cities) == 21


def test_bad_input_says_so_and_exits_2(db, capsys):
    assert main(["regions", "--level", "town"]) == 2
    assert "未知层级 town" in capsys.readouterr().err
    assert main(["regions", "--province", "500103"]) == 2
    err = capsys.readouterr().err
    assert "未知省级代码 500103" in err and "unknown province code" in err
    with pytest.raises(MessageError):
        region_table(db, province="990000")


def test_rows_of_level_county_are_the_county_tier_and_add_up_to_the_census(db):
    """The issue's check reads the plain output: the rows of level 'county' are the 2,989 county-tier units (the
    prefecture-level cities without counties, 东莞 among them, count as county-level units) and sum to the census
    total; --level city keeps 东莞 as a city of the prefecture tier."""
    from forecasting.region_table import region_table

    full = region_table(db)
    county = full[full["level"] == "county"]
    assert len(county) == 2989 and county["elderly_60plus_2020"].notna().all()
    assert int(county["population_2020"].sum()) == 1_409_778_724
    assert full.loc[full["region_code"] == "441900", "level"].item() == "county"
    city = region_table(db, level="city")
    assert city.loc[city["region_code"] == "441900", "level"].item() == "city"
    assert int(city["population_2020"].sum()) == 1_409_778_724
