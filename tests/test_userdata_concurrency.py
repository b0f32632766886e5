"""Several sessions editing and saving at once lose nothing: threads (dashboard sessions) and processes (the CLI
beside the dashboard), all writing through Database.write (flock-serialised)."""
import subprocess
import sys
import threading

from models.store import userdata
from models.store.database import Database
from tests.conftest import ROOT

HEAD = "地区代码,地区名称,指标代码,年份,数值,类型"


def counter_fact(db) -> str:
    data = (HEAD + "\n500103,渝中区,childcare_places,2023,0,现状值\n").encode()
    _, result = userdata.import_file(data, "counter.csv", who="setup", db=db)
    assert result is not None
    return userdata.user_facts(db)["fact_id"].iloc[0]


def increment(db, fid: str, who: str) -> int:
    """Read, add one, save with the value seen; on a conflict read again (what the editor page asks a user to do)."""
    attempts = 0
    while True:
        attempts += 1
        seen = float(db.query("SELECT value FROM user_facts WHERE fact_id = ?", [fid]).iat[0, 0])
        try:
            userdata.edit_user_facts([{"fact_id": fid, "changes": {"value": str(int(seen) + 1)},
                                       "expected": {"value": seen}}], who=who, why="加一", db=db)
            return attempts
        except userdata.Conflict:
            continue


def test_threads_importing_and_editing_at_once_lose_nothing(fresh_db):
    fid = counter_fact(fresh_db)
    errors = []

    def session(k: int) -> None:
        db = Database(fresh_db.path)  # each session its own object, as in the dashboard
        try:
            for i in range(4):
                rows = "\n".join(f"{370102 + k},区{k},elderly_beds,{2000 + 4 * i + j},{k * 100 + i},现状值"
                                 for j in range(4))
                _, result = userdata.import_file(f"{HEAD}\n{rows}\n".encode(), f"s{k}.csv", who=f"s{k}", db=db)
                assert result is not None and result.facts_inserted == 4
                increment(db, fid, f"s{k}")
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(k,)) for k in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert fresh_db.scalar("SELECT value FROM user_facts WHERE fact_id = ?", [fid]) == 24  # 6 sessions × 4
    assert fresh_db.scalar("SELECT count(*) FROM user_facts WHERE region_code <> '500103'") == 6 * 16
    log = userdata.change_log(fresh_db, limit=None)
    assert log["change_id"].is_unique and len(log) == 1 + 6 * 4 * 4 + 6 + 24  # 6 new regions, 24 edits


WORKER = r"""
import sys
sys.path.insert(0, {root!r})
from models.store.database import Database
from tests.test_userdata_concurrency import increment
from models.store import userdata
db = Database({db!r})
for i in range(8):
    increment(db, {fid!r}, {who!r})
"""


def test_two_processes_and_the_cli_at_once(fresh_db, tmp_path):
    fid = counter_fact(fresh_db)
    env_db = {"YLYX_DB": str(fresh_db.path), "PATH": "/usr/bin:/bin"}
    files = []
    for k in range(2):
        f = tmp_path / f"p{k}.csv"
        rows = "\n".join(f"{130981},泊头市,births,{1990 + 10 * k + j},{1000 + j},年度序列" for j in range(10))
        f.write_text(f"{HEAD}\n{rows}\n", encoding="gbk")
        files.append(f)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER.format(root=str(ROOT), db=str(fresh_db.path), fid=fid,
                                                                    who=f"proc{k}")], cwd=ROOT)
             for k in range(2)]
    procs += [subprocess.Popen([sys.executable, "-m", "forecasting", "import", str(f)], cwd=ROOT,
                               env=env_db, stdout=subprocess.DEVNULL) for f in files]
    procs.append(subprocess.Popen([sys.executable, "-m", "forecasting", "facts"], cwd=ROOT, env=env_db,
                                  stdout=subprocess.DEVNULL))  # a reader at the same time
    assert [p.wait(timeout=300) for p in procs] == [0] * 5
    assert fresh_db.scalar("SELECT value FROM user_facts WHERE fact_id = ?", [fid]) == 16
    assert fresh_db.scalar("SELECT count(*) FROM user_series WHERE region_code = '130981'") == 20
    log = userdata.change_log(fresh_db, limit=None)
    assert log["change_id"].is_unique and (log["why"] == "加一").sum() == 16
    assert log["who"].str.startswith("cli:").sum() == 20  # the CLI without --user records cli:<os user>
