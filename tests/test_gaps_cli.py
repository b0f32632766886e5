"""`python -m forecasting gaps` writes the gap table as CSV (UTF-8 with BOM)."""
import io
import json
import subprocess
import sys

import pandas as pd

from tests.conftest import ROOT


def _run(*args):
    out = subprocess.run([sys.executable, "-m", "forecasting", "gaps", *args], cwd=ROOT, capture_output=True)
    return out


def test_gaps_cli_yuzhong_2025():
    out = _run("--year", "2025", "--region", "500103")
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.startswith("\ufeff".encode())
    df = pd.read_csv(io.BytesIO(out.stdout), encoding="utf-8-sig", dtype={"region_code": str})
    assert list(df.columns[:10]) == ["region_code", "region_name", "service", "year", "demand", "supply", "gap",
                                     "target", "target_gap", "method"]
    assert df.set_index("service")["gap"].to_dict() == {"elderly_beds": 2085, "nursing_beds": 2084,
                                                         "childcare_places": 1639}


def test_gaps_cli_assumptions_file(tmp_path):
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"500103": {"nursing_share": 60}}), encoding="utf-8")
    out = _run("--year", "2025", "--region", "500103", "--assumptions", str(f))
    df = pd.read_csv(io.BytesIO(out.stdout), encoding="utf-8-sig")
    assert df.set_index("service").loc["nursing_beds", "demand"] == 2400


def test_gaps_cli_bad_input_says_so():
    out = _run("--assumptions", "/nonexistent.json")
    assert out.returncode == 2 and "error" in out.stderr.decode()


def test_a_listed_region_without_figures_gets_reasons_not_a_crash():
    """河西区 (120103) is in the regions table but no plan has figures for it: every number is unknown, each with
    its reason, and the formula says 未提供 (it used to crash on the missing supply row)."""
    out = _run("--year", "2025", "--region", "120103")
    assert out.returncode == 0, out.stderr.decode()
    df = pd.read_csv(io.BytesIO(out.stdout), encoding="utf-8-sig", dtype={"region_code": str})
    assert list(df["service"]) == ["elderly_beds", "nursing_beds", "childcare_places"]
    assert df[["demand", "supply", "gap"]].isna().all().all()
    assert df["reason"].str.contains("供给：规划未提供现有数量").all()
    assert df["formula"].str.contains("supply = 未提供").all() and not df["formula"].str.contains("nan").any()
