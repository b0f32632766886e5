"""`python -m forecasting brief --region CODE [--region CODE ...] --out FILE.pdf|png [--year 2025] [--lang zh|en]`.

The one-page leadership brief (models.report.brief) from the gap model under the plans' own assumptions
(models.planning.gaps.plan_gaps); a region without figures of its own (any registry region) from the model
projection with its province's or the national standards, the missing inputs named. One region → that region's page; several → one summary page for the set.
The format comes from the file extension (.pdf or .png). Needs chromium (tools/install_system_deps.sh).
"""
from __future__ import annotations

from pathlib import Path

from forecasting.cli.common import add_out
from forecasting.planning import covered_regions, gaps, require_region
from models.planning.gaps import require_year
from models.report.brief import brief_bytes
from models.store.facts import region_name


def add_arguments(p) -> None:
    p.add_argument("--region", action="append", required=True,
                   help="GB/T 2260 region code, e.g. 500103 (repeat or comma-separate for a set page)")
    add_out(p, help="output file, .pdf or .png", required=True)
    p.add_argument("--year", type=int, default=2025, help="planning year (default 2025)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")


def run(args) -> int:
    codes = [c.strip() for arg in args.region for c in arg.split(",") if c.strip()]
    for c in codes:
        require_region(c)
    require_year(args.year)
    fmt = Path(args.out).suffix.lower().lstrip(".")
    if fmt not in ("pdf", "png"):
        raise ValueError(f"输出文件须为 .pdf 或 .png：{args.out} / --out must end in .pdf or .png")
    names = {c: region_name(c, args.lang) for c in codes}
    data = brief_bytes(brief_gaps(codes, args.year), regions=codes, year=args.year, lang=args.lang, fmt=fmt,
                       names=names)
    Path(args.out).write_bytes(data)
    print(f"{args.out}: {len(data):,} bytes")
    return 0


def brief_gaps(codes: list[str], year: int):
    """The gap rows a brief reads: the plans' own figures for the regions with figures in the database (as before);
    for any other registry region the model projection (medium) with its province's or the national standards."""
    import pandas as pd

    from forecasting.projector import Projector

    covered = set(covered_regions())
    parts = [gaps(years=[year])]
    others = [c for c in codes if c not in covered]
    projector = Projector.load() if others else None
    parts += [gaps(assumptions="model", years=[year], region=c, projector=projector) for c in others]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
