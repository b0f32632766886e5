"""The Streamlit side of accounts: a login form that unlocks importing and editing for this session.

Session state keeps only the username, the role and the time of the last click (never the password: the password
box has no key, so its value is not in `st.session_state`, and the form clears it on submit). Every rerun looks the
account up again, so an account disabled meanwhile loses its rights at the next click; a session idle for longer
than YLYX_IDLE_HOURS (default 8) is logged out. Nothing goes into the URL. Login attempts are throttled by (name,
source): the source is the client's address where Streamlit exposes it, else this session (login_source).
"""
from __future__ import annotations

import os
import time

import streamlit as st

from models.core.i18n import t
from models.core.text import md
from models.store import accounts, roles

_USER, _ROLE, _SEEN = "account_username", "account_role", "account_last_seen"
_FIRST_RUN = "account_first_admin_checked"
_IDLE_OUT = "account_idle_logged_out"
IDLE_ENV, IDLE_HOURS = "YLYX_IDLE_HOURS", 8.0


def idle_limit() -> float:
    """Seconds without a click before a session is logged out: $YLYX_IDLE_HOURS (default 8) hours."""
    try:
        hours = float(os.environ.get(IDLE_ENV) or IDLE_HOURS)
    except ValueError:
        hours = IDLE_HOURS
    return max(hours, 0.0) * 3600


def login_source() -> str:
    """Where this login comes from: 'ip:<address>' when Streamlit knows the client's address, else
    'session:<id>' (one browser tab)."""
    try:
        ip = st.context.ip_address
    except Exception:  # outside a running app (bare mode, some tests)
        ip = None
    if isinstance(ip, str) and ip:
        return f"ip:{ip[:60]}"
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id if ctx else 'none'}"


def current_account() -> accounts.Account | None:
    """The logged-in, enabled account of this session, or None (viewer). Logs out a session idle too long."""
    name = st.session_state.get(_USER)
    if not name:
        return None
    now = time.time()
    if now - st.session_state.get(_SEEN, now) > idle_limit():
        logout()
        st.session_state[_IDLE_OUT] = True
        return None
    st.session_state[_SEEN] = now
    account = accounts.get_account(name)
    if account is None or account.disabled:
        logout()
        return None
    st.session_state[_ROLE] = account.role  # a role changed meanwhile applies at once
    return account


def logout() -> None:
    """Forget this session's account."""
    for k in (_USER, _ROLE, _SEEN):
        st.session_state.pop(k, None)


def _first_run(lang: str) -> None:
    """Once per session: create the first admin from $YLYX_ADMIN_PASSWORD when there is none (a password that
    breaks the rules is reported, not used)."""
    if not st.session_state.get(_FIRST_RUN):
        st.session_state[_FIRST_RUN] = True
        try:
            accounts.ensure_first_admin()
        except accounts.AccountError as exc:
            st.error(f"{accounts.ADMIN_PASSWORD_ENV}: {md(exc.message(lang))}")


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
        c1.caption(t("acc_logged_in", lang, who=md(account.label), role=role_label(account.role, lang)))
        if c2.button(t("acc_logout", lang), key=f"{key}_logout"):
            logout()
            st.rerun()
        if account.can_edit:
            return account
        st.info(t("acc_no_edit_role", lang, name=md(account.username)))
        return None
    if st.session_state.pop(_IDLE_OUT, None):
        st.info(t("acc_idle_logged_out", lang, hours=f"{idle_limit() / 3600:g}"))
    if accounts.list_accounts().empty:
        st.info(t("acc_no_accounts", lang))
        return None
    st.info(t("acc_login_required", lang))
    with st.form(f"{key}_login", clear_on_submit=True):
        name = st.text_input(t("acc_username", lang), key=f"{key}_user")
        password = st.text_input(t("acc_password", lang), type="password")  # no key: kept out of session state
        if st.form_submit_button(t("acc_login", lang)):
            try:
                account = accounts.login(name, password, source=login_source())
            except accounts.LoginRefused as exc:
                st.error(exc.message(lang))
                return None
            st.session_state[_USER], st.session_state[_ROLE] = account.username, account.role
            st.session_state[_SEEN] = time.time()
            st.rerun()
    return None
