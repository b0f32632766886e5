"""Entry point: navigation, language switch, shared sidebar state. Nothing else."""
import streamlit as st

from models.i18n import t
from ui.state import language_switch

st.set_page_config(page_title="一老一小规划测算", page_icon="📊", layout="wide")
lang = language_switch()

# (file, string key, icon, url path). Pages are listed explicitly: st.navigation does not scan pages/.
PAGES = [
    ("pages/overview.py", "page_overview", "🏠", "overview"),
    ("pages/workbench.py", "page_workbench", "🧮", "workbench"),
    ("pages/export.py", "page_export", "📤", "export"),
    ("pages/audit.py", "page_audit", "🔍", "audit"),
    ("pages/map.py", "page_map", "🗺️", "map"),
    ("pages/data_sources.py", "page_data", "📚", "data"),
    ("pages/import_data.py", "page_import", "📥", "import"),
]
pages = [st.Page(path, title=t(key, lang), icon=icon, url_path=url) for path, key, icon, url in PAGES]
st.navigation(pages).run()
