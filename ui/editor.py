"""Editing user data in the dashboard: the in-table editor of the data page, plan-figure corrections, the change
log with revert, and backup/restore. Layout only; every rule and write is in models/store/userdata.py. User text is
shown in tables or as plain text, never as HTML. The change log's `who` is always the logged-in account's username
(ui/auth.py): there is no box to type a name."""
from __future__ import annotations

import logging
import math
import uuid

import pandas as pd
import streamlit as st

from models.core.catalogue import label
from models.core.formatting import fmt_number
from models.core.i18n import t
from models.core.text import md
from models.store import userdata
from ui.auth import editor_gate

LOG_PER_PAGE = 50
_log = logging.getLogger(__name__)


def _show_error(exc: Exception, lang: str) -> None:
    msg = exc.message(lang) if isinstance(exc, userdata.Rejected) else str(exc)
    st.error(t("imp_rejected", lang) if not isinstance(exc, userdata.Rejected) else "✗")
    st.text(msg)  # plain text: the message may quote what the user typed


def show_unexpected(exc: Exception, lang: str) -> None:
    """An error nobody planned for: the full traceback goes to the server log under a short reference; the page
    shows the reference and the error's type, never a path or a traceback."""
    ref = uuid.uuid4().hex[:8]
    _log.exception("unexpected error, reference %s", ref, exc_info=exc)
    st.error(md(t("err_reference", lang, ref=ref, message=type(exc).__name__)))


def fact_editor(lang: str, *, region: str | None = None) -> None:
    """The data page's editing section: user facts in st.data_editor, correction of a plan figure, the log."""
    st.divider()
    st.subheader(t("ed_title", lang))
    st.caption(t("ed_intro", lang))
    account = editor_gate(lang, key="data_editor")
    if account is None:
        return
    who = account.username
    region = None if region in (None, "*") else region
    facts = userdata.user_facts(region=region)
    st.markdown(f"**{t('ed_user_facts', lang)}**")
    if facts.empty:
        st.caption(t("ed_no_user_facts", lang))
    else:
        shown = pd.DataFrame({
            "fact_id": facts["fact_id"], "region": facts["region_name"] + " (" + facts["region_code"] + ")",
            "indicator": facts["indicator"].map(lambda i: label(i, lang)), "year": facts["year"].astype("Int64"),
            "value": [("" if pd.isna(v) else f"{v:g}") for v in facts["value"]],
            "shown": [fmt_number(v, u, lang) for v, u in zip(facts["value"], facts["unit"])],
            "comparator": facts["comparator"], "basis": facts["basis"], "note": facts["note"],
            "created_by": facts["created_by"]})
        edited = st.data_editor(
            shown, key="ed_table", hide_index=True, num_rows="fixed", width="stretch",
            disabled=["fact_id", "region", "indicator", "shown", "created_by"],
            column_config={"value": st.column_config.TextColumn(t("value", lang)),
                           "year": st.column_config.NumberColumn(t("year", lang), format="%d"),
                           "note": st.column_config.TextColumn(t("note", lang))})
        why = st.text_input(t("ed_why", lang), key="ed_why")
        if st.button(t("ed_save", lang), key="ed_save"):
            edits = _diff(shown, edited, facts)
            if not edits:
                st.info(t("ed_no_changes", lang))
            else:
                try:
                    ids = userdata.edit_user_facts(edits, who=who, why=why)
                    st.success(t("ed_saved", lang, n=len(ids)))
                except userdata.Rejected as exc:
                    _show_error(exc, lang)
    with st.expander(t("ed_correct_plan", lang)):
        plan = userdata.effective_facts(region=region)
        plan = plan[plan["origin"] == "plan"]
        options = list(plan["fact_id"])
        fid = st.selectbox(t("ed_plan_fact", lang), options, key="ed_plan_fact", index=None,
                           format_func=lambda f: _fact_label(plan, f, lang))
        value = st.text_input(t("ed_new_value", lang), key="ed_plan_value")
        why2 = st.text_input(t("ed_why", lang), key="ed_plan_why")
        if st.button(t("ed_correct", lang), key="ed_plan_save") and fid:
            try:
                current = userdata.user_facts().set_index("fact_id")
                expected = current.at[f"{fid}@user", "value"] if f"{fid}@user" in current.index else None
                userdata.correct_plan_fact(fid, value, who=who, why=why2, expected=expected)
                st.success(t("ed_saved", lang, n=1))
            except userdata.Rejected as exc:
                _show_error(exc, lang)
    change_log_section(lang, who=who)


def _fact_label(plan: pd.DataFrame, fid: str, lang: str) -> str:
    r = plan[plan["fact_id"] == fid].iloc[0]
    shown = fmt_number(r["value"], r["unit"], lang) if not pd.isna(r["value"]) else (r["text_value"] or "—")
    return f"{fid} · {r['region_name']} · {label(r['indicator'], lang)} · {r['year']} · {shown}"


def _diff(before: pd.DataFrame, after: pd.DataFrame, facts: pd.DataFrame) -> list[dict]:
    """Edits of the grid as userdata.edit_user_facts wants them (with the values the editor saw)."""
    edits = []
    original = facts.set_index("fact_id")
    for (_, b), (_, a) in zip(before.iterrows(), after.iterrows()):
        changes, expected = {}, {}
        for col in ("value", "year", "comparator", "basis", "note"):
            bv, av = b[col], a[col]
            if (pd.isna(bv) and pd.isna(av)) or bv == av:
                continue
            changes[col] = "" if pd.isna(av) else str(av)
            expected[col] = original.at[b["fact_id"], col]
        if changes:
            edits.append({"fact_id": b["fact_id"], "changes": changes, "expected": expected})
    return edits


def change_log_section(lang: str, *, who: str) -> None:
    """The audit log, readable and paged (newest first; one page is read and sent, never the whole log), and a
    revert form."""
    st.markdown(f"**{t('ed_log', lang)}**")
    n = userdata.change_log_count()
    pages = max(1, math.ceil(n / LOG_PER_PAGE))
    page = st.number_input(t("ed_log_page", lang, pages=pages, n=n), min_value=1, max_value=pages, value=1, step=1,
                           key="ed_log_page")
    log = userdata.change_log_page(int(page), per_page=LOG_PER_PAGE, lang=lang)
    shown = log.rename(columns={"change_id": t("ed_col_id", lang), "when": t("ed_col_when", lang),
                                "who": t("ed_col_who", lang), "what": t("ed_col_what", lang),
                                "change": t("ed_col_change", lang), "why": t("ed_col_why", lang),
                                "reverted_by": t("ed_col_reverted", lang)})
    st.dataframe(shown, hide_index=True, width="stretch", key="ed_log_table")
    c1, c2, c3 = st.columns([1, 3, 1])
    cid = c1.number_input(t("ed_change_id", lang), min_value=1, step=1, value=None, key="ed_revert_id")
    why = c2.text_input(t("ed_why", lang), key="ed_revert_why")
    if c3.button(t("ed_revert", lang), key="ed_revert") and cid:
        try:
            userdata.revert(int(cid), who=who, why=why)
            st.success(t("ed_reverted", lang, id=int(cid)))
        except userdata.Rejected as exc:
            _show_error(exc, lang)
        except Exception as exc:  # never a traceback on the page (issue 22)
            show_unexpected(exc, lang)


def backup_section(lang: str, *, who: str, admin: bool) -> None:
    """Export the whole user-data set as JSON (editors), and restore it from such a file (admins only: a restore
    replaces everyone's data; validated, revertible, the backup's change log never imported)."""
    st.subheader(t("ed_backup", lang))
    if st.button(t("ed_export", lang), key="ed_export_prepare"):
        st.session_state["ed_export_bytes"] = userdata.export_userdata()
    if st.session_state.get("ed_export_bytes"):
        st.download_button(t("ed_export", lang), st.session_state["ed_export_bytes"], file_name="ylyx-userdata.json",
                           mime="application/json", key="ed_export_download")
    if not admin:
        st.caption(t("acc_admin_required", lang))
        return
    up = st.file_uploader(t("ed_restore", lang), type=["json"], key="ed_restore_file", max_upload_size=100)
    if up is not None and st.button(t("ed_restore", lang), key="ed_restore_go"):
        try:
            result = userdata.restore_userdata(up.getvalue(), who=who, why=f"restore {up.name[:100]}")
            st.success(result.message(lang))
        except userdata.Rejected as exc:
            _show_error(exc, lang)
        except Exception as exc:
            show_unexpected(exc, lang)
