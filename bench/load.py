"""Load test (`python -m bench --only load`): many editors and viewers on one database at once, then a writer killed
mid-transaction.

Method (every figure printed is measured here, nothing assumed):
- A fresh database (bench/.work/load.duckdb, built from data/), EDITORS personal accounts with random passwords
  (handed to the workers on stdin, never on a command line), and one "hot" figure every editor increments.
- PROCESSES worker processes (like several dashboard servers, or a dashboard beside the command line), each running
  its share of the sessions as threads (as Streamlit runs sessions). After every worker has imported its modules,
  all start together.
- An editor session does what the pages do, through the same domain calls: `accounts.login`; IMPORTS files of
  FIGURES/IMPORTS figures each through `userdata.preview` + `userdata.apply_import` (数据导入); then EDITS in-table
  edits through `userdata.user_facts` + `userdata.edit_user_facts` with the value it saw (数据与来源): the first
  EDITS-HOT on its own figures, the last HOT on the shared hot figure. A `Conflict` is the page's clear "changed
  meanwhile, try again": the session reads again and retries (counted as conflicts, not errors). Anything else
  raised is an error a user would see (counted in load_user_errors; DatabaseBusy included).
- A viewer session reloads the overview's data path until the editors of its process are done:
  `facts.regions`, `overview.gaps_for(assumptions="plan", years=[2025], explain=False)`, `overview.kpis`.
- Lock waits: every flock acquisition of every session, timed by a Database subclass; the headline
  load_lock_wait_p95 is the 95th percentile of the writers' exclusive-lock waits (ms).
- Lost writes: after the run, every figure each session believes it wrote (imports and edits, last value) is read
  back; the hot figure must equal the number of successful increments; every change id returned to a session must
  be in the change log under that session's account. Any difference counts one lost write.
- Kill: a writer process imports 2,000 figures and is SIGKILLed inside its transaction (after the rows are
  inserted, before COMMIT). Then the database must open, hold exactly what it held before, pass the same lost-write
  check, and take a new write.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = "地区代码,地区名称,指标代码,年份,数值,类型"
HOT = "500103,渝中区,childcare_places,2023,0,现状值"
INDICATORS = ("elderly_beds", "childcare_places")


def region_code(k: int) -> str:
    return f"37{11 + k:02d}01"  # new user regions, one per editor (Shandong codes: not in the plan regions)


def figure_rows(k: int, figures: int) -> list[tuple[str, int, float]]:
    """The (indicator, year, value) of every figure editor k imports: distinct identities in its own region."""
    out = []
    for i in range(figures):
        out.append((INDICATORS[i % 2], 1990 + i // 2, float(1000 + i)))
    return out


def import_csv(k: int, rows: list[tuple[str, int, float]]) -> bytes:
    body = "\n".join(f"{region_code(k)},压测区{k:02d},{ind},{year},{value:g},现状值" for ind, year, value in rows)
    return f"{HEAD}\n{body}\n".encode()


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def _timed_database(path: str, waits: list):
    """The project's Database, recording how long each lock acquisition waited (exclusive?, seconds)."""
    from models.store.database import Database

    return Database(path, on_lock_wait=lambda exclusive, seconds: waits.append((exclusive, seconds)))


# -- one worker process -----------------------------------------------------------------------------------
def worker(spec: dict) -> dict:
    """Run spec['editors'] (list of [k, username, password]) and spec['viewers'] sessions as threads; return
    what each session wrote and saw."""
    from models.report import overview
    from models.store import accounts, facts, userdata

    db_path, go = spec["db"], Path(spec["go"])
    waits: list = []
    result = {"expected": {}, "change_ids": {}, "hot_increments": 0, "conflicts": 0, "errors": [],
              "viewer_reloads": [], "session_s": []}
    lock = threading.Lock()
    editors_done = threading.Event()

    def error(exc: Exception) -> None:
        with lock:
            result["errors"].append(f"{type(exc).__name__}: {exc}"[:200])

    def editor(k: int, name: str, password: str) -> None:
        db = _timed_database(db_path, waits)  # one object per session, as the dashboard's default() per process
        t0 = time.perf_counter()
        expected, ids, hot = {}, [], 0
        try:
            who = accounts.login(name, password, db=db).username
            rows = figure_rows(k, spec["figures"])
            step = max(1, len(rows) // spec["imports"])
            for start in range(0, len(rows), step):
                part = rows[start:start + step]
                plan = userdata.preview(import_csv(k, part), f"load{k}_{start}.csv", db=db)
                if not plan.ok:
                    raise RuntimeError(plan.report_lines()[:3])
                ids += list(userdata.apply_import(plan, who=who, note="load test", db=db).change_ids)
                for ind, year, value in part:
                    expected[f"{region_code(k)}|{ind}|{year}"] = value
            own = spec["edits"] - spec["hot"]
            for i in range(own):
                seen = userdata.user_facts(db, region=region_code(k))  # what the data page shows
                ind, year, _ = rows[i % len(rows)]
                row = seen[(seen["indicator"] == ind) & (seen["year"] == year)].iloc[0]
                new = float(row["value"]) + 7
                ids += userdata.edit_user_facts([{"fact_id": row["fact_id"], "changes": {"value": f"{new:g}"},
                                                  "expected": {"value": row["value"]}}], who=who, why="压测", db=db)
                expected[f"{region_code(k)}|{ind}|{year}"] = new
            for _ in range(spec["hot"]):
                while True:
                    seen = userdata.user_facts(db, region="500103")
                    row = seen[seen["indicator"] == "childcare_places"].iloc[0]
                    try:
                        ids += userdata.edit_user_facts(
                            [{"fact_id": row["fact_id"], "changes": {"value": f"{float(row['value']) + 1:g}"},
                              "expected": {"value": row["value"]}}], who=who, why="加一", db=db)
                        hot += 1
                        break
                    except userdata.Conflict:  # the page says "changed meanwhile": read again, try again
                        with lock:
                            result["conflicts"] += 1
        except Exception as exc:  # noqa: BLE001 - an error a user would have seen; counted
            error(exc)
        with lock:
            result["expected"].update(expected)
            result["change_ids"][name] = ids
            result["hot_increments"] += hot
            result["session_s"].append(time.perf_counter() - t0)

    def viewer() -> None:
        db = _timed_database(db_path, [])  # viewers' waits are reported apart
        while not editors_done.is_set():
            t = time.perf_counter()
            try:
                facts.regions(db)
                g = overview.gaps_for(db, assumptions="plan", years=[2025], explain=False)
                overview.kpis(g, year=2025)
            except Exception as exc:  # noqa: BLE001
                error(exc)
            with lock:
                result["viewer_reloads"].append(time.perf_counter() - t)

    eds = [threading.Thread(target=editor, args=tuple(e)) for e in spec["editors"]]
    vws = [threading.Thread(target=viewer) for _ in range(spec["viewers"])]
    print("READY", flush=True)
    while not go.exists():
        time.sleep(0.01)
    for th in eds + vws:
        th.start()
    for th in eds:
        th.join()
    editors_done.set()
    for th in vws:
        th.join()
    result["write_waits"] = [w for ex, w in waits if ex]
    result["read_waits"] = [w for ex, w in waits if not ex]
    return result


# -- the killed writer ------------------------------------------------------------------------------------
def killed_writer(db_path: str, marker: str) -> None:
    """Import 2,000 figures; inside the transaction, after every row is inserted and before COMMIT, touch `marker`
    and wait to be killed."""
    from models.store import userdata
    from models.store.database import Database

    class SlowCommit(Database):
        def write(self, work):
            def then_wait(con):
                out = work(con)
                Path(marker).touch()
                time.sleep(300)
                return out
            return super().write(then_wait)

    rows = "\n".join(f"3799{d:02d},杀进程区{d},{INDICATORS[i % 2]},{1990 + i // 2},{d * 100 + i},现状值"
                     for d in range(1, 41) for i in range(50))
    plan = userdata.preview(f"{HEAD}\n{rows}\n".encode(), "killed.csv", db=Database(db_path))
    assert plan.ok and len(plan.writable) == 2000, plan.report_lines()[:3]
    userdata.apply_import(plan, who="cli:killed", db=SlowCommit(db_path))


# -- the benchmark ----------------------------------------------------------------------------------------
def lost_writes(db, expected: dict, change_ids: dict, hot_expected: float) -> tuple[int, list[str]]:
    """Lost writes: expected figures missing or different, hot figure off, change ids missing or misattributed."""
    uf = db.query("SELECT region_code, indicator, year, value FROM user_facts")
    have = {f"{r.region_code}|{r.indicator}|{int(r.year)}": float(r.value) for r in uf.itertuples()}
    lost = [k for k, v in expected.items() if have.get(k) != v]
    hot = have.get("500103|childcare_places|2023")
    if hot != hot_expected:
        lost.append(f"hot figure {hot} != {hot_expected}")
    log = db.query("SELECT change_id, who FROM change_log")
    by_id = dict(zip(log["change_id"].astype(int), log["who"]))
    for who, ids in change_ids.items():
        lost += [f"change {i} ({who})" for i in ids if by_id.get(int(i)) != who]
    return len(lost), lost[:5]


def run(*, editors: int = 20, viewers: int = 5, figures: int = 50, edits: int = 20, hot: int = 5,
        imports: int = 5, processes: int = 2, kill: bool = True) -> list[list]:
    """The load test; returns [name, value, unit, note] rows (the bench's figure lines)."""
    from bench.synth import WORK
    from models.store import accounts, userdata
    from models.store.database import Database

    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "load.duckdb"
    for p in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".lock")):
        p.unlink(missing_ok=True)
    db = Database(path)
    db.ensure_built()
    users = [[k, f"editor{k:02d}", secrets.token_urlsafe(12)] for k in range(editors)]
    for _k, name, pw in users:
        accounts.add_account(name, pw, role="editor", by="bench", db=db)
    _, setup = userdata.import_file(f"{HEAD}\n{HOT}\n".encode(), "hot.csv", who="bench", db=db)
    assert setup is not None
    go = WORK / "load.go"
    go.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), YLYX_DB=str(path))
    procs = []
    for w in range(processes):
        spec = {"db": str(path), "go": str(go), "editors": users[w::processes],
                "viewers": viewers // processes + (1 if w < viewers % processes else 0),
                "figures": figures, "edits": edits, "hot": hot, "imports": imports}
        p = subprocess.Popen([sys.executable, "-m", "bench.load", "--worker"], cwd=ROOT, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        p.stdin.write(json.dumps(spec))
        p.stdin.close()
        procs.append(p)
    for p in procs:
        assert p.stdout.readline().strip() == "READY"
    t0 = time.perf_counter()
    go.touch()
    results = []
    for p in procs:
        out = p.stdout.read()
        p.wait()
        results.append(json.loads(out.strip().splitlines()[-1]))
    total = time.perf_counter() - t0
    go.unlink(missing_ok=True)

    expected, change_ids = {}, {}
    for r in results:
        expected.update(r["expected"])
        change_ids.update(r["change_ids"])
    hot_done = sum(r["hot_increments"] for r in results)
    lost, examples = lost_writes(db, expected, change_ids, float(hot_done))
    errors = [e for r in results for e in r["errors"]]
    write_waits = [w * 1000 for r in results for w in r["write_waits"]]
    read_waits = [w * 1000 for r in results for w in r["read_waits"]]
    reloads = [w for r in results for w in r["viewer_reloads"]]
    writes = sum(len(v) for v in change_ids.values())
    who = f"{editors} editors × ({figures} figures in {imports} imports + {edits} edits, {hot} on one shared " \
          f"figure) + {viewers} viewers reloading the overview data; {processes} processes"
    rows = [
        ["load_lost_writes", lost, "count", "; ".join(examples) or f"every figure, edit and change id read back ({who})"],
        ["load_user_errors", len(errors), "count", "; ".join(sorted(set(errors)))[:300] or "besides conflicts"],
        ["load_conflicts_retried", sum(r["conflicts"] for r in results), "count",
         "'changed meanwhile, try again' on the shared figure; each retried"],
        ["load_lock_wait_p50", _pct(write_waits, 50), "ms", f"exclusive flock waits of {len(write_waits)} writes"],
        ["load_lock_wait_p95", _pct(write_waits, 95), "ms", "exclusive flock waits (writers)"],
        ["load_lock_wait_max", max(write_waits, default=None), "ms", ""],
        ["load_read_lock_wait_p95", _pct(read_waits, 95), "ms", f"shared flock waits of {len(read_waits)} editor reads"],
        ["load_viewer_reload_p50", _pct(reloads, 50), "s", f"{len(reloads)} overview data reloads"],
        ["load_viewer_reload_p95", _pct(reloads, 95), "s", ""],
        ["load_change_log_rows", writes, "count", "change ids returned to the sessions"],
        ["load_total", total, "s", who],
    ]
    if kill:
        rows += _kill_check(db, path, env, expected, change_ids, float(hot_done))
    return rows


def _kill_check(db, path: Path, env: dict, expected: dict, change_ids: dict, hot: float) -> list[list]:
    from models.store import accounts, userdata

    before = db.query("SELECT (SELECT count(*) FROM user_facts) f, (SELECT count(*) FROM user_regions) r, "
                      "(SELECT count(*) FROM change_log) l").iloc[0].tolist()
    marker = path.with_name("load.in-transaction")
    marker.unlink(missing_ok=True)
    p = subprocess.Popen([sys.executable, "-m", "bench.load", "--kill-writer", str(path), str(marker)], cwd=ROOT,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not marker.exists():
        if p.poll() is not None or time.monotonic() > deadline:
            p.kill()
            return [["load_kill_consistent", None, "error", (p.communicate()[1] or b"").decode()[-300:]]]
        time.sleep(0.02)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    t = time.perf_counter()
    after = db.query("SELECT (SELECT count(*) FROM user_facts) f, (SELECT count(*) FROM user_regions) r, "
                     "(SELECT count(*) FROM change_log) l").iloc[0].tolist()
    reopen = time.perf_counter() - t
    lost, _ = lost_writes(db, expected, change_ids, hot)
    pw = secrets.token_urlsafe(12)
    accounts.add_account("afterkill", pw, role="editor", by="bench", db=db)
    writable = userdata.import_file(import_csv(80, figure_rows(80, 2)), "after.csv",
                                    who=accounts.login("afterkill", pw, db=db).username, db=db)[1] is not None
    ok = before == after and lost == 0 and writable and p.returncode == -signal.SIGKILL
    return [["load_kill_consistent", int(ok), "1=yes", f"SIGKILL inside a 2,000-figure import: counts {before} "
                                                       f"before, {after} after; lost {lost}; next write ok={writable}"],
            ["load_kill_reopen", reopen, "s", "first read after the kill"]]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    ap.add_argument("--worker", action="store_true", help="internal: run sessions from the JSON spec on stdin")
    ap.add_argument("--kill-writer", nargs=2, metavar=("DB", "MARKER"), help="internal: the writer to be killed")
    ap.add_argument("--editors", type=int, default=20)
    ap.add_argument("--viewers", type=int, default=5)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--no-kill", action="store_true")
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(sys.stdin.read()))), flush=True)
        return 0
    if args.kill_writer:
        killed_writer(*args.kill_writer)
        return 0
    try:
        rows = run(editors=args.editors, viewers=args.viewers, processes=args.processes, kill=not args.no_kill)
    except Exception as exc:  # noqa: BLE001 - reported as a figure line, like bench/cases.py
        rows = [["load_error", None, "error", f"{type(exc).__name__}: {exc}"[:300]]]
    print("BENCH-JSON " + json.dumps(rows, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
