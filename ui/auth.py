"""The Streamlit side of accounts: a login form that unlocks importing and editing for this session.

Session state keeps only the username and the role (never the password: the password box has no key, so its value
is not in `st.session_state`, and the form clears it on submit). Every rerun looks the account up again, so an
account disabled meanwhile loses its rights at the next click. Nothing goes into the URL.
"""
from __future__ import annotations

import os

import streamlit as st

from models.core.i18n import t
from models.store import accounts, roles

_USER, _ROLE = "account_username", "account_role"
_FIRST_RUN = "account_first_admin_checked"


def current_account() -> accounts.Account | None:
    """The logged-in, enabled account of this session, or None (viewer)."""
    name = st.session_state.get(_USER)
    if not name:
        return None
    account = accounts.get_account(name)
    if account is None or account.disabled:
        logout()
        return None
    st.session_state[_ROLE] = account.role  # a role changed meanwhile applies at once
    return account


def logout() -> None:
    """Forget this session's account."""
    for k in (_USER, _ROLE):
        st.session_state.pop(k, None)


def _first_run(lang: str) -> None:
    """Once per session: create the first admin from $YLYX_ADMIN_PASSWORD when there is none (a password that
    breaks the rules is reported, not used)."""
    if not st.session_state.get(_FIRST_RUN):
        st.session_state[_FIRST_RUN] = True
        try:
            accounts.ensure_first_admin()
        except accounts.AccountError as exc:
            st.error(f"{accounts.ADMIN_PASSWORD_ENV}: {exc.message(lang)}")


def role_label(role: str, lang: str) -> str:
    return t(f"acc_role_{role}", lang) if role in roles.ROLES else role


def editor_gate(lang: str, *, key: str = "editor") -> accounts.Account | None:
    """Show who is logged in (with a log-out button) or a login form. Returns the account when it may edit
    (editor or admin), else None. `key` prefixes the widget keys so two gates never collide."""
    _first_run(lang)
    if os.environ.get(roles.LEGACY_ENV_VAR):
        st.caption(t("acc_legacy_password", lang))
    account = current_account()
    if account is not None:
        c1, c2 = st.columns([4, 1])
        c1.caption(t("acc_logged_in", lang, who=account.label, role=role_label(account.role, lang)))
        if c2.button(t("acc_logout", lang), key=f"{key}_logout"):
            logout()
            st.rerun()
        if account.can_edit:
            return account
        st.info(t("acc_no_edit_role", lang, name=account.username))
        return None
    if accounts.list_accounts().empty:
        st.info(t("acc_no_accounts", lang))
        return None
    st.info(t("acc_login_required", lang))
    with st.form(f"{key}_login", clear_on_submit=True):
        name = st.text_input(t("acc_username", lang), key=f"{key}_user")
        password = st.text_input(t("acc_password", lang), type="password")  # no key: kept out of session state
        if st.form_submit_button(t("acc_login", lang)):
            try:
                account = accounts.login(name, password)
            except accounts.LoginRefused as exc:
                st.error(exc.message(lang))
                return None
            st.session_state[_USER], st.session_state[_ROLE] = account.username, account.role
            st.rerun()
    return None
