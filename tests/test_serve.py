"""The launcher serves deep links correctly from the very first request after a start."""
from streamlit.runtime.pages_manager import PagesManager


def test_launcher_turns_off_v1_pages_folder_mode(monkeypatch):
    import streamlit.web.cli as cli

    from ui import serve

    called = {}
    monkeypatch.setattr("sys.argv", ["serve", "--server.port", "1"])
    monkeypatch.setattr(cli, "main", lambda: called.setdefault("argv", list(__import__("sys").argv)) and 0)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    serve.main()
    assert PagesManager.uses_pages_directory is False
    assert called["argv"] == ["streamlit", "run", "app.py", "--server.fileWatcherType", "none", "--server.port", "1"]


def test_launcher_keeps_a_file_watcher_the_command_line_names(monkeypatch):
    import streamlit.web.cli as cli

    from ui import serve

    called = {}
    monkeypatch.setattr("sys.argv", ["serve", "--server.fileWatcherType=poll"])
    monkeypatch.setattr(cli, "main", lambda: called.setdefault("argv", list(__import__("sys").argv)) and 0)
    serve.main()
    assert called["argv"] == ["streamlit", "run", "app.py", "--server.fileWatcherType=poll"]
