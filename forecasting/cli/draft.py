"""`python -m forecasting draft --region CODE [--year 2030] [--standards FILE.json] [--out FILE.csv|FILE.xlsx|FILE.docx]`.

The 十五五 draft of one region (forecasting/draft.py): one row per indicator, columns region_code, region_name,
indicator, unit, base_year, base_value, base_source, target_year, target_value, lower_80, upper_80, property, basis,
annual_addition, then formula and scope. --standards: a JSON file of standard overrides as for `gaps
--assumptions` ({"beds_per_1000_elderly": 35} or {"500103": {"nursing_share": 75}}). .xlsx and .docx hold the
indicator table in the plans' shape and the 测算说明 paragraph. Without the region's population projection the
command says which input is missing (exit code 2).
"""
from __future__ import annotations

import sys
from pathlib import Path

from forecasting.draft import DraftIncomplete, draft
from forecasting.planning import require_region
from models.core.export import write_csv
from models.report.draft import csv_frame, docx, xlsx

FORMATS = (".csv", ".xlsx", ".docx")


def add_arguments(p) -> None:
    p.add_argument("--region", required=True, help="GB/T 2260 region code, e.g. 500103")
    p.add_argument("--year", type=int, default=2030, help="target year 2026–2035 (default 2030)")
    p.add_argument("--standards", help="JSON file of standard overrides (as gaps --assumptions)")
    p.add_argument("--out", help="FILE.csv | FILE.xlsx | FILE.docx (default: CSV on standard output)")


def run(args) -> int:
    suffix = Path(args.out).suffix.lower() if args.out else ".csv"
    if suffix not in FORMATS:
        raise ValueError(f"--out 须为 .csv、.xlsx 或 .docx 文件 / --out must end in .csv, .xlsx or .docx: {args.out}")
    require_region(args.region)
    try:
        d = draft(args.region, year=args.year, standards=args.standards)
    except DraftIncomplete as exc:
        print(f"未能测算 / no draft: {exc}", file=sys.stderr)
        return 2
    if suffix == ".csv":
        write_csv(csv_frame(d.table), args.out)
    elif suffix == ".xlsx":
        Path(args.out).write_bytes(xlsx(d.table, region_name=d.region_name))
    else:
        Path(args.out).write_bytes(docx(d.table, region_name=d.region_name))
    return 0
