"""Named scenarios a planner saves (assumptions + view), stored in DuckDB so they survive restarts."""
from __future__ import annotations

import json
import unicodedata

import pandas as pd

from models.store.database import Database, default, log_change

MAX_NAME = 60


def validate_name(name: str) -> str:
    """A scenario name: 1–60 printable characters, trimmed. ValueError (zh/en) otherwise."""
    name = (name or "").strip()
    if not name:
        raise ValueError("方案名称不能为空 / scenario name is empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"方案名称不能超过{MAX_NAME}个字符 / scenario name longer than {MAX_NAME} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ValueError("方案名称含有控制字符 / scenario name contains control characters")
    return name


def save_scenario(name: str, region: str, payload: dict, *, who: str = "anonymous", db: Database | None = None) -> str:
    """Insert or replace the scenario `name`; the payload (assumptions, year, method...) is stored as JSON."""
    name = validate_name(name)
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    db = db or default()

    def work(con):
        old = con.execute("SELECT payload FROM scenarios WHERE name = ?", [name]).fetchone()
        con.execute(
            "INSERT INTO scenarios (name, region_code, payload, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, now(), now()) ON CONFLICT (name) DO UPDATE SET region_code = excluded.region_code, "
            "payload = excluded.payload, updated_at = now()", [name, region, body, who])
        log_change(con, who=who, action="save", table="scenarios", key=name, old=old[0] if old else None, new=body)

    db.write(work)
    return name


def list_scenarios(*, region: str | None = None, db: Database | None = None) -> pd.DataFrame:
    sql, params = "SELECT name, region_code, created_by, created_at, updated_at FROM scenarios", []
    if region:
        sql += " WHERE region_code = ?"
        params.append(region)
    return (db or default()).query(sql + " ORDER BY updated_at DESC, name", params)


def load_scenario(name: str, *, db: Database | None = None) -> dict:
    body = (db or default()).scalar("SELECT payload FROM scenarios WHERE name = ?", [name])
    if body is None:
        raise KeyError(f"没有名为“{name}”的方案 / no scenario named {name!r}")
    return json.loads(body)


def delete_scenario(name: str, *, who: str = "anonymous", db: Database | None = None) -> None:
    def work(con):
        old = con.execute("SELECT payload FROM scenarios WHERE name = ?", [name]).fetchone()
        if old is None:
            raise KeyError(f"没有名为“{name}”的方案 / no scenario named {name!r}")
        con.execute("DELETE FROM scenarios WHERE name = ?", [name])
        log_change(con, who=who, action="delete", table="scenarios", key=name, old=old[0], new=None)

    (db or default()).write(work)
