"""Download buttons shared by pages."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from models.core.i18n import t
from models.report import brief


def brief_downloads(stem: str, key: str, make: Callable[[str], bytes], lang: str) -> None:
    """PNG and PDF buttons for a leadership brief: `make(fmt)` renders it (models.report.brief.brief_bytes) only when one
    is clicked. Without chromium (`make browser`) the buttons are disabled and a caption says why."""
    can_render = brief.browser_available()  # looked up at call time (tests replace it)
    row = st.container(horizontal=True)
    for fmt, mime in (("png", "image/png"), ("pdf", "application/pdf")):
        row.download_button(
            t(f"brief_download_{fmt}", lang), key=f"{key}_{fmt}", file_name=f"{stem}.{fmt}", mime=mime,
            on_click="ignore", icon=":material/download:", disabled=not can_render,
            help=None if can_render else t("ov_brief_needs_browser", lang), data=lambda fmt=fmt: make(fmt))
    if not can_render:
        st.caption(t("ov_brief_needs_browser", lang))
