"""Export helpers: CSV with BOM, xlsx sheets, no formula injection."""
import io

import openpyxl
import pandas as pd
import pytest

from models.core.export import csv_bytes, xlsx_bytes


def test_csv_has_bom_and_round_trips_chinese():
    df = pd.DataFrame({"地区": ["渝中区"], "value": [2085]})
    raw = csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig").equals(df)


def test_xlsx_sheets_values_and_no_formulas():
    data = xlsx_bytes({"预测": pd.DataFrame({"year": [2025], "value": [125000.0]}),
                       "来源": pd.DataFrame({"quote": ["=HYPERLINK(\"x\")", "渝中区"]})})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["预测", "来源"]
    assert wb["预测"]["B2"].value == 125000
    assert wb["来源"]["A2"].value == "'=HYPERLINK(\"x\")"
    assert wb["来源"]["A2"].data_type == "s"


MIXED = pd.DataFrame({
    "region_code": ["500103", "120000", "-1"],
    "gap": [2085.0, float("nan"), -3.5],
    "supply_year": pd.array([2020, None, 2022], dtype="Int64"),
    "ok": [True, False, True],
    "quote": ["@SUM(A1)", None, "+86 电话"],
    "inputs": [[{"name": "x"}], [], None],
})


def _sheet_values(data: bytes, name: str) -> list[list]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[name]
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_xlsx_engines_write_missing_as_empty_and_guard_every_formula_start(engine):
    rows = _sheet_values(xlsx_bytes({"缺口": MIXED}, engine=engine), "缺口")
    assert rows[0] == ["region_code", "gap", "supply_year", "ok", "quote", "inputs"]
    assert rows[1] == ["500103", 2085, 2020, True, "'@SUM(A1)", "[{'name': 'x'}]"]
    assert rows[2] == ["120000", None, None, False, None, "[]"]  # NaN, NA and None: empty cells, never 0
    assert rows[3] == ["'-1", -3.5, 2022, True, "'+86 电话", None]


def test_xlsx_engines_give_the_same_cells():
    frames = {"预测": MIXED, "来源": pd.DataFrame({"quote": ["=1+1", "缺口2085张"]})}
    a, b = xlsx_bytes(frames), xlsx_bytes(frames, engine="openpyxl")
    for name in frames:
        assert _sheet_values(a, name) == _sheet_values(b, name)


def test_xlsx_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        xlsx_bytes({"x": MIXED}, engine="pandas")
