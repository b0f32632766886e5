"""Writes of user data: import lands where every page reads (regions, all_facts, reference_series, the CLI),
re-import, in-table edits with conflict check, plan corrections, change log and revert, export/restore, and an
import killed part-way."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from forecasting import cli
from models.intake import importer
from models.store import userdata
from models.store.facts import all_facts, reference_series, regions
from tests.conftest import ROOT

HEAD = "地区代码,地区名称,指标代码,年份,数值,单位,口径,类型,来源,备注"


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEAD, *rows]) + "\n").encode("utf-8-sig")


def test_new_region_from_the_template_appears_everywhere(fresh_db, tmp_path, capsys, monkeypatch):
    plan, result = userdata.import_file(importer.template_bytes("xlsx"), "模板.xlsx", who="张三", note="局内统计",
                                        db=fresh_db)
    assert result.regions_added == 1 and result.facts_inserted == 1 and result.series_inserted == 1
    r = regions(fresh_db).set_index("code")
    assert r.loc["370102", "name_zh"] == "历下区" and r.loc["370102", "role"] == "user"
    f = all_facts(fresh_db, region="370102")
    assert f[["indicator", "year", "value", "kind", "origin"]].values.tolist() == [
        ["elderly_beds", 2023, 5200.0, "observed", "user"]]  # 0.52万 in the template
    s = reference_series(fresh_db, region="370102")
    assert s[["indicator", "year", "value", "basis", "origin"]].values.tolist() == [
        ["elderly_60plus", 2022, 129600.0, "常住", "user"]]  # 12.96 万人
    stored = userdata.user_facts(fresh_db, region="370102").iloc[0]
    assert stored["created_by"] == "张三" and stored["import_file"].startswith("模板.xlsx sha256:")
    assert stored["source"] == "2023年民政统计"  # the row's own 来源 wins over the page's note
    monkeypatch.setenv("YLYX_DB", str(fresh_db.path))
    assert cli.main(["facts", "--region", "370102"]) == 0
    out = capsys.readouterr().out
    assert "370102,历下区,elderly_beds,2023,5200.0,bed" in out


def test_imported_series_is_what_the_projection_reads(fresh_db):
    rows = [f"130981,,population_resident,{y},{v},万人,常住,年度序列,泊头市统计年鉴,"
            for y, v in zip(range(2015, 2024), [59.1, 59.4, 59.6, 59.8, 60.0, 60.1, 60.0, 59.8, 59.7])]
    rows += [f"130981,,births,{y},{v},人,,年度序列,泊头市统计年鉴," for y, v in [(2021, 4100), (2022, 3800)]]
    plan, result = userdata.import_file(csv_bytes(*rows), "泊头序列.csv", who="李四", db=fresh_db)
    assert result.series_inserted == 11, plan.report_lines()
    s = reference_series(fresh_db, region="130981", indicator="population_resident")
    assert s["year"].tolist() == list(range(2015, 2024))
    assert s["value"].tolist()[:2] == [591000.0, 594000.0] and set(s["unit"]) == {"person"}
    assert set(s["origin"]) == {"user"} and set(s["basis"]) == {"常住"}
    births = reference_series(fresh_db, region="130981", indicator="births")
    assert births["value"].tolist() == [4100.0, 3800.0]


def test_reimport_replaces_and_logs_the_old_value(fresh_db):
    userdata.import_file(csv_bytes("500103,,elderly_beds,2023,4100,,,现状值,,"), "a.csv", who="a", db=fresh_db)
    plan, result = userdata.import_file(csv_bytes("500103,,elderly_beds,2023,4200,,,现状值,,"), "b.csv", who="b",
                                        db=fresh_db)
    assert plan.rows[0].problems[0].code == "imp_w_overwrite" and result.facts_updated == 1
    user = all_facts(fresh_db, region="500103").query("origin == 'user'")
    assert user["value"].tolist() == [4200.0]
    last = userdata.change_log(fresh_db).iloc[0]
    assert json.loads(last["old_value"])["value"] == 4100 and json.loads(last["new_value"])["value"] == 4200
    assert last["who"] == "b" and last["action"] == "update"


def test_figure_beside_a_plan_figure_is_flagged(fresh_db):
    # 渝中区 plan: "全区养老服务设施148个" (YZ-001, observed 2020)
    plan = userdata.preview(csv_bytes("500103,,elderly_service_facilities,2020,150,,,现状值,,"), "c.csv",
                            db=fresh_db)
    assert plan.rows[0].problems[0].code == "imp_w_plan_same_key"
    assert "YZ-001" in plan.rows[0].problems[0].message("zh")
    # a different value of the same figure from another document: a conflict the editor resolves (issue 21)
    assert not plan.ok and [r.row for r in plan.conflicts] == [2]


def test_edit_conflict_correction_revert(fresh_db):
    userdata.import_file(csv_bytes("500103,,childcare_places,2023,1200,,,现状值,,"), "a.csv", who="a", db=fresh_db)
    fid = userdata.user_facts(fresh_db)["fact_id"].iloc[0]
    [cid] = userdata.edit_user_facts([{"fact_id": fid, "changes": {"value": "0.13万"}, "expected": {"value": 1200}}],
                                     who="b", why="复核", db=fresh_db)
    with pytest.raises(userdata.Conflict):  # a second session still saw 1200
        userdata.edit_user_facts([{"fact_id": fid, "changes": {"value": "1250"}, "expected": {"value": 1200}}],
                                 who="c", why="另一人", db=fresh_db)
    with pytest.raises(userdata.Rejected) as exc:  # same validation as imports
        userdata.edit_user_facts([{"fact_id": fid, "changes": {"value": "-3"}}], who="b", why="x", db=fresh_db)
    assert exc.value.problem.code == "imp_negative"
    with pytest.raises(userdata.Rejected):
        userdata.edit_user_facts([{"fact_id": fid, "changes": {"value": "1"}}], who="b", why="", db=fresh_db)
    assert userdata.user_facts(fresh_db)["value"].tolist() == [1300.0]
    # plan figure YZ-001 "全区养老服务设施148个" corrected: the plan row stays, the correction supersedes it
    ccid = userdata.correct_plan_fact("YZ-001", "150", who="d", why="2020年底核实", db=fresh_db)
    facts = all_facts(fresh_db, region="500103", include_superseded=True)
    assert facts.query("fact_id == 'YZ-001'")["value"].tolist() == [148.0]
    assert facts.query("fact_id == 'YZ-001'")["superseded"].tolist() == [True]
    eff = userdata.effective_facts(fresh_db, region="500103")
    assert "YZ-001" not in set(eff["fact_id"])
    corr = eff.query("fact_id == 'YZ-001@user'").iloc[0]
    assert corr["value"] == 150 and corr["quote"] == "全区养老服务设施148个" and "2020年底核实" in corr["note"]
    with pytest.raises(userdata.Conflict):  # someone else corrected it meanwhile
        userdata.correct_plan_fact("YZ-001", "151", who="e", why="x", expected=None, db=fresh_db)
    # revert: newest first; a stale revert is refused
    with pytest.raises(userdata.Rejected):
        userdata.revert(userdata.change_log(fresh_db)["change_id"].min(), who="f", db=fresh_db)  # import, edited since
    userdata.revert([ccid, cid], who="f", why="撤回", db=fresh_db)
    assert "YZ-001@user" not in set(userdata.user_facts(fresh_db)["fact_id"])
    assert userdata.user_facts(fresh_db)["value"].tolist() == [1200.0]
    with pytest.raises(userdata.Rejected) as exc:
        userdata.revert(cid, who="f", db=fresh_db)
    assert exc.value.problem.code == "ud_already_reverted"
    log = userdata.change_log(fresh_db)
    assert set(log["action"]) >= {"insert", "update", "revert"}
    assert log.set_index("change_id").loc[cid, "reverted_by"] > cid


def test_revert_of_an_import_with_a_new_region(fresh_db):
    _, result = userdata.import_file(importer.template_bytes("csv", "facts"), "t.csv", who="a", db=fresh_db)
    with pytest.raises(userdata.Rejected):  # the region still has data
        userdata.revert(result.change_ids[0], who="a", db=fresh_db)
    userdata.revert(list(result.change_ids), who="a", db=fresh_db)
    assert "370102" not in set(regions(fresh_db)["code"])
    assert all_facts(fresh_db, region="370102").empty


def test_delete_and_bring_back(fresh_db):
    userdata.import_file(csv_bytes("500103,,childcare_places,2023,1200,,,现状值,,"), "a.csv", who="a", db=fresh_db)
    fid = userdata.user_facts(fresh_db)["fact_id"].iloc[0]
    [cid] = userdata.delete_user_facts([fid], who="a", why="重复", db=fresh_db)
    assert userdata.user_facts(fresh_db).empty
    userdata.revert(cid, who="a", db=fresh_db)
    assert userdata.user_facts(fresh_db)["value"].tolist() == [1200.0]


def _admin(db, name="boss"):
    from models.store import accounts

    accounts.add_account(name, "Admin-Secret-9", role="admin", by="test", db=db)
    return name


def test_export_restore_round_trip_and_revert_of_restore(fresh_db, tmp_path):
    from models.store.database import Database
    userdata.import_file(importer.template_bytes("xlsx"), "t.xlsx", who="a", db=fresh_db)
    userdata.correct_plan_fact("YZ-002", "26", who="a", why="核实", db=fresh_db)
    backup = userdata.export_userdata(db=fresh_db)
    doc = json.loads(backup)
    assert doc["format"] == "ylyx-userdata" and len(doc["tables"]["user_facts"]) == 2
    assert len(doc["tables"]["change_log"]) == 4
    # onto an empty database: the data comes back, the backup's change log never does (issue 22)
    other = Database(tmp_path / "other.duckdb")
    other.ensure_built()
    result = userdata.restore_userdata(backup, who=_admin(other), db=other)
    assert (result.records, result.ignored_log) == (4, 4)  # 1 region, 2 facts, 1 series; 4 log entries left out
    assert "4 条修改记录未导入" in result.message("zh")
    assert all_facts(other, region="370102")["value"].tolist() == [5200.0]
    log = userdata.change_log(other)
    assert log["action"].tolist() == ["restore", "account_add"]  # one compact entry, nothing planted
    entry = json.loads(log["new_value"].iloc[0])
    assert entry["counts"]["user_facts"] == 2 and entry["sha256"] == doc["sha256"] and entry["ignored_change_log"] == 4
    again = json.loads(userdata.export_userdata(db=other))
    for table in userdata.TABLES:
        assert again["tables"][table] == doc["tables"][table]
    # onto a changed database: replaces, and the restore can be reverted
    userdata.import_file(csv_bytes("500103,,childcare_places,2023,1200,,,现状值,,"), "x.csv", who="c", db=other)
    userdata.restore_userdata(backup, who="boss", db=other)
    assert all_facts(other, region="500103").query("indicator == 'childcare_places' and origin == 'user'").empty
    userdata.revert(int(userdata.change_log(other)["change_id"].iloc[0]), who="c", db=other)
    assert all_facts(other, region="500103").query("indicator == 'childcare_places' and origin == 'user'")[
        "value"].tolist() == [1200.0]


def test_user_table_columns_match_the_schema(fresh_db):
    for table, cols in userdata.TABLES.items():
        assert tuple(fresh_db.query(f"SELECT * FROM {table} LIMIT 0").columns) == cols
    assert tuple(fresh_db.query("SELECT * FROM change_log LIMIT 0").columns) == userdata.LOG_COLUMNS


def test_hostile_text_is_stored_as_data_never_run(fresh_db):
    """Names are refused; free text that is not markup is kept verbatim and parameterised."""
    note = "数据来自 O'Brien 的表；含分号; 和 -- 注释"
    plan, result = userdata.import_file(csv_bytes(f"500103,,childcare_places,2023,1200,,,现状值,,{note}"), "a.csv",
                                        who="Robert'); DROP TABLE user_facts;--", db=fresh_db)
    assert result is not None
    stored = userdata.user_facts(fresh_db).iloc[0]
    assert stored["note"] == note and stored["created_by"] == "Robert'); DROP TABLE user_facts;--"
    assert len(fresh_db.query("SELECT * FROM facts")) > 300  # nothing dropped


KILL_SCRIPT = r"""
import os, sys, time
sys.path.insert(0, {root!r})
from models.store import userdata
from models.store.database import Database
original = userdata._insert_frame
def slow(con, table, rows):
    original(con, table, rows)
    if table == "user_facts" and rows:       # facts written, series and log not yet, no COMMIT
        open({marker!r}, "w").close()
        time.sleep(120)
userdata._insert_frame = slow
data = open({file!r}, "rb").read()
plan, result = userdata.import_file(data, "big.csv", who="killed", db=Database({db!r}))
print("finished", result)
"""


def test_import_killed_during_the_write_leaves_all_or_nothing(fresh_db, tmp_path):
    rows = [f"37{d:04d},区{d},elderly_beds,{2000 + d % 24},{d},,,现状值,," for d in range(101, 1101)]
    rows = [r for r in rows if not r.startswith(("370000", "37000"))]
    rows += [f"370102,区102,births,{y},{y},,,年度序列,," for y in range(1990, 2024)]
    f = tmp_path / "big.csv"
    f.write_bytes(csv_bytes(*rows))
    plan = userdata.preview(f.read_bytes(), "big.csv", db=fresh_db)
    assert plan.ok, plan.report_lines()[:5]
    marker = tmp_path / "in_write"
    script = KILL_SCRIPT.format(root=str(ROOT), marker=str(marker), file=str(f), db=str(fresh_db.path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    counts = fresh_db.query("SELECT (SELECT count(*) FROM user_facts) f, (SELECT count(*) FROM user_series) s, "
                            "(SELECT count(*) FROM user_regions) r, (SELECT count(*) FROM change_log) l")
    assert counts.iloc[0].tolist() == [0, 0, 0, 0]  # none of it
    # the database is consistent and writable: the same import then writes all of it
    result = userdata.apply_import(plan, who="again", db=fresh_db)
    n = len(plan.writable)
    counts = fresh_db.query("SELECT (SELECT count(*) FROM user_facts) + (SELECT count(*) FROM user_series) n")
    assert counts.iloc[0, 0] == n == result.facts_inserted + result.series_inserted
