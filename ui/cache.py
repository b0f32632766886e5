"""The one place where the UI caches domain calls. Keyed by the database's build hash so data changes show."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from models import facts
from models.database import default


def data_version() -> str:
    db = default()
    db.ensure_built()
    return f"{db.built_hash()}:{db.path.stat().st_mtime_ns}"


@st.cache_data(show_spinner=False)
def _facts(version: str) -> pd.DataFrame:
    return facts.all_facts()


@st.cache_data(show_spinner=False)
def _regions(version: str) -> pd.DataFrame:
    return facts.regions()


@st.cache_data(show_spinner=False)
def _document_text(version: str, source: str) -> str:
    return facts.document_text(source)


def all_facts() -> pd.DataFrame:
    return _facts(data_version())


def regions() -> pd.DataFrame:
    return _regions(data_version())


def document_text(source: str) -> str:
    return _document_text(data_version(), source)


@st.cache_data(show_spinner=False)
def _plan_gaps(version: str, years: tuple[int, ...]) -> pd.DataFrame:
    from models.gaps import plan_gaps as compute

    return compute(years=list(years))


def plan_gaps(years: tuple[int, ...]) -> pd.DataFrame:
    """models.gaps.plan_gaps (plan assumptions) for the given years, cached per data version."""
    return _plan_gaps(data_version(), tuple(int(y) for y in years))
