"""`python -m forecasting facts [--region CODE] [--out FILE]`: every sourced figure with its quote."""
from __future__ import annotations

from forecasting.cli.common import add_out
from models.core.export import write_csv
from models.store.facts import all_facts, require_regions

COLUMNS = ["region_code", "region_name", "indicator", "year", "value", "unit", "basis", "kind", "source", "quote"]


def add_arguments(p) -> None:
    p.add_argument("--region", help="GB/T 2260 region code, e.g. 500103")
    add_out(p)


def run(args) -> int:
    if args.region:
        require_regions(args.region)
    df = all_facts(region=args.region, include_superseded=True)
    extra = [c for c in df.columns if c not in COLUMNS]
    write_csv(df[COLUMNS + extra], args.out)
    return 0
