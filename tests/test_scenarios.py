"""Saved scenarios survive a restart (a new Database object / process) and are validated."""
import threading

import pytest

from models.store.database import Database
from models.store.scenarios import delete_scenario, list_scenarios, load_scenario, save_scenario


def test_saved_scenario_survives_restart(fresh_db):
    save_scenario("高增长", "500103", {"elderly_growth": 3.5, "year": 2025}, who="planner", db=fresh_db)
    reopened = Database(fresh_db.path)
    assert load_scenario("高增长", db=reopened) == {"elderly_growth": 3.5, "year": 2025}
    assert list(list_scenarios(region="500103", db=reopened)["name"]) == ["高增长"]


def test_save_replaces_and_logs(fresh_db):
    save_scenario("a", "500103", {"x": 1}, db=fresh_db)
    save_scenario("a", "500103", {"x": 2}, db=fresh_db)
    assert load_scenario("a", db=fresh_db) == {"x": 2}
    log = fresh_db.query("SELECT action, old_value, new_value FROM change_log WHERE row_key = 'a' ORDER BY change_id")
    assert list(log["action"]) == ["save", "save"]
    assert log["old_value"].iloc[1] == '{"x": 1}'


@pytest.mark.parametrize("bad", ["", "   ", "x" * 61, "a\x00b"])
def test_bad_names_are_refused_and_nothing_is_written(fresh_db, bad):
    with pytest.raises(ValueError):
        save_scenario(bad, "500103", {}, db=fresh_db)
    assert list_scenarios(db=fresh_db).empty


def test_concurrent_saves_lose_nothing(fresh_db):
    threads = [threading.Thread(target=save_scenario, args=(f"s{i}", "500103", {"i": i}), kwargs={"db": fresh_db})
               for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list_scenarios(db=fresh_db)) == 10
    assert fresh_db.scalar("SELECT count(DISTINCT change_id) FROM change_log") == 10


def test_delete(fresh_db):
    save_scenario("gone", "500103", {}, db=fresh_db)
    delete_scenario("gone", db=fresh_db)
    with pytest.raises(KeyError):
        load_scenario("gone", db=fresh_db)
