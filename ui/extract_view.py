"""Import page section 从规划原文提取 (paste or upload → proposed rows → confirm → import), and the data page's
context of an imported figure. Layout only: every rule is in models/intake/extract.py and models/store/user_documents.py.
User text is escaped; the only HTML is our own <mark> around a quote.
"""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from models.core.i18n import t
from models.core.text import md
from models.intake import documents
from models.intake import extract as ex
from models.store import user_documents as ud
from ui import cache

_STATE = "ext_state"  # {text, filename, rows (DataFrame), hits (region proposals)}
KEEP = "采用"


def _passage(before: str, quote: str, after: str) -> str:
    return (html.escape(before) + "<mark>" + html.escape(quote) + "</mark>" + html.escape(after)).replace("\n", "<br>")


def _paragraph_of(text: str, quote: str, *, width: int = 160) -> str:
    start = text.find(quote)
    if start < 0:
        return html.escape(quote)
    p0 = max(text.rfind("\n", 0, start) + 1, start - width)
    end = start + len(quote)
    p1 = text.find("\n", end)
    p1 = min(len(text) if p1 < 0 else p1, end + width)
    return _passage(text[p0:start], quote, text[end:p1])


def extract_section(lang: str, *, who: str) -> None:
    """The whole section for an editor `who` (the account's name goes to the change log)."""
    st.subheader(t("ext_title", lang))
    st.caption(t("ext_help", lang))
    mode = st.radio(t("ext_mode", lang), ["paste", "upload"], key="ext_mode", horizontal=True,
                    format_func=lambda m: t(f"ext_mode_{m}", lang))
    pasted, upload = "", None
    if mode == "paste":
        pasted = st.text_area(t("ext_paste", lang), key="ext_text", height=160, max_chars=documents.MAX_TEXT_CHARS)
    else:
        mb = documents.MAX_DOCUMENT_BYTES // 2**20  # limits before parsing: models/intake/documents.py
        upload = st.file_uploader(f"{t('ext_upload', lang)} (≤ {mb} MB)", type=["txt", "docx", "pdf"], key="ext_file",
                                  max_upload_size=mb)
    if st.button(t("ext_run", lang), key="ext_run"):
        try:
            text, filename = ((ex.read_document(upload.getvalue(), upload.name), upload.name) if upload is not None
                              else (pasted, ""))
        except ex.UnreadableDocument as exc:
            st.error(t(exc.code, lang, **{k: md(v) for k, v in exc.params.items()}))
            return
        result = ex.extract(text)
        rows = result.frame(include_alternatives=True)
        rows.insert(0, KEEP, [True] * len(result.rows) + [False] * len(result.alternatives))
        st.session_state[_STATE] = {"text": text, "filename": filename, "rows": rows, "refused": result.refused,
                                    "hits": ex.propose_region(text[:400]), "done": None}
    state = st.session_state.get(_STATE)
    if not state:
        return
    if state["rows"].empty:
        st.info(t("ext_none", lang))
        return
    hits = state["hits"]
    c1, c2, c3 = st.columns([2, 2, 3])
    name = c1.text_input(t("ext_region_search", lang), value=hits[0]["name"] if hits else "", key="ext_region_name")
    options = ex.propose_region(name) if name else []
    if options:
        code = c2.selectbox(t("ext_region_code", lang), [o["code"] for o in options], key="ext_region_code",
                            format_func=lambda c: f"{c} {ex.full_name(c)}")
    else:
        code = c2.text_input(t("ext_region_code", lang), key="ext_region_code_typed").strip()
        if name:
            c2.caption(t("ext_region_none", lang))
    title = c3.text_input(t("ext_doc_title", lang), value=state["filename"], key="ext_doc_title")
    st.caption(t("ext_rows", lang))
    # headers in the reader's language (the columns keep the import template's ids underneath)
    headers = {"指标代码": "col_indicator", "指标名称": "col_indicator_label", "年份": "col_year", "数值": "col_value",
               "单位": "col_unit", "口径": "col_basis", "类型": "col_kind", "备注": "col_note"}
    edited = st.data_editor(
        state["rows"], key="ext_editor", hide_index=True, num_rows="dynamic", width="stretch",
        column_order=[KEEP, "指标代码", "指标名称", "年份", "数值", "单位", "口径", "类型", "备注", "原文"],
        column_config={KEEP: st.column_config.CheckboxColumn(t("ext_keep", lang)),
                       **{c: st.column_config.TextColumn(t(k, lang)) for c, k in headers.items()},
                       "原文": st.column_config.TextColumn(t("col_quote", lang), disabled=True, width="large")})
    if state.get("refused"):
        with st.expander(t("ext_refused_title", lang)):
            for r in state["refused"]:
                st.text(t(f"ext_refused_{r.reason}", lang, words=r.words, quote=r.quote))  # plain text
    kept = edited[edited[KEEP].fillna(False).astype(bool)]
    with st.expander(t("ext_context", lang), expanded=True):
        for r in kept.head(40).to_dict("records"):
            head = " · ".join(html.escape(str(r[c])) for c in ("指标名称", "年份", "数值"))
            st.markdown(f'<div data-testid="ext-context" style="line-height:1.8;margin-bottom:.6em">'
                        f"<b>{head}</b><br>{_paragraph_of(state['text'], str(r['原文']))}</div>",
                        unsafe_allow_html=True)
    if state.get("done"):
        st.success(state["done"])
        return
    if st.button(t("ext_import", lang), type="primary", key="ext_import", disabled=kept.empty):
        if not code:
            st.warning(t("ext_need_code", lang))
            return
        region_name = name or ex.gbt2260().set_index("code")["name"].get(code, "")
        out = ud.import_extracted(kept.drop(columns=[KEEP]), text=state["text"], title=title,
                                  filename=state["filename"], region_code=code, region_name=region_name, who=who)
        if out.result is None:
            st.error(t("imp_rejected", lang))
            st.dataframe(out.plan.table(lang), hide_index=True, width="stretch", key="ext_problems")
            return
        state["done"] = t("ext_done", lang, n=len(out.plan.writable), doc=f"{out.doc_id} {title}")
        st.success(state["done"])


@st.cache_data(show_spinner=False)
def _with_quotes(version: str, _facts: pd.DataFrame) -> pd.DataFrame:  # _facts: not hashed, `version` keys it
    return ud.with_user_quotes(_facts)


def facts_with_user_quotes() -> pd.DataFrame:
    """All figures, imported ones with the quote and document they came from (cached per data version)."""
    return _with_quotes(cache.data_version(), cache.all_facts())


def user_fact_context(fact, lang: str) -> bool:
    """Draw an imported figure's quote in its paragraph; False when it has no stored document."""
    ctx = ud.quote_in_context(str(fact["fact_id"]))
    if ctx is None:
        return False
    st.subheader(f"{t('context_title', lang)} · {md(ctx['doc_id'])} {md(ctx['title'])}")  # an editor's title: text
    if ctx["start"] < 0:
        st.warning(t("quote_not_found", lang))
    st.markdown(f'<div data-testid="fact-context" style="line-height:1.8">'
                f"{_passage(ctx['before'], ctx['quote'], ctx['after'])}</div>", unsafe_allow_html=True)
    return True
