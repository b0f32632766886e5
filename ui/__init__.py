"""Streamlit-side helpers shared by the pages: language and view state, cached wrappers around domain calls."""
