"""Test set-up: every test session uses its own database file, built from the source files."""
import os
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="ylyx-test-"))
os.environ["YLYX_DB"] = str(_TMP / "planning.duckdb")  # before any project module picks a path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def db():
    from models.store.database import default

    database = default()
    database.ensure_built()
    return database


@pytest.fixture
def fresh_db(tmp_path):
    """A database of its own, for tests that write."""
    from models.store.database import Database

    database = Database(tmp_path / "planning.duckdb")
    database.ensure_built()
    return database
