"""Export helpers: CSV with BOM, xlsx sheets, no formula injection."""
import io

import openpyxl
import pandas as pd

from models.export import csv_bytes, xlsx_bytes


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
