"""Boundaries of the census regions (models/regions/geo.py: prefectures from the census city file, counties where the
repository has them) and the per-region value map (models/report/charts_map.py value_map)."""
import math

import pandas as pd
import pytest

from models.core.paths import CENSUS
from models.regions import census, geo, registry
from models.report.charts_map import NO_DATA_COLOUR, region_value_table, value_map
from tools.simplify_geo import parse_wkt


def test_prefecture_boundaries_cover_the_prefecture_tier():
    shapes = geo.prefecture_boundaries()
    ids = [f["id"] for f in shapes["features"]]
    assert len(ids) == 369 == len(set(ids))
    reg = registry.build().set_index("region_code")
    inside = [c for c in ids if c in reg.index]
    assert sorted(set(ids) - set(inside)) == ["810000", "820000"]  # Hong Kong, Macao: not in the mainland census
    # the tier partitions the country: 4 municipalities + 333 prefectures + 30 county-level units under a province
    assert reg.loc[inside, "level"].value_counts().to_dict() == {"city": 333, "county": 30, "province": 4}
    totals = census.units(2020).set_index("region_code")["total"]
    assert int(totals[inside].sum()) == 1_409_778_724
    assert len(geo.prefecture_boundaries("130000")["features"]) == 11  # 河北's 11 prefectures


def test_the_city_file_populations_are_the_census_units():
    """The boundary file's own 2020 populations equal the county file's units (so the shapes are those units),
    except for the 17 units the authors redrew."""
    city = pd.read_csv(CENSUS / "census_city_2010-2020_v1.csv", dtype=str, encoding="utf-8-sig")
    city = city[~city["city_code"].isin(["810000", "820000"])]
    assert city["popu_2020"].isna().sum() == 10  # the file gives no figures for Xinjiang's 10 直辖 cities
    city = city[city["popu_2020"].notna()]
    codes = city["city_code"].where(~city["province_code"].isin(["110000", "120000", "310000", "500000"]),
                                    city["province_code"])
    totals = census.units(2020).set_index("region_code")["total"]
    differs = city.loc[city["popu_2020"].astype(int).to_numpy() != totals[codes].to_numpy(), "city"]
    # 340 of 357 agree to the person; 17 were redrawn by the authors (e.g. 西咸新区 between 西安 and 咸阳, 保定
    # without the 雄安 counties): data/geo/README.md lists them. The map colours the census unit of that code.
    assert len(city) == 357 and len(differs) == 17
    assert {"保定市", "西安市", "咸阳市", "深圳市", "汕尾市", "儋州市"} <= set(differs)


def test_county_boundaries_exist_for_tianjin_and_chongqing_only():
    reg = registry.build()
    for province, n in (("120000", 16), ("500000", 38)):
        ids = {f["id"] for f in geo.county_boundaries(province)["features"]}
        tier = set(reg.loc[reg["county_tier"] & (reg["province_code"] == province), "region_code"])
        assert ids == tier and len(ids) == n
    assert geo.county_boundaries("130000") is None and geo.county_boundaries("440000") is None


def test_wkt_polygons_and_multipolygons():
    assert parse_wkt("POLYGON((0 0,1 0,1 1,0 0))") == [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]
    multi = parse_wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5),(5.1 5.1,5.2 5.1,5.2 5.2)))")
    assert len(multi) == 2 and len(multi[1]) == 2 and multi[1][1][-1] == [5.1, 5.1]  # a hole, closed


def test_value_map_colours_by_any_column_and_greys_the_missing():
    shapes = geo.county_boundaries("500000")
    frame = pd.DataFrame({"region_code": ["500103", "500101"], "region_name": ["渝中区", "万州区"],
                          "demand_growth": [12.5, math.nan]})
    table = region_value_table(frame, "demand_growth", unit="percent")
    fig = value_map(table, shapes, title="t", colour_title="c")
    polygons = {tr.meta: tr for tr in fig.data if tr.fill == "toself"}
    assert len(polygons) == 38
    assert polygons["500101"].fillcolor == NO_DATA_COLOUR and polygons["500103"].fillcolor != NO_DATA_COLOUR
    data = next(tr for tr in fig.data if tr.name == "data")
    assert [c[0] for c in data.customdata] == ["500103"] and list(data.marker.color) == [12.5]
    grey = next(tr for tr in fig.data if tr.name == "no data")
    assert "500101" in [c[0] for c in grey.customdata] and "未提供" in grey.hovertemplate
    with pytest.raises(ValueError, match="未知地图指标"):
        region_value_table(frame, "nothing")


def test_census_hover_names_the_source_and_figures():
    frame = pd.DataFrame({"region_code": ["500103"], "region_name": ["渝中区"], "share_60plus_2020": [19.76],
                          "population_2020": [588_717], "elderly_60plus_2020": [116_300],
                          "elderly_80plus_2020": [18_654]})
    hover = region_value_table(frame, "share_60plus_2020").iloc[0]["hover"]
    assert hover.startswith("60岁及以上占比（2020年普查）: 19.8%")
    assert "常住人口（2020年普查）: 58.87万人" in hover and "第七次全国人口普查" in hover
    en = region_value_table(frame, "share_60plus_2020", lang="en").iloc[0]["hover"]
    assert en.startswith("share aged 60+ (2020 census)")


def test_growth_table_from_the_tidy_projection():
    from models.report.charts_map import growth_table

    rows = [("500103", "elderly_60plus", 2025, "model", "medium", 131_700.0),
            ("500103", "elderly_60plus", 2030, "model", "medium", 144_600.0),
            ("500103", "elderly_60plus", 2030, "model", "high", 150_000.0),
            ("500103", "elderly_60plus", 2030, "plan", "medium", 1.0),
            ("120101", "elderly_60plus", 2025, "model", "medium", 100_000.0)]  # no 2030: left out
    proj = pd.DataFrame(rows, columns=["region_code", "indicator", "year", "method", "scenario", "value"])
    g = growth_table(proj, "elderly_60plus")
    assert g["region_code"].tolist() == ["500103"]
    assert g["growth_elderly_60plus"].iat[0] == round(100 * (144_600 / 131_700 - 1), 2) == 9.79
    assert growth_table(proj, "elderly_80plus").empty
    hover = region_value_table(g.assign(region_name="渝中区"), "growth_elderly_60plus").iloc[0]["hover"]
    assert "60岁及以上人口增长 2025→2030: 9.8%" in hover and "13.17万人 → 14.46万人" in hover
    assert "统计模型预测" in hover
