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
