"""Vintages: what a planner could have known "as of" a year (`--as-of YEAR`).

Rule (the default, "planner"): a run as of YEAR uses the figures about years up to YEAR as a planner drafting a
plan for YEAR + 1 had them, i.e. everything about years ≤ YEAR that was published by the middle of YEAR + 1: the
NBS year-end communiqué of YEAR (February–March of YEAR + 1) and a census of YEAR (its bulletin in May of YEAR + 1),
and nothing about a later year. Every series row carries `published` (the year of first publication: the source's
date where the file gives one, else the year after the figure's year).

Rule "strict" (`--strict`): only figures published by the end of YEAR itself (so as of 2020: nothing about 2020,
not the 2020 census).

Plan figures: the five plans were published in 2021–2022, so a run as of a year before 2021 reads none of them;
from 2021 on it reads their observed figures about years ≤ YEAR (never their targets). WPP 2024: see
forecasting/wpp.py (births before YEAR; mortality periods that had ended; all of it from 2024, its publication).
"""
from __future__ import annotations

import argparse

import pandas as pd

AS_OF_RANGE = (2015, 2025)
PLANS_PUBLISHED = 2021


def check_as_of(as_of: int | None) -> int | None:
    """None, or a year in AS_OF_RANGE; ValueError (zh + en) otherwise."""
    if as_of is None:
        return None
    lo, hi = AS_OF_RANGE
    if isinstance(as_of, bool) or not isinstance(as_of, int) or not lo <= as_of <= hi:
        raise ValueError(f"--as-of: 年份应在 {lo}–{hi} 之间 / --as-of must be a year in {lo}–{hi}, got {as_of!r}")
    return as_of


def as_of_argument(text: str) -> int:
    """argparse type of --as-of: a year in AS_OF_RANGE, else a zh/en usage error (exit code 2)."""
    try:
        return check_as_of(int(text))
    except ValueError:
        lo, hi = AS_OF_RANGE
        raise argparse.ArgumentTypeError(f"--as-of: 年份应在 {lo}–{hi} 之间 / must be a year in {lo}–{hi}, "
                                         f"got {text!r}") from None


def series_as_of(series: pd.DataFrame, as_of: int, *, strict: bool = False) -> pd.DataFrame:
    """The series rows a run as of `as_of` may read (see the module docstring)."""
    year = series["year"].astype("Int64")
    keep = year <= as_of
    if strict:
        keep &= series["published"].astype("Int64").fillna(year + 1) <= as_of
    return series[keep.fillna(False)].reset_index(drop=True)


def facts_as_of(facts: pd.DataFrame, as_of: int, *, strict: bool = False) -> pd.DataFrame:
    """The plan figures a run as of `as_of` may read: observed figures about years ≤ as_of, once plans exist."""
    published_by = as_of if strict else as_of + 1
    if published_by < PLANS_PUBLISHED:
        return facts.iloc[0:0].copy()
    keep = (facts["kind"] == "observed") & (facts["year"].astype("Int64") <= as_of)
    return facts[keep.fillna(False)].reset_index(drop=True)
