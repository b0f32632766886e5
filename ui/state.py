"""Language and shared view state, mirrored in the URL (st.query_params) so that a copied link reopens the view."""
from __future__ import annotations

import streamlit as st

from models.i18n import t


def lang() -> str:
    """Current interface language ('zh' default, 'en'), from the URL or the sidebar switch."""
    if "lang" not in st.session_state:
        q = st.query_params.get("lang", "zh")
        st.session_state["lang"] = q if q in ("zh", "en") else "zh"
    return st.session_state["lang"]


def language_switch() -> str:
    current = lang()
    choice = st.sidebar.radio(t("language"), ["中文", "English"], index=0 if current == "zh" else 1,
                              horizontal=True, key="lang_switch")
    new = "zh" if choice == "中文" else "en"
    if new != current:
        st.session_state["lang"] = new
    st.query_params["lang"] = new
    return new
