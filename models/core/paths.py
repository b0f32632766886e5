"""Where the project's data lives. Everything is relative to the repository; override with env vars."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DOCUMENTS = DATA / "documents"
FACTS = DATA / "facts"
REFERENCE = DATA / "reference"
CENSUS = REFERENCE / "census"  # the 2020 and 2010 county censuses (issue 20)
GEO = DATA / "geo"


def database_path() -> Path:
    """The DuckDB file; `YLYX_DB` overrides it (tests point it at a temporary file)."""
    return Path(os.environ.get("YLYX_DB", DATA / "planning.duckdb"))
