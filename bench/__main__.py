"""`python -m bench` (= `make bench`): every benchmark, one line per figure (name, value, unit), bench/results.csv.

Datasets (issue 20: the REAL census counties everywhere; data/planning.duckdb is not touched):
- real: a fresh database built from data/ (bench/.work/real.duckdb): every census unit, the plans' real figures;
- national: the same real database plus SYNTHETIC supply (beds, nursing beds, childcare places, source "SYNTHETIC")
  for every county-tier unit without figures of its own (bench/.work/national.duckdb, bench/synth.py build_real),
  so that the gaps, export and overview cases have a supply for every real county. Regions, population, standards
  and plans are all real; the synthetic national file of issue 7 (bench/synth.py build) is no longer used here.
Each benchmark runs in its own process (cold caches, its own peak memory). Options: --only a,b (case names),
--out FILE (default bench/results.csv).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.synth import WORK

ROOT = Path(__file__).resolve().parents[1]
REAL = WORK / "real.duckdb"
NATIONAL = WORK / "national.duckdb"
# (case, dataset): run in this order; db_build (re)writes the synthetic file first.
PLAN = [("db_build", "national"), ("projection", "real"), ("gaps", "national"), ("export", "national"),
        ("overview_real", "real"), ("overview_national", "national"), ("overview_province", "national"),
        ("workbench", "real"), ("workbench", "national"), ("cold_start", "real"), ("cold_start_server", "real"),
        ("first_render", "national"), ("load", "real")]
MODULES = {"load": "bench.load"}  # cases with a module of their own (default bench.cases); load uses its own file
TIMEOUT = 420
# Targets the issues set (name in results.csv → (≤ bound, unit, issue)); printed with met / missed after the run and
# recorded as rows `<name>_target` (value = the bound, note = met | missed | not measured).
TARGETS = {
    "projection_all_regions": (5.0, "s", "#20: every real census unit, single ages, both sexes, bands, cold"),
    "export_xlsx_national_2025": (2.0, "s", "#12"),
    "overview_national_rerun": (150.0, "ms", "#12"),
    "overview_province_rerun": (150.0, "ms", "#20: a province's overview, every county loaded"),
    "workbench_real_rerun": (60.0, "ms", "#12"),
    "workbench_national_rerun": (60.0, "ms", "#20: a census county (玄武区 320102), every county loaded"),
    "first_render_overview_chromium": (2.0, "s", "#20: Chromium after `make run`, every county loaded"),
    "workbench_real_assumption_rerun": (100.0, "ms", "#12"),
    "load_lost_writes": (0, "count", "#15"),
    "load_user_errors": (0, "count", "#15"),
    "cold_start_apptest_first_page": (5.0, "s", "#7"),
}
TIMEOUTS = {"load": 1200, "first_render": 600}  # 20 editors' serialised writes: ~5 min on a busy 2-core machine


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run_case(case: str, dataset: str) -> list[list]:
    env = dict(os.environ, YLYX_DB=str(REAL if dataset == "real" else NATIONAL), BENCH_DATASET=dataset,
               PYTHONPATH=str(ROOT))
    t = time.perf_counter()
    try:
        module = MODULES.get(case, "bench.cases")
        args = [sys.executable, "-m", module] + ([] if case in MODULES else [case])
        limit = TIMEOUTS.get(case, TIMEOUT)
        p = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return [[f"{case}_{dataset}_timeout", None, "error", f"over {limit} s"]]
    for line in p.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            rows = json.loads(line[len("BENCH-JSON "):])
            return rows + [[f"bench_case_{case}_{dataset}_wall", time.perf_counter() - t, "s", "whole subprocess"]]
    tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
    return [[f"{case}_{dataset}_error", None, "error", " | ".join(tail)[:300]]]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--only", default="", help="comma-separated case names (default: all)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.csv"))
    args = ap.parse_args(argv)
    only = {c for c in args.only.split(",") if c}
    WORK.mkdir(parents=True, exist_ok=True)

    from bench import synth
    from models.store.database import Database

    REAL.unlink(missing_ok=True)
    Database(REAL).ensure_built()
    if only and "db_build" not in only and any(d == "national" for c, d in PLAN if c in only):  # partial run
        synth.build_real(NATIONAL)

    rows = [["machine_cpus", os.cpu_count(), "cores", ""], ["machine_load_start", None, _load(), "1/5/15-min load"]]
    print(f"{'name':44s} {'value':>12s}  unit   (every case on the REAL census units; *_national cases: real "
          f"regions, population and plans with SYNTHETIC supply for the counties without their own, bench/synth.py)")
    t0 = time.perf_counter()
    for case, dataset in PLAN:
        if only and case not in only:
            continue
        for name, value, unit, note in run_case(case, dataset):
            rows.append([name, value, unit, note])
            shown = "—" if value is None else f"{value:12.3f}" if isinstance(value, float) else str(value)
            print(f"{name:44s} {shown:>12s}  {unit}" + (f"   ({note})" if note and value is None else ""),
                  flush=True)
    rows += target_rows(rows)
    rows.append(["machine_load_end", None, _load(), "1/5/15-min load"])
    peaks = [r for r in rows if r[0].endswith("_peak_rss") and isinstance(r[1], float)]
    if peaks:
        top = max(peaks, key=lambda r: r[1])
        rows.append(["bench_peak_rss_max", top[1], "MB", f"the largest peak of any case ({top[0]})"])
        print(f"{'bench_peak_rss_max':44s} {top[1]:12.3f}  MB   ({top[0]})")
    rows.append(["bench_total_wall", time.perf_counter() - t0, "s", ""])
    print(f"{'bench_total_wall':44s} {rows[-1][1]:12.3f}  s")
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "value", "unit", "note"])
        w.writerows(rows)
    print(f"written {args.out}")
    return 0


def target_rows(rows: list[list]) -> list[list]:
    """One row per target: `<name>_target`, the bound, its unit, 'met' / 'missed' / 'not measured' (printed too)."""
    got = {r[0]: r[1] for r in rows}
    out = []
    print(f"{'target':44s} {'bound':>12s}  {'measured':>12s}  result")
    for name, (bound, unit, issue) in TARGETS.items():
        value = got.get(name)
        verdict = "not measured" if value is None else "met" if value <= bound else "missed"
        shown = "—" if value is None else f"{value:12.3f}"
        print(f"{name:44s} {'≤ ' + str(bound):>12s}  {shown:>12s}  {verdict} ({unit}, {issue})")
        out.append([f"{name}_target", bound, unit, f"{verdict} ({issue})"])
    return out


if __name__ == "__main__":
    sys.exit(main())
