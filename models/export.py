"""Writing tables for analysts: CSV as UTF-8 with BOM (so Excel in zh-CN shows Chinese correctly)."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV bytes, UTF-8 with BOM, no index."""
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def write_csv(df: pd.DataFrame, out: str | Path | None) -> None:
    """Write to a file, or to standard output when `out` is None or '-'."""
    data = csv_bytes(df)
    if out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(out).write_bytes(data)


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per entry (sheet names cut to Excel's 31 characters).

    Written with openpyxl's write-only mode, row by row (several times faster than pandas' cell-by-cell writer
    on the national table). Missing values become empty cells. Text cells that Excel would read as formulas
    (starting with = + - @) are prefixed with "'" so that no user text becomes a formula in the analyst's Excel.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v):
    if isinstance(v, str):
        return "'" + v if v[:1] in ("=", "+", "-", "@") else v
    if v is None or (not isinstance(v, list | dict | tuple) and pd.isna(v)):
        return None
    if isinstance(v, list | dict | tuple):
        return str(v)
    if hasattr(v, "item"):  # numpy scalar → Python number
        return v.item()
    return v
