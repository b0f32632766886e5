"""The load benchmark's lost-write count (bench/load.py) finds a write that is missing, changed or misattributed."""
from bench import load
from models.store import userdata


def test_lost_writes_counts_missing_changed_and_misattributed_writes(fresh_db):
    data = load.import_csv(0, load.figure_rows(0, 4)) + f"{load.HOT}\n".encode()
    _, result = userdata.import_file(data, "a.csv", who="editor00", db=fresh_db)
    expected = {f"{load.region_code(0)}|{ind}|{year}": value for ind, year, value in load.figure_rows(0, 4)}
    ids = {"editor00": list(result.change_ids)}
    assert load.lost_writes(fresh_db, expected, ids, 0.0) == (0, [])
    assert load.lost_writes(fresh_db, expected, ids, 1.0)[0] == 1  # the shared figure missed an increment
    assert load.lost_writes(fresh_db, expected, {"editor01": ids["editor00"]}, 0.0)[0] == len(result.change_ids)
    fresh_db.write(lambda con: con.execute(
        "DELETE FROM user_facts WHERE region_code = ? AND year = 1990 AND indicator = 'elderly_beds'",
        [load.region_code(0)]))
    fresh_db.write(lambda con: con.execute(
        "UPDATE user_facts SET value = 1 WHERE region_code = ? AND year = 1991 AND indicator = 'elderly_beds'",
        [load.region_code(0)]))
    n, examples = load.lost_writes(fresh_db, expected, ids, 0.0)
    assert n == 2 and examples == [f"{load.region_code(0)}|elderly_beds|1990", f"{load.region_code(0)}|elderly_beds|1991"]
