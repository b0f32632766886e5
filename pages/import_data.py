"""数据导入: templates, upload with a preview of every row, one-transaction import, change log and backup.

Viewing and downloading templates need no role; uploading, writing, reverting and restoring need the editor role.
User text is shown only in tables or as plain text (never HTML).
"""
import streamlit as st

from models.core.catalogue import label
from models.core.formatting import fmt_number
from models.core.i18n import t
from models.intake import importer
from models.store import userdata
from ui.auth import editor_gate
from ui.editor import backup_section, change_log_section
from ui.extract_view import extract_section
from ui.state import lang

L = lang()
st.title(t("page_import", L))
st.caption(t("imp_intro", L))

st.subheader(t("imp_templates", L))
c1, c2, c3 = st.columns(3)
c1.download_button(t("imp_template_xlsx", L), importer.template_bytes("xlsx"), file_name="导入模板.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="tpl_xlsx")
c2.download_button(t("imp_template_csv_facts", L), importer.template_bytes("csv", "facts"),
                   file_name="导入模板_规划数据.csv", mime="text/csv", key="tpl_csv_facts")
c3.download_button(t("imp_template_csv_series", L), importer.template_bytes("csv", "series"),
                   file_name="导入模板_年度序列.csv", mime="text/csv", key="tpl_csv_series")

st.divider()
account = editor_gate(L, key="import")  # the change log's `who` is this account, never typed text
if account is not None:
    who = account.username
    mb = importer.MAX_BYTES // 2**20
    upload = st.file_uploader(t("imp_upload", L, mb=mb), type=["csv", "xlsx"], key="import_file",
                              max_upload_size=mb)
    note = st.text_input(t("imp_source_note", L), key="import_note")
    if upload is not None:
        data = upload.getvalue()
        plan = userdata.preview(data, upload.name)
        st.subheader(t("imp_preview", L))
        st.caption(plan.summary(L))
        for p in plan.file_problems:
            st.error("✗")
            st.text(p.message(L))  # plain text: messages may quote the file
        if plan.rows:
            st.dataframe(plan.table(L), hide_index=True, width="stretch", key="import_preview")
        if plan.conflicts:  # the editor chooses, row by row; nothing coexists silently
            st.subheader(t("imp_conflicts_title", L))
            choices = {}
            for r in plan.conflicts:
                old, new = r.conflicts[0]["value"], r.record["value"]
                choice = st.radio(t("imp_conflict_choice", L, row=r.row, indicator=label(r.record["indicator"], L),
                                    year=r.record["year"]), ["keep", "import"], index=None, horizontal=True,
                                  key=f"import_choice_{plan.sha256[:12]}_{r.sheet}_{r.row}",
                                  format_func=lambda c, old=old, new=new, r=r: t(
                                      f"imp_choice_{c}", L, old=fmt_number(old, r.record["unit"], L),
                                      new=fmt_number(new, r.record["unit"], L)))
                st.text(r.problems[-1].message(L) if r.problems else "")  # both quotes, as plain text
                if choice:
                    choices[(r.sheet, r.row)] = choice
            plan = plan.resolve(choices)
            if plan.conflicts:
                st.warning(t("imp_conflicts_open", L, n=len(plan.conflicts)))
        names_ok = True
        if plan.new_regions:  # an imported region gets its English name here (shown on the English pages)
            names_en = {reg["code"]: st.text_input(t("imp_english_name", L, name=reg["name_zh"], code=reg["code"]),
                                                   key=f"import_name_en_{reg['code']}", max_chars=100,
                                                   help=t("imp_english_name_help", L))
                        for reg in plan.new_regions}
            try:
                plan = plan.with_english_names(names_en)
            except importer.Invalid as exc:
                st.error(exc.problem.message(L))
                names_ok = False
        done_key = f"import_done_{plan.sha256}"
        if st.session_state.get(done_key):
            st.success(st.session_state[done_key])
        elif not plan.ok or not names_ok:
            st.warning(t("imp_rejected", L))
        elif st.button(t("imp_confirm", L), type="primary", key="import_confirm"):
            try:
                result = userdata.apply_import(plan, who=who, note=note)
                st.session_state[done_key] = result.message(L)
                st.success(result.message(L))
            except userdata.Rejected as exc:
                st.error(t("imp_rejected", L))
                st.text(exc.message(L))
    st.divider()
    extract_section(L, who=who)  # 从规划原文提取: paste or upload a plan text → confirm rows → import
    st.divider()
    change_log_section(L, who=who)
    backup_section(L, who=who, admin=account.is_admin)
