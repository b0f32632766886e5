"""`python -m forecasting gaps [--year 2025] [--region CODE] [--assumptions plan|model|FILE] [--out FILE]`.

Demand, supply, gap and target gap per region, service and year as CSV (UTF-8 with BOM). Columns:
region_code, region_name, service, year, demand, supply, gap, target, target_gap, method, then achieved_share,
the stated figures and their differences, the population used, formula, inputs (JSON) and reason (why unknown).
--assumptions: plan (the plans' own populations and standards), model (a projection from forecasting.projection,
pipeline counted) or a JSON file of standard overrides, e.g. {"beds_per_1000_elderly": 35} or
{"*": {...}, "500103": {"nursing_share": 60}}; "population": "model" in the file uses the projection.
"""
from __future__ import annotations

import json

from forecasting.cli.common import add_out
from forecasting.planning import gaps, require_region
from models.core.export import write_csv
from models.core.messages import BILINGUAL
from models.planning.gaps import YEARS, require_year, texts


def add_arguments(p) -> None:
    p.add_argument("--year", type=int, help="one year 2020–2035 (default: all)")
    p.add_argument("--region", help="GB/T 2260 region code, e.g. 500103")
    p.add_argument("--assumptions", default="plan", help="plan | model | FILE (JSON overrides)")
    add_out(p)


def run(args) -> int:
    if args.region:
        require_region(args.region)
    if args.year is not None:
        require_year(args.year)
    years = [args.year] if args.year is not None else YEARS
    # whole beds and places (demand rounded up); the values before rounding stay in <col>_unrounded
    df = gaps(assumptions=args.assumptions, years=years, region=args.region)
    for c in ("demand", "supply", "gap", "target", "target_gap"):
        df[c] = df[c].astype("Int64")  # integers in the CSV (4000, not 4000.0); missing stays empty
    df["inputs"] = [json.dumps(v, ensure_ascii=False, default=str) for v in df["inputs"]]
    df = texts(df, lang=BILINGUAL)  # method and reason codes as '中文 / English', like the CLI's help
    write_csv(df, args.out)
    return 0
