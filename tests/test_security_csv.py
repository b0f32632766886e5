"""Issue 22, finding 5: every CSV the project writes is safe in Excel (cells starting with = + - @, tab or CR get a
leading apostrophe, OWASP), the importer reads its own neutralised cells back, and extraction output always imports
— a bulleted plan ("- 托位数达到1000个") and lines starting with =HYPERLINK(…), + and @ included."""
import csv
import io
import subprocess
import sys

import pandas as pd
import pytest

from models.core.export import csv_bytes
from models.core.text import neutralise_cell, unneutralise_cell
from models.intake import importer
from models.store import accounts
from tests.conftest import ROOT

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_text_cells_are_neutralised_and_numbers_stay_numbers():
    df = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tx", "ok", None],
                       "value": [-5.0, 1.5, 2, 3, 4, 6, 7]})
    rows = cells(csv_bytes(df))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "ok", ""]
    assert [r[1] for r in rows[1:]] == ["-5.0", "1.5", "2.0", "3.0", "4.0", "6.0", "7.0"]  # numbers as they are
    assert csv_bytes(pd.DataFrame({"t": ["\rx"]})).decode("utf-8-sig").startswith("t\n'\r")  # a leading CR too
    assert cells(csv_bytes(pd.DataFrame(columns=["=bad"])))[0] == ["'=bad"]  # headers too
    for lead in DANGEROUS:
        assert unneutralise_cell(neutralise_cell(lead + "x")) == (lead + "x", True)
    assert unneutralise_cell("'quoted") == ("'quoted", False)  # an apostrophe of the user's own stays


def _extract(tmp_path, text: str) -> bytes:
    plan = tmp_path / "plan.txt"
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    done = subprocess.run([sys.executable, "-m", "forecasting", "extract", str(plan), "--region", "500110",
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_extract_output_has_no_formula_cells_and_imports(db, tmp_path):
    text = ("綦江区“一老一小”整体解决方案\n到2025年：\n"
            "=HYPERLINK(\"http://evil.example\",\"护理型床位占比达到55%\")\n"
            "+养老床位达到1915张\n- 托位数达到1000个\n@护理型床位达到800张\n")
    data = _extract(tmp_path, text)
    rows = cells(data)
    assert len(rows) >= 4
    assert not [c for r in rows for c in r if c.startswith(DANGEROUS)]
    quotes = [r[-1] for r in rows[1:]]
    assert "'- 托位数达到1000个" in quotes and "'+养老床位达到1915张" in quotes and "'@护理型床位达到800张" in quotes
    plan = importer.parse_file(data, "out.csv", known_regions={"500110": "綦江区"})
    assert plan.ok, plan.report_lines()
    # read back as written: the apostrophe is taken off, so the quote is verbatim again
    assert {r.record["quote"] for r in plan.writable} >= {"- 托位数达到1000个", "+养老床位达到1915张", "@护理型床位达到800张"}
    dry = subprocess.run([sys.executable, "-m", "forecasting", "import", str(tmp_path / "out.csv"), "--dry-run"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert dry.returncode == 0, dry.stdout + dry.stderr


def test_a_real_formula_is_still_refused_only_our_neutralised_form_is_text():
    head = "地区代码,地区名称,指标代码,年份,数值,类型,备注\n"
    bad = importer.parse_file((head + "500103,渝中区,elderly_beds,2025,1,目标值,=HYPERLINK(\"x\")\n").encode(),
                              "a.csv", known_regions={"500103": "渝中区"})
    assert not bad.ok and [p.code for _, _, p in bad.errors] == ["imp_formula"]
    ok = importer.parse_file((head + "500103,渝中区,elderly_beds,2025,1,目标值,'-按常住人口\n").encode(), "a.csv",
                             known_regions={"500103": "渝中区"})
    assert ok.ok and ok.writable[0].record["note"] == "-按常住人口"


def test_users_list_neutralises_a_display_name(fresh_db, tmp_path):
    accounts.add_account("liping", "Secret-Pw-99", role="editor", display_name="=HYPERLINK(\"http://evil\")",
                         by="test", db=fresh_db)
    env = {"YLYX_DB": str(fresh_db.path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "forecasting", "users", "list"], capture_output=True, cwd=ROOT,
                          env=env, timeout=120)
    assert done.returncode == 0
    row = cells(done.stdout)[1]
    assert row[1] == "'=HYPERLINK(\"http://evil\")"


@pytest.mark.parametrize("writer", ["facts", "overview_template", "import_template"])
def test_every_csv_writer_goes_through_the_neutraliser(writer, db, monkeypatch):
    import models.core.export as export

    seen = []
    real = export.safe_csv_frame
    monkeypatch.setattr(export, "safe_csv_frame", lambda df: seen.append(len(df)) or real(df))
    if writer == "facts":
        from forecasting.cli import main

        main(["facts", "--region", "500103", "--out", "-"])
    elif writer == "overview_template":
        from models.report import overview

        overview.review_templates({"500103": "渝中区"})
    else:
        importer.template_bytes("csv", "facts")
    assert seen


def test_a_bulleted_plan_imports_from_the_page_with_its_quote_verbatim(fresh_db):
    """The import page's extraction path (models/store/user_documents.py writes the rows through csv_bytes and the
    importer): a clause that starts with "- " is neutralised on the way and read back as written."""
    from models.intake import extract as ex
    from models.store import user_documents

    text = "綦江区“一老一小”整体解决方案\n到2025年：\n- 托位数达到1000个\n+养老床位达到1915张\n"
    done = user_documents.import_extracted(ex.extract(text).frame(), text=text, title="綦江区方案", filename="p.txt",
                                           region_code="500110", region_name="綦江区", who="wangke", db=fresh_db)
    assert done.result is not None, done.plan.report_lines()
    quotes = set(fresh_db.query("SELECT quote FROM user_quotes")["quote"])
    assert {"- 托位数达到1000个", "+养老床位达到1915张"} <= quotes
    assert all(q in text for q in quotes)
