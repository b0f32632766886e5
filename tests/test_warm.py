"""ui/warm.py: the start-up warm-up fills ui/cache.py's own entries (a session then reads them), never raises."""
import math

import pytest

from models.store.database import Database


@pytest.fixture
def own_db(tmp_path, monkeypatch):
    monkeypatch.setenv("YLYX_DB", str(tmp_path / "planning.duckdb"))
    db = Database(tmp_path / "planning.duckdb")
    db.ensure_built()
    return db


def test_warm_fills_the_caches_a_session_reads(own_db, capsys, monkeypatch):
    from models.report.overview import COMPARE_YEARS
    from ui import cache, warm

    out = warm.warm("zh", busy=lambda: False)
    # the first steps run again when a later step changed the database file (its identity is the caches' key)
    assert list(out)[:5] == ["imports", "database", "overview", "projections", "method"]
    assert list(out)[5:] in ([], ["database_again", "overview_again"])
    assert all(not math.isnan(v) and v >= 0 for v in out.values())
    err = capsys.readouterr().err
    assert "ylyx-warm: overview " in err and "ylyx-warm: done " in err
    # the entry of the data version a session now reads is the warmed one: computing it again would fail here
    import models.report.overview as report

    monkeypatch.setattr(report, "overview_tables", lambda *a, **k: (_ for _ in ()).throw(AssertionError("cold")))
    first = cache.overview(COMPARE_YEARS[0], "zh")
    assert cache.overview(COMPARE_YEARS[0], "zh") is first and first.codes


def test_a_step_that_changes_the_data_warms_the_first_steps_again(monkeypatch, capsys):
    from ui import warm

    calls, version = [], ["v1"]
    monkeypatch.setattr(warm, "_version", lambda: version[0])
    monkeypatch.setattr(warm, "steps", lambda lang="zh": [
        ("imports", lambda: calls.append("imports"), False), ("overview", lambda: calls.append("overview"), False),
        ("projections", lambda: version.__setitem__(0, "v2"), True)])
    out = warm.warm(busy=lambda: False)
    assert calls == ["imports", "overview", "overview"] and "overview_again" in out
    assert "ylyx-warm: overview again" in capsys.readouterr().err
    calls.clear()
    out = warm.warm(busy=lambda: False)  # the version stays v2 now: nothing again
    assert calls == ["imports", "overview"] and "overview_again" not in out


def test_a_failing_step_is_logged_and_the_rest_still_run(monkeypatch, capsys):
    from ui import warm

    calls = []

    def boom():
        raise RuntimeError("no database")

    monkeypatch.setattr(warm, "steps", lambda lang="zh": [("a", boom, False), ("b", lambda: calls.append("b"), False)])
    out = warm.warm()
    assert math.isnan(out["a"]) and out["b"] >= 0 and calls == ["b"]
    err = capsys.readouterr().err
    assert "ylyx-warm: a failed: RuntimeError: no database" in err and "ylyx-warm: done" in err


def test_warming_can_be_turned_off(monkeypatch):
    from ui import warm

    monkeypatch.setenv("YLYX_WARM", "0")
    assert warm.start() is None


def test_idle_only_steps_are_skipped_while_a_session_is_connected(monkeypatch, capsys):
    from ui import warm

    calls = []
    monkeypatch.setattr(warm, "steps", lambda lang="zh": [("first", lambda: calls.append("first"), False),
                                                          ("later", lambda: calls.append("later"), True)])
    out = warm.warm(busy=lambda: True)
    assert calls == ["first"] and out["later"] is None and out["first"] >= 0
    assert "ylyx-warm: later skipped" in capsys.readouterr().err
    assert warm.warm(busy=lambda: False)["later"] >= 0 and calls == ["first", "first", "later"]


def test_warm_draws_the_cards_the_first_render_draws(own_db, monkeypatch):
    """The overview step computes the cards the page draws first (pages/overview.py): with up to CARD_LIMIT regions,
    every region's card and the focus region's trend; the focus is the page's own default (default_focus)."""
    from models.core.catalogue import SERVICES
    from models.report.overview import CARD_LIMIT, COMPARE_YEARS, default_focus
    from ui import cache, warm

    cards, trends = [], []
    real_card, real_trend = cache.overview_card, cache.overview_trend
    monkeypatch.setattr(cache, "overview_card", lambda *a: cards.append(a) or real_card(*a))
    monkeypatch.setattr(cache, "overview_trend", lambda *a: trends.append(a) or real_trend(*a))
    overview_step = {name: fn for name, fn, _ in warm.steps("zh")}["overview"]
    overview_step()
    ov = cache.overview(COMPARE_YEARS[0], "zh")
    assert 0 < len(ov.codes) <= CARD_LIMIT  # the plan regions of data/
    ordered = list(dict.fromkeys(ov.comparison["region_code"]))
    assert sorted(c[2] for c in cards) == sorted(ordered)
    assert trends == [(COMPARE_YEARS[0], "zh", default_focus(ordered), SERVICES[0])]
    assert default_focus(ordered) == "500103"


def test_default_focus_is_yuzhong_when_offered_else_the_first():
    from models.report.overview import default_focus

    assert default_focus(["120000", "500103"]) == "500103"
    assert default_focus(["120000", "130981"]) == "120000"
    assert default_focus([]) is None
