"""`python -m forecasting gaps [--year 2025] [--region CODE] [--assumptions plan|model|FILE] [--out FILE]`.

Demand, supply, gap and target gap per region, service and year as CSV (UTF-8 with BOM). Columns:
region_code, region_name, service, year, demand, supply, gap, target, target_gap, method, then achieved_share,
the stated figures and their differences, the population used, formula, inputs (JSON) and reason (why unknown).
--assumptions: plan (the plans' own populations and standards), model (a projection from forecasting.projection,
pipeline counted) or a JSON file of standard overrides, e.g. {"beds_per_1000_elderly": 35} or
{"*": {...}, "500103": {"nursing_share": 60}}; "population": "model" in the file uses the projection.
"""
from __future__ import annotations

import codecs
import json
import sys

from forecasting.cli.common import add_out
from forecasting.planning import gaps, require_region
from models.core.export import csv_bytes, write_csv
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
    write_chunks(df, args.out)
    return 0


CHUNK_ROWS = 20_000  # every region (161,040 rows, 266 MB of CSV): rendered and written a part at a time


def csv_part(df):
    """Rows as the CSV shows them: counts as integers (4000, not 4000.0; missing stays empty), inputs as JSON, the
    method and reason codes as '中文 / English', like the CLI's help."""
    df = df.copy()
    for c in ("demand", "supply", "gap", "target", "target_gap"):
        df[c] = df[c].astype("Int64")
    df["inputs"] = [json.dumps(v, ensure_ascii=False, default=str) for v in df["inputs"]]
    return texts(df, lang=BILINGUAL)


def write_chunks(df, out) -> None:
    """The CSV of `df` (UTF-8 with BOM, one header) written CHUNK_ROWS rows at a time: the same bytes as one
    write_csv of the whole table, without holding all of its text at once."""
    if len(df) <= CHUNK_ROWS:
        write_csv(csv_part(df), out)
        return
    sink = sys.stdout.buffer if out in (None, "-") else open(out, "wb")  # noqa: SIM115 - closed below
    try:
        for start in range(0, len(df), CHUNK_ROWS):
            data = csv_bytes(csv_part(df.iloc[start:start + CHUNK_ROWS]))
            if start:  # one BOM and one header, at the top
                data = data[len(codecs.BOM_UTF8):].split(b"\n", 1)[1]
            sink.write(data)
    finally:
        if sink is not sys.stdout.buffer:
            sink.close()
        else:
            sink.flush()
