"""What people read (issue 21), through AppTest on every page in both languages: every table cell is a formatted
value or "—" (no None, nan, raw floats), every header is a label (no column ids), every formula shown uses the
catalogue's labels (no indicator ids)."""
import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/workbench.py", "pages/export.py", "pages/audit.py", "pages/map.py",
         "pages/method.py", "pages/data_sources.py"]
ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # beds_per_1000_elderly, region_code …
RAW_FLOAT = re.compile(r"^-?\d+\.\d{3,}$")
# words of the product's own vocabulary (not data values): an English table never shows them
VOCAB = {"现状值", "目标值", "预测值", "规划预测", "约束性", "预期性", "倡导性", "常住", "户籍", "未提供", "规划标准", "测算假设"}


def open_page(path: str, lang: str):
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = lang
    at.run()
    if path != "pages/overview.py":
        at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def bad_cells(df) -> list:
    out = []
    for c in df.columns:
        for v in df[c].tolist():
            if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("None", "nan", "NaN", "<NA>"):
                out.append((c, v))
            elif isinstance(v, float) and not float(v).is_integer() and abs(v * 100 - round(v * 100)) > 1e-9:
                out.append((c, v))  # more than two decimals: a raw float
            elif isinstance(v, str) and RAW_FLOAT.match(v):
                out.append((c, v))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_tables_show_formatted_values_and_label_headers(db, path, lang):
    at = open_page(path, lang)
    if path == "pages/overview.py":  # the cards' explanations (formulas, input tables) are drawn once opened
        opened = [k for k in at.session_state.keys() if str(k).startswith("ov_explain_")]
        assert opened, "no explanation expander on the overview"
        for k in opened:
            at.session_state[k] = True
        at.run()
        assert not at.exception, at.exception
        assert at.code, "the opened explanations show no formula"
    for d in at.dataframe:
        df = d.value
        ids = [c for c in map(str, df.columns) if ID.fullmatch(c)]
        assert not ids, (path, ids)
        assert not bad_cells(df)[:5], (path, list(df.columns), bad_cells(df)[:5])
        if lang == "en":
            chinese = [(c, v) for c in df.columns for v in df[c].tolist() if str(v).strip() in VOCAB]
            assert not chinese[:5], (path, chinese[:5])
    for code in at.code:  # formulas
        assert not [w for w in ID.findall(code.value) if w not in ("per_1000",)], (path, code.value[:200])
