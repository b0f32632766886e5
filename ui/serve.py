"""Start the dashboard: `python -m ui.serve [streamlit run options]` (what `make run` calls).

Why not plain `streamlit run app.py`: Streamlit treats an app that has a `pages/` folder beside its main script
as a v1 multipage app until the first script run calls st.navigation. So the very first visitor after a start
who opens a deep link (e.g. /map?region=500103) gets the page script run on its own, without app.py's
navigation and language switch. This app always uses st.navigation; we say so before the server starts.

It also warms the app (ui/warm.py: imports, the database, the overview's tables, the projection) in a background
thread once the runtime is up, so the first visitor's page is not the one that pays for them (issue 20).

A served dashboard does not reload itself when a source file changes: `--server.fileWatcherType none` unless the
command line names a watcher. Streamlit otherwise starts a file watcher with the first session and registers the
app's modules for every session (measured with every county loaded, load ~4.5 on 2 cores: the first render of the
overview in Chromium 3.24–3.37 s without the watcher, 3.68–3.76 s with it). `streamlit run app.py` (development)
keeps watching.
"""
import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def main() -> int:
    PagesManager.uses_pages_directory = False  # pages/ are listed in app.py with st.navigation, not discovered
    from ui import warm

    warm.start()  # a daemon thread: waits for the runtime, never blocks the server or its health check
    args = sys.argv[1:]
    if not any(a.startswith("--server.fileWatcherType") for a in args):
        args = ["--server.fileWatcherType", "none", *args]
    sys.argv = ["streamlit", "run", "app.py", *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
