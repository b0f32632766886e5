"""The region chooser's pure parts (ui/region_picker.py) on the real registry: labels, search, the three boxes."""
import pytest

from models.store.census import choosable_regions
from ui import region_picker as rp


@pytest.fixture(scope="module")
def regions(db):
    return choosable_regions(db)


def test_labels_carry_name_and_code(regions):
    yz = regions.set_index("region_code", drop=False).loc["500103"]
    assert rp.label(yz, "zh") == "渝中区 (500103)"
    assert rp.label(yz, "en") == "Yuzhong District (500103)"
    wz = regions.set_index("region_code", drop=False).loc["500101"]
    assert rp.label(wz, "en") == "万州区 (500101)"  # no English name in the registry: the Chinese one


def test_search_by_name_code_and_english(regions):
    assert rp.search(regions, "渝中")["region_code"].tolist() == ["500103"]
    assert rp.search(regions, "500103")["region_code"].iloc[0] == "500103"
    assert set(rp.search(regions, "5001", limit=100)["region_code"]) >= {"500100", "500101", "500103", "500156"}
    assert rp.search(regions, "yuzhong")["region_code"].tolist() == ["500103"]
    assert rp.search(regions, "朝阳区")["region_code"].tolist() == ["110105", "220104"]  # 北京, 长春
    assert len(rp.search(regions, "区")) == rp.SEARCH_LIMIT
    assert rp.search(regions, "  ").empty and rp.search(regions, "不存在的地方").empty


def test_province_prefecture_county_boxes(regions):
    assert len(rp.provinces(regions)) == 31
    cq = rp.prefectures(regions, "500000")
    assert cq == ["500100", "500200"]
    assert len(rp.counties(regions, "500100")) == 26 and "500103" in rp.counties(regions, "500100")
    henan = rp.prefectures(regions, "410000")
    assert "419001" in henan and henan[0] == "410100"  # 济源 sits in the prefecture tier, directly under Henan
    assert rp.counties(regions, "130900")[-4:] == ["130981", "130982", "130983", "130984"]


def test_restricted_to_allowed_regions_keeps_the_way_there(regions):
    few = rp.restrict(regions, {"130981", "500103"})
    assert set(few["region_code"]) == {"130000", "130900", "130981", "500000", "500100", "500103"}
    assert rp.chosen("500000", "500100", "", {"500103", "500000"}) == "500000"  # 市辖区 itself is not allowed
    assert rp.chosen("500000", "500100", "500103", {"500103"}) == "500103"
    assert rp.chosen("", "", "") is None
