"""`python -m forecasting project [--region CODE] [--to 2035] [--method plan|model|override]
[--scenario low|medium|high] [--elderly-growth PCT] [--aging-rate-increment PP] [--population-growth PCT]
[--birth-rate PERMILLE] [--out FILE]`: population projections as CSV (UTF-8 with BOM).

Columns: region_code, indicator, year, method, scenario, value, lower_80, upper_80, lower_95, upper_95, then
basis, note, method_detail, inputs. Without --region: every region (the five plan regions first, then every census
unit of the registry and every region a planner imported, by code); without --method / --scenario: all.
Setting any planner assumption implies --method override unless a method is given. --raking FILE: the census
projection's raking factors per province (columns province_code, province_name, band, level, 2025, 2030, 2035).
"""
from __future__ import annotations

import argparse

import pandas as pd

from forecasting.cli.common import add_out
from forecasting.projection import METHODS, PLAN_REGIONS, SCENARIOS, TABLE_COLUMNS, Assumptions, Projector
from forecasting.vintage import as_of_argument
from models.core.export import write_csv


def _number(name: str):
    def parse(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}: 应为数字 / must be a number, got {text!r}") from None
    return parse


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--to: 应为年份 / must be a year, got {text!r}") from None


def add_arguments(p) -> None:
    p.add_argument("--region", help="GB/T 2260 region code, e.g. 500103 (default: every region)")
    p.add_argument("--to", type=_year, default=2035, help="last year projected (default 2035)")
    p.add_argument("--method", choices=METHODS, help="plan | model | override (default: all)")
    p.add_argument("--scenario", choices=SCENARIOS, help="low | medium | high (default: all)")
    p.add_argument("--population-growth", type=_number("--population-growth"), help="population growth, %% per year")
    p.add_argument("--elderly-growth", type=_number("--elderly-growth"), help="elderly (60+) growth, %% per year")
    p.add_argument("--aging-rate-increment", type=_number("--aging-rate-increment"),
                   help="aging-rate increase, percentage points per year")
    p.add_argument("--birth-rate", type=_number("--birth-rate"), help="crude birth rate, ‰")
    p.add_argument("--as-of", type=as_of_argument, help="vintage: only figures a planner had for years up to YEAR (2015–2025)")
    p.add_argument("--strict", action="store_true", help="with --as-of: only figures published by the end of YEAR")
    add_out(p)
    p.add_argument("--raking", metavar="FILE",
                   help="also write the census projection's raking factors per province and band (2025, 2030, 2035; "
                        "forecasting.method_report.raking_report) to FILE")


def run(args) -> int:
    overrides = {k: getattr(args, k) for k in ("population_growth", "elderly_growth", "aging_rate_increment",
                                                "birth_rate") if getattr(args, k) is not None}
    methods = [args.method] if args.method else (["override"] if overrides else list(METHODS))
    if overrides and "override" not in methods:
        raise ValueError("假设参数只用于 override 方法 / planner assumptions apply to --method override only")
    scenarios = [args.scenario] if args.scenario else list(SCENARIOS)
    regions = [args.region] if args.region else list(PLAN_REGIONS)
    # validate every combination before any database work (ValueError names the field, zh + en)
    wanted = [Assumptions(r, method=m, scenario=s, to_year=args.to, **(overrides if m == "override" else {}))
              for r in regions for m in methods for s in scenarios]
    projector = Projector.load(None, as_of=args.as_of, strict=args.strict)
    if args.region or overrides:
        table = pd.concat([projector.project(a).table for a in wanted], ignore_index=True)[TABLE_COLUMNS]
    else:  # every region, in one batch (the model method projects all census units in one array run)
        table = projector.project_all(projector.region_codes(), to_year=args.to, methods=methods,
                                      scenarios=scenarios)[TABLE_COLUMNS]
    write_csv(table, args.out)
    if args.raking:
        from forecasting.method_report import raking_report

        write_csv(raking_report(as_of=args.as_of), args.raking)
    return 0
