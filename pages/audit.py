"""规划核对 (plan audit): each plan's own arithmetic recomputed; inconsistencies first, each with the stated and the
recomputed number, the recomputation and the plan's words, every quote linked to the data page (/data?fact=ID)."""
from __future__ import annotations

import html

import streamlit as st

from models.core.catalogue import indicator, label
from models.core.formatting import fmt_number, labelled
from models.core.i18n import t
from models.report.overview import region_names
from models.report.tables import audit_view
from models.store.facts import readable
from ui import cache
from ui.state import lang

L = lang()
st.title(t("page_audit", L))
st.caption(t("au_intro", L))

checks = cache.audit_checks()
facts = cache.all_facts()
names = region_names(cache.regions(), L)
c1, c2 = st.columns([2, 2])
codes = sorted(set(checks["region_code"]))
region = c1.selectbox(t("au_region", L), ["*"] + codes, key="au_region",
                      format_func=lambda c: t("all", L) if c == "*" else f"{names.get(c, c)} ({c})")
show_ok = c2.toggle(t("au_show_ok", L), value=False, key="au_show_ok")
scope = checks if region == "*" else checks[checks["region_code"] == region]
bad, ok = int((scope["status"] == "inconsistent").sum()), int((scope["status"] == "ok").sum())
st.markdown(f"**{t('au_counts', L, bad=bad, ok=ok)}**")

view = audit_view(checks, facts, include_ok=show_ok, regions=None if region == "*" else [region], lang=L)
if view.empty:
    st.info(t("au_none", L))


def number(value, ind: str) -> str:
    try:
        unit = indicator(ind).unit
    except KeyError:
        unit = ""
    return fmt_number(value, unit, L)


for i, f in enumerate(view.to_dict("records")):
    status = t("au_inconsistent", L) if f["status"] == "inconsistent" else t("au_ok", L)
    # Streamlit's bundled Material icons render offline; emoji need a font the machine may not have
    icon = ":material/warning:" if f["status"] == "inconsistent" else ":material/check_circle:"
    with st.container(border=True, key=f"au_finding_{i}"):
        st.markdown(f"{icon} **{status}** · {html.escape(names.get(f['region_code'], f['region_code']))} · "
                    f"{int(f['year'])} · {html.escape(label(f['indicator'], L))}")
        st.markdown(html.escape(labelled(readable(str(f["check"])), L)).replace("\n", " "))
        m1, m2, m3 = st.columns(3)
        m1.metric(t("au_stated", L), number(f["stated"], f["indicator"]))
        m2.metric(t("au_recomputed", L), number(f["recomputed"], f["indicator"]))
        m3.metric(t("au_difference", L), number(f["difference"], f["indicator"]))
        st.caption(f"{t('au_formula', L)}: {labelled(f['formula'], L)}" + (f" · {f['note']}" if f["note"] else ""))
        quotes = "".join(
            f'<li><a href="{html.escape(q["link"])}" target="_self">{html.escape(q["fact_id"])}</a> '
            f'“{html.escape(readable(q["quote"]).replace(chr(10), " "))}”</li>' for q in f["quotes"])
        st.markdown(f'<div data-testid="audit-quotes">{t("au_quotes", L)}<ul>{quotes}</ul></div>',
                    unsafe_allow_html=True)
