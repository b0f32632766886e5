"""数据与来源: browse every sourced figure, read its quote in the document with the figure highlighted."""
import html

import streamlit as st

from models.core.catalogue import label, unit_label
from models.core.formatting import basis_text, fmt_number
from models.core.i18n import kind_label, t
from models.core.text import md
from models.intake.sources import ARTEFACT
from models.store.database import default
from models.store.facts import quote_in_context, readable
from ui import cache
from ui.editor import fact_editor
from ui.extract_view import facts_with_user_quotes, user_fact_context
from ui.state import lang

L = lang()
st.title(t("page_data", L))

facts = facts_with_user_quotes()  # imported figures with the quote of the document they came from
regions = cache.regions().set_index("code")


def region_label(code: str) -> str:
    if code not in regions.index:
        return code
    row = regions.loc[code]
    return f"{row['name_zh'] if L == 'zh' else (row['name_en'] or row['name_zh'])} ({code})"


c1, c2, c3, c4 = st.columns([2, 3, 2, 3])
region_codes = sorted(facts["region_code"].unique())
region = c1.selectbox(t("region", L), ["*"] + region_codes, key="data_region",
                      format_func=lambda c: t("all", L) if c == "*" else region_label(c))
view = facts if region == "*" else facts[facts["region_code"] == region]
indicator_ids = sorted(view["indicator"].unique(), key=lambda i: label(i, L))
indicator = c2.selectbox(t("indicator", L), ["*"] + indicator_ids, key="data_indicator",
                         format_func=lambda i: t("all", L) if i == "*" else label(i, L))
kinds = ["*"] + sorted(view["kind"].unique())
kind = c3.selectbox(t("kind", L), kinds, key="data_kind",
                    format_func=lambda k: t("all", L) if k == "*" else kind_label(k, L))
text = c4.text_input(t("search", L), key="data_search")
if indicator != "*":
    view = view[view["indicator"] == indicator]
if kind != "*":
    view = view[view["kind"] == kind]
if text:
    view = view[view["quote"].str.contains(text, regex=False) | view["note"].str.contains(text, regex=False)]

table = view.assign(
    region=view["region_code"].map(region_label),
    indicator_label=view["indicator"].map(lambda i: label(i, L)),
    shown=[(fmt_number(v, u, L) if v == v and v is not None else tv) for v, u, tv
           in zip(view["value"], view["unit"], view["text_value"])],
    kind_label=view["kind"].map(lambda k: kind_label(k, L)),
    basis=view["basis"].map(lambda b: basis_text(b, L)),
    quote_display=view["quote"].map(lambda q: readable(q).replace("\n", " ")),
)[["fact_id", "region", "indicator_label", "year", "shown", "comparator", "kind_label", "basis", "quote_display",
   "source"]]
table.columns = ["ID", t("region", L), t("indicator", L), t("year", L), t("value", L), "≥/≤", t("kind", L),
                 t("basis", L), t("quote", L), t("source", L)]
st.caption(t("facts_count", L, n=len(table)))
event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="data_table", column_config={t("year", L): st.column_config.NumberColumn(format="%d")})

rows = event.selection.rows if event and event.selection else []
linked = facts[facts["fact_id"] == st.query_params.get("fact", "")]  # deep link: /data?fact=YZ-001
if rows:
    fact = view.iloc[rows[0]]
    st.query_params["fact"] = fact["fact_id"]
elif not linked.empty:
    fact = linked.iloc[0]
else:
    fact = None
    st.info(t("select_row_hint", L))
if fact is not None and fact["origin"] == "user":  # an imported figure: its pasted document, else plain text
    if not user_fact_context(fact, L):
        st.text(f"{fact['fact_id']} · {fact['source']} · {fact['note']}")
elif fact is not None:
    st.subheader(f"{t('context_title', L)} · {md(fact['source'])}")
    st.markdown(f"**{label(fact['indicator'], L)}** · {fact['year']} · "
                f"{fmt_number(fact['value'], fact['unit'], L) if fact['value'] == fact['value'] else fact['text_value']}"
                f" ({unit_label(fact['unit'], L)})")
    ctx = quote_in_context(fact["source"], fact["quote"])
    if ctx["start"] < 0:
        st.warning(t("quote_not_found", L))
    # Escape the document text; only our own <mark> tag is HTML.
    passage = (html.escape(readable(ctx["before"])) + "<mark>" + html.escape(readable(ctx["quote"])) + "</mark>"
               + html.escape(readable(ctx["after"]))).replace("\n", "<br>")
    st.markdown(f'<div data-testid="fact-context" style="line-height:1.8">{passage}</div>', unsafe_allow_html=True)
    if ARTEFACT in ctx["before"] + ctx["quote"] + ctx["after"]:
        st.caption(t("artefact_note", L, a=ARTEFACT))
    if fact["note"]:
        st.caption(f"{t('note', L)}: {md(fact['note'])}")
with st.expander(t("data_log_title", L)):  # plan figures a rebuild from data/ changed (issue 22)
    st.caption(t("data_log_intro", L))
    changes = default().data_log(limit=200)
    if changes.empty:
        st.caption(t("data_log_empty", L))
    else:
        st.dataframe(changes.drop(columns=["source_hash"]), hide_index=True, width="stretch", key="data_log_table")
fact_editor(L, region=region)  # in-table corrections and change log (editor role only)
