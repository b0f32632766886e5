"""The database: built from the source files, rebuilt when they change, shared by processes and threads."""
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from models.intake import sources
from models.store import facts as facts_q
from models.store.database import SCHEMA_VERSION, Database, DatabaseBusy
from tests.conftest import ROOT


def test_first_use_builds_every_base_table(fresh_db):
    counts = {t: fresh_db.scalar(f"SELECT count(*) FROM {t}") for t in
              ("indicators", "units", "regions", "documents", "facts", "series")}
    assert counts["documents"] == 5
    assert counts["regions"] >= 75
    assert counts["series"] == len(sources.read_reference_series())
    assert counts["facts"] == len(sources.read_facts())
    assert fresh_db.scalar("SELECT value FROM meta WHERE key='source_hash'") == sources.source_hash() + ":" + SCHEMA_VERSION


def test_second_use_does_not_rebuild(fresh_db):
    assert fresh_db.ensure_built() is False
    assert Database(fresh_db.path).ensure_built() is False


def test_changed_sources_rebuild_and_keep_user_data(fresh_db):
    fresh_db.write(lambda con: con.execute(
        "INSERT INTO scenarios VALUES ('keep-me', '500103', '{}', 'test', now(), now())"))
    # Simulate a source change: the stored hash no longer matches the files.
    fresh_db.write(lambda con: con.execute("UPDATE meta SET value = 'stale' WHERE key = 'source_hash'"))
    assert Database(fresh_db.path).ensure_built() is True
    assert fresh_db.scalar("SELECT count(*) FROM scenarios WHERE name = 'keep-me'") == 1
    assert fresh_db.scalar("SELECT count(*) FROM documents") == 5


def test_failed_write_changes_nothing(fresh_db):
    before = fresh_db.scalar("SELECT count(*) FROM scenarios")

    def bad(con):
        con.execute("INSERT INTO scenarios VALUES ('x', '500103', '{}', 't', now(), now())")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fresh_db.write(bad)
    assert fresh_db.scalar("SELECT count(*) FROM scenarios") == before


def test_sql_is_parameterised_against_injection(fresh_db):
    evil = "500103' OR '1'='1"
    assert facts_q.all_facts(fresh_db, region=evil).empty


def test_threads_read_and_write_together(fresh_db):
    errors, n = [], 12

    def reader():
        try:
            for _ in range(5):
                assert fresh_db.scalar("SELECT count(*) FROM documents") == 5
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    def writer(i):
        try:
            fresh_db.write(lambda con: con.execute(
                "INSERT INTO scenarios VALUES (?, '500103', '{}', 't', now(), now())", [f"s{i}"]))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(n)] + \
              [threading.Thread(target=writer, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert fresh_db.scalar("SELECT count(*) FROM scenarios WHERE name LIKE 's%'") == n


def test_cli_reads_while_another_process_writes(fresh_db, tmp_path):
    """A writer process holds the database for a second; the CLI waits for it instead of failing."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import time, sys\n"
        "from models.store.database import Database\n"
        f"db = Database({str(fresh_db.path)!r})\n"
        "def hold(con):\n"
        "    con.execute(\"INSERT INTO scenarios VALUES ('held', '500103', '{}', 't', now(), now())\")\n"
        "    print('holding', flush=True); time.sleep(1.5)\n"
        "db.write(hold)\n")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    out = tmp_path / "facts.csv"
    started = time.monotonic()
    cli = subprocess.run([sys.executable, "-m", "forecasting", "facts", "--out", str(out)], cwd=ROOT,
                         env={**__import__("os").environ, "YLYX_DB": str(fresh_db.path)}, capture_output=True, text=True)
    assert holder.wait(10) == 0
    assert cli.returncode == 0, cli.stderr
    assert time.monotonic() - started > 0.3  # it waited for the writer rather than failing at once
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert fresh_db.scalar("SELECT count(*) FROM scenarios WHERE name = 'held'") == 1


def test_duckdb_itself_refuses_a_second_process_which_is_why_we_lock(fresh_db):
    con = duckdb.connect(str(fresh_db.path))
    try:
        r = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(fresh_db.path)!r}, read_only=True)"],
                           capture_output=True, text=True)
        assert r.returncode != 0 and "lock" in r.stderr.lower()
    finally:
        con.close()


def test_busy_database_gives_a_clear_message(fresh_db):
    impatient = Database(fresh_db.path, timeout=0.2)
    import fcntl
    import os
    fd = os.open(fresh_db.lock_path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(DatabaseBusy, match="数据库正忙"):
            impatient.query("SELECT 1")
    finally:
        os.close(fd)
