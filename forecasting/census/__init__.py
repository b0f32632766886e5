"""Cohort-component projection of every census region by sex and single year of age (issue 20).

split.py (single years from the census's age groups), mortality.py, migration.py, fertility.py,
cohort_component.py (the projection), rake.py (consistency with the national path), bands.py (calibrated intervals).
Each module's docstring states its formula and data.
"""
