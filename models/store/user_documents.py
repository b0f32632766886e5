"""Plan documents uploaded or pasted by editors, kept as sources of the figures imported from them.

`import_extracted(rows, text=..., ...)` writes the confirmed rows of an extraction (models/intake/extract.py) through the
ordinary import path (models.store.userdata: validation, one transaction, change log), then stores the document and, for
every figure written, its verbatim quote (tables `user_documents`, `user_quotes`, schema in models/store/database.py
USER_SCHEMA; they survive rebuilds). The data page reads a figure's quote in its paragraph with
`quote_in_context(fact_id)`, as it does for the five plans.

Two transactions, in this order: the figures first (the import is all or nothing), then the document and quotes
(with a change-log entry). If the second fails, the figures stand without their context and the editor is told.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from models.core.export import csv_bytes
from models.intake import extract as ex
from models.intake.importer import ImportPlan, row_key
from models.store import userdata
from models.store.database import USER_DOCUMENT_SCHEMA, Database, default, log_change


@dataclass(frozen=True)
class ExtractImport:
    """What an import of extracted rows did: the validated plan, the write result (None if refused) and the
    document id the quotes point to (None if nothing was written)."""
    plan: ImportPlan
    result: userdata.ApplyResult | None
    doc_id: str | None
    quotes: int = 0


def _db(db: Database | None) -> Database:
    return db or default()


def doc_id_for(text: str) -> str:
    """A stable id for a document text: `UD-` + the first 12 hex digits of its SHA-256."""
    return "UD-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _has_tables(db: Database) -> bool:
    n = db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('user_documents', "
                  "'user_quotes')")
    return int(n or 0) == 2


def import_extracted(rows: pd.DataFrame, *, text: str, title: str, filename: str, region_code: str,
                     region_name: str, who: str, db: Database | None = None) -> ExtractImport:
    """Import the confirmed rows of an extraction and keep the document as their source.

    In: rows in the layout of `models.intake.extract.HEADERS` (地区代码/地区名称 are overwritten by `region_code` and
    `region_name`, confirmed by the editor); the document text as read; who imports. Out: ExtractImport.
    Nothing is written when any row is invalid (the plan's problems say why).
    """
    db = _db(db)
    doc_id = doc_id_for(text)
    df = rows.reindex(columns=ex.HEADERS).fillna("").astype(str).copy()
    df["地区代码"], df["地区名称"] = region_code, region_name
    df["来源"] = [s if s else f"{doc_id} {title or filename}"[:200] for s in df["来源"]]
    name = f"原文提取_{Path(filename or 'pasted').stem[:80]}.csv"
    plan = userdata.preview(csv_bytes(df), name, db=db)
    if not plan.ok:
        return ExtractImport(plan, None, None)
    result = userdata.apply_import(plan, who=who, db=db)
    file_ref = f"{Path(plan.filename).name[:200]} sha256:{plan.sha256[:16]}"
    quotes_by_key = {row_key(r.record): r.record.get("quote", "") for r in plan.writable}

    def work(con) -> int:
        for stmt in USER_DOCUMENT_SCHEMA.split(";"):  # a database built before these tables existed
            if stmt.strip():
                con.execute(stmt)
        written = con.execute("SELECT fact_id, region_code, indicator, year, basis, kind FROM user_facts "
                              "WHERE import_file = ?", [file_ref]).fetchall()
        con.execute("DELETE FROM user_documents WHERE doc_id = ?", [doc_id])
        con.execute("INSERT INTO user_documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [doc_id, region_code, title or filename, filename, text, who, datetime.now()])
        n = 0
        for fid, region, ind, year, basis, kind in written:
            quote = quotes_by_key.get((region, ind, int(year), basis, kind), "")
            if not quote:
                continue
            con.execute("DELETE FROM user_quotes WHERE fact_id = ?", [fid])
            con.execute("INSERT INTO user_quotes VALUES (?, ?, ?, ?)", [fid, doc_id, quote, text.find(quote)])
            n += 1
        log_change(con, who=who, action="insert", table="user_documents", key=json.dumps([doc_id]), old=None,
                   new=json.dumps({"doc_id": doc_id, "title": title or filename, "region_code": region_code,
                                   "quotes": n}, ensure_ascii=False), why=f"规划原文 {title or filename}"[:200])
        return n

    n = db.write(work)
    return ExtractImport(plan, result, doc_id, n)


def user_quotes(db: Database | None = None) -> pd.DataFrame:
    """fact_id → doc_id, quote, start_pos, title of every imported figure that has a quote (empty if none)."""
    db = _db(db)
    if not _has_tables(db):
        return pd.DataFrame(columns=["fact_id", "doc_id", "quote", "start_pos", "title"])
    return db.query("SELECT q.fact_id, q.doc_id, q.quote, q.start_pos, d.title FROM user_quotes q "
                    "JOIN user_documents d USING (doc_id) ORDER BY q.fact_id")


def with_user_quotes(facts: pd.DataFrame, db: Database | None = None) -> pd.DataFrame:
    """`facts` (all_facts) with the quote and source of imported figures filled in from their documents."""
    q = user_quotes(db)
    if q.empty:
        return facts
    by_id = q.set_index("fact_id")
    out = facts.copy()
    mask = out["fact_id"].isin(by_id.index) & (out["quote"].fillna("") == "")
    out.loc[mask, "quote"] = out.loc[mask, "fact_id"].map(by_id["quote"])
    out.loc[mask, "source"] = out.loc[mask, "fact_id"].map(lambda f: f"{by_id.at[f, 'doc_id']} {by_id.at[f, 'title']}")
    return out


def quote_in_context(fact_id: str, *, width: int = 300, db: Database | None = None) -> dict | None:
    """The paragraph around an imported figure's quote: {'before', 'quote', 'after', 'start', 'doc_id', 'title'};
    None when the figure has no stored document."""
    db = _db(db)
    if not _has_tables(db):
        return None
    df = db.query("SELECT q.quote, q.start_pos, d.doc_id, d.title, d.text FROM user_quotes q "
                  "JOIN user_documents d USING (doc_id) WHERE q.fact_id = ?", [fact_id])
    if df.empty:
        return None
    r = df.iloc[0]
    text, quote = r["text"], r["quote"]
    start = int(r["start_pos"]) if r["start_pos"] is not None and text[int(r["start_pos"]):].startswith(quote) \
        else text.find(quote)
    if start < 0:
        return {"before": "", "quote": quote, "after": "", "start": -1, "doc_id": r["doc_id"], "title": r["title"]}
    # the paragraph the quote sits in, cut to `width` characters either side
    p0 = text.rfind("\n", 0, start) + 1
    p1 = text.find("\n", start + len(quote))
    p1 = len(text) if p1 < 0 else p1
    return {"before": text[max(p0, start - width):start], "quote": quote,
            "after": text[start + len(quote):min(p1, start + len(quote) + width)], "start": start,
            "doc_id": r["doc_id"], "title": r["title"]}
