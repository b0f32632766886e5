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

    Text cells that Excel would read as formulas (starting with = + - @) are prefixed with "'" so that no
    user text becomes a formula in the analyst's Excel (CSV/formula injection).
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in sheets.items():
            safe = df.copy()
            for col in safe.columns:
                if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
                    safe[col] = safe[col].map(_no_formula)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
    return buf.getvalue()


def _no_formula(v):
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v
