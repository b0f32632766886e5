"""Issue 22: the store's reproductions, one test each — restore (admin only, validated, never planting history, one
compact entry, documents and quotes included, round trip at 50,000 facts), the change log read by page, concurrent
imports of one figure (compare-and-set), the build check of versioned plan figures and its data log, disk full,
`--out` over the database, and the file mode."""
from __future__ import annotations

import hashlib
import json
import stat
import time
from datetime import datetime

import duckdb
import pandas as pd
import pytest

from forecasting.cli import main as cli_main
from forecasting.cli.common import check_out
from models.core.paths import DATA
from models.intake import sources
from models.store import accounts, user_documents, userdata
from models.store.database import Database, StorageFull

PW = "Admin-Secret-9"
HEAD = "地区代码,地区名称,指标代码,年份,数值,类型,来源,备注\n"


def csv(*rows: str) -> bytes:
    return (HEAD + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def sdb(fresh_db):
    accounts.add_account("boss", PW, role="admin", by="test", db=fresh_db)
    accounts.add_account("wangke", PW, role="editor", by="test", db=fresh_db)
    return fresh_db


def backup_doc(tables: dict, *, log: list | None = None) -> bytes:
    full = {t: [] for t in userdata.TABLES} | tables
    return json.dumps({"format": "ylyx-userdata", "version": 2, "tables": {**full, "change_log": log or []}},
                      ensure_ascii=False).encode()


FACT = {"fact_id": "U-abc", "region_code": "500103", "region_name": "渝中区", "indicator": "childcare_places",
        "year": 2023, "value": 1200.0, "text_value": None, "unit": "place", "basis": "", "kind": "observed",
        "comparator": "=", "attribute": "", "department": "", "source": "区卫健委", "quote": "", "note": "",
        "created_by": "wangke", "created_at": "2026-11-30 09:00:00", "import_file": "a.csv sha256:0"}


# -- restore ----------------------------------------------------------------------------------------------
def test_only_an_admin_may_restore_and_a_70_byte_backup_wipes_nothing(sdb):
    userdata.import_file(csv("500103,渝中区,childcare_places,2023,1200,现状值,,"), "a.csv", who="wangke", db=sdb)
    tiny = b'{"format":"ylyx-userdata","version":1,"tables":{"user_facts":[]}}'
    assert len(tiny) < 80
    for who in ("wangke", "nobody", "cli:root"):
        with pytest.raises(userdata.Rejected) as exc:
            userdata.restore_userdata(tiny, who=who, db=sdb)
        assert exc.value.problem.code == "acc_admin_required"
    assert len(userdata.user_facts(sdb)) == 1


@pytest.mark.parametrize("field, value", [("note", "=HYPERLINK(\"http://evil\",\"点\")"), ("source", "<img src=x>"),
                                          ("note", "@SUM(1)"), ("created_by", "+danger"), ("quote", "<script>")])
def test_a_crafted_backup_with_formula_or_html_text_is_refused(sdb, field, value):
    with pytest.raises(userdata.Rejected) as exc:
        userdata.restore_userdata(backup_doc({"user_facts": [FACT | {field: value}]}), who="boss", db=sdb)
    assert exc.value.problem.code == "ud_bad_backup"
    assert userdata.user_facts(sdb).empty


def test_a_backup_cannot_plant_history(sdb):
    planted = {"change_id": 1, "changed_at": "2021-03-01 10:00:00", "who": "director_zhang", "action": "update",
               "table_name": "user_facts", "row_key": '["U-abc"]', "old_value": None, "new_value": "{}",
               "why": "批准", "reverted_by": None}
    result = userdata.restore_userdata(backup_doc({"user_facts": [FACT]}, log=[planted]), who="boss", db=sdb)
    assert (result.records, result.ignored_log) == (1, 1)
    assert "1 条修改记录未导入" in result.message("zh") and "not imported" in result.message("en")
    log = userdata.change_log(sdb)
    assert "director_zhang" not in set(log["who"]) and not (log["changed_at"] < datetime(2026, 1, 1)).any()
    assert log["action"].iloc[0] == "restore" and log["who"].iloc[0] == "boss"


def test_restore_logs_one_compact_entry_and_the_next_backup_restores(sdb):
    """Before: each restore logged full snapshots (21.7 MB at 23k facts); the next export was refused."""
    _user_dataset(sdb, 3_000)
    backup = userdata.export_userdata(db=sdb)
    for _ in range(2):
        userdata.restore_userdata(backup, who="boss", db=sdb)
    entry = sdb.query("SELECT length(CAST(old_value AS VARCHAR)) + length(CAST(new_value AS VARCHAR)) AS n "
                      "FROM change_log WHERE action = 'restore'")
    assert (entry["n"] < 1_000).all(), entry  # counts, hashes and a snapshot id; the data is kept once
    assert sdb.scalar("SELECT count(*) FROM userdata_snapshots") == 2
    again = userdata.export_userdata(db=sdb)
    userdata.restore_userdata(again, who="boss", db=sdb)  # its own backup always restores
    assert len(userdata.user_facts(sdb)) == 3_000


def _user_dataset(db: Database, n: int) -> None:
    """n user facts (and a region, a series point, a scenario, a plan document with quotes) written directly."""
    now = pd.Timestamp("2026-11-30 09:00:00")
    text = "渝中区规划。" + "".join(f"第{i}项托位数{i}个。" for i in range(50))
    facts = pd.DataFrame({
        "fact_id": [f"U-{i:012x}" for i in range(n)], "region_code": "500103", "region_name": "渝中区",
        "indicator": "childcare_places", "year": pd.array([2000 + i % 26 for i in range(n)], dtype="Int64"),
        "value": [float(i) for i in range(n)], "text_value": None, "unit": "place", "basis": "", "kind": "observed",
        "comparator": "=", "attribute": "", "department": "", "source": "区卫健委",
        "quote": [f"第{i}项托位数{i}个" if i < 50 else "" for i in range(n)], "note": [f"第{i}条" for i in range(n)],
        "created_by": "wangke", "created_at": now, "import_file": "big.csv sha256:0"})

    def work(con):
        con.register("f", facts)
        con.execute("INSERT INTO user_facts BY NAME SELECT * FROM f")
        con.execute("INSERT INTO user_regions VALUES ('370102', '历下区', '', 'county', '370100', 'wangke', ?)", [now])
        con.execute("INSERT INTO user_series VALUES ('370102', 'elderly_60plus', 2024, 150000, 'person', '常住', "
                    "'统计公报', '', 'wangke', ?, 'x.csv')", [now])
        con.execute("INSERT INTO scenarios VALUES ('高增长', '500103', '{\"year\": 2025}', 'wangke', ?, ?)", [now, now])
        con.execute("INSERT INTO user_documents VALUES ('UD-000000000001', '500103', '渝中区规划', 'plan.txt', ?, "
                    "'wangke', ?)", [text, now])
        for i in range(50):
            q = f"第{i}项托位数{i}个"
            con.execute("INSERT INTO user_quotes VALUES (?, 'UD-000000000001', ?, ?)", [f"U-{i:012x}", q, text.find(q)])
    db.write(work)


def test_backup_restore_backup_is_identical_in_content_at_50000_facts(sdb, tmp_path):
    _user_dataset(sdb, 50_000)
    start = time.monotonic()
    first = userdata.export_userdata(db=sdb)
    other = Database(tmp_path / "other.duckdb")
    other.ensure_built()
    accounts.add_account("boss", PW, role="admin", by="test", db=other)
    result = userdata.restore_userdata(first, who="boss", db=other)
    second = userdata.export_userdata(db=other)
    seconds = time.monotonic() - start
    a, b = json.loads(first), json.loads(second)
    content = {t: a["tables"][t] for t in userdata.TABLES}
    assert content == {t: b["tables"][t] for t in userdata.TABLES}
    assert hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest() == \
        hashlib.sha256(json.dumps({t: b["tables"][t] for t in userdata.TABLES}, ensure_ascii=False).encode()).hexdigest()
    assert a["sha256"] == b["sha256"]
    assert len(b["tables"]["user_facts"]) == 50_000 and len(b["tables"]["user_quotes"]) == 50
    assert result.records == 50_000 + 1 + 1 + 1 + 1 + 50
    # the quotes came back with their document: the data page reads them in context
    assert user_documents.quote_in_context("U-000000000007", db=other)["quote"] == "第7项托位数7个"
    print(f"backup → restore → backup at 50,000 facts: {seconds:.1f} s")
    assert seconds < 60


# -- change log as a page ---------------------------------------------------------------------------------
def test_the_change_log_is_read_one_page_at_a_time_and_never_whole(sdb):
    huge = json.dumps({"blob": "x" * 5_000_000})
    sdb.write(lambda con: con.execute(
        "INSERT INTO change_log (change_id, changed_at, who, action, table_name, row_key, old_value, new_value, why) "
        "VALUES (1000, now(), 'old-version', 'restore', '*', '[]', ?, ?, '')", [huge, huge]))
    for i in range(120):
        userdata.import_file(csv(f"500103,渝中区,childcare_places,{1990 + i % 36},{1000 + i},现状值,,"), "a.csv",
                             who="wangke", db=sdb)
    n = userdata.change_log_count(sdb)
    page1 = userdata.change_log_page(1, per_page=50, db=sdb)
    last = userdata.change_log_page((n + 49) // 50, per_page=50, db=sdb)
    assert len(page1) == 50 and list(page1.columns) == ["change_id", "when", "who", "what", "change", "why",
                                                          "reverted_by"]
    assert page1["who"].iloc[0] == "wangke" and "→" in page1["change"].iloc[0]
    assert last["change"].str.len().max() <= 600  # the 10 MB entry arrives cut short
    assert page1["change_id"].is_monotonic_decreasing


# -- concurrent imports of one figure ---------------------------------------------------------------------
def test_the_second_of_two_concurrent_imports_of_one_figure_is_warned_not_silently_applied(sdb):
    first = userdata.preview(csv("500103,渝中区,childcare_places,2023,1200,现状值,,"), "a.csv", db=sdb)
    second = userdata.preview(csv("500103,渝中区,childcare_places,2023,1300,现状值,,"), "b.csv", db=sdb)
    userdata.apply_import(first, who="wangke", db=sdb)
    with pytest.raises(userdata.Conflict) as exc:
        userdata.apply_import(second, who="boss", db=sdb)
    assert exc.value.problem.code == "ud_import_conflict" and "wangke" in exc.value.message("zh")
    assert userdata.user_facts(sdb)["value"].tolist() == [1200.0]
    again = userdata.preview(csv("500103,渝中区,childcare_places,2023,1300,现状值,,"), "b.csv", db=sdb)
    userdata.apply_import(again, who="boss", db=sdb)  # previewed again: the editor saw 1200 and replaces it
    assert userdata.user_facts(sdb)["value"].tolist() == [1300.0]


# -- versioned plan figures -------------------------------------------------------------------------------
def test_a_plan_figure_that_its_quote_does_not_state_stops_the_build(tmp_path, monkeypatch):
    real = sources.read_facts

    def edited():
        df = real()
        df.loc[df["fact_id"] == "YZ-010", "value"] = 9915.0  # the quote says 提供全托养老床位1915张
        return df

    monkeypatch.setattr(sources, "read_facts", edited)
    db = Database(tmp_path / "p.duckdb")
    with pytest.raises(sources.SourceError) as exc:
        db.ensure_built()
    assert "YZ-010" in str(exc.value) and "9915" in str(exc.value)
    assert not db.path.exists()


def test_a_rebuild_that_changes_a_figure_records_old_and_new(tmp_path, monkeypatch):
    db = Database(tmp_path / "p.duckdb")
    db.ensure_built()
    assert db.data_log().empty  # the first build changes nothing
    real = sources.read_facts

    def edited():
        df = real()
        row = df["fact_id"] == "YZ-010"
        df.loc[row, "value"] = 1916.0
        df.loc[row, "quote"] = "提供全托养老床位1916张"
        return df

    monkeypatch.setattr(sources, "read_facts", edited)
    monkeypatch.setattr(sources, "source_hash", lambda: "changed-sources")
    assert Database(db.path).ensure_built()
    log = Database(db.path).data_log()
    assert log[["fact_id", "change", "old_value", "new_value"]].values.tolist() == [["YZ-010", "changed", 1915.0,
                                                                                     1916.0]]
    assert log["old_quote"].iloc[0] == "提供全托养老床位1915张" and log["new_quote"].iloc[0] == "提供全托养老床位1916张"


# -- disk full, --out, file mode --------------------------------------------------------------------------
def test_disk_full_is_exit_2_with_a_message_and_the_original_error_kept(sdb, tmp_path, monkeypatch, capsys):
    def full(con, table, rows):
        raise duckdb.IOException("IO Error: Could not write file \"x.wal\": No space left on device")

    monkeypatch.setattr(userdata, "_insert_frame", full)
    monkeypatch.setenv("YLYX_DB", str(sdb.path))
    with pytest.raises(StorageFull) as exc:
        userdata.import_file(csv("500103,渝中区,childcare_places,2023,1200,现状值,,"), "a.csv", who="wangke", db=sdb)
    assert "No space left on device" in str(exc.value.__cause__)
    f = tmp_path / "a.csv"
    f.write_bytes(csv("500103,渝中区,childcare_places,2023,1200,现状值,,"))
    assert cli_main(["import", str(f)]) == 2
    err = capsys.readouterr().err
    assert "磁盘已满" in err and "disk full" in err and "No space left on device" in err
    assert userdata.user_facts(sdb).empty


def test_out_refuses_the_database_and_data_unless_forced(sdb, monkeypatch, capsys):
    monkeypatch.setenv("YLYX_DB", str(sdb.path))
    monkeypatch.chdir(DATA.parent)  # the repository, where the probe typed `--out data/planning.duckdb`
    before = hashlib.sha256(sdb.path.read_bytes()).hexdigest()
    assert cli_main(["facts", "--out", str(sdb.path)]) == 2
    assert "数据库文件" in capsys.readouterr().err
    assert hashlib.sha256(sdb.path.read_bytes()).hexdigest() == before
    assert cli_main(["users", "list", "--out", str(sdb.path) + ".lock"]) == 2
    with pytest.raises(ValueError, match="data/"):
        check_out(str(DATA / "facts" / "x.csv"))
    with pytest.raises(ValueError):
        check_out("data/planning.duckdb")  # relative, the way the probe typed it (run from the repository)
    check_out(str(DATA / "x.csv"), force=True)  # --force lets it through
    check_out("-")
    check_out(None)


def test_the_database_file_is_created_for_its_owner_only(tmp_path):
    db = Database(tmp_path / "p.duckdb")
    db.ensure_built()
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.lock_path.stat().st_mode) == 0o600


def test_a_revert_of_anything_unrevertible_is_a_message(sdb):
    sdb.write(lambda con: con.execute(
        "INSERT INTO change_log (change_id, changed_at, who, action, table_name, row_key, old_value, new_value, why) "
        "VALUES (500, now(), 'planner', 'restore', '*', '[]', '{\"user_facts\": []}', '{}', '')"))
    with pytest.raises(userdata.Rejected) as exc:  # a restore logged the old way (full copies, no snapshot)
        userdata.revert(500, who="wangke", db=sdb)
    assert exc.value.problem.code == "ud_not_revertible"
