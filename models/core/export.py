"""Writing tables for analysts: CSV as UTF-8 with BOM (so Excel in zh-CN shows Chinese correctly), and .xlsx
workbooks written by a streaming writer (xlsxwriter; openpyxl write-only kept for the benchmark comparison)."""
from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from models.core.text import neutralise_cell


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV bytes, UTF-8 with BOM, no index. Every text cell (and header) that a spreadsheet would run
    as a formula (starting with = + - @, tab or CR) gets a leading apostrophe (models.core.text.neutralise_cell,
    OWASP); numbers stay numbers. Every CSV the project writes, pages and command line, goes through here."""
    buf = io.StringIO()
    safe_csv_frame(df).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names are neutralised (numeric columns untouched)."""
    out = df.rename(columns=lambda c: neutralise_cell(c) if isinstance(c, str) else c)
    for i, (_, col) in enumerate(out.items()):
        if col.dtype.kind in "biufcmM":
            continue
        out.isetitem(i, col.map(neutralise_cell, na_action="ignore"))
    return out


def write_csv(df: pd.DataFrame, out: str | Path | None) -> None:
    """Write to a file, or to standard output when `out` is None or '-'."""
    data = csv_bytes(df)
    if out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(out).write_bytes(data)


XLSX_ENGINES = ("xlsxwriter", "openpyxl")  # the first is the default: faster on the national table (bench/README.md)
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def xlsx_bytes(sheets: dict[str, pd.DataFrame], *, engine: str = "xlsxwriter",
               labels: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx workbook with one sheet per entry (sheet names cut to Excel's 31 characters), a header row of the
    column names, then one row per frame row.

    Missing values (None, NaN, NA, NaT) become empty cells. Text cells that Excel would read as formulas (starting
    with = + - @, tab or CR) are prefixed with "'" so that no user text becomes a formula in the analyst's Excel. Lists and
    dicts are written as their text.

    engine: 'xlsxwriter' (default: typed writes of column-converted values, about half the CPU time of openpyxl
    write-only on the national 8,715-row table, see bench/README.md) or 'openpyxl' (its write-only mode, kept for
    the benchmark's side-by-side comparison). Both give the same cell values.

    labels: for a workbook people read (None: plain sheets as above). Every sheet then gets its header frozen, an
    autofilter and column widths from its contents; a sheet named in `labels` gets a first header row of those
    labels (one per column, in the reader's language) above the row of column ids, which stays for machines.
    """
    if engine == "xlsxwriter":
        return _xlsx_xlsxwriter(sheets, labels)
    if engine == "openpyxl":
        return _xlsx_openpyxl(sheets, labels)
    raise ValueError(f"engine: 应为 {' 或 '.join(XLSX_ENGINES)} / must be one of {XLSX_ENGINES}, got {engine!r}")


def _header_rows(name: str, df: pd.DataFrame, labels: dict | None) -> list[list[str]]:
    ids = [str(c) for c in df.columns]
    if labels and name in labels:
        return [[str(x) for x in labels[name]], ids]
    return [ids]


def _widths(df: pd.DataFrame, header: list[list[str]]) -> list[float]:
    """Column widths in Excel character units from the headers and the first 200 cells (CJK counts double)."""
    def width(v) -> int:
        s = "" if v is None or (not isinstance(v, list | dict | tuple) and pd.isna(v)) else str(v)
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s[:80])
    out = []
    for j, (_, col) in enumerate(df.items()):
        cells = [width(h[j]) for h in header] + [width(v) for v in col.head(200).tolist()]
        out.append(float(min(max(max(cells, default=8) + 2, 8), 60)))
    return out


def _xlsx_openpyxl(sheets: dict[str, pd.DataFrame], labels: dict | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        header = _header_rows(name, df, labels)
        if labels is not None:
            ws.freeze_panes = f"A{len(header) + 1}"
            last = get_column_letter(max(len(df.columns), 1))
            ws.auto_filter.ref = f"A{len(header)}:{last}{len(header) + len(df)}"
            for j, w in enumerate(_widths(df, header), start=1):
                ws.column_dimensions[get_column_letter(j)].width = w
        for h in header:
            ws.append(h)
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_xlsxwriter(sheets: dict[str, pd.DataFrame], labels: dict | None = None) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    # Values are typed here (write_number/write_string), so xlsxwriter must not re-interpret text as formulas,
    # links or numbers. in_memory: no temporary files; constant_memory (row-ordered, streamed) measured no faster.
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False,
                                   "nan_inf_to_errors": True, "remove_timezone": True})
    when = wb.add_format({"num_format": _DATETIME_FORMAT})
    bold = wb.add_format({"bold": True})
    for name, df in sheets.items():
        ws = wb.add_worksheet(name[:31])
        header = _header_rows(name, df, labels)
        for i, h in enumerate(header):
            for j, c in enumerate(h):
                ws.write_string(i, j, c, bold if labels is not None else None)
        if labels is not None:
            ws.freeze_panes(len(header), 0)
            ws.autofilter(len(header) - 1, 0, len(header) - 1 + len(df), max(len(df.columns) - 1, 0))
            for j, w in enumerate(_widths(df, header)):
                ws.set_column(j, j, w)
        writers = {"n": ws.write_number, "s": ws.write_string, "b": ws.write_boolean,
                   "d": lambda i, j, v, ws=ws: ws.write_datetime(i, j, v, when)}
        # one pass per column: the type test is done once per column, not once per cell
        for j, (_, col) in enumerate(df.items()):
            for i, (kind, v) in enumerate(_column(col), start=len(header)):
                if kind:
                    writers[kind](i, j, v)
    wb.close()
    return buf.getvalue()


def _column(col: pd.Series):
    """A column's cells as (kind, value): kind 'n' number, 's' text, 'b' boolean, 'd' date-time, '' empty."""
    k = col.dtype.kind
    if k == "b":
        return [("b", bool(v)) if v is not None else ("", None) for v in col.to_numpy(dtype=object, na_value=None)]
    if k in "iuf":
        return [("n", v) if v == v else ("", None) for v in col.to_numpy(dtype="float64", na_value=np.nan).tolist()]
    if k == "M":
        return [("d", v.to_pydatetime()) if v is not pd.NaT else ("", None) for v in col]
    return [_typed(_cell(v)) for v in col.tolist()]


def _typed(v) -> tuple[str, object]:
    if v is None:
        return "", None
    if isinstance(v, str):
        return "s", v
    if isinstance(v, bool):
        return "b", v
    if isinstance(v, int | float):
        return "n", v
    if isinstance(v, dt.datetime | dt.date):
        return "d", v
    return "s", str(v)


def _cell(v):
    if isinstance(v, str):
        return neutralise_cell(v)
    if v is None or (not isinstance(v, list | dict | tuple) and pd.isna(v)):
        return None
    if isinstance(v, list | dict | tuple):
        return str(v)
    if hasattr(v, "item"):  # numpy scalar → Python number
        return v.item()
    return v
