"""The editor role: who may import data and edit figures (viewing needs no role). Pure: no Streamlit.

The password comes from Streamlit secrets `editor_password` or the environment variable YLYX_EDITOR_PASSWORD
(secrets win). With neither configured, nobody is an editor: editing is off, never open to all.
"""
from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

ENV_VAR = "YLYX_EDITOR_PASSWORD"
SECRET_KEY = "editor_password"


def editor_password(secrets: Mapping | None = None, environ: Mapping | None = None) -> str | None:
    """The configured password, or None when editing is not configured (an empty string counts as none)."""
    environ = os.environ if environ is None else environ
    value = None
    if secrets is not None:
        try:
            value = secrets.get(SECRET_KEY)
        except Exception:  # Streamlit raises when there is no secrets file at all
            value = None
    if not value:
        value = environ.get(ENV_VAR)
    return str(value) if value else None


def check_password(given: str | None, expected: str | None) -> bool:
    """True only when a password is configured and `given` equals it (constant-time comparison)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(str(given).encode("utf-8"), str(expected).encode("utf-8"))
