"""One benchmark per function; each runs in its own process (`python -m bench.cases NAME`) so that its peak memory
(resource maxrss) and its cold caches are its own. Each prints one JSON line: a list of [name, value, unit, note].

Environment: YLYX_DB is set by bench/__main__.py (real: a fresh copy built from data/; national: the SYNTHETIC
file written by bench/synth.py). Nothing here writes to data/.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
OUT: list[list] = []


def emit(name: str, value, unit: str, note: str = "") -> None:
    OUT.append([name, None if value is None else float(value) if not isinstance(value, str) else value, unit, note])


def not_available(name: str, why: str) -> None:
    OUT.append([name, None, "not available", why])


def maxrss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # Linux: KiB


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def synthetic_codes(db=None) -> list[str]:
    from bench.synth import REAL_PREFIXES
    from models.store.facts import regions

    r = regions(db)
    return [c for c in r["code"] if int(c[:2]) not in REAL_PREFIXES and c != "100000"]


# -- benchmarks ---------------------------------------------------------------------------------------------------

def case_db_build() -> None:
    """Real database from data/ into a new file, then the SYNTHETIC national file (bench/synth.py)."""
    import tempfile

    from bench import synth
    from models.store.database import Database

    with tempfile.TemporaryDirectory() as tmp:
        _, dt = timed(Database(Path(tmp) / "planning.duckdb").ensure_built)
    emit("db_build_real", dt, "s", "base tables from data/ into a new file")
    t = synth.build(os.environ["YLYX_DB"], force=True)
    emit("db_build_national_base", t["base_s"], "s", "base tables of the synthetic file")
    emit("db_synth_generate", t["synth_s"], "s", f"{t['user_regions']} regions, {t['user_facts']} facts, "
                                                  f"{t['user_series']} series points (SYNTHETIC)")
    emit("db_synth_write", t["write_s"], "s", "one write transaction into user tables")
    emit("db_build_peak_rss", maxrss_mb(), "MB")


def case_projection() -> None:
    """forecasting.projection.project_all for every region of the REAL database (the 2020 census units: nation,
    31 provinces, prefectures, ~2,990 county-tier units, with single-year ages, both sexes and bands; model,
    medium), cold process (issue 20: the synthetic national file is no longer used here)."""
    import resource

    from forecasting import projection
    from forecasting.method_model import census_projection
    from forecasting.parallel import workers_for
    from forecasting.projection_models import fit_forecast
    from models.store.database import default

    db = default()
    db.clear_fits()  # cold: no saved fits either
    t = time.perf_counter()
    projector = projection.Projector.load(db)
    codes = sorted(projector.inputs.index()["codes"])
    workers = workers_for(None, len(codes))
    projector.project_all(codes, methods=("model",), scenarios=("medium",))
    dt = time.perf_counter() - t
    emit("projection_all_regions", dt, "s", f"{len(codes)} REAL regions (census units), model/medium, single-year "
                                             f"ages, both sexes, bands; {workers} process(es); cold: inputs, census "
                                             "tables and fits included")
    emit("projection_regions_per_s", len(codes) / dt, "regions/s")
    inp = projection.vintage_inputs(db, None)
    inp.census()
    census_projection(inp, 2035)  # national fits memoised
    inp.memo.pop(("census_projection", 2035))
    _, dt_engine = timed(census_projection, inp, 2035)
    emit("projection_census_engine", dt_engine, "s", "forecasting.census: split, migration, fertility, the yearly "
                                                     "array steps 2020–2035, anchoring, raking, bands, all units")
    db.clear_fits()
    fit_forecast.cache_clear()
    _, dt1 = timed(projection.project_all, codes, methods=("model",), scenarios=("medium",), workers=1)
    info = fit_forecast.cache_info()
    emit("projection_all_regions_1proc", dt1, "s", "same in this one process, cold: fits included")
    emit("projection_fits", info.misses, "fits", "statsmodels fits (nation and provinces)")
    fit_forecast.cache_clear()
    _, dt_saved = timed(projection.project_all, codes, methods=("model",), scenarios=("medium",), workers=1)
    emit("projection_all_regions_saved_fits", dt_saved, "s",
         f"one process reading the fits the last run saved in DuckDB ({fit_forecast.cache_info().misses} refits)")
    p2 = projection.Projector.load(db)
    p2.project_all(codes, methods=("model",), scenarios=("medium",), workers=1)
    _, dt2 = timed(p2.project_all, codes, methods=("model",), scenarios=("medium",), workers=1)
    emit("projection_all_regions_1proc_warm", dt2, "s", "again on the same inputs: paths memoised, the assembly of "
                                                        "the tidy table only")
    emit("projection_per_region_warm", dt2 / len(codes) * 1000, "ms/region")
    sample = codes[:: max(1, len(codes) // 100)][:100]
    _, dt3 = timed(p2.project_all, sample, workers=1)
    emit("projection_all_methods_per_region", dt3 / len(sample) * 1000, "ms/region",
         f"3 methods × 3 scenarios, {len(sample)}-region sample, paths memoised")
    try:
        import statsforecast  # noqa: F401
        emit("statsforecast_autoets", None, "installed", "reference run not implemented")
    except ImportError:
        not_available("statsforecast_autoets", "not installed (reference only; not installed on purpose)")
    emit("projection_peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB",
         "this process (the forked workers' own peaks are not added)")


def case_gaps() -> None:
    """models.planning.gaps for every region × service × year of the national file."""
    from models.planning.gaps import YEARS, gap_table, plan_figures, plan_gaps, plan_population
    from models.planning.standards import plan_standards
    from models.planning.supply import supply_table
    from models.store.facts import all_facts, projects, regions

    g, dt = timed(plan_gaps, explain=False)
    emit("gaps_plan_gaps_national", dt, "s", f"{len(g)} rows ({g['region_code'].nunique()} regions × 3 services × "
                                             f"{len(YEARS)} years), explain=False, incl. reading the database")
    tracemalloc.start()
    plan_gaps(explain=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    emit("gaps_peak_traced", peak / 2**20, "MB", "tracemalloc peak of plan_gaps (a second, traced run)")
    facts, dt_f = timed(all_facts)
    emit("gaps_read_facts", dt_f, "s", f"{len(facts)} facts")
    st, dt_s = timed(plan_standards, facts)
    sup, dt_sup = timed(supply_table, facts, projects())
    pop, dt_p = timed(plan_population, facts)
    fig, dt_fig = timed(plan_figures, facts)
    emit("gaps_inputs_standards_supply_population", dt_s + dt_sup + dt_p + dt_fig, "s",
         f"standards {dt_s:.2f} + supply {dt_sup:.2f} + population {dt_p:.2f} + figures {dt_fig:.2f}")
    names = dict(zip(regions()["code"], regions()["name_zh"]))
    codes = sorted(set(facts["region_code"]))
    g2, dt_g = timed(gap_table, pop, st, sup, figures=fig, names=names, regions=codes, explain=False)
    emit("gaps_arithmetic_only", dt_g, "s", f"gap_table on ready inputs, {len(g2)} rows")
    emit("gaps_rows_per_s", len(g2) / dt_g, "rows/s")
    one = [c for c in codes if int(c[:2]) >= 66][:1]
    _, dt_one = timed(gap_table, pop[pop["region_code"].isin(one)], st, sup[sup["region_code"].isin(one)],
                      figures=fig, names=names, regions=one, explain=True)
    emit("gaps_one_region_explained", dt_one * 1000, "ms", "gap_table with formulas and inputs, one region")
    g3, dt_e = timed(plan_gaps, years=[2025], explain=True)
    emit("gaps_national_2025_explained", dt_e, "s", f"plan_gaps(years=[2025], explain=True), {len(g3)} rows")
    emit("gaps_peak_rss", maxrss_mb(), "MB")


def case_export() -> None:
    """CSV and .xlsx of the national gap table (models.core.export): the kept xlsx writer and openpyxl write-only side by
    side."""
    from models.core.export import csv_bytes, xlsx_bytes
    from models.planning.gaps import plan_gaps

    full = plan_gaps(explain=False).drop(columns=["inputs"])
    year = full[full["year"] == 2025]
    b, dt = timed(csv_bytes, full)
    emit("export_csv_national_all_years", dt, "s", f"{len(full)} rows, {len(b) / 2**20:.1f} MB")
    b, dt = timed(csv_bytes, year)
    emit("export_csv_national_2025", dt, "s", f"{len(year)} rows, {len(b) / 2**20:.1f} MB")
    # timed without tracemalloc: tracing every allocation made the same write ~10× slower (42 s vs 4 s)
    cpu = time.process_time()
    b, dt = timed(xlsx_bytes, {"gaps_2025": year})  # the kept writer (xlsxwriter), its import included
    cpu = time.process_time() - cpu
    emit("export_xlsx_national_2025", dt, "s", f"{len(year)} rows, {len(b) / 2**20:.1f} MB (xlsxwriter; "
                                                f"{cpu:.2f} s CPU)")
    cpu = time.process_time()
    b, dt = timed(xlsx_bytes, {"gaps_2025": year}, engine="openpyxl")
    cpu = time.process_time() - cpu
    emit("export_xlsx_national_2025_openpyxl_writeonly", dt, "s", f"{len(year)} rows, {len(b) / 2**20:.1f} MB "
                                                                   f"(openpyxl write-only, compared; {cpu:.2f} s CPU)")
    tracemalloc.start()
    xlsx_bytes({"gaps_2025": year})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    emit("export_xlsx_peak_traced", peak / 2**20, "MB", "tracemalloc peak of the xlsxwriter write (a second, traced run)")
    emit("export_peak_rss", maxrss_mb(), "MB")


def _apptest(page: str | None, *, query: dict | None = None, timeout: float = 300):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at


def _page_case(label: str, page: str, query: dict | None = None) -> None:
    if not (ROOT / page).exists():
        not_available(label, f"{page} has not landed")
        return
    at = _apptest(page, query=query)
    at.switch_page(page)  # before the first run: the first run is this page's, with every cache cold
    _, cold = timed(at.run)
    if at.exception:
        emit(label + "_error", None, "error", str(at.exception[0].message)[:200])
        return
    _, warm = timed(at.run)
    _, warm2 = timed(at.run)
    emit(label + "_first", cold, "s", "first render of the page in a fresh process (caches cold)")
    emit(label + "_rerun", min(warm, warm2) * 1000, "ms", "server-side rerun, caches warm (AppTest .run())")
    emit(label + "_peak_rss", maxrss_mb(), "MB")
    return at


def case_overview_real() -> None:
    _page_case("overview_real_5", "pages/overview.py", {"lang": "zh"})


def case_overview_national() -> None:
    _page_case("overview_national", "pages/overview.py", {"lang": "zh"})


def case_workbench() -> None:
    label, page = "workbench_" + os.environ.get("BENCH_DATASET", "real"), "pages/workbench.py"
    at = _page_case(label, page, {"lang": "zh"})
    if at is None or at.exception:
        return
    try:
        at.number_input(key="wb_beds_per_1000_elderly")
    except Exception as exc:  # noqa: BLE001 - the page's widgets may change
        not_available(label + "_assumption_rerun", f"widget wb_beds_per_1000_elderly not found: {exc}")
        return
    times = []
    for v in (35.0, 36.0, 37.0):
        at.number_input(key="wb_beds_per_1000_elderly").set_value(v)
        _, dt = timed(at.run)
        times.append(dt)
    emit(label + "_assumption_rerun_first", times[0] * 1000, "ms", "beds_per_1000_elderly 35 (new value)")
    emit(label + "_assumption_rerun", sorted(times)[1] * 1000, "ms", "median of 3 new values of "
                                                                     "beds_per_1000_elderly")
    at.number_input(key="wb_beds_per_1000_elderly").set_value(35.0)
    _, dt = timed(at.run)
    emit(label + "_assumption_rerun_seen", dt * 1000, "ms", "back to a value already computed (cache hit)")


def case_cold_start() -> None:
    """First AppTest run of app.py (default page) in a fresh process: imports + the first page."""
    t0 = time.perf_counter()
    at = _apptest(None, query={"lang": "zh"})
    at.run()
    emit("cold_start_apptest_first_page", time.perf_counter() - t0, "s", "fresh process: imports, first page")


def case_cold_start_server() -> None:
    """`streamlit run app.py` until /_stcore/health answers, then GET /, and the first page's script run via
    AppTest is measured separately (the browser renders the page only after a websocket session)."""
    import socket
    import subprocess
    import urllib.request

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    cmd = [sys.executable, "-m", "streamlit", "run", APP, "--server.headless", "true", "--server.address",
           "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        health = None
        while time.perf_counter() - t0 < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                    if r.read().strip() == b"ok":
                        health = time.perf_counter() - t0
                        break
            except OSError:
                time.sleep(0.05)
        if health is None:
            not_available("cold_start_server_health", "no answer within 60 s")
            return
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            r.read()
        emit("cold_start_server_health", health, "s", "streamlit run → /_stcore/health ok")
        emit("cold_start_server_index", time.perf_counter() - t0, "s", "… → GET / answered")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    name = sys.argv[1]
    try:
        CASES[name]()
    except Exception as exc:  # noqa: BLE001 - report the failure as a figure line, keep the other benchmarks
        OUT.append([name + "_error", None, "error", f"{type(exc).__name__}: {exc}"[:300]])
    print("BENCH-JSON " + json.dumps(OUT, ensure_ascii=False))
