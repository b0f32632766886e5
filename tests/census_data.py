"""The census long table for tests, through the contract reader (models.store.census.census_persons, built from
data/reference/census/ into the test session's database)."""
from __future__ import annotations

import pandas as pd


def census_groups(year: int, codes=None) -> pd.DataFrame:
    from models.store.census import census_persons

    return census_persons(year=year, codes=None if codes is None else [str(c) for c in codes]).reset_index(drop=True)
