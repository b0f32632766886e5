"""models.intake.sources.listing: the folders' listing is reused only while the folder is unchanged."""
import os
import time

from models.intake import sources


def test_a_file_added_to_an_old_folder_is_listed(tmp_path):
    (tmp_path / "a.csv").write_text("x")
    old = time.time_ns() - 10_000_000_000
    os.utime(tmp_path, ns=(old, old))  # an unchanged folder: its listing is kept
    assert [p.name for p in sources.listing(tmp_path, "*.csv")] == ["a.csv"]
    assert sources.listing(tmp_path, "*.csv") == [tmp_path / "a.csv"]
    (tmp_path / "b.csv").write_text("y")  # changes the folder's modification time
    assert [p.name for p in sources.listing(tmp_path, "*.csv")] == ["a.csv", "b.csv"]


def test_a_folder_changed_just_now_is_listed_again_each_time(tmp_path):
    (tmp_path / "a.csv").write_text("x")
    assert [p.name for p in sources.listing(tmp_path, "*.csv")] == ["a.csv"]
    stamp = tmp_path.stat().st_mtime_ns
    (tmp_path / "b.csv").write_text("y")
    os.utime(tmp_path, ns=(stamp, stamp))  # same timestamp tick as the first listing
    assert [p.name for p in sources.listing(tmp_path, "*.csv")] == ["a.csv", "b.csv"]


def test_a_missing_folder_lists_nothing(tmp_path):
    assert sources.listing(tmp_path / "none", "*.csv") == []
