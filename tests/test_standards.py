"""Planning standards come from the plans' own words (facts) or a cited source, and are validated."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.planning.standards import RegionStandards, plan_standards, stated_halfwidth, supply_rules
from models.store.facts import all_facts


@pytest.fixture(scope="module")
def standards(db):
    return plan_standards(all_facts(db))


def test_every_standards_row_resolves(standards):
    assert standards.missing == ()


def test_yuzhong_32_beds_per_1000_elderly_is_quoted_from_the_plan(standards):
    # 002: "根据每千名常住老年人拥有32张床位标准"
    yz = standards.for_region("500103")
    assert yz.beds_per_1000_elderly == 32 and yz.effective_bed_method == "per_1000"
    assert yz.source_of("beds_per_1000_elderly").quote == "根据每千名常住老年人拥有32张床位标准"
    assert yz.source_of("beds_per_1000_elderly").fact_id.startswith("YZ-")
    assert yz.elderly_basis == "常住"
    assert (yz.disabled_share, yz.supported_share) == (5, 65)  # 按老年人口总数的5% / 占比65%左右


def test_nursing_shares_by_region(standards):
    # Botou ≥55%, Dongli and Tianjin ≥60%, Heping ≥65%; Yuzhong 2800 of 4000 = 70%
    got = {c: standards.for_region(c).nursing_share for c in ("130981", "120110", "120000", "120101", "500103")}
    assert got == {"130981": 55, "120110": 60, "120000": 60, "120101": 65, "500103": 70}


def test_childcare_4_5_everywhere_and_tianjin_973(standards):
    assert all(standards.for_region(c).places_per_1000 == 4.5 for c in ("500103", "120110", "120101", "130981", "120000"))
    tj = standards.for_region("120000")
    assert tj.effective_bed_method == "institutional" and tj.institutional_share == 3
    assert "3%的老年人入住养老机构养老" in tj.source_of("institutional_share").quote


def test_every_standard_has_a_source(standards):
    for code, s in standards.regions.items():
        for name, prov in s.provenance.items():
            assert prov.source, (code, name)
    rules = supply_rules()
    assert (rules["source"] != "").all() and (rules["quote"] != "").all()


@pytest.mark.parametrize("field,value", [("nursing_share", 120), ("beds_per_1000_elderly", -1),
                                         ("bed_method", "magic"), ("childcare_population_year", 1800),
                                         ("places_per_1000", float("nan"))])
def test_invalid_values_fail_naming_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        RegionStandards(**{field: value})


def test_override_for_all_regions_and_from_json(standards, tmp_path):
    s = standards.override(beds_per_1000_elderly=35)
    assert s.for_region("120000").effective_bed_method == "per_1000"  # setting the norm selects its method
    assert s.for_region("500103").source_of("beds_per_1000_elderly").source == "override"
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"*": {"nursing_share": 50}, "500103": {"nursing_share": 60}}), encoding="utf-8")
    s = standards.with_overrides(f)
    assert s.for_region("500103").nursing_share == 60 and s.for_region("120110").nursing_share == 50
    with pytest.raises(ValueError, match="nursing_share"):
        standards.with_overrides({"nursing_share": 101})
    with pytest.raises(ValueError, match="unknown"):
        standards.with_overrides({"beds_per_100": 3})


def test_stated_precision_follows_the_text():
    assert stated_halfwidth(116300, "其中60岁及以上老年人口11.63万") == pytest.approx(50)
    assert stated_halfwidth(19.76, "老龄化率为19.76%") == pytest.approx(0.005)
    assert stated_halfwidth(5200, "养老服务床位总量（万张）\n\t0.37\n\t0.52") == pytest.approx(50)
    assert stated_halfwidth(2000, "占比35%左右、约2000人", approximate=True) == pytest.approx(500)
    assert stated_halfwidth(2650, "预计2025年托位需求达2650个") == pytest.approx(0.5)


@given(st.floats(0, 100, allow_nan=False))
def test_any_share_between_0_and_100_is_valid(x):
    assert RegionStandards(nursing_share=x).nursing_share == x


def test_the_national_standards_are_read_from_the_policy_file_only(standards):
    """The national 2025 defaults (nursing 55 %, 4.5 places per 1,000) come from data/reference/policy_2025_2030.csv
    with its document, page and quote; data/standards.csv names no national standard of its own (supply rules
    only), and there is no national 2025 beds-per-1,000 standard."""
    import pandas as pd

    from models.core.paths import REFERENCE
    from models.planning.standards import STANDARD_FIELDS, national_standards, standards_rows

    policy = pd.read_csv(REFERENCE / "policy_2025_2030.csv", dtype=str, keep_default_na=False)
    nat = policy[(policy.level == "national") & (policy.kind == "target") & (policy.year == "2025")].set_index(
        "indicator")
    n = national_standards()
    assert (n.nursing_share, n.places_per_1000, n.beds_per_1000_elderly) == (55, 4.5, None)
    assert n.source_of("nursing_share").quote == nat.loc["nursing_bed_share", "quote"]
    assert n.source_of("places_per_1000").quote == nat.loc["places_per_1000", "quote"]
    assert "gov.cn/xinwen/2022-02/25/content_5675683.htm" in n.source_of("nursing_share").source
    assert "《\"十四五\"公共服务规划》" in n.source_of("places_per_1000").source
    assert standards.default.source_of("places_per_1000") == n.source_of("places_per_1000")
    # Tianjin states no childcare standard: the national one, quoted from the policy file
    assert standards.for_region("120000").source_of("places_per_1000").quote == nat.loc["places_per_1000", "quote"]
    rows = standards_rows()
    assert rows[(rows.region_code == "*") & rows.standard.isin(STANDARD_FIELDS)].empty
