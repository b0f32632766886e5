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


# -- overview, analyst export, plan audit -----------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def _projections(version: str) -> pd.DataFrame:
    from forecasting.projection import project_all

    return project_all()


def projections() -> pd.DataFrame:
    """forecasting.projection.project_all (the plan regions × every method × scenario), cached per data version."""
    return _projections(data_version())


@st.cache_data(show_spinner=False)
def _gaps(version: str, assumptions: str, scenario: str, years: tuple[int, ...], region: str | None,
          explain: bool) -> pd.DataFrame:
    from models.overview import gaps_for

    proj = None if assumptions == "plan" else _projections(version)
    return gaps_for(assumptions=assumptions, scenario=scenario, projections=proj, years=list(years), region=region,
                    explain=explain)


def gaps(assumptions: str = "plan", *, scenario: str = "medium", years=None, region: str | None = None,
         explain: bool = True) -> pd.DataFrame:
    """models.overview.gaps_for (gap table under plan / model / override assumptions), cached per data version.
    years: None = every year of models.gaps.YEARS."""
    from models.gaps import YEARS

    years = tuple(int(y) for y in (years if years is not None else YEARS))
    return _gaps(data_version(), assumptions, scenario, years, region, explain)


@st.cache_data(show_spinner=False)
def _audit_checks(version: str) -> pd.DataFrame:
    from models.audit import audit_checks, relations

    return audit_checks(facts.all_facts(), relations())


def audit_checks() -> pd.DataFrame:
    """models.audit.audit_checks (every check, ok or inconsistent), cached per data version."""
    return _audit_checks(data_version())
