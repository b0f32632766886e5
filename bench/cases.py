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
# the province chosen in the province case: 四川省 (the most county-level units) where the overview offers it, else
# 河北省, else 重庆市 (on main the overview places only the regions of models.store.facts.regions under a province)
PROVINCES = ("510000", "130000", "500000")
COUNTY = "320102"  # 玄武区 (Nanjing): a census county with no plan of its own


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


# -- benchmarks ---------------------------------------------------------------------------------------------------

def case_db_build() -> None:
    """Real database from data/ into a new file (every census unit), then the national file: the same real database
    plus SYNTHETIC supply for the census counties without figures of their own (bench/synth.py build_real)."""
    import tempfile

    from bench import synth
    from models.store.database import Database

    with tempfile.TemporaryDirectory() as tmp:
        _, dt = timed(Database(Path(tmp) / "planning.duckdb").ensure_built)
    emit("db_build_real", dt, "s", "base tables from data/ into a new file (every census unit)")
    t = synth.build_real(os.environ["YLYX_DB"])
    emit("db_build_national_base", t["base_s"], "s", "the real base tables again, for the national file")
    emit("db_synth_generate", t["synth_s"], "s", f"SYNTHETIC supply for {t['units']} real county-tier units "
                                                  f"({t['user_facts']} facts; reading the registry included)")
    emit("db_synth_write", t["write_s"], "s", "one write transaction into user_facts")
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
    one = [COUNTY] if COUNTY in codes else codes[:1]
    _, dt_one = timed(gap_table, pop[pop["region_code"].isin(one)], st, sup[sup["region_code"].isin(one)],
                      figures=fig, names=names, regions=one, explain=True)
    emit("gaps_one_region_explained", dt_one * 1000, "ms", "gap_table with formulas and inputs, one region")
    g3, dt_e = timed(plan_gaps, years=[2025], explain=True)
    emit("gaps_national_2025_explained", dt_e, "s", f"plan_gaps(years=[2025], explain=True), {len(g3)} rows")
    from forecasting.planning import gaps

    gm, dt_m = timed(gaps, assumptions="model", explain=False)
    emit("gaps_model_national", dt_m, "s", f"forecasting.planning.gaps(assumptions='model'), {len(gm)} rows, "
                                           f"{gm['region_code'].nunique()} regions, {int(gm['demand'].notna().sum())} "
                                           "with a demand (projection included)")
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


def case_overview_province() -> None:
    """The overview with a province chosen (its counties: aggregate, table, ranking), on the real counties."""
    label = "overview_province"
    at = _apptest("pages/overview.py", query={"lang": "zh"})
    at.switch_page("pages/overview.py")
    _, cold = timed(at.run)
    if at.exception:
        emit(label + "_error", None, "error", str(at.exception[0].message)[:200])
        return
    try:
        box = at.selectbox(key="ov_province")
    except Exception as exc:  # noqa: BLE001 - at 30 regions or fewer the page shows cards, not the province filter
        not_available(label + "_rerun", f"no province filter on the page (ov_province): {exc}")
        return
    # the filter's values are codes; the test API shows the formatted labels, so pick by label
    from models.report.overview import region_names
    from models.store.facts import regions

    names = region_names(regions(), "zh")
    wanted = [c for c in PROVINCES if names.get(c, c) in box.options]
    if not wanted:
        not_available(label + "_rerun", f"none of the provinces {PROVINCES} is offered by the overview's filter")
        return
    province = wanted[0]
    box.set_value(province)
    _, first = timed(at.run)
    reruns = [timed(at.run)[1] for _ in range(3)]
    emit(label + "_first_select", first * 1000, "ms", f"choosing province {province} (caches of that province cold)")
    emit(label + "_rerun", sorted(reruns)[1] * 1000, "ms", f"province {province} chosen, median of 3 reruns "
                                                           "(AppTest .run())")
    emit(label + "_peak_rss", maxrss_mb(), "MB")


def case_workbench() -> None:
    dataset = os.environ.get("BENCH_DATASET", "real")
    label, page = "workbench_" + dataset, "pages/workbench.py"
    # real: the default region (渝中 500103, a plan region); national: a census county without a plan (玄武区)
    at = _page_case(label, page, {"lang": "zh"} if dataset == "real" else {"lang": "zh", "region": COUNTY})
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


def _serve(log_path: Path):
    """`python -m ui.serve` (what `make run` starts) on a free port; returns (process, url, seconds to health)."""
    import socket
    import subprocess
    import urllib.request

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    cmd = [sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    log = open(log_path, "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - t0 < 60:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.read().strip() == b"ok":
                    return proc, url, time.perf_counter() - t0
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not answer /_stcore/health within 60 s")


def _stop(proc) -> None:
    import subprocess

    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _render_seconds(browser, url: str) -> float:
    """Open the overview in a fresh browser context and time it until the page is drawn: its title and first
    dataframe are on screen and the script run has finished (Streamlit marks the app 'notRunning')."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(120000)
    try:
        t = time.perf_counter()
        page.goto(url + "/?lang=zh")
        page.get_by_role("heading", name="总览").first.wait_for()
        page.locator('[data-testid="stDataFrame"]').first.wait_for()
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
        return time.perf_counter() - t
    finally:
        ctx.close()


def case_first_render() -> None:
    """The first render of the overview in Chromium (Debian's /usr/bin/chromium, Playwright) after `make run`
    (`python -m ui.serve`), every census county loaded. Three figures: the server's start to /_stcore/health; the
    first render once the start-up warm-up (ui/warm.py) has reported done in the server log (the target); and, from
    a second fresh server, the first render asked for the moment the health check answers (warm-up still running)."""
    import shutil

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        not_available("first_render_overview_chromium", "chromium missing: `make browser`")
        return
    from playwright.sync_api import sync_playwright

    from bench.synth import WORK

    WORK.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            log = WORK / "serve_warm.log"
            proc, url, health = _serve(log)
            try:
                emit("first_render_server_health", health, "s", "python -m ui.serve → /_stcore/health ok")
                t0 = time.perf_counter()
                warm = None
                while time.perf_counter() - t0 < 120:
                    text = log.read_text(errors="replace")
                    if "ylyx-warm: done" in text:
                        warm = health + time.perf_counter() - t0
                        break
                    if "ylyx-warm: failed" in text:
                        break
                    time.sleep(0.1)
                if warm is None:
                    emit("first_render_warm_error", None, "error", "no 'ylyx-warm: done' in the server log")
                else:
                    emit("first_render_warm_done", warm, "s", "server start → the warm-up's done line (ui/warm.py)")
                emit("first_render_overview_chromium", _render_seconds(browser, url), "s",
                     "page.goto → overview drawn (title, first table, script finished), after the warm-up")
                emit("first_render_overview_chromium_second", _render_seconds(browser, url), "s",
                     "a second browser context (new session) on the same server")
                emit("first_render_server_peak_rss", _rss_mb(proc.pid), "MB",
                     "the server process after the renders (VmHWM)")
            finally:
                _stop(proc)
            proc, url, health = _serve(WORK / "serve_cold.log")
            try:
                emit("first_render_overview_chromium_at_health", health + _render_seconds(browser, url), "s",
                     "a fresh server, the browser sent the moment /_stcore/health answers: start → overview drawn")
            finally:
                _stop(proc)
        finally:
            browser.close()


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    name = sys.argv[1]
    try:
        CASES[name]()
    except Exception as exc:  # noqa: BLE001 - report the failure as a figure line, keep the other benchmarks
        OUT.append([name + "_error", None, "error", f"{type(exc).__name__}: {exc}"[:300]])
    print("BENCH-JSON " + json.dumps(OUT, ensure_ascii=False))

