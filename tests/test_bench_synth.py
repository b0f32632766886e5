"""Invariants of the SYNTHETIC national dataset (bench/synth.py). No timings here: speed is `make bench`."""
import numpy as np
import pandas as pd
import pytest

from bench import synth
from forecasting.projection_models import MIN_POINTS
from models.core.paths import DATA


@pytest.fixture(scope="module")
def national():
    return synth.frames(synth.Spec())


def test_national_shape_and_codes_cannot_collide(national):
    reg = national["user_regions"]
    assert reg["level"].value_counts().to_dict() == {"county": 2900, "city": 330, "province": 31}
    assert reg["code"].is_unique and reg["code"].str.fullmatch(r"\d{6}").all()
    assert not set(reg["code"].str[:2].astype(int)) & synth.REAL_PREFIXES  # never a GB/T 2260 province
    real = set(pd.read_csv(DATA / "regions.csv", dtype=str)["code"])
    assert not set(reg["code"]) & real
    assert reg["name_zh"].str.startswith("合成").all() and reg["name_en"].str.startswith("SYNTHETIC").all()


def test_hierarchy_is_consistent(national):
    reg = national["user_regions"].set_index("code")
    parent_level = reg.loc[reg["parent_code"] != "", "parent_code"].map(reg["level"])
    child_level = reg.loc[parent_level.index, "level"]
    assert ((child_level == "county") == (parent_level == "city")).all()
    assert ((child_level == "city") == (parent_level == "province")).all()
    assert (reg.loc[reg["level"] == "province", "parent_code"] == "").all()


def test_every_figure_is_labelled_synthetic(national):
    f, s = national["user_facts"], national["user_series"]
    assert (f["source"] == "SYNTHETIC").all() and (f["quote"] == "synthetic (bench/synth.py)").all()
    assert (s["source"] == "SYNTHETIC").all()
    assert f["fact_id"].is_unique and f["fact_id"].str.startswith("SYN-").all()
    assert f["value"].notna().all() and (f["value"] > 0).all()


def test_deterministic_for_a_seed():
    a, b = synth.frames(synth.Spec.scaled(50)), synth.frames(synth.Spec.scaled(50))
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k])
    c = synth.frames(synth.Spec.scaled(50, seed=1))
    assert not a["user_facts"]["value"].equals(c["user_facts"]["value"])


def test_ratios_near_the_real_national_ones(national):
    f = national["user_facts"]

    def v(ind, year):
        return f[(f["indicator"] == ind) & (f["year"] == year)].set_index("region_code")["value"]

    pop, eld = v("population_resident", 2020), v("elderly_60plus", 2020)
    assert eld.sum() / pop.sum() * 100 == pytest.approx(synth.AGING_RATE, abs=1.0)
    assert v("elderly_beds", 2022).sum() / eld.sum() * 1000 == pytest.approx(synth.BEDS_PER_1000_ELDERLY, rel=0.1)
    assert v("childcare_places", 2022).sum() / pop.sum() * 1000 == pytest.approx(synth.PLACES_PER_1000, rel=0.1)
    assert np.average(v("birth_rate", 2023), weights=pop) == pytest.approx(synth.BIRTH_RATE, abs=0.3)
    assert 1.3e9 < pop.sum() < 1.5e9  # about China's population


def test_history_long_enough_for_a_fit(national):
    s, reg = national["user_series"], national["user_regions"]
    provinces = set(reg.loc[reg["level"] == "province", "code"])
    n = s.groupby(["region_code", "indicator"]).size()
    for ind in ("population_resident", "elderly_60plus", "birth_rate"):
        assert {c for (c, i), k in n.items() if i == ind and k >= MIN_POINTS} >= provinces
    counties = {c for c, i in n.index if c not in provinces}
    assert len(counties) >= 0.09 * 2900  # one county in ten has its own yearly population


def test_small_build_gives_real_gaps(tmp_path):
    """A separate file: the synthetic counties get demand, supply and gap from their own standards."""
    from models.planning.gaps import plan_gaps
    from models.store.database import Database
    from models.store.facts import all_facts

    db = Database(tmp_path / "national.duckdb")
    out = synth.build(db.path, synth.Spec.scaled(12))
    assert out["user_regions"] > 12 and not out["reused"]
    assert synth.build(db.path, synth.Spec.scaled(12))["reused"]
    g = plan_gaps(db, years=[2025], explain=False)
    syn = g[g["region_code"].str[:2].astype(int) >= 66]
    assert syn["region_code"].nunique() == 12
    assert syn[["demand", "supply", "gap", "target"]].notna().all().all()
    beds = syn[syn["service"] == "elderly_beds"]
    assert (beds["method_code"] == "per_1000").all()
    assert (all_facts(db, region="120000")["source"] != "SYNTHETIC").all()  # real regions untouched


def test_real_supply_on_the_real_counties(tmp_path):
    """build_real: the real database (every census county) plus SYNTHETIC supply only, for the county-tier units
    without figures of their own; the plan regions keep exactly their real facts (渝中 unchanged)."""
    from forecasting.region_table import region_table
    from models.store.database import Database
    from models.store.facts import all_facts

    path = tmp_path / "national.duckdb"
    out = synth.build_real(path)
    db = Database(path)
    facts = all_facts(db)
    syn = facts[facts["source"] == synth.SOURCE]
    real = facts[facts["source"] != synth.SOURCE]
    assert len(syn) == out["user_facts"] == 3 * out["units"]
    assert set(syn["indicator"]) == {"elderly_beds", "nursing_beds", "childcare_places"}  # supply only
    assert set(syn["kind"]) == {"observed"} and set(syn["year"]) == {2022}
    assert (syn["quote"] == synth.QUOTE).all() and syn["note"].str.contains("SYNTHETIC").all()
    assert not set(syn["region_code"]) & set(real["region_code"])  # never on a region with real figures
    assert "500103" in set(real["region_code"]) and "500103" not in set(syn["region_code"])
    county = region_table(db, level="county")
    assert out["units"] >= 2800 and set(syn["region_code"]) <= set(county["region_code"])
    # drawn around the national ratios from each county's REAL census 60+ (31.4 beds per 1000 elderly)
    beds = syn[syn["indicator"] == "elderly_beds"].set_index("region_code")["value"]
    e60 = county.set_index("region_code")["elderly_60plus_2020"].reindex(beds.index)
    ratio = beds.sum() / e60.sum() * 1000
    assert 25 < ratio < 40
    nursing = syn[syn["indicator"] == "nursing_beds"].set_index("region_code")["value"].reindex(beds.index)
    assert (nursing <= beds).all()
