"""`python -m forecasting audit [--region CODE] [--all] [--out FILE]`: each plan's own arithmetic, recomputed.

CSV (UTF-8 with BOM), columns region_code, check, stated, recomputed, difference, quote, then rule, year,
indicator, status, the stated and recomputed intervals (rounding tolerance), fact_ids, formula, note.
By default only inconsistencies; --all lists every check made.
"""
from __future__ import annotations

from forecasting.cli.common import add_out
from models.core.export import write_csv
from models.planning.audit import audit, audit_checks, relations
from models.store.facts import all_facts, require_regions


def add_arguments(p) -> None:
    p.add_argument("--region", help="GB/T 2260 region code, e.g. 500103")
    p.add_argument("--all", action="store_true", help="every check, not only the inconsistencies")
    add_out(p)


def run(args) -> int:
    if args.region:
        require_regions(args.region)
    df = (audit_checks if args.all else audit)(all_facts(), relations())
    if args.region:
        df = df[df["region_code"] == args.region]
    write_csv(df, args.out)
    return 0
