"""The region registry (models/regions/registry.py): every 2020 census unit with level, parents, 2010 match and its
reconciliation with GB/T 2260 and data/regions.csv; the committed reports are what the code computes."""
import pandas as pd
import pytest

from models.core.paths import CENSUS
from models.intake import sources
from models.regions import census, registry
from models.store import census as stored


@pytest.fixture(scope="module")
def reg():
    return registry.build().set_index("region_code", drop=False)


def test_every_unit_has_a_code_name_level_and_parents(reg):
    assert list(reg.columns) == registry.REGISTRY_COLUMNS
    assert reg["region_code"].is_unique and (reg["region_code"].str.fullmatch(r"\d{6}")).all()
    assert (reg["region_name"] != "").all()
    assert reg["level"].value_counts().to_dict() == {"county": 2985, "city": 338, "province": 31, "country": 1}
    below = reg[reg["level"] != "country"]
    assert below["parent_code"].isin(reg["region_code"]).all()
    assert below["province_code"].isin(reg.loc[reg["level"] == "province", "region_code"]).all()
    counties = reg[reg["level"] == "county"]
    with_pref = counties[counties["prefecture_code"] != ""]
    assert (reg.loc[with_pref["prefecture_code"], "level"] == "city").all()
    direct = counties[counties["prefecture_code"] == ""]  # 济源; Hubei's 4, Hainan's 15, Xinjiang's 10 省直辖
    assert direct["province_code"].value_counts().to_dict() == {"460000": 15, "650000": 10, "420000": 4,
                                                                 "410000": 1}


def test_the_plan_and_reference_regions_keep_their_codes_names_and_roles(reg):
    listed = sources.read_regions().set_index("code")
    assert set(listed.index) <= set(reg.index)
    for code, row in listed.iterrows():
        assert reg.loc[code, "region_name"] == row["name_zh"], code
        assert reg.loc[code, "role"] == row["role"], code
        if row["parent_code"]:
            assert reg.loc[code, "parent_code"] == row["parent_code"], code
    assert reg.loc["500103", "name_en"] == "Yuzhong District"
    assert reg.loc["100000", "region_name"] == "中国" and "全国" in reg.loc["100000", "note"]


def test_development_zones_stay_units_with_a_note(reg):
    zones = reg[reg["note"].str.contains("开发区等功能区")]
    assert len(zones) >= 130  # 95 coded xxxx7x + 42 synthetic, and more named as zones
    assert zones["county_tier"].all()
    assert {"苏州工业园区", "山西转型综合改革示范区", "石家庄高新技术产业开发区"} <= set(zones["region_name"])


def test_county_tier_sums_to_provinces_and_the_census_total(reg):
    figures = census.units(2020).set_index("region_code")["total"]
    tier = reg[reg["county_tier"]]
    assert len(tier) == 2989
    assert int(figures[tier.index].sum()) == 1_409_778_724
    by_province = figures[tier.index].groupby(tier["province_code"]).sum()
    provinces = figures[reg.index[reg["level"] == "province"]]
    assert by_province.sort_index().equals(provinces.sort_index())
    assert by_province["500000"] == 32_054_159  # 重庆
    assert by_province["440000"] == 126_012_510  # 广东 includes 东莞 and 中山 (no counties below them)
    pref = reg[reg["prefecture_tier"]]
    assert len(pref) == 368  # 338 prefecture rows + 30 county-level units directly under a province
    by_province = figures[pref.index].groupby(pref["province_code"]).sum()
    assert by_province.sort_index().equals(provinces.sort_index())
    assert {"419001", "429004", "469001", "659001", "441900", "500100", "500200"} <= set(pref.index)
    assert int(figures[pref.index].sum()) == 1_409_778_724


def test_2010_matching_by_code_then_name_within_the_prefecture(reg):
    tier = reg[reg["county_tier"]]
    assert tier["match_2010"].value_counts().to_dict() == {"code": 2525, "unmatched": 313, "name_stem": 139,
                                                             "name": 12}
    assert tuple(reg.loc["500103", ["code_2010", "match_2010"]]) == ("500103", "code")
    # 静海县 (120223) became 静海区 (120118): same name stem within Tianjin
    assert tuple(reg.loc["120118", ["code_2010", "match_2010"]]) == ("120223", "name_stem")
    assert "静海县" in reg.loc["120118", "note"]
    # a zone without a code in either file is matched by its name only, never by a synthetic code
    synthetic = tier[tier["region_code"].str[4] == "9"]
    assert (synthetic["match_2010"] != "code").all()
    matched = tier[tier["match_2010"].isin(["code", "name", "name_stem"])]
    assert matched["code_2010"].is_unique  # one 2010 unit never stands for two 2020 units
    then = census.units(2010).set_index("region_code")
    assert matched["code_2010"].isin(then.index).all()
    named = matched[matched["match_2010"] == "name"]
    assert (then.loc[named["code_2010"], "region_name"].to_numpy() == named["region_name"].to_numpy()).all()


def test_name_stem_only_strips_the_type_word():
    assert registry.name_stem("静海县") == "静海" and registry.name_stem("静海区") == "静海"
    assert registry.name_stem("忠县") == "忠县"  # two characters: nothing left to compare
    assert registry.name_stem("苏州工业园区") == "苏州工业园"


def test_gbt2260_reconciliation(reg):
    assert reg["gbt2260"].value_counts().to_dict() == {"same": 3181, "absent": 162, "renamed": 12}
    assert reg.loc["500103", "gbt2260"] == "same"
    missing = registry.gbt2260_report()
    assert {"133100", "330113", "500157"} <= set(missing["code"])  # 雄安新区, 临平区, 两江新区 (after 2020)


def test_committed_reports_are_what_the_code_computes():
    for name, frame in (("unmatched_2010_2020.csv", registry.unmatched_report()),
                        ("gbt2260_not_in_census.csv", registry.gbt2260_report())):
        committed = pd.read_csv(CENSUS / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert committed.equals(frame.astype(str)), name
    unmatched = registry.unmatched_report()
    assert unmatched.groupby("census_year").size().to_dict() == {2010: 193, 2020: 313}


def test_registry_table_in_the_database(db):
    stored_reg = stored.registry(db)
    assert len(stored_reg) == 3355 and stored_reg["county_tier"].dtype == bool
    assert stored_reg.set_index("region_code").loc["130981", "region_name"] == "泊头市"
    pd.testing.assert_frame_equal(stored_reg.reset_index(drop=True), registry.build(), check_dtype=False)


def test_region_names_come_from_the_registry_for_every_census_region(db):
    from models.store.facts import region_name

    assert region_name("500103", "en", db) == "Yuzhong District"  # data/regions.csv
    assert region_name("610902", "zh", db) == "汉滨区"  # 安康市's district: only the census registry knows it
    assert region_name("610902", "en", db) == "汉滨区"  # no English name: the Chinese one
    assert region_name("999999", "zh", db) == "999999"
