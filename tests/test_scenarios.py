"""Saved scenarios survive a restart (a new Database object / process) and are validated; saving, overwriting and
deleting need an editor account, and every such change is logged under a structured key that revert undoes
(issue 22)."""
import json
import threading

import pytest

from models.store import accounts, userdata
from models.store.database import Database
from models.store.scenarios import delete_scenario, list_scenarios, load_scenario, save_scenario

PW = "Planner-Secret-5"


@pytest.fixture
def sc_db(fresh_db):
    accounts.add_account("planner", PW, role="editor", by="test", db=fresh_db)
    accounts.add_account("reader", PW, role="viewer", by="test", db=fresh_db)
    return fresh_db


def test_saved_scenario_survives_restart(sc_db):
    save_scenario("高增长", "500103", {"elderly_growth": 3.5, "year": 2025}, who="planner", db=sc_db)
    reopened = Database(sc_db.path)
    assert load_scenario("高增长", db=reopened) == {"elderly_growth": 3.5, "year": 2025}
    assert list(list_scenarios(region="500103", db=reopened)["name"]) == ["高增长"]


def test_save_replaces_and_logs_under_a_structured_key_that_reverts(sc_db):
    save_scenario("a", "500103", {"x": 1}, who="planner", db=sc_db)
    save_scenario("a", "500103", {"x": 2}, who="planner", db=sc_db)
    assert load_scenario("a", db=sc_db) == {"x": 2}
    log = sc_db.query("SELECT change_id, who, action, row_key, old_value FROM change_log "
                      "WHERE table_name = 'scenarios' ORDER BY change_id")
    assert list(log["action"]) == ["save", "save"] and set(log["who"]) == {"planner"}
    assert set(log["row_key"]) == {'["a"]'}  # JSON, not the bare name
    assert json.loads(json.loads(log["old_value"].iloc[1])["payload"]) == {"x": 1}
    userdata.revert(int(log["change_id"].iloc[1]), who="planner", db=sc_db)
    assert load_scenario("a", db=sc_db) == {"x": 1}
    userdata.revert(int(log["change_id"].iloc[0]), who="planner", db=sc_db)
    assert list_scenarios(db=sc_db).empty


@pytest.mark.parametrize("who", ["", "anonymous", "planner ", "reader", "nobody"])
def test_without_an_editor_account_nothing_is_saved_or_deleted(sc_db, who):
    if who == "planner ":  # the name as typed is normalised: an editor
        save_scenario("ok", "500103", {}, who=who, db=sc_db)
        return
    with pytest.raises(userdata.Rejected) as exc:
        save_scenario("s", "500103", {}, who=who, db=sc_db)
    assert exc.value.problem.code in ("acc_login_required", "acc_no_edit_role")
    save_scenario("kept", "500103", {}, who="planner", db=sc_db)
    with pytest.raises(userdata.Rejected):
        delete_scenario("kept", who=who, db=sc_db)
    assert list(list_scenarios(db=sc_db)["name"]) == ["kept"]


def test_a_legacy_bare_key_is_refused_with_a_message_not_a_traceback(sc_db):
    """Before issue 22 the scenario key was the bare name: reverting it raised JSONDecodeError."""
    sc_db.write(lambda con: con.execute(
        "INSERT INTO change_log (change_id, changed_at, who, action, table_name, row_key, old_value, new_value, why) "
        "VALUES (99, now(), 'planner', 'save', 'scenarios', '高增长', NULL, '{\"x\": 1}', '')"))
    with pytest.raises(userdata.Rejected) as exc:
        userdata.revert(99, who="planner", db=sc_db)
    assert exc.value.problem.code == "ud_not_revertible"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 61, "a\x00b"])
def test_bad_names_are_refused_and_nothing_is_written(sc_db, bad):
    with pytest.raises(ValueError):
        save_scenario(bad, "500103", {}, who="planner", db=sc_db)
    assert list_scenarios(db=sc_db).empty


def test_concurrent_saves_lose_nothing(sc_db):
    threads = [threading.Thread(target=save_scenario, args=(f"s{i}", "500103", {"i": i}),
                                kwargs={"who": "planner", "db": sc_db}) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list_scenarios(db=sc_db)) == 10
    assert sc_db.scalar("SELECT count(DISTINCT change_id) FROM change_log WHERE table_name = 'scenarios'") == 10


def test_delete(sc_db):
    save_scenario("gone", "500103", {}, who="planner", db=sc_db)
    delete_scenario("gone", who="planner", db=sc_db)
    with pytest.raises(KeyError):
        load_scenario("gone", db=sc_db)
    cid = int(sc_db.scalar("SELECT max(change_id) FROM change_log"))
    userdata.revert(cid, who="planner", db=sc_db)  # brought back
    assert load_scenario("gone", db=sc_db) == {}
