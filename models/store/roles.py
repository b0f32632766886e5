"""Roles: what an account may do. Pure: no Streamlit, no database.

- viewer: the default; reading needs no login at all (an account may also have this role: it logs in, edits nothing).
- editor: imports, in-table corrections, revert and restore.
- admin: what an editor may, and manages accounts (`python -m forecasting users`).

The earlier shared editor password (YLYX_EDITOR_PASSWORD / secrets editor_password) is gone: every change is made
by a personal account (models/store/accounts.py), so the change log names a person.
"""
from __future__ import annotations

VIEWER, EDITOR, ADMIN = "viewer", "editor", "admin"
ROLES = (VIEWER, EDITOR, ADMIN)
LEGACY_ENV_VAR = "YLYX_EDITOR_PASSWORD"  # no longer read; the app says so when it is still set


def parse_role(role: str) -> str:
    """A role name as given (any case, spaces around) → one of ROLES. Raises ValueError for anything else."""
    value = str(role or "").strip().lower()
    if value not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return value


def can_edit(role: str | None) -> bool:
    """True for roles that may import, correct, revert and restore (editor, admin)."""
    return role in (EDITOR, ADMIN)


def can_manage_accounts(role: str | None) -> bool:
    """True for admin only."""
    return role == ADMIN
