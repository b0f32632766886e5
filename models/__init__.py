"""The domain model of the 一老一小 planning tool (not saved ML models).

Plain Python: no Streamlit import anywhere below this package. Six subpackages, each importing only those before
it in this list (tests/test_boundaries.py holds it):

    core      paths, the indicator catalogue, translations, messages as codes, number formats, CSV/xlsx writers
    intake    versioned source files, the planner's import with its checks, extraction from plan text
    regions   which regions there are and where they lie (registry, census, boundaries)
    store     DuckDB (the one module that talks to it), facts as served, accounts, user data, scenarios
    planning  standards, supply, demand and gaps, the audit of a plan's arithmetic
    report    chart builders, the overview's view model, export tables, the brief
"""
