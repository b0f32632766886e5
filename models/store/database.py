"""The one module that talks to DuckDB.

Design for several processes and threads (DuckDB lets only one process hold a file read-write, and refuses
every other open meanwhile):
- No connection stays open. Each read opens a read-only connection, runs parameterised SQL and closes; each
  write opens a read-write connection, runs one transaction and closes.
- A lock file beside the database (`flock`, one descriptor per call) serialises them: readers share it,
  a writer holds it alone. flock on separate descriptors also excludes threads of the same process, so the
  dashboard's sessions, the command line and the tests can all use the file at the same time; a caller waits
  (up to `timeout` seconds) instead of failing on DuckDB's lock.
- The base tables are rebuilt from the versioned source files whenever their hash changes (first run
  included), in one transaction; user tables (imports, scenarios, change log) survive rebuilds.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from models.core.catalogue import indicators, units
from models.core.paths import database_path
from models.intake import sources
from models.regions import census, registry

SCHEMA_VERSION = "5"  # 2: accounts and login_attempts; 3: fit_cache (a rebuild creates new user tables, keeps the old)
# 4: census_persons and region_registry; 5: region_registry.prefecture_tier (issue 20)

# Base tables: rebuilt from data/ (their content is always the source files').
BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS indicators (id VARCHAR PRIMARY KEY, label_zh VARCHAR, label_en VARCHAR, unit VARCHAR,
    group_name VARCHAR, description VARCHAR);
CREATE TABLE IF NOT EXISTS units (id VARCHAR PRIMARY KEY, label_zh VARCHAR, label_en VARCHAR);
CREATE TABLE IF NOT EXISTS regions (code VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR, level VARCHAR,
    parent_code VARCHAR, role VARCHAR);
CREATE TABLE IF NOT EXISTS documents (source VARCHAR PRIMARY KEY, region_code VARCHAR, title VARCHAR, text VARCHAR);
CREATE TABLE IF NOT EXISTS facts (fact_id VARCHAR PRIMARY KEY, region_code VARCHAR, region_name VARCHAR,
    indicator VARCHAR, year INTEGER, value DOUBLE, text_value VARCHAR, unit VARCHAR, basis VARCHAR, kind VARCHAR,
    comparator VARCHAR, attribute VARCHAR, department VARCHAR, source VARCHAR, quote VARCHAR, note VARCHAR);
CREATE TABLE IF NOT EXISTS relations (relation_id VARCHAR PRIMARY KEY, region_code VARCHAR, op VARCHAR,
    result_fact VARCHAR, input_facts VARCHAR, param VARCHAR, description VARCHAR);
CREATE TABLE IF NOT EXISTS projects (project_id VARCHAR PRIMARY KEY, region_code VARCHAR, name VARCHAR,
    start_year INTEGER, end_year INTEGER, indicator VARCHAR, capacity DOUBLE, unit VARCHAR, source VARCHAR,
    quote VARCHAR, detail JSON);
CREATE TABLE IF NOT EXISTS series (region_code VARCHAR, indicator VARCHAR, year INTEGER, value DOUBLE,
    unit VARCHAR, basis VARCHAR, derived VARCHAR, source VARCHAR, quote VARCHAR, note VARCHAR, published INTEGER);
"""
BASE_TABLES = ("indicators", "units", "regions", "documents", "facts", "relations", "projects", "series")

# -- issue 20: the censuses and the region registry (built from data/reference/census/, models/regions/) --------
CENSUS_SCHEMA = """
CREATE TABLE IF NOT EXISTS census_persons (region_code VARCHAR, region_name VARCHAR, census_year INTEGER,
    sex VARCHAR, age_group VARCHAR, age_lo INTEGER, age_hi INTEGER, persons BIGINT);
CREATE TABLE IF NOT EXISTS region_registry (region_code VARCHAR PRIMARY KEY, region_name VARCHAR, name_en VARCHAR,
    level VARCHAR, parent_code VARCHAR, province_code VARCHAR, prefecture_code VARCHAR, county_tier BOOLEAN,
    prefecture_tier BOOLEAN, note VARCHAR, code_2010 VARCHAR, match_2010 VARCHAR, gbt2260 VARCHAR, role VARCHAR);
"""
CENSUS_TABLES = ("census_persons", "region_registry")


def _census_frames() -> dict[str, pd.DataFrame]:
    persons = pd.concat([census.read_census(year) for year in census.YEARS], ignore_index=True)
    return {"census_persons": persons, "region_registry": registry.build()}
# -- end issue 20 --------------------------------------------------------------------------------------------------

# User tables: written by planners (imports, edits, scenarios); never touched by a rebuild.
USER_SCHEMA = """
CREATE TABLE IF NOT EXISTS user_regions (code VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR,
    level VARCHAR, parent_code VARCHAR, created_by VARCHAR, created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS user_facts (fact_id VARCHAR PRIMARY KEY, region_code VARCHAR, region_name VARCHAR,
    indicator VARCHAR, year INTEGER, value DOUBLE, text_value VARCHAR, unit VARCHAR, basis VARCHAR, kind VARCHAR,
    comparator VARCHAR, attribute VARCHAR, department VARCHAR, source VARCHAR, quote VARCHAR, note VARCHAR,
    created_by VARCHAR, created_at TIMESTAMP, import_file VARCHAR);
CREATE TABLE IF NOT EXISTS user_series (region_code VARCHAR, indicator VARCHAR, year INTEGER, value DOUBLE,
    unit VARCHAR, basis VARCHAR, source VARCHAR, note VARCHAR, created_by VARCHAR, created_at TIMESTAMP,
    import_file VARCHAR, PRIMARY KEY (region_code, indicator, year, basis));
CREATE TABLE IF NOT EXISTS scenarios (name VARCHAR PRIMARY KEY, region_code VARCHAR, payload JSON,
    created_by VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS change_log (change_id BIGINT PRIMARY KEY, changed_at TIMESTAMP, who VARCHAR, action VARCHAR,
    table_name VARCHAR, row_key VARCHAR, old_value JSON, new_value JSON, why VARCHAR, reverted_by BIGINT);
CREATE TABLE IF NOT EXISTS accounts (username VARCHAR PRIMARY KEY, display_name VARCHAR, role VARCHAR,
    password_hash VARCHAR, created_by VARCHAR, created_at TIMESTAMP, disabled_at TIMESTAMP, locked_until TIMESTAMP);
CREATE TABLE IF NOT EXISTS login_attempts (username VARCHAR, attempted_at TIMESTAMP, outcome VARCHAR);
CREATE TABLE IF NOT EXISTS user_documents (doc_id VARCHAR PRIMARY KEY, region_code VARCHAR, title VARCHAR,
    filename VARCHAR, text VARCHAR, created_by VARCHAR, created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS user_quotes (fact_id VARCHAR PRIMARY KEY, doc_id VARCHAR, quote VARCHAR, start_pos INTEGER);
CREATE TABLE IF NOT EXISTS fit_cache (fit_key VARCHAR PRIMARY KEY, result JSON, created_at TIMESTAMP);
"""
# plan texts pasted or uploaded by editors and the quotes of the figures imported from them (models/store/user_documents.py)
USER_DOCUMENT_SCHEMA = USER_SCHEMA[USER_SCHEMA.index("CREATE TABLE IF NOT EXISTS user_documents"):]


class DatabaseBusy(RuntimeError):
    """Another process or session held the database longer than the caller was willing to wait."""


class Database:
    """The project's DuckDB file. Construct with a path (default: data/planning.duckdb or $YLYX_DB)."""

    def __init__(self, path: str | Path | None = None, *, timeout: float = 30.0,
                 on_lock_wait: Callable[[bool, float], None] | None = None):
        """path: the DuckDB file (default: YLYX_DB or data/planning.duckdb); timeout: seconds to wait for the lock
        before DatabaseBusy; on_lock_wait(exclusive, seconds): told how long each lock acquisition waited
        (the load benchmark measures lock waits through it)."""
        self.on_lock_wait = on_lock_wait
        self.path = Path(path) if path else database_path()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.turn_path = self.path.with_name(self.path.name + ".turn")  # writers first (see _locked)
        self.timeout = timeout
        self._checked: tuple | None = None  # source-file stamp at the last successful ensure_built()

    # -- locking -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        """Hold the lock file shared (LOCK_SH) or alone (LOCK_EX). Everyone first passes a turnstile (a second lock
        file, held alone and only until the main lock is taken): a waiting writer holds it, so new readers queue
        behind the writer instead of overlapping each other indefinitely. Without it, 5 viewers reloading kept
        the shared lock busy and writers waited over 30 s (bench/load.py)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            start = time.monotonic()
            deadline = start + self.timeout
            turn = os.open(self.turn_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                self._flock(turn, fcntl.LOCK_EX, deadline)
                self._flock(fd, mode, deadline)
            finally:
                os.close(turn)  # past the turnstile: the next caller may queue
            if self.on_lock_wait is not None:
                self.on_lock_wait(mode == fcntl.LOCK_EX, time.monotonic() - start)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def _flock(self, fd: int, mode: int, deadline: float) -> None:
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DatabaseBusy(f"数据库正忙（{self.path.name}），请稍后再试 / database busy") from None
                time.sleep(0.01)

    # -- reading -------------------------------------------------------------------------------------
    def query(self, sql: str, params: list | tuple | dict | None = None) -> pd.DataFrame:
        """Run one parameterised SELECT on a read-only connection and return a DataFrame."""
        self.ensure_built()
        with self._locked(fcntl.LOCK_SH):
            con = duckdb.connect(str(self.path), read_only=True)
            try:
                return con.execute(sql, params or []).df()
            finally:
                con.close()

    def scalar(self, sql: str, params: list | tuple | None = None) -> Any:
        df = self.query(sql, params)
        return None if df.empty else df.iat[0, 0]

    def cached_fits(self) -> dict[str, str]:
        """Saved statistical fits: key (a hash of the fit's inputs, forecasting.projection_models.fit_key) → result
        as JSON text. Valid across rebuilds: the key changes whenever the inputs do."""
        df = self.query("SELECT fit_key, CAST(result AS VARCHAR) AS result FROM fit_cache")
        return dict(zip(df["fit_key"], df["result"]))

    def save_fits(self, fits: dict[str, str]) -> None:
        """Store fits (key → JSON text) in one transaction; keys already stored are kept as they are."""
        if not fits:
            return
        rows = pd.DataFrame({"fit_key": list(fits), "result": list(fits.values())})

        def insert(con):
            con.register("new_fits", rows)
            con.execute("INSERT INTO fit_cache SELECT fit_key, result, now() FROM new_fits "
                        "ON CONFLICT (fit_key) DO NOTHING")
        self.write(insert)

    def clear_fits(self) -> None:
        """Forget every saved fit (benchmarks of a cold start)."""
        self.write(lambda con: con.execute("DELETE FROM fit_cache"))

    # -- writing -------------------------------------------------------------------------------------
    def write(self, work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run `work(con)` inside one transaction on a read-write connection; roll back on any exception."""
        self.ensure_built()
        with self._locked(fcntl.LOCK_EX):
            return self._transaction(work)

    def _transaction(self, work):
        con = duckdb.connect(str(self.path))
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                result = work(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("CHECKPOINT")  # keep the file self-contained (no WAL left for a reader to replay)
            return result
        finally:
            con.close()

    # -- building ------------------------------------------------------------------------------------
    def built_hash(self) -> str | None:
        if not self.path.exists():
            return None
        with self._locked(fcntl.LOCK_SH):
            if not self.path.exists():
                return None
            con = duckdb.connect(str(self.path), read_only=True)
            try:
                row = con.execute("SELECT value FROM meta WHERE key = 'source_hash'").fetchone()
            except duckdb.CatalogException:
                return None
            finally:
                con.close()
        return row[0] if row else None

    def ensure_built(self) -> bool:
        """Build or rebuild the base tables when the source files changed. Returns True if it rebuilt."""
        stamp = (sources.source_stamp(), self.path.exists() and self.path.stat().st_ino)
        if stamp == self._checked:
            return False  # nothing changed since this object last checked: skip hashing
        want = sources.source_hash() + ":" + SCHEMA_VERSION
        if self.built_hash() == want:
            self._checked = stamp
            return False
        frames = _base_frames()  # read and validate all sources before taking the lock
        with self._locked(fcntl.LOCK_EX):
            if self.path.exists() and self._hash_unlocked() == want:
                return False
            self._transaction(lambda con: _load_base(con, frames, want))
        self._checked = (sources.source_stamp(), self.path.stat().st_ino)
        return True

    def _hash_unlocked(self) -> str | None:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'source_hash'").fetchone()
            return row[0] if row else None
        except duckdb.CatalogException:
            return None
        finally:
            con.close()


def _base_frames() -> dict[str, pd.DataFrame]:
    ind = pd.DataFrame([vars(i) for i in indicators().values()]).rename(columns={"group": "group_name"})
    unit = pd.DataFrame([vars(u) for u in units().values()])
    projects = sources.read_projects()
    core = ["project_id", "region_code", "name", "start_year", "end_year", "indicator", "capacity", "unit",
            "source", "quote"]
    extra = [c for c in projects.columns if c not in core]
    projects = projects.assign(detail=[json.dumps(d, ensure_ascii=False, default=str)
                                       for d in projects[extra].to_dict("records")])[core + ["detail"]]
    return {
        "indicators": ind[["id", "label_zh", "label_en", "unit", "group_name", "description"]],
        "units": unit[["id", "label_zh", "label_en"]],
        "regions": sources.read_regions(),
        "documents": sources.read_documents(),
        "facts": sources.read_facts(),
        "relations": sources.read_relations(),
        "projects": projects,
        "series": sources.read_reference_series(),
    } | _census_frames()


def _load_base(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], source_hash: str) -> None:
    for table in BASE_TABLES + CENSUS_TABLES:  # base tables hold nothing but the sources: recreate them
        con.execute(f"DROP TABLE IF EXISTS {table}")
    for stmt in (BASE_SCHEMA + CENSUS_SCHEMA + USER_SCHEMA).split(";"):
        if stmt.strip():
            con.execute(stmt)
    for table in BASE_TABLES + CENSUS_TABLES:
        con.execute(f"DELETE FROM {table}")  # table names are constants above, never user text
        frame = frames[table]  # noqa: F841 (DuckDB reads the local variable by name)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('source_hash', ?), ('built_at', CAST(now() AS VARCHAR))",
                [source_hash])


def log_change(con: duckdb.DuckDBPyConnection, *, who: str, action: str, table: str, key: str,
               old: str | None, new: str | None, why: str = "") -> int:
    """Append one row to change_log inside the caller's write transaction; returns its change_id."""
    change_id = con.execute("SELECT coalesce(max(change_id), 0) + 1 FROM change_log").fetchone()[0]
    con.execute("INSERT INTO change_log (change_id, changed_at, who, action, table_name, row_key, old_value, "
                "new_value, why) VALUES (?, now(), ?, ?, ?, ?, ?, ?, ?)", [change_id, who, action, table, key, old, new, why])
    return change_id


_default: Database | None = None


def default() -> Database:
    """The process-wide Database on the configured path (created lazily; no work at import time)."""
    global _default
    if _default is None or _default.path != database_path():
        _default = Database()
    return _default
