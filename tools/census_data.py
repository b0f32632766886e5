"""Derive the census files the build reads, and write the reconciliation reports (run after changing the census
workbooks or the matching rules; its outputs are committed under data/reference/census/).

    .venv/bin/python tools/census_data.py [--derive]

--derive: rewrite census_county_{2020,2010}_ages.csv.gz from the workbooks (~7 s).
Always: write unmatched_2010_2020.csv (models.regions.registry.unmatched_report) and gbt2260_not_in_census.csv
(registry.gbt2260_report), and print the counts quoted in data/reference/census/README.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.core.export import write_csv  # noqa: E402
from models.core.paths import CENSUS  # noqa: E402
from models.regions import census, registry  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--derive", action="store_true", help="rewrite the compact copies from the workbooks")
    args = ap.parse_args()
    if args.derive:
        for year in census.YEARS:
            census.derive(year)
            print(f"{census.derived_path(year).name}: {census.derived_path(year).stat().st_size:,} bytes")
    unmatched = registry.unmatched_report()
    write_csv(unmatched, CENSUS / "unmatched_2010_2020.csv")
    gbt = registry.gbt2260_report()
    write_csv(gbt, CENSUS / "gbt2260_not_in_census.csv")
    reg = registry.build()
    tier = reg[reg["county_tier"]]
    print("registry:", len(reg), "units;", reg["level"].value_counts().to_dict(), "; county tier:", len(tier))
    print("2010 match of the county tier:", tier["match_2010"].value_counts().to_dict())
    print("unmatched report:", unmatched.groupby("census_year").size().to_dict(),
          "persons:", unmatched.groupby("census_year")["population"].sum().to_dict())
    print("GB/T 2260:", reg["gbt2260"].value_counts().to_dict(), "; GB/T codes not in the census:", len(gbt),
          gbt["level"].value_counts().to_dict())


if __name__ == "__main__":
    main()
