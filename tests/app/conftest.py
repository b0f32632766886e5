"""Shared AppTest fixtures: the app on a database of its own with one editor account."""
import pytest

from models.store import accounts
from models.store.database import Database

PASSWORD = "s3cret-pass"


@pytest.fixture
def page_db(tmp_path, monkeypatch):
    """The app on a database of its own (the page writes), with one editor account: wangke (王科长)."""
    monkeypatch.setenv("YLYX_DB", str(tmp_path / "planning.duckdb"))
    for var in ("YLYX_EDITOR_PASSWORD", "YLYX_ADMIN_PASSWORD", "YLYX_ADMIN_USER"):
        monkeypatch.delenv(var, raising=False)
    db = Database(tmp_path / "planning.duckdb")
    db.ensure_built()
    accounts.add_account("wangke", PASSWORD, role="editor", display_name="王科长", by="test", db=db)
    return db
