"""`python -m forecasting regions [--province CODE] [--level province|city|county] [--out FILE]`.

Every region of the 2020 census as CSV (UTF-8 with BOM), census file order. Columns first: region_code, region_name,
level, parent_code, province_code, population_2020, elderly_60plus_2020, elderly_65plus_2020, elderly_80plus_2020,
infants_0_3_2020, source; then prefecture_code, name_en, county_tier, prefecture_tier, note, code_2010, match_2010, gbt2260, role,
share_60plus_2020, share_80plus_2020 (forecasting/region_table.py says how each is made).
--level county lists the county tier (2,989 units that sum exactly to their provinces and to the census total),
which includes the four prefecture-level cities without counties (东莞, 中山, 儋州, 嘉峪关; their level stays 'city');
--level city lists the prefecture tier (368 units, also summing exactly), which includes the 30 county-level units
directly under a province (济源, 仙桃 …; their level stays 'county').
"""
from __future__ import annotations

from forecasting.region_table import LEVELS, region_table
from models.core.export import write_csv


def add_arguments(p) -> None:
    p.add_argument("--province", help="province code, e.g. 500000 (its own row and every unit in it)")
    p.add_argument("--level", help=f"{' | '.join(LEVELS)} (county = every county-level unit and zone)")
    p.add_argument("--out", help="output CSV file (default: standard output)")


def run(args) -> int:
    write_csv(region_table(province=args.province, level=args.level), args.out)
    return 0
