"""The batched model method (children of one driver derived together) gives exactly what one region at a time
gives, in one process or spread over worker processes; and the helpers that made it fast keep their results."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import synth
from forecasting.demography import ShareDrift, share_frame, share_frames
from forecasting.inputs import Inputs, records
from forecasting.method_model import model_paths_many
from forecasting.projector import Projector
from forecasting.results import YearFrame, repeated_strings, table
from models.store.database import Database
from models.store.facts import regions


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A small SYNTHETIC national file: 31 provinces, their cities and 120 counties (bench/synth.py)."""
    path = tmp_path_factory.mktemp("synth") / "national.duckdb"
    synth.build(path, synth.Spec(counties=400, cities=40, provinces=31), force=True)
    return Database(path)


def paths_of(mp) -> dict:
    out = {f"population/{b}": p for b, p in mp.population.items()}
    out.update({k: getattr(mp, k) for k in ("elderly", "elderly65", "birth_rate", "infants")
                if getattr(mp, k) is not None})
    return out


def assert_same_paths(a, b, region):
    pa, pb = paths_of(a), paths_of(b)
    assert list(pa) == list(pb), region
    assert a.missing == b.missing, region
    for k in pa:
        x, y = pa[k], pb[k]
        assert (x.basis, x.detail, x.inputs) == (y.basis, y.detail, y.inputs), (region, k)
        assert x.data.start == y.data.start, (region, k)
        for c in x.data.cols:
            np.testing.assert_array_equal(x.data.cols[c], y.data.cols[c], err_msg=f"{region} {k} {c}")
        assert [str(v) for v in x.data.kind] == [str(v) for v in y.data.kind], (region, k)


def test_a_batch_gives_exactly_what_each_region_alone_gives(national):
    codes = list(regions(national)["code"])
    loaded = Projector.load(national).inputs
    batch = model_paths_many(Inputs(loaded.facts, loaded.series, loaded.regions), codes, 2035)
    assert sum(mp.elderly is not None for mp in batch.values()) > 300  # the counties are projected, not skipped
    for code in codes[::7]:  # each alone, on inputs that have computed nothing else
        alone = model_paths_many(Inputs(loaded.facts, loaded.series, loaded.regions), [code], 2035)[code]
        assert_same_paths(batch[code], alone, code)


def test_real_regions_batch_equals_one_at_a_time(db):
    loaded = Projector.load(db).inputs
    codes = list(regions(db)["code"])
    batch = model_paths_many(Inputs(loaded.facts, loaded.series, loaded.regions), codes, 2035)
    for code in codes:
        alone = model_paths_many(Inputs(loaded.facts, loaded.series, loaded.regions), [code], 2035)[code]
        assert_same_paths(batch[code], alone, code)
    assert batch["500103"].elderly is not None and batch["500103"].infants is not None


def test_worker_processes_give_the_same_table_as_one_process(national):
    codes = list(regions(national)["code"])
    one = Projector.load(national).project_all(codes, methods=("model",), scenarios=("medium",), workers=1)
    two = Projector.load(national).project_all(codes, methods=("model",), scenarios=("medium",), workers=2)
    assert one["region_code"].nunique() == len(codes) and one["value"].notna().sum() > 0.8 * len(one)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_a_child_that_fails_is_replaced_by_the_caller(national, monkeypatch):
    import os

    from forecasting import results

    caller, real = os.getpid(), results.join_parts

    def fails_in_the_child(parts):
        if os.getpid() != caller:
            raise RuntimeError("the child fails")
        return real(parts)

    monkeypatch.setattr(results, "join_parts", fails_in_the_child)
    codes = list(regions(national)["code"])[:250]
    one = Projector.load(national).project_all(codes, methods=("model",), scenarios=("medium",), workers=1)
    two = Projector.load(national).project_all(codes, methods=("model",), scenarios=("medium",), workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


finite = st.floats(min_value=-0.05, max_value=0.05)
models = st.builds(ShareDrift, anchor_year=st.integers(2015, 2024), anchor_share=st.floats(1e-4, 0.5),
                   drift=finite, how=st.just(""), n_points=st.integers(1, 5), drift_se=st.floats(0, 0.02),
                   resid_sd=st.floats(0, 0.02), rw_sd=st.floats(0, 0.02))


@settings(max_examples=40, deadline=None)
@given(st.lists(models, min_size=1, max_size=6))
def test_share_frames_rows_are_share_frame_of_each_child(ms):
    years = range(2010, 2036)
    v = 1e6 * np.exp(0.01 * np.arange(len(years)))
    parent = YearFrame(2010, {"value": v, "lower_80": v * 0.97, "upper_80": v * 1.03, "lower_95": v * 0.95,
                              "upper_95": v * 1.05}, np.array(["observed"] * 10 + ["forecast"] * 16, dtype=object))
    _, cols = share_frames(parent, ms, range(2018, 2036))
    for row, m in enumerate(ms):
        one = share_frame(parent, m, range(2018, 2036))
        for c, arr in one.cols.items():
            np.testing.assert_array_equal(cols[c][row], arr)
        # the child keeps the parent's share at the anchor and its band widens with the horizon
        after = one.years > m.anchor_year
        width = np.log(one.cols["upper_80"][after] / one.cols["value"][after])
        assert np.all(np.diff(width) >= -1e-12)


def test_records_are_to_dict_records_value_for_value():
    df = pd.DataFrame({"a": ["x", None, "z"], "b": [1.0, np.nan, 3.5], "y": pd.array([2020, None, 2022],
                                                                                     dtype="Int64")})
    got, want = records(df), df.to_dict("records")
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert list(g) == list(w)
        for k in g:
            assert type(g[k]) is type(w[k]) and (g[k] == w[k] or (g[k] != g[k] and w[k] != w[k]) or
                                                  (g[k] is pd.NA and w[k] is pd.NA))


def test_repeated_strings_equal_the_plain_repeat_and_keep_missing():
    vals, counts = ["a", "bb", "a", "ccc"], [2, 0, 3, 1]
    got = pd.Series(repeated_strings(vals, counts))
    assert got.tolist() == ["a", "a", "a", "a", "a", "ccc"] and str(got.dtype) == "str"
    mixed = pd.Series(repeated_strings(["a", None], [1, 2]))
    assert mixed.iloc[0] == "a" and mixed.iloc[1:].isna().all()


def test_table_of_parts_has_one_row_per_year_and_the_texts_of_its_part():
    part = {"n": 2, "region_code": "120101", "indicator": "elderly_60plus", "year": np.array([2020, 2021]),
            "method": "model", "scenario": "medium", "value": np.array([1.0, 2.0]),
            **{c: np.array([np.nan, np.nan]) for c in ("lower_80", "upper_80", "lower_95", "upper_95")},
            "basis": "常住", "note": np.array(["a", "b"], dtype=object), "method_detail": "d" * 600, "inputs": "i"}
    t = table([part, {**part, "region_code": "120103"}])
    assert t["region_code"].tolist() == ["120101", "120101", "120103", "120103"]
    assert (t["method_detail"].str.len() == 600).all() and t["note"].tolist() == ["a", "b", "a", "b"]
    # the long texts are stored once each (categorical), shown and written as the same text on every row
    assert t["method_detail"].dtype == "category" and len(t["method_detail"].cat.categories) == 1
    assert t["inputs"].astype(str).tolist() == ["i"] * 4 and t.to_csv(index=False).count("d" * 600) == 4
