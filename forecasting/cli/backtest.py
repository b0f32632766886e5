"""`python -m forecasting backtest [--as-of 2020] [--region CODE] [--strict] [--out FILE]`: vintage backtest.

Projects with only the data of the vintage (forecasting.vintage) and sets every figure published afterwards
(2021–2025) against the `model` method and the baselines `naive` (last observed value) and `ets` (the trend model).
Writes one row per region, indicator, year and method (columns VINTAGE_COLUMNS, UTF-8 with BOM), then prints MAPE
and 80 % coverage per method to standard error (standard output when --out is given).
"""
from __future__ import annotations

import sys

from forecasting.backtest import vintage_backtest, vintage_summary
from forecasting.cli.common import add_out
from forecasting.vintage import as_of_argument
from models.core.export import write_csv
from models.core.messages import bilingual, message


def add_arguments(p) -> None:
    p.add_argument("--as-of", type=as_of_argument, default=2020, help="vintage year (2015–2025, default 2020)")
    p.add_argument("--region", help="GB/T 2260 code (default: every region with figures published later)")
    p.add_argument("--strict", action="store_true",
                   help="only figures published by the end of the vintage year (default: as a planner had them "
                        "in the first half of the next year: the year-end communiqué and census of that year)")
    add_out(p)


def run(args) -> int:
    regions = None
    if args.region:
        from models.store.facts import reference_series

        if reference_series(None, region=args.region).empty:
            raise ValueError(f"region: 地区 {args.region} 没有任何统计序列，无法检验 / region {args.region} has no "
                             "series to check against")
        regions = [args.region]
    table = vintage_backtest(args.as_of, regions=regions, strict=args.strict)
    write_csv(table, args.out)
    stream = sys.stdout if args.out else sys.stderr
    if table.empty:
        m = message("backtest_no_outcomes", as_of=args.as_of)
        print(bilingual(m.text("zh"), m.text("en")), file=stream)
        return 0
    summary = vintage_summary(table)
    overall = summary[summary["region_code"] == "all"]
    print(f"as of {args.as_of}{' (strict)' if args.strict else ''}: {len(table)} rows", file=stream)
    print("level     method  n     MAPE%   coverage80", file=stream)
    for r in overall.itertuples():
        cov = "—" if r.coverage_80 != r.coverage_80 else f"{r.coverage_80 * 100:.0f}% of {int(r.n_interval)}"
        print(f"{r.level:<9} {r.method:<7} {int(r.n):<5} {r.mape:6.2f}  {cov}", file=stream)
    if "county" not in set(summary["level"]):
        print("county: no published county figure after the vintage in the data: county errors not measured",
              file=stream)
    nat = summary[(summary["region_code"] == "100000") & (summary["indicator"] == "elderly_60plus")]
    for r in nat.itertuples():
        cov = "—" if r.coverage_80 != r.coverage_80 else f"{int(round(r.coverage_80 * r.n_interval))}/{int(r.n_interval)}"
        print(f"China 60+ {r.method:<6} MAPE {r.mape:.2f}%  inside 80%: {cov}", file=stream)
    settings = census_settings(args.as_of, args.strict)
    if settings:
        print(settings, file=stream)
    return 0


def census_settings(as_of: int, strict: bool = False) -> str:
    """One line: the census model's migration damping and band σ as this vintage estimates them (both from data the
    vintage may read); '' without census tables."""
    from forecasting.method_model import band_sigma, migration_persistence
    from forecasting.projection import vintage_inputs

    inp = vintage_inputs(None, as_of, strict=strict)
    data = inp.census()
    if data is None:
        return ""
    beta, _, how = migration_persistence(inp)
    _, sigma_how = band_sigma(inp, data, beta)
    return f"census model as of {as_of}: migration damping {how}; band σ per √year: {sigma_how}"
