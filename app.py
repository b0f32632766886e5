"""Entry point: navigation, language switch, shared sidebar state. Nothing else."""
from pathlib import Path

import streamlit as st

from models.core.i18n import t
from ui.editor import show_unexpected
from ui.state import language_switch

# A local icon file: ":material/…" page icons are fetched from an outside font server, which an intranet blocks.
st.set_page_config(page_title="一老一小规划测算", page_icon=str(Path(__file__).parent / "static" / "page_icon.png"),
                   layout="wide")
lang = language_switch()

# (file, string key, icon, url path). Pages are listed explicitly: st.navigation does not scan pages/.
PAGES = [
    ("pages/overview.py", "page_overview", ":material/dashboard:", "overview"),
    ("pages/workbench.py", "page_workbench", ":material/calculate:", "workbench"),
    ("pages/draft.py", "page_draft", ":material/edit_note:", "draft"),
    ("pages/export.py", "page_export", ":material/download:", "export"),
    ("pages/audit.py", "page_audit", ":material/fact_check:", "audit"),
    ("pages/map.py", "page_map", ":material/map:", "map"),
    ("pages/method.py", "page_method", ":material/query_stats:", "method"),
    ("pages/data_sources.py", "page_data", ":material/menu_book:", "data"),
    ("pages/import_data.py", "page_import", ":material/upload_file:", "import"),
]
pages = [st.Page(path, title=t(key, lang), icon=icon, url_path=url) for path, key, icon, url in PAGES]
try:
    st.navigation(pages).run()
except Exception as exc:  # noqa: BLE001  Streamlit's rerun/stop are BaseException and pass through
    # an error no page planned for: a reference and the error's kind on the page, the traceback in the server log
    show_unexpected(exc, lang)
