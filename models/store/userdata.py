"""Planners' own data in the database: imports, in-table edits, corrections of plan figures, the change log,
revert, and export/restore of the whole user-data set.

Every write is one transaction through `Database.write` (flock-serialised with every other session, process and
the CLI), so an import is written completely or not at all, and each row written leaves a `change_log` entry
(who, when, why, old value, new value as JSON) that `revert` can undo.

Rules (decided here, documented for the pages and the projection):
- Imported figures go to `user_facts` (ids `U-…`), yearly statistics to `user_series`, new regions to
  `user_regions`; `models.store.facts.all_facts()/reference_series()/regions()` already union them in.
- Re-importing a figure with the same identity (region, indicator, year, basis, kind — a series point without
  kind) replaces the earlier user value; the earlier value stays in the change log.
- A plan figure (base table `facts`, sourced from the documents) is never changed. A correction is a user fact
  with id `<plan fact id>@user` that copies the plan figure's identity and quote, carries the new value and says
  why in its note; `effective_facts()` shows it instead of the plan figure it supersedes.
- Edits are optimistic: the caller says which value it saw; if another session changed it meanwhile the save is
  refused (`Conflict`), so concurrent sessions never overwrite each other silently.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from models.core.catalogue import indicators, label
from models.core.formatting import fmt_number
from models.core.i18n import STRINGS, t
from models.core.messages import MessageError
from models.intake import importer
from models.intake.documents import MAX_TEXT_CHARS
from models.intake.importer import ImportPlan, Invalid
from models.intake.importer import problem as _p
from models.store.accounts import get_account
from models.store.database import Database, default
from models.store.facts import all_facts, regions

TABLES: dict[str, tuple[str, ...]] = {  # the user-data set (the schema is in models/store/database.py USER_SCHEMA)
    "user_regions": ("code", "name_zh", "name_en", "level", "parent_code", "created_by", "created_at"),
    "user_facts": ("fact_id", "region_code", "region_name", "indicator", "year", "value", "text_value", "unit",
                   "basis", "kind", "comparator", "attribute", "department", "source", "quote", "note",
                   "created_by", "created_at", "import_file"),
    "user_series": ("region_code", "indicator", "year", "value", "unit", "basis", "source", "note", "created_by",
                    "created_at", "import_file"),
    "scenarios": ("name", "region_code", "payload", "created_by", "created_at", "updated_at"),
    "user_documents": ("doc_id", "region_code", "title", "filename", "text", "created_by", "created_at"),
    "user_quotes": ("fact_id", "doc_id", "quote", "start_pos"),
}
KEYS = {"user_regions": ("code",), "user_facts": ("fact_id",),
        "user_series": ("region_code", "indicator", "year", "basis"), "scenarios": ("name",),
        "user_documents": ("doc_id",), "user_quotes": ("fact_id",)}
LOG_COLUMNS = ("change_id", "changed_at", "who", "action", "table_name", "row_key", "old_value", "new_value", "why",
               "reverted_by")
_TIMESTAMPS = {"created_at", "updated_at", "changed_at"}
EDITABLE = ("value", "comparator", "year", "basis", "source", "note")
COMPARATORS = ("=", "≥", ">", "≤", "<", "≈")
BACKUP_FORMAT, BACKUP_VERSION = "ylyx-userdata", 2  # 2: plan documents and their quotes (issue 22)
_MAX_DOCUMENT_TEXT = MAX_TEXT_CHARS
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Rejected(MessageError):
    """A write refused before anything was written; `problem` has the message in zh and en."""


class Conflict(Rejected):
    """Another session changed the record since the caller read it."""


@dataclass(frozen=True)
class ApplyResult:
    facts_inserted: int
    facts_updated: int
    series_inserted: int
    series_updated: int
    regions_added: int
    change_ids: tuple[int, ...]

    def message(self, lang: str = "zh") -> str:
        return t("imp_done", lang, facts=self.facts_inserted + self.facts_updated,
                 series=self.series_inserted + self.series_updated, regions=self.regions_added)


def _db(db: Database | None) -> Database:
    return db or default()


def _now() -> datetime:
    return datetime.now()  # local wall-clock time: what the planner reads in the log


# -- rows as JSON -----------------------------------------------------------------------------------------
def _plain(v):
    """A cell as a JSON value: NaN/NA → None, timestamps → ISO text, numpy numbers → Python numbers."""
    if v is None:
        return None
    if isinstance(v, pd.Timestamp | datetime):
        return None if pd.isna(v) else v.isoformat(sep=" ")
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v.item() if hasattr(v, "item") else v


def _row(row: dict, table: str) -> dict:
    return {c: _plain(row.get(c)) for c in TABLES[table]}


def _canonical(r: dict | None) -> str | None:
    return None if r is None else json.dumps(r, sort_keys=True, ensure_ascii=False, default=str)


def _same(a: dict | None, b: dict | None) -> bool:
    return _canonical(a) == _canonical(b)


def _key(table: str, row: dict) -> str:
    return json.dumps([row[k] for k in KEYS[table]], ensure_ascii=False)


# -- primitive operations inside one transaction (con is the write connection) ----------------------------
def _select(con, table: str, key: str) -> dict | None:
    cols = KEYS[table]
    where = " AND ".join(f"{c} = ?" for c in cols)  # table and column names are constants above
    df = con.execute(f"SELECT * FROM {table} WHERE {where}", json.loads(key)).df()
    return None if df.empty else _row(df.iloc[0].to_dict(), table)


def _all(con, table: str) -> list[dict]:
    df = con.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
    return [_row(r, table) for r in df.to_dict("records")]


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame([_row(r, table) for r in rows], columns=list(TABLES[table]))
    for c in df.columns:
        if c in _TIMESTAMPS:
            df[c] = pd.to_datetime(df[c])
        elif c in ("year", "start_pos"):
            df[c] = pd.array(df[c], dtype="Int64")
        elif c == "value":
            df[c] = pd.array(df[c], dtype="Float64")
        else:
            df[c] = df[c].astype(object)
    return df


def _insert_frame(con, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    frame = _frame(table, rows)
    con.register("_incoming", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def _delete_keys(con, table: str, keys: list[str]) -> None:
    if not keys:
        return
    cols = KEYS[table]
    frame = pd.DataFrame([json.loads(k) for k in keys], columns=list(cols)).astype(object)
    if "year" in frame:
        frame["year"] = pd.array(frame["year"], dtype="Int64")
    con.register("_gone", frame)
    try:
        on = " AND ".join(f"{table}.{c} = _gone.{c}" for c in cols)
        con.execute(f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM _gone WHERE {on})")
    finally:
        con.unregister("_gone")


def _upsert(con, table: str, row: dict) -> None:
    key = _key(table, row)
    _delete_keys(con, table, [key])
    _insert_frame(con, table, [row])


def _log(con, entries: list[dict]) -> list[int]:
    """Append change_log rows (action, table_name, row_key, old, new, who, why); returns their ids."""
    if not entries:
        return []
    start = int(con.execute("SELECT coalesce(max(change_id), 0) FROM change_log").fetchall()[0][0]) + 1
    now = _now()
    rows = []
    for i, e in enumerate(entries):
        rows.append({"change_id": start + i, "changed_at": now, "who": e["who"], "action": e["action"],
                     "table_name": e["table"], "row_key": e["key"],
                     "old_value": None if e["old"] is None else json.dumps(e["old"], ensure_ascii=False),
                     "new_value": None if e["new"] is None else json.dumps(e["new"], ensure_ascii=False),
                     "why": e["why"], "reverted_by": None})
    _insert_log_rows(con, rows)
    return [r["change_id"] for r in rows]


def select_row(con, table: str, key: str) -> dict | None:
    """Inside a write: the row of `table` (one of TABLES) with JSON key `key`, as the change log stores it."""
    return _select(con, table, key)


def log_entries(con, entries: list[dict]) -> list[int]:
    """Inside a write: append change-log entries ({action, table, key, old, new, who, why}; old/new row dicts as
    select_row returns them) so that `revert` can undo them; their ids."""
    return _log(con, entries)


def _insert_log_rows(con, rows: list) -> None:
    """Insert change_log rows (dicts or lists in LOG_COLUMNS order) with the table's column types."""
    frame = pd.DataFrame(rows, columns=list(LOG_COLUMNS)).astype(object)
    frame["change_id"] = frame["change_id"].astype("int64")
    frame["reverted_by"] = pd.array(frame["reverted_by"], dtype="Int64")
    frame["changed_at"] = pd.to_datetime(frame["changed_at"])
    con.register("_log_rows", frame)
    try:
        con.execute("INSERT INTO change_log BY NAME SELECT * FROM _log_rows")
    finally:
        con.unregister("_log_rows")


# -- import -----------------------------------------------------------------------------------------------
def known_regions(db: Database | None = None) -> dict[str, str]:
    """Region code → Chinese name, base and user regions."""
    r = regions(_db(db))
    return dict(zip(r["code"], r["name_zh"]))


@dataclass(frozen=True)
class PreviewedPlan(ImportPlan):
    """An ImportPlan with what its preview saw of every figure it would write: `seen` maps (target, row key) →
    (value, created_at, created_by) of the user figure it would replace, or None when there was none. apply_import
    compares them inside its transaction (compare-and-set): a figure another editor wrote meanwhile refuses the
    import, so the second writer is warned instead of silently overwriting."""
    seen: tuple = ()


def _current_user_figures(db: Database) -> dict[tuple, tuple]:
    """(target, row key) → (value, created_at ISO, created_by) of the imported figures and series points."""
    out = {}
    facts = db.query("SELECT region_code, indicator, year, basis, kind, value, created_at, created_by FROM user_facts "
                     "WHERE fact_id LIKE 'U-%'")
    for r in facts.to_dict("records"):
        key = (r["region_code"], r["indicator"], _plain(r["year"]), r["basis"], r["kind"])
        out[("fact", key)] = (_plain(r["value"]), _plain(r["created_at"]), r["created_by"])
    series = db.query("SELECT region_code, indicator, year, basis, value, created_at, created_by FROM user_series")
    for r in series.to_dict("records"):
        key = (r["region_code"], r["indicator"], _plain(r["year"]), r["basis"])
        out[("series", key)] = (_plain(r["value"]), _plain(r["created_at"]), r["created_by"])
    return out


def preview(data: bytes, filename: str, *, db: Database | None = None) -> ImportPlan:
    """Parse and validate an upload against the current database; reads only. Adds warnings for rows that
    would replace an imported value or sit beside a plan figure with the same identity. Returns a PreviewedPlan
    (what it saw of each figure, for the compare-and-set of apply_import) when there are rows."""
    db = _db(db)
    plan = importer.parse_file(data, filename, known_regions=known_regions(db))
    if not plan.rows:
        return plan
    facts = all_facts(db)
    plan_keys: dict[tuple, tuple[str, float, str]] = {}
    user_keys: dict[tuple, tuple[float, str]] = {}
    for r in facts.itertuples():
        key = (r.region_code, r.indicator, int(r.year) if not pd.isna(r.year) else None, r.basis, r.kind)
        if r.origin == "plan":
            plan_keys.setdefault(key, (r.fact_id, r.value, r.unit))
        elif str(r.fact_id).startswith("U-"):
            user_keys[key] = (r.value, r.unit)
    series = db.query("SELECT region_code, indicator, year, basis, value, unit FROM user_series")
    series_keys = {(r.region_code, r.indicator, int(r.year), r.basis): (r.value, r.unit) for r in series.itertuples()}
    rows = []
    for row in plan.rows:
        extra = []
        if row.ok and row.record and row.target in ("fact", "series"):
            key = importer.row_key(row.record)
            old = (series_keys if row.target == "series" else user_keys).get(key)
            if old:
                extra.append(_p("imp_w_overwrite", "warning", old=fmt_number(old[0], old[1])))
            if row.target == "fact" and key in plan_keys:
                fid, value, unit = plan_keys[key]
                extra.append(_p("imp_w_plan_same_key", "warning", fact=fid, old=fmt_number(value, unit)))
        rows.append(dataclasses.replace(row, problems=(*row.problems, *extra)) if extra else row)
    # a second, different value of the same figure from another document is a conflict the editor resolves; an
    # imported figure the file re-imports under the same identity is replaced instead (imp_w_overwrite above)
    again = {importer.row_key(r.record) for r in plan.rows if r.record and r.target in ("fact", "series")}
    user = facts["fact_id"].astype(str).str.startswith("U-")
    same = [(c, i, None if pd.isna(y) else int(y), b, k) in again
            for c, i, y, b, k in zip(facts["region_code"], facts["indicator"], facts["year"], facts["basis"],
                                     facts["kind"])]
    known_facts = facts[~(user & pd.Series(same, index=facts.index))]
    known_series = series[[(c, i, int(y), b) not in again for c, i, y, b in
                           zip(series["region_code"], series["indicator"], series["year"], series["basis"])]]
    known = pd.concat([known_facts[["fact_id", "region_code", "indicator", "year", "basis", "kind", "value", "unit",
                                    "source", "quote"]],
                       known_series.assign(fact_id=[f"series:{r.region_code}/{r.indicator}/{int(r.year)}/{r.basis}"
                                                    for r in known_series.itertuples()], kind="series",
                                           source="user_series", quote="")], ignore_index=True)
    plan = importer.mark_conflicts(dataclasses.replace(plan, rows=tuple(rows)), known)
    rows = list(plan.rows)
    current = _current_user_figures(db)
    seen = tuple(((r.target, importer.row_key(r.record)), current.get((r.target, importer.row_key(r.record))))
                 for r in rows if r.ok and r.record and r.target in ("fact", "series"))
    fields = {f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)}
    return PreviewedPlan(**{**fields, "rows": tuple(rows)}, seen=seen)


def _required_text(value: str, column: str, missing: str) -> str:
    """A cleaned free text the write needs (importer.clean_text); Rejected with `missing` (an i18n code) if empty."""
    try:
        value = importer.clean_text(value, column)
    except Invalid as exc:
        raise Rejected(exc.problem) from None
    if not value:
        raise Rejected(_p(missing))
    return value


def _who(who: str) -> str:
    return _required_text(who, "who", "imp_who_required")[:100]


def apply_import(plan: ImportPlan, *, who: str, note: str = "", db: Database | None = None) -> ApplyResult:
    """Write a validated plan in one transaction. Refuses (Rejected, nothing written) unless `plan.ok`.

    who: the person importing; note: optional source note, used for rows without their own 来源.
    Each figure records who, when, the file (name + sha256) and its source note; each write is logged.
    """
    if not plan.ok:
        first = plan.errors[0][2] if plan.errors else _p("imp_no_rows")
        raise Rejected(_p("imp_rejected")) from Rejected(first)
    who = _who(who)
    try:
        note = importer.clean_text(note, "source")
    except Invalid as exc:
        raise Rejected(exc.problem) from None
    file_ref = f"{Path(plan.filename).name[:200]} sha256:{plan.sha256[:16]}"
    why = (note + " · " if note else "") + f"导入 {Path(plan.filename).name[:200]}"

    def work(con) -> ApplyResult:
        now = _now()
        existing_regions = {r[0] for r in con.execute(
            "SELECT code FROM regions UNION SELECT code FROM user_regions").fetchall()}
        region_rows = [{**reg, "created_by": who, "created_at": now} for reg in plan.new_regions
                       if reg["code"] not in existing_regions]
        current_facts = {}
        for r in _all(con, "user_facts"):
            if r["fact_id"].startswith("U-"):
                current_facts[(r["region_code"], r["indicator"], r["year"], r["basis"], r["kind"])] = r
        if isinstance(plan, PreviewedPlan):
            _compare_and_set(con, plan, current_facts)
        fact_rows, series_rows, log = [], [], []
        replaced_facts, replaced_series = [], []
        for reg in region_rows:
            log.append({"action": "insert", "table": "user_regions", "key": _key("user_regions", reg), "old": None,
                        "new": _row(reg, "user_regions"), "who": who, "why": why})
        for rep in plan.writable:
            rec = rep.record
            common = {"region_code": rec["region_code"], "indicator": rec["indicator"], "year": rec["year"],
                      "value": rec["value"], "unit": rec["unit"], "basis": rec["basis"],
                      "source": rec["source"] or note or f"用户导入 {Path(plan.filename).name[:100]}",
                      "note": rec["note"], "created_by": who, "created_at": now, "import_file": file_ref}
            if rep.target == "series":
                row = _row(common, "user_series")
                old = _select(con, "user_series", _key("user_series", row))
                if old:
                    replaced_series.append(_key("user_series", row))
                series_rows.append(row)
                table = "user_series"
            else:
                old = current_facts.get(importer.row_key(rec))
                fid = old["fact_id"] if old else "U-" + uuid.uuid4().hex[:12]
                # the editor chose this figure over a plan's: it supersedes it as a correction (<fact_id>@user)
                superseded = [f for f in rec.get("supersedes", ()) if f and not f.startswith(("U-", "series:"))
                              and "@" not in f]
                if superseded and not old:
                    fid = f"{superseded[0]}@user"
                    old = _select(con, "user_facts", _key("user_facts", {"fact_id": fid}))
                    if old:
                        replaced_facts.append(_key("user_facts", old))
                if old:
                    replaced_facts.append(_key("user_facts", old))
                row = _row({**common, "fact_id": fid, "region_name": rec["region_name"], "text_value": None,
                            "kind": rec["kind"], "comparator": rec["comparator"], "attribute": "",
                            "department": "", "quote": rec.get("quote", "") or ""}, "user_facts")
                fact_rows.append(row)
                table = "user_facts"
            log.append({"action": "update" if old else "insert", "table": table, "key": _key(table, row),
                        "old": old, "new": row, "who": who, "why": why})
        # other user figures the editor chose to replace (a conflict resolved in favour of the file)
        for rep in plan.writable:
            for f in rep.record.get("supersedes", ()):
                table, key = "user_facts", _key("user_facts", {"fact_id": f})
                if f.startswith("series:"):  # series:<region>/<indicator>/<year>/<basis>
                    code, ind, year, basis = f.removeprefix("series:").split("/", 3)
                    table, key = "user_series", json.dumps([code, ind, int(year), basis], ensure_ascii=False)
                elif not (f.startswith("U-") or f.endswith("@user")):
                    continue  # a plan figure: superseded by the correction written above
                done = replaced_facts if table == "user_facts" else replaced_series
                gone = _select(con, table, key)
                if gone and key not in done:
                    done.append(key)
                    log.append({"action": "delete", "table": table, "key": key, "old": gone, "new": None,
                                "who": who, "why": why})
        _insert_frame(con, "user_regions", region_rows)
        _delete_keys(con, "user_facts", replaced_facts)
        _insert_frame(con, "user_facts", fact_rows)
        _delete_keys(con, "user_series", replaced_series)
        _insert_frame(con, "user_series", series_rows)
        ids = _log(con, log)
        return ApplyResult(max(len(fact_rows) - len(replaced_facts), 0), len(replaced_facts),
                           max(len(series_rows) - len(replaced_series), 0), len(replaced_series), len(region_rows),
                           tuple(ids))

    return _db(db).write(work)


def _compare_and_set(con, plan: PreviewedPlan, current_facts: dict) -> None:
    """Inside the import's transaction: every figure must still be what the preview saw; Conflict otherwise."""
    for (target, key), seen in plan.seen:
        if target == "fact":
            row = current_facts.get(key)
        else:
            row = _select(con, "user_series", json.dumps(list(key), ensure_ascii=False))
        now = None if row is None else (row["value"], row["created_at"], row["created_by"])
        if now != (None if seen is None else tuple(seen)):
            region, indicator, year = key[:3]
            figure = f"{region} {label(indicator, 'zh')} {year}"
            raise Conflict(_p("ud_import_conflict", figure=figure, who=row["created_by"] if row else "—",
                              current=fmt_number(row["value"], row["unit"]) if row else "—"))


def import_file(data: bytes, filename: str, *, who: str, note: str = "",
                db: Database | None = None) -> tuple[ImportPlan, ApplyResult | None]:
    """Preview, then write only if the whole file is valid. Returns (plan, result or None)."""
    plan = preview(data, filename, db=db)
    return plan, (apply_import(plan, who=who, note=note, db=db) if plan.ok else None)


# -- in-table edits and corrections -----------------------------------------------------------------------
def _why(why: str) -> str:
    return _required_text(why, "why", "ud_why_required")


def _apply_changes(current: dict, changes: dict) -> dict:
    """The user-fact row after `changes` (raw text as typed), validated with the import rules."""
    row = dict(current)
    unit = current["unit"] or (indicators()[current["indicator"]].unit if current["indicator"] in indicators() else "")
    try:
        for field, raw in changes.items():
            if field not in EDITABLE:
                raise Rejected(_p("ud_unknown_field", field=field))
            if field == "value":
                parsed = importer.parse_value(raw, unit=unit, indicator_id=current["indicator"])
                if parsed.missing:
                    raise Invalid(_p("imp_required", column="value"))
                row["value"] = parsed.value
                if parsed.comparator != "=":  # a comparator typed with the value (不低于60%) sets it
                    row["comparator"] = parsed.comparator
            elif field == "comparator":
                s = importer.normalize(raw) or "="
                s = {">=": "≥", "<=": "≤", "~": "≈"}.get(s, s)
                if s not in COMPARATORS:
                    raise Invalid(_p("imp_bad_number", text=s[:10]))
                row["comparator"] = s
            elif field == "year":
                row["year"] = importer.parse_year(raw)
            elif field == "basis":
                row["basis"] = importer.parse_basis(raw)
            else:
                row[field] = importer.clean_text(raw, field)
    except Invalid as exc:
        raise Rejected(exc.problem) from None
    return row


def edit_user_facts(edits: list[dict], *, who: str, why: str, db: Database | None = None) -> list[int]:
    """Change user facts in one transaction. Each edit: {'fact_id', 'changes': {field: text as typed},
    'expected': {field: value the editor saw}}. Any invalid value or conflict → Rejected/Conflict, nothing
    written. Returns the change ids."""
    who, why = _who(who), _why(why)

    def work(con) -> list[int]:
        log = []
        for e in edits:
            key = json.dumps([e["fact_id"]])
            current = _select(con, "user_facts", key)
            if current is None:
                raise Rejected(_p("ud_not_found", record=e["fact_id"]))
            for field, seen in (e.get("expected") or {}).items():
                if not _equal(current.get(field), seen):
                    raise Conflict(_p("ud_conflict", record=e["fact_id"], current=current.get(field)))
            new = _apply_changes(current, e["changes"])
            if _same(new, current):
                continue
            new = {**new, "created_by": who, "created_at": _now()}
            new = _row(new, "user_facts")
            _upsert(con, "user_facts", new)
            log.append({"action": "update", "table": "user_facts", "key": key, "old": current, "new": new,
                        "who": who, "why": why})
        return _log(con, log)

    return _db(db).write(work)


def _equal(a, b) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return (a if a is not None else "") == (b if b is not None else "")


def correct_plan_fact(fact_id: str, value: str, *, who: str, why: str, expected: float | None = None,
                      db: Database | None = None) -> int:
    """Supersede plan figure `fact_id` by user fact `<fact_id>@user` with `value` (text as typed). The plan
    figure itself is kept; the correction copies its identity, source and quote. `expected`: the corrected value
    the caller last saw (None if there was no correction yet), for the conflict check. Returns the change id."""
    who, why = _who(who), _why(why)
    base = _db(db).query("SELECT * FROM facts WHERE fact_id = ?", [fact_id])
    if base.empty:
        raise Rejected(_p("ud_not_found", record=fact_id))
    plan_row = base.iloc[0].to_dict()
    uid = f"{fact_id}@user"

    def work(con) -> int:
        current = _select(con, "user_facts", json.dumps([uid]))
        if current is not None and expected is not None and not _equal(current["value"], expected):
            raise Conflict(_p("ud_conflict", record=uid, current=current["value"]))
        if current is not None and expected is None:
            raise Conflict(_p("ud_conflict", record=uid, current=current["value"]))
        start = current or _row({**plan_row, "fact_id": uid, "import_file": ""}, "user_facts")
        new = _apply_changes(start, {"value": value})
        old_text = fmt_number(plan_row["value"], plan_row["unit"]) if not pd.isna(plan_row["value"]) \
            else (plan_row["text_value"] or "—")
        new = _row({**new, "note": f"更正规划数据 {fact_id}（原值 {old_text}）：{why}", "created_by": who,
                    "created_at": _now(), "import_file": ""}, "user_facts")
        _upsert(con, "user_facts", new)
        return _log(con, [{"action": "update" if current else "insert", "table": "user_facts",
                           "key": json.dumps([uid]), "old": current, "new": new, "who": who, "why": why}])[0]

    return _db(db).write(work)


def delete_user_facts(fact_ids: list[str], *, who: str, why: str, db: Database | None = None) -> list[int]:
    """Remove user facts (logged; revert brings them back)."""
    who, why = _who(who), _why(why)

    def work(con) -> list[int]:
        log = []
        for fid in fact_ids:
            key = json.dumps([fid])
            current = _select(con, "user_facts", key)
            if current is None:
                raise Rejected(_p("ud_not_found", record=fid))
            _delete_keys(con, "user_facts", [key])
            log.append({"action": "delete", "table": "user_facts", "key": key, "old": current, "new": None,
                        "who": who, "why": why})
        return _log(con, log)

    return _db(db).write(work)


# -- change log and revert --------------------------------------------------------------------------------
_LOG_PREVIEW = 4000  # characters of old/new JSON a page reads per entry (a legacy restore entry was 21.7 MB)


def change_log(db: Database | None = None, *, limit: int | None = 200, offset: int = 0) -> pd.DataFrame:
    """The audit log, newest first: change_id, changed_at, who, action, table_name, row_key, old_value,
    new_value (JSON text), why, reverted_by. `limit`/`offset`: one page of it (limit None: all)."""
    sql = "SELECT * FROM change_log ORDER BY change_id DESC"
    params: list = []
    if limit:
        sql += " LIMIT ? OFFSET ?"
        params += [int(limit), max(int(offset), 0)]
    df = _db(db).query(sql, params)
    df["reverted_by"] = df["reverted_by"].astype("Int64")
    return df


def change_log_count(db: Database | None = None) -> int:
    """How many entries the change log has."""
    return int(_db(db).scalar("SELECT count(*) FROM change_log") or 0)


def change_log_page(page: int = 1, *, per_page: int = 50, lang: str = "zh", db: Database | None = None) -> pd.DataFrame:
    """One page (1 = newest) of the change log as people read it: change_id, when, who, what, change (old → new,
    only the fields that differ, each cut to 80 characters), why, reverted_by. Reads at most _LOG_PREVIEW
    characters of each old/new value, so a page never carries a whole snapshot."""
    per_page = max(1, min(int(per_page), 500))
    df = _db(db).query(
        "SELECT change_id, changed_at, who, action, table_name, row_key, left(CAST(old_value AS VARCHAR), ?) AS old, "
        "left(CAST(new_value AS VARCHAR), ?) AS new, why, reverted_by FROM change_log ORDER BY change_id DESC "
        "LIMIT ? OFFSET ?", [_LOG_PREVIEW, _LOG_PREVIEW, per_page, (max(int(page), 1) - 1) * per_page])
    rows = []
    for r in df.to_dict("records"):
        rows.append({"change_id": int(r["change_id"]), "when": r["changed_at"], "who": r["who"],
                     "what": _what(r, lang), "change": _old_new(r["old"], r["new"]), "why": r["why"] or "",
                     "reverted_by": None if pd.isna(r["reverted_by"]) else int(r["reverted_by"])})
    out = pd.DataFrame(rows, columns=["change_id", "when", "who", "what", "change", "why", "reverted_by"])
    out["reverted_by"] = out["reverted_by"].astype("Int64")
    return out


def _what(r: dict, lang: str) -> str:
    try:
        key = json.loads(r["row_key"])
        key = " ".join(str(k) for k in key) if isinstance(key, list) else str(key)
    except (TypeError, ValueError):
        key = str(r["row_key"])
    return f"{t('ud_action_' + r['action'], lang) if 'ud_action_' + r['action'] in STRINGS else r['action']} · " \
           f"{r['table_name']} {key}".strip()


def _short(v) -> str:
    s = json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else ("—" if v is None else str(v))
    return s if len(s) <= 80 else s[:79] + "…"


def _old_new(old: str | None, new: str | None) -> str:
    """'field: old → new; …' for the fields that differ (timestamps and who left out), or the text cut short."""
    def parse(x):
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return None
        try:
            return json.loads(x)
        except ValueError:
            return x if len(x) <= 80 else x[:79] + "…"  # cut at _LOG_PREVIEW: no longer valid JSON
    a, b = parse(old), parse(new)
    if isinstance(a, dict) or isinstance(b, dict):
        a, b = a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {}
        skip = {"created_at", "updated_at", "created_by"}
        parts = [f"{k}: {_short(a.get(k))} → {_short(b.get(k))}" for k in sorted({*a, *b} - skip)
                 if a.get(k) != b.get(k)]
        return "; ".join(parts)[:600]
    return f"{_short(a)} → {_short(b)}"


def _loads_key(ch: dict) -> list:
    try:
        key = json.loads(ch["row_key"])
    except (TypeError, ValueError):
        key = None
    if not isinstance(key, list):  # an entry written before keys were structured (scenarios, issue 22)
        raise Rejected(_p("ud_not_revertible", id=int(ch["change_id"])))
    return key


def revert(change_ids: int | list[int], *, who: str, why: str = "", db: Database | None = None) -> list[int]:
    """Undo changes (newest first, in one transaction): the record goes back to its old value. Refused when a
    change was already reverted or the record changed again since (revert the newer change first). A restore
    (table '*') goes back to the snapshot it kept."""
    who = _who(who)
    try:
        why = importer.clean_text(why, "why") if why else ""
    except Invalid as exc:
        raise Rejected(exc.problem) from None
    many = isinstance(change_ids, list | tuple | set)
    ids = sorted({int(i) for i in (change_ids if many else [change_ids])}, reverse=True)

    def work(con) -> list[int]:
        out = []
        for cid in ids:
            df = con.execute("SELECT * FROM change_log WHERE change_id = ?", [cid]).df()
            if df.empty:
                raise Rejected(_p("ud_not_found", record=cid))
            ch = df.iloc[0].to_dict()
            if not pd.isna(ch["reverted_by"]):
                raise Rejected(_p("ud_already_reverted", id=cid, by=int(ch["reverted_by"])))
            table = ch["table_name"]
            if table == "accounts":  # account changes and locks (models/store/accounts.py) are not data
                raise Rejected(_p("acc_not_revertible", action=ch["action"]))
            if table not in (*TABLES, "*"):
                raise Rejected(_p("ud_not_revertible", id=cid))
            _loads_key(ch)
            try:
                old = None if ch["old_value"] is None or pd.isna(ch["old_value"]) else json.loads(ch["old_value"])
                new = None if ch["new_value"] is None or pd.isna(ch["new_value"]) else json.loads(ch["new_value"])
            except ValueError:
                raise Rejected(_p("ud_not_revertible", id=cid)) from None
            if table == "*":
                new_id = _revert_replacement(con, cid, old, new, who=who, why=why or f"撤销修改 {cid}")
            else:
                current = _select(con, table, ch["row_key"])
                if not _same(current, new):
                    raise Rejected(_p("ud_revert_stale", id=cid))
                if table == "user_regions" and old is None:
                    _region_unused(con, json.loads(ch["row_key"])[0])
                _delete_keys(con, table, [ch["row_key"]])
                if old is not None:
                    _insert_frame(con, table, [old])
                new_id = _log(con, [{"action": "revert", "table": table, "key": ch["row_key"], "old": new,
                                     "new": old, "who": who, "why": why or f"撤销修改 {cid}"}])[0]
            con.execute("UPDATE change_log SET reverted_by = ? WHERE change_id = ?", [new_id, cid])
            out.append(new_id)
        return out

    return _db(db).write(work)


def _region_unused(con, code: str) -> None:
    n = con.execute("SELECT (SELECT count(*) FROM user_facts WHERE region_code = ?) + "
                    "(SELECT count(*) FROM user_series WHERE region_code = ?)", [code, code]).fetchall()[0][0]
    if n:
        raise Rejected(_p("ud_region_in_use", code=code))


# -- the whole set: snapshots, export, restore ------------------------------------------------------------
def _snapshot(con) -> dict:
    return {table: _all(con, table) for table in TABLES}


def content_hash(tables: dict) -> str:
    """SHA-256 of the user-data set's content (every table of TABLES, rows in key order, canonical JSON)."""
    canon = {t: sorted((_row(r, t) for r in tables.get(t, [])), key=lambda r: _key(t, r)) for t in TABLES}
    return hashlib.sha256(json.dumps(canon, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _counts(tables: dict) -> dict:
    return {t: len(tables.get(t, [])) for t in TABLES}


def _replace_all(con, tables: dict) -> None:
    for table in TABLES:
        con.execute(f"DELETE FROM {table}")
        _insert_frame(con, table, tables.get(table, []))


def _replace_logged(con, tables: dict, *, who: str, why: str, action: str, extra: dict | None = None) -> int:
    """Replace the whole set by `tables`, keeping what it replaced once (userdata_snapshots) and logging one compact
    entry: old = {snapshot, sha256, counts} of the replaced set, new = {sha256, counts} of the new one."""
    before = _snapshot(con)
    snap = "S-" + uuid.uuid4().hex[:12]
    before_hash = content_hash(before)
    con.execute("INSERT INTO userdata_snapshots VALUES (?, ?, ?, ?, ?)",
                [snap, _now(), who, before_hash, json.dumps(before, ensure_ascii=False, default=str)])
    _replace_all(con, tables)
    after = _snapshot(con)
    return _log(con, [{"action": action, "table": "*", "key": "[]", "who": who, "why": why,
                       "old": {"snapshot": snap, "sha256": before_hash, "counts": _counts(before)},
                       "new": {"sha256": content_hash(after), "counts": _counts(after), **(extra or {})}}])[0]


def _revert_replacement(con, cid: int, old: dict | None, new: dict | None, *, who: str, why: str) -> int:
    if not isinstance(old, dict) or "snapshot" not in old or not isinstance(new, dict):
        raise Rejected(_p("ud_not_revertible", id=cid))  # a restore logged before issue 22 (full copies)
    if content_hash(_snapshot(con)) != new.get("sha256"):
        raise Rejected(_p("ud_revert_stale", id=cid))
    row = con.execute("SELECT data FROM userdata_snapshots WHERE snapshot_id = ?", [old["snapshot"]]).fetchall()
    if not row:
        raise Rejected(_p("ud_not_found", record=old["snapshot"]))
    return _replace_logged(con, json.loads(row[0][0]), who=who, why=why, action="revert")


def export_userdata(db: Database | None = None) -> bytes:
    """The whole user-data set (regions, facts, series, scenarios, plan documents and their quotes) plus the
    change log (for the record: a restore never imports it) as one JSON file (UTF-8), read in one consistent
    transaction."""

    def work(con) -> dict:
        data = _snapshot(con)
        log = con.execute("SELECT * FROM change_log ORDER BY change_id").df()
        data["change_log"] = [{c: _plain(r[c]) for c in LOG_COLUMNS} for r in log.to_dict("records")]
        return data

    tables = _db(db).write(work)
    doc = {"format": BACKUP_FORMAT, "version": BACKUP_VERSION, "exported_at": _now().isoformat(sep=" "),
           "sha256": content_hash(tables), "tables": tables}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _bad(detail: str) -> Rejected:
    return Rejected(_p("ud_bad_backup", detail=detail[:200]))


@dataclass(frozen=True)
class Backup:
    """A validated backup: the tables to restore, and how many change-log entries it carried (never imported)."""
    tables: dict
    ignored_log: int
    sha256: str


def parse_backup(data: bytes) -> Backup:
    """Validate a backup file completely, every row as an import checks it (structure, columns, keys, codes,
    years, units, ranges, and no formula, HTML or control characters in any text) → Backup. Raises Rejected."""
    if len(data) > 5 * importer.MAX_BYTES:
        raise _bad("too large")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT or doc.get("version") not in (1, BACKUP_VERSION):
        raise _bad("format/version")
    tables = doc.get("tables")
    if not isinstance(tables, dict) or not set(tables) <= {*TABLES, "change_log"}:
        raise _bad("tables")
    log = tables.get("change_log") or []
    out: dict[str, list[dict]] = {}
    for table in TABLES:
        rows = tables.get(table, [])
        cols = TABLES[table]
        if not isinstance(rows, list) or not all(isinstance(r, dict) and set(r) == set(cols) for r in rows):
            raise _bad(f"{table}: columns")
        for r in rows:
            for c, v in r.items():
                if v is not None and not isinstance(v, str | int | float):
                    raise _bad(f"{table}.{c}: type")
                if isinstance(v, str) and len(v) > (_MAX_DOCUMENT_TEXT if (table, c) == ("user_documents", "text")
                                                    else 20_000):
                    raise _bad(f"{table}.{c}: length")
                if isinstance(v, float) and not math.isfinite(v):
                    raise _bad(f"{table}.{c}: not finite")
        try:
            _check_rows(table, rows)
        except Invalid as exc:
            raise _bad(f"{table}: {exc.problem.message('zh')} / {exc.problem.message('en')}") from None
        out[table] = rows
    _check_references(out)
    return Backup(out, len(log) if isinstance(log, list) else 0, content_hash(out))


def _timestamp(v, where: str) -> None:
    if v is None:
        return
    try:
        if not isinstance(v, str) or pd.isna(pd.Timestamp(v)):
            raise ValueError
    except ValueError:
        raise _bad(f"{where}: time") from None


def _texts(table: str, r: dict, columns: tuple[str, ...]) -> None:
    for c in columns:
        if r[c] is not None:
            if not isinstance(r[c], str):
                raise _bad(f"{table}.{c}: type")
            importer.clean_text(r[c], c)  # no formula, + - @ lead, HTML or control characters


def _check_rows(table: str, rows: list[dict]) -> None:
    seen = set()
    cat = indicators()
    for r in rows:
        key = _key(table, r)
        if key in seen:
            raise _bad(f"{table}: duplicate {key}")
        seen.add(key)
        for c in ("created_at", "updated_at"):
            if c in r:
                _timestamp(r[c], f"{table}.{c}")
        if table == "user_regions":
            importer.parse_region_code(r["code"])
            if not importer.parse_region_name(r["name_zh"]):
                raise _bad("user_regions: name_zh")
            _texts(table, r, ("name_en", "level", "parent_code", "created_by"))
        elif table in ("user_facts", "user_series"):
            importer.parse_region_code(r["region_code"])
            if not isinstance(r["year"], int) or r["year"] is True:
                raise _bad(f"{table}: year")
            importer.parse_year(str(r["year"]))
            if r["indicator"] not in cat:
                raise _bad(f"{table}: indicator")
            if r["unit"] not in (None, "", cat[r["indicator"]].unit):
                raise _bad(f"{table}: unit")
            if r["basis"] not in (None, "", "常住", "户籍"):
                raise _bad(f"{table}: basis")
            if r["value"] is not None:
                if not isinstance(r["value"], int | float) or isinstance(r["value"], bool):
                    raise _bad(f"{table}: value")
                importer.check_range(float(r["value"]), r["unit"] or "", r["indicator"], str(r["value"]), [])
            _texts(table, r, ("source", "note", "created_by", "import_file"))
            if table == "user_facts":
                if not isinstance(r["fact_id"], str) or not r["fact_id"]:
                    raise _bad("user_facts: fact_id")
                importer.check_cell(r["fact_id"], "fact_id")
                if r["region_name"]:
                    importer.parse_region_name(r["region_name"])
                if r["kind"] not in ("observed", "target", "plan_projection", "standard", "assumption"):
                    raise _bad("user_facts: kind")
                if r["comparator"] not in (None, "", *COMPARATORS):
                    raise _bad("user_facts: comparator")
                _texts(table, r, ("text_value", "attribute", "department"))
                if r["quote"]:
                    importer.clean_quote(r["quote"])
        elif table == "scenarios":
            if not isinstance(r["name"], str) or not importer.clean_text(r["name"], "name") or len(r["name"]) > 60:
                raise _bad("scenarios: name")
            try:
                payload = json.loads(r["payload"]) if isinstance(r["payload"], str) else None
            except ValueError:
                raise _bad("scenarios: payload") from None
            if not isinstance(payload, dict):
                raise _bad("scenarios: payload")
            importer.parse_region_code(r["region_code"])
            _texts(table, r, ("created_by",))
        elif table == "user_documents":
            if not isinstance(r["doc_id"], str) or not r["doc_id"].startswith("UD-"):
                raise _bad("user_documents: doc_id")
            if not isinstance(r["text"], str) or _CONTROL.search(r["text"]):
                raise _bad("user_documents: text")
            if r["region_code"]:
                importer.parse_region_code(r["region_code"])
            _texts(table, r, ("title", "filename", "created_by"))
        elif table == "user_quotes":
            if not isinstance(r["fact_id"], str) or not isinstance(r["doc_id"], str):
                raise _bad("user_quotes: ids")
            if not isinstance(r["start_pos"], int | None) or isinstance(r["start_pos"], bool):
                raise _bad("user_quotes: start_pos")
            importer.clean_quote(r["quote"])


def _check_references(tables: dict) -> None:
    """Every quote points to a document in the backup and to a figure in it."""
    docs = {d["doc_id"]: d["text"] for d in tables.get("user_documents", [])}
    facts = {f["fact_id"] for f in tables.get("user_facts", [])}
    for q in tables.get("user_quotes", []):
        if q["doc_id"] not in docs or q["fact_id"] not in facts:
            raise _bad(f"user_quotes: {q['fact_id']} → {q['doc_id']}")
        if q["quote"] and q["quote"] not in docs[q["doc_id"]]:
            raise _bad(f"user_quotes: {q['fact_id']} quote not in document")


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: records restored, the backup's change-log entries left out, the change-log entry."""
    records: int
    ignored_log: int
    change_id: int

    def message(self, lang: str = "zh") -> str:
        text = t("ed_restored", lang, n=self.records)
        return text + (" " + t("ud_restore_log_ignored", lang, n=self.ignored_log) if self.ignored_log else "")


def restore_userdata(data: bytes, *, who: str, why: str = "", db: Database | None = None) -> RestoreResult:
    """Replace the user-data set with a backup, in one transaction, after validating every row of it.

    Only an enabled admin account may restore (Rejected acc_admin_required otherwise). The backup's change log is
    never imported (history cannot be planted); the current log stays and gets one compact 'restore' entry: what
    was replaced (kept once, as a snapshot, so the restore can be reverted), counts and content hashes."""
    who = _who(who)
    account = get_account(who, db=db)
    if account is None or account.disabled or not account.is_admin:
        raise Rejected(_p("acc_admin_required"))
    try:
        why = importer.clean_text(why, "why") if why else ""
    except Invalid as exc:
        raise Rejected(exc.problem) from None
    backup = parse_backup(data)

    def work(con) -> int:
        return _replace_logged(con, backup.tables, who=who, why=why or "从备份恢复", action="restore",
                               extra={"ignored_change_log": backup.ignored_log})

    change_id = _db(db).write(work)
    return RestoreResult(sum(len(v) for v in backup.tables.values()), backup.ignored_log, change_id)


# -- reading ----------------------------------------------------------------------------------------------
def user_facts(db: Database | None = None, *, region: str | None = None) -> pd.DataFrame:
    """The user facts (imports and corrections) with who/when/file, ordered by region, indicator, year."""
    sql, params = "SELECT * FROM user_facts", []
    if region:
        sql += " WHERE region_code = ?"
        params.append(region)
    df = _db(db).query(sql + " ORDER BY region_code, indicator, year, fact_id", params)
    df["year"] = df["year"].astype("Int64")
    return df


def effective_facts(db: Database | None = None, *, region: str | None = None) -> pd.DataFrame:
    """all_facts() with every plan figure that a correction `<id>@user` supersedes left out (its default)."""
    return all_facts(db, region=region)
