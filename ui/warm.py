"""Warm the dashboard at start-up (issue 20): `start()` (called by ui/serve.py before the server starts) runs
`warm()` in a daemon thread once the Streamlit runtime is up, so the first visitor does not pay for the imports, the
database build and the overview's tables. It never blocks the server nor its health check, and a failure is
logged, never raised (the page then computes on its first run, as without warming).

What is warmed, in this order (first what the overview's first render needs, then what the next pages need):
1. the imports of the pages (pandas, plotly, statsmodels, the domain modules);
2. the database (`data_version()` builds data/planning.duckdb from data/ when it is missing or stale);
3. the overview in the default language and first year, through ui/cache.py's own cached functions, so the entries
   are exactly the ones a session reads: regions, the year's overview tables, the cards drawn first (every region's
   up to CARD_LIMIT regions, with the focus region's trend; else the focus region's card: ~0.3 s each, measured
   with every county loaded), the 终期评估 table, the aggregate per province, the region chooser's list;
4. the projection table (the overview's later years and the workbench), then the method page's report: these two
   only while no session is connected (a visitor's own script run would otherwise share the CPU with them; measured:
   the first render asked at the health check took 9.9 s with them running beside it), else they are skipped and
   computed on first use as before.
Each step's time is printed to the server log as `ylyx-warm: <step> <seconds>`, and `ylyx-warm: done <seconds>` at
the end (the bench's first-render case waits for that line). YLYX_WARM=0 turns warming off.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time

_CTX_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"  # warns once per cached call off-session


def _say(text: str) -> None:
    print(f"ylyx-warm: {text}", file=sys.stderr, flush=True)


def _wait_for_runtime(timeout: float = 60.0) -> bool:
    """True once Streamlit's runtime has started (its caches are the ones sessions use)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.runtime import RuntimeState

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Runtime.exists() and Runtime.instance().state in (RuntimeState.NO_SESSIONS_CONNECTED,
                                                            RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED):
            return True
        time.sleep(0.05)
    return False


def _sessions_connected() -> bool:
    from streamlit.runtime import Runtime
    from streamlit.runtime.runtime import RuntimeState

    return Runtime.exists() and Runtime.instance().state == RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED


def steps(lang: str = "zh"):
    """(name, function, only_when_idle) in warming order: the steps the first page needs, then the ones run only
    while no session is connected."""
    def imports():
        import importlib

        import plotly.graph_objects  # noqa: F401
        import statsmodels.api  # noqa: F401

        # what a session's first script run imported otherwise (measured with every county loaded: the first run
        # of the overview took 0.54 s against 0.20 s for the next session): Streamlit's emoji and icon tables (their
        # regular expressions), Pillow for the page icon, and the app's own modules app.py and the pages import
        for name in ("streamlit.emojis", "streamlit.material_icon_names", "PIL.Image", "PIL.PngImagePlugin",
                     "ui.state", "ui.auth", "ui.editor", "ui.missing", "models.intake.importer",
                     "models.store.userdata"):
            importlib.import_module(name)
        importlib.import_module("PIL.Image").preinit()  # the image plugins Pillow loads on its first open
        # Streamlit's once-per-process check, on the first element any session draws, whether it runs in a REPL:
        # inspect.stack() resolving every module's file (measured: 0.35 s of the first session's 0.67 s script run
        # in the server, every county loaded); here it runs off the session (warm runs after the runtime is up, so
        # it prints nothing)
        from streamlit import delta_generator

        getattr(delta_generator, "_maybe_print_use_warning", lambda: None)()

        import forecasting.planning  # noqa: F401
        import forecasting.projection  # noqa: F401
        import models.report.brief  # noqa: F401
        import models.report.charts  # noqa: F401
        import models.report.overview  # noqa: F401
        import ui.downloads  # noqa: F401
        import ui.region_picker  # noqa: F401

    def database():
        from ui import cache

        cache.data_version()
        cache.regions()
        cache.all_facts()

    def overview():
        from models.core.catalogue import SERVICES
        from models.report.overview import CARD_LIMIT, COMPARE_YEARS, REVIEW_YEAR, default_focus
        from ui import cache

        year = COMPARE_YEARS[0]
        ov = cache.overview(year, lang)
        if ov.codes:  # the cards the page draws first (pages/overview.py): every region's, or the focus region's
            if len(ov.codes) <= CARD_LIMIT:
                ordered = list(dict.fromkeys(ov.comparison["region_code"]))
                for code in ordered:
                    cache.overview_card(year, lang, code)
                cache.overview_trend(year, lang, default_focus(ordered), SERVICES[0])
            else:  # the trend chart is drawn on demand there
                cache.overview_card(year, lang, default_focus(list(ov.regions_wide["region_code"]) or ov.codes))
        cache.overview_review(REVIEW_YEAR, lang)
        cache.overview_aggregate(year, lang, level="province", within=None)
        cache.choosable_regions()

    def projections():
        from ui import cache

        cache.projections()

    def method():
        from ui import cache

        cache.method_report()

    return [("imports", imports, False), ("database", database, False), ("overview", overview, False),
            ("projections", projections, True), ("method", method, True)]


def _version() -> str | None:
    try:
        from ui import cache

        return cache.data_version()
    except Exception:  # noqa: BLE001 - no database yet: nothing to compare
        return None


def warm(lang: str = "zh", *, busy=_sessions_connected) -> dict[str, float]:
    """Run every step; returns {step: seconds} (a failed step: NaN, logged; the later steps still run; an idle-only
    step skipped because `busy()` said a session is connected: None).

    The caches are keyed by the data version (ui/cache.data_version: the database file's identity). When a later
    step changed the file (measured: the projection step, on a freshly built database, rewrites it), the entries
    warmed before it would never be read: the first steps run again (`<step> again` in the log, `<step>_again` in
    the result) before the done line, so the first visitor reads warm entries (measured with every county loaded on
    a fresh database: the first session's script run 2.59 s without this, 0.25 s with it)."""
    ctx_logger = logging.getLogger(_CTX_LOGGER)
    level = ctx_logger.level
    ctx_logger.setLevel(logging.ERROR)
    out: dict[str, float | None] = {}
    t0 = time.perf_counter()

    def run(name: str, fn) -> None:
        t = time.perf_counter()
        try:
            fn()
            out[name] = time.perf_counter() - t
            _say(f"{name.replace('_again', ' again')} {out[name]:.2f}")
        except Exception as exc:  # noqa: BLE001 - warming is best effort; the page computes on its first run
            out[name] = float("nan")
            _say(f"{name.replace('_again', ' again')} failed: {type(exc).__name__}: {exc}")

    try:
        todo = steps(lang)
        first = [(name, fn) for name, fn, only_when_idle in todo if not only_when_idle and name != "imports"]
        version = None
        for name, fn, only_when_idle in todo:
            if only_when_idle and busy():
                out[name] = None
                _say(f"{name} skipped (a session is connected: computed on first use)")
                continue
            if only_when_idle and version is None:
                version = _version()  # the version the first steps warmed
            run(name, fn)
        if version is not None and _version() != version:
            for name, fn in first:
                run(name + "_again", fn)
    finally:
        ctx_logger.setLevel(level)
    _say(f"done {time.perf_counter() - t0:.2f}")
    return out


def start() -> threading.Thread | None:
    """Start warming in a daemon thread (after the runtime is up); None when YLYX_WARM=0."""
    if os.environ.get("YLYX_WARM", "1") == "0":
        return None

    def run():
        if not _wait_for_runtime():
            _say("failed: the Streamlit runtime did not start")
            return
        warm()

    thread = threading.Thread(target=run, name="ylyx-warm", daemon=True)
    thread.start()
    return thread
