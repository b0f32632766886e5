"""`python -m forecasting export [--region CODE ...] [--indicator ID ...] [--method plan|model|override]
[--scenario low|medium|high] --out FILE.csv|FILE.xlsx`: what the export page (预测导出) writes.

FILE.csv: the projection rows (UTF-8 with BOM), each with its own method and scenario, then the export context in
columns of its own (export_scenario, export_assumptions, generated_on). FILE.xlsx: the workbook (预测, 缺口, 假设, 来源,
规划指标表), every filter applied to every sheet. Without filters: every plan region and every imported region, indicator, method and scenario; --region takes
any registry region.
"""
from __future__ import annotations

from pathlib import Path

from forecasting.contract import METHODS, PLAN_REGIONS, SCENARIOS
from forecasting.exports import build
from forecasting.planning import covered_regions, region_table, require_region
from forecasting.projection import project_all
from models.core.catalogue import indicators
from models.report.overview import gaps_for
from models.store.facts import all_facts


def add_arguments(p) -> None:
    p.add_argument("--region", nargs="+", action="extend", help="GB/T 2260 region code(s), e.g. 500103 "
                                                                 "(default: the five plan regions)")
    p.add_argument("--indicator", nargs="+", action="extend", help="indicator id(s), e.g. elderly_60plus")
    p.add_argument("--method", choices=METHODS, help="plan | model | override (default: all)")
    p.add_argument("--scenario", choices=SCENARIOS, help="low | medium | high (default: all)")
    p.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")


def run(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError(f"--out: 应为 .csv 或 .xlsx 文件 / must be a .csv or .xlsx file, got {args.out!r}")
    for c in args.region or []:
        require_region(c)  # any registry region and any imported one
    if args.indicator:
        unknown = [i for i in args.indicator if i not in indicators()]
        if unknown:
            raise ValueError(f"未知指标 {', '.join(unknown)} / unknown indicator (data/indicators.csv)")
    methods = [args.method] if args.method else list(METHODS)
    scenarios = [args.scenario] if args.scenario else list(SCENARIOS)
    codes = list(args.region) if args.region else covered_regions()  # the plan regions and every imported one
    projections = project_all(codes, methods=methods, scenarios=scenarios)
    # the model/override gaps need the projection of every region with a gap table, not only the chosen ones
    every = projections if args.region is None else project_all(
        list(dict.fromkeys([*PLAN_REGIONS, *codes])), methods=methods, scenarios=scenarios)

    def gaps_of(method: str, scenario: str):
        if method == "plan":
            return gaps_for(assumptions="plan")
        return gaps_for(assumptions=method, scenario=scenario, projections=every)

    facts = all_facts()
    known = region_table()  # names of every registry region and every imported one
    export = build(projections, gaps_of, facts, names=dict(zip(known["region_code"], known["region_name"])),
                   regions=args.region,
                   indicators=args.indicator, methods=methods, scenarios=scenarios)
    out.write_bytes(export.csv() if out.suffix.lower() == ".csv" else export.xlsx(facts))
    return 0
