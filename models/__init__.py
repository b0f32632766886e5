"""The domain model of the 一老一小 planning tool (not saved ML models).

Plain Python: no Streamlit import anywhere below this package. Modules:
catalogue (indicators, units, labels), sources (read the versioned source files), database (the one module
that talks to DuckDB), facts (queries on the sourced figures), and the demand/supply/gap and audit models.
"""
