"""Single years from census age groups (forecasting/census/split.py): national cohort weights, never uniform."""
import numpy as np
import pandas as pd
import pytest

from forecasting.census.split import AGE_GROUPS, cohort_weights, group_bounds, split_single_years
from tests.census_data import census_groups

# Chongqing's published year-end 2022 60+ (7,121,100) and the check in ../shared/ENGINEERING.md / issue 20
CQ_2022_60PLUS = 7_121_100


def _groups(region: str, values: dict[str, int], sex: str = "male") -> pd.DataFrame:
    return pd.DataFrame({"region_code": region, "sex": sex, "age_group": list(values), "persons": list(values.values())})


def test_group_sums_preserved_exactly_and_ages_complete():
    vals = {g: 1000 + 37 * i for i, g in enumerate(AGE_GROUPS)}
    vals["55-59"] = 2_358_772
    vals["1-4"] = 7
    frame = pd.concat([_groups("A", vals), _groups("A", vals, "female"), _groups("B", {"85+": 13, "0": 5})])
    out = split_single_years(frame, census_year=2020)
    assert list(out.columns) == ["region_code", "sex", "age", "persons"]
    assert len(out) == 3 * 101 and out["persons"].dtype == np.int64
    for (region, sex), part in out.groupby(["region_code", "sex"]):
        src = frame[(frame.region_code == region) & (frame.sex == sex)].set_index("age_group")["persons"]
        for g in AGE_GROUPS:
            lo, hi = group_bounds(g)
            assert part[(part.age >= lo) & (part.age <= hi)]["persons"].sum() == src.get(g, 0), (region, sex, g)


def test_weights_follow_the_cohorts_not_a_uniform_split():
    w = cohort_weights(2020, "male")
    # age 59 on 1 Nov 2020 is mostly the 1961 cohort (16.9 M births), 58 the 1962 one (26.8 M), 57 1963 (33.5 M)
    assert w[59] < 0.75 * w[58] < 0.75 * w[57]
    share = w[55:60] / w[55:60].sum()
    assert share[4] == pytest.approx(0.12, abs=0.01) and share[3] == pytest.approx(0.18, abs=0.01)
    # 85+ falls with age (survival) and the open 100+ is small but positive
    assert np.all(np.diff(w[85:100]) < 0) and 0 < w[100] < w[99]
    # a census of 2010 reads the 1951 cohort at 59
    w10 = cohort_weights(2010, "female")
    assert w10[50] > 0 and w10.shape == (101,)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown age groups"):
        split_single_years(_groups("A", {"60-65": 3}), census_year=2020)
    with pytest.raises(ValueError, match="≥ 0"):
        split_single_years(_groups("A", {"0": -1}), census_year=2020)
    with pytest.raises(ValueError, match="twice"):
        split_single_years(pd.concat([_groups("A", {"0": 1}), _groups("A", {"0": 1})]), census_year=2020)


def _cq_2022(single: pd.Series, death_rate: float) -> float:
    """60+ at the end of 2022 from single ages on 1 Nov 2020: everyone aged ≥ 57 10/12 then (ages 58+ and 2/12 of
    57), survived 2 2/12 years at a flat yearly death rate (the ENGINEERING.md check, no migration)."""
    return (single.loc[58:].sum() + single.loc[57] * 2 / 12) * np.exp(-death_rate * (2 + 2 / 12))


def test_chongqing_2022_60plus_cohort_split_against_uniform():
    groups = census_groups(2020, ["500000"])
    single = split_single_years(groups, census_year=2020).groupby("age")["persons"].sum()
    assert single.loc[60:].sum() == 7_010_440  # the census 60+ (重庆 21.87 %), preserved by the split
    g5559 = groups[groups.age_group == "55-59"]["persons"].sum()
    assert g5559 == 2_358_772
    weighted = [_cq_2022(single, d) / CQ_2022_60PLUS - 1 for d in (0.020, 0.028)]
    uniform_single = single.astype(float)
    uniform_single.loc[55:59] = g5559 / 5
    uniform = [_cq_2022(uniform_single, d) / CQ_2022_60PLUS - 1 for d in (0.020, 0.028)]
    # measured: weighted +5.1 % / +3.3 %, uniform +8.0 % / +6.2 % (ENGINEERING.md: "about +7 %"): the weights remove
    # ~3 points;
    # ENGINEERING.md's −0.2…+1.4 % is NOT reproduced by the split alone (see the cohort-component test)
    assert weighted[0] == pytest.approx(0.051, abs=0.004) and weighted[1] == pytest.approx(0.033, abs=0.004)
    assert uniform[0] == pytest.approx(0.080, abs=0.004) and uniform[1] == pytest.approx(0.062, abs=0.004)
