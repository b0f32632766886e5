"""What several commands share: the `--out FILE` option and its safety check (issue 22).

`--out` never overwrites the database (the file, its lock files, $YLYX_DB wherever it lies) nor anything inside
data/ (the versioned sources the database is built from) unless `--force` is given: `facts --out
data/planning.duckdb` used to replace the database with a CSV and exit 0.
"""
from __future__ import annotations

from pathlib import Path

from models.core.i18n import t
from models.core.paths import DATA, database_path


def add_out(p, *, help: str = "output CSV file (default: standard output)", required: bool = False) -> None:
    """Add `--out FILE` and `--force` (allow a path the check below refuses) to a command's parser."""
    p.add_argument("--out", required=required, help=help + "; never the database or a path inside data/ "
                                                             "unless --force")
    p.add_argument("--force", action="store_true", help="allow --out to write inside data/ or over the database")


def check_out(out: str | None, *, force: bool = False) -> None:
    """Raise ValueError (zh/en, exit 2) when `out` is the database, one of its companion files, or inside data/,
    and `force` is not set. None and '-' (standard output) pass."""
    if out in (None, "-") or force:
        return
    path = Path(out).expanduser().resolve()
    db = database_path().expanduser().resolve()
    protected = {db, *(db.with_name(db.name + suffix) for suffix in (".wal", ".lock", ".turn"))}
    if path in protected:
        raise ValueError(f"{t('cli_out_database', 'zh', path=out)} / {t('cli_out_database', 'en', path=out)}")
    if path.is_relative_to(DATA.resolve()):
        raise ValueError(f"{t('cli_out_data', 'zh', path=out)} / {t('cli_out_data', 'en', path=out)}")
