"""The Streamlit side of the editor role: a password box that unlocks importing and editing for this session."""
from __future__ import annotations

import streamlit as st

from models.i18n import t
from models.roles import check_password, editor_password

_STATE = "editor_role"


def _configured() -> str | None:
    try:
        secrets = st.secrets
    except Exception:
        secrets = None
    return editor_password(secrets)


def is_editor() -> bool:
    """True when this session has unlocked the editor role with the configured password."""
    return bool(st.session_state.get(_STATE)) and _configured() is not None


def editor_gate(lang: str, *, key: str = "editor") -> bool:
    """Show the role state and, for viewers, a password box. Returns True when this session is an editor."""
    expected = _configured()
    if expected is None:
        st.info(t("role_not_configured", lang))
        return False
    if is_editor():
        c1, c2 = st.columns([4, 1])
        c1.caption("🔓 " + t("role_is_editor", lang))
        if c2.button(t("role_logout", lang), key=f"{key}_logout"):
            st.session_state[_STATE] = False
            st.rerun()
        return True
    st.info(t("role_editor_required", lang))
    with st.form(f"{key}_login", clear_on_submit=True):
        given = st.text_input(t("role_password", lang), type="password", key=f"{key}_password")
        if st.form_submit_button(t("role_login", lang)):
            if check_password(given, expected):
                st.session_state[_STATE] = True
                st.rerun()
            st.error(t("role_wrong", lang))
    return False
