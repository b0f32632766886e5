"""Named scenarios a planner saves (assumptions + view), stored in DuckDB so they survive restarts. Anyone may list,
load and compare them; saving, overwriting and deleting need an editor account, named in the change log."""
from __future__ import annotations

import json
import unicodedata

import pandas as pd

from models.core.messages import message
from models.store import userdata
from models.store.accounts import get_account
from models.store.database import Database, default

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


def _editor(who: str, db: Database) -> str:
    """`who` when it is an enabled account that may edit; Rejected (acc_login_required / acc_no_edit_role) else.
    Saving, overwriting and deleting a scenario is a write: a viewer may load and compare, never change."""
    account = get_account(str(who or ""), db=db)
    if account is None or account.disabled:
        raise userdata.Rejected(message("acc_login_required"))
    if not account.can_edit:
        raise userdata.Rejected(message("acc_no_edit_role", name=account.username))
    return account.username


def save_scenario(name: str, region: str, payload: dict, *, who: str, db: Database | None = None) -> str:
    """Insert or replace the scenario `name` (the payload — assumptions, year, method… — stored as JSON) as the
    editor account `who`. The change log holds the whole row before and after under the key ["name"], so the save
    can be reverted like any other change."""
    name = validate_name(name)
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    db = db or default()
    who = _editor(who, db)
    key = json.dumps([name], ensure_ascii=False)

    def work(con):
        old = userdata.select_row(con, "scenarios", key)
        con.execute(
            "INSERT INTO scenarios (name, region_code, payload, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, now(), now()) ON CONFLICT (name) DO UPDATE SET region_code = excluded.region_code, "
            "payload = excluded.payload, created_by = excluded.created_by, updated_at = now()",
            [name, region, body, who])
        userdata.log_entries(con, [{"action": "save", "table": "scenarios", "key": key, "old": old,
                                    "new": userdata.select_row(con, "scenarios", key), "who": who, "why": ""}])

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


def delete_scenario(name: str, *, who: str, db: Database | None = None) -> None:
    """Delete the scenario `name` as the editor account `who` (logged with the whole row; revert brings it back)."""
    db = db or default()
    who = _editor(who, db)
    key = json.dumps([name], ensure_ascii=False)

    def work(con):
        old = userdata.select_row(con, "scenarios", key)
        if old is None:
            raise KeyError(f"没有名为“{name}”的方案 / no scenario named {name!r}")
        con.execute("DELETE FROM scenarios WHERE name = ?", [name])
        userdata.log_entries(con, [{"action": "delete", "table": "scenarios", "key": key, "old": old, "new": None,
                                    "who": who, "why": ""}])

    db.write(work)
