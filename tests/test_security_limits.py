"""Issue 22, finding 6: small files must not exhaust the server. The bombs are built here; each is refused in a
fresh Python process whose time and peak memory (RSS, from wait4) are measured: under 10 s and 300 MB, with a
message that says what was wrong (not "文件超过 20 MB")."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from models.intake import documents, importer

ROOT = Path(__file__).resolve().parents[1]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _xlsx(rows: int, row_xml: str, *, header: str = "地区代码") -> bytes:
    """A minimal .xlsx (one sheet) with `rows` data rows of `row_xml`, streamed into the zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship '
                                  f'Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{R}"><sheets>'
                                      '<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{R}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData><row><c t="inlineStr">'
                     f'<is><t>{header}</t></is></c></row>'.encode())
            chunk = (row_xml * 10_000).encode()
            for _ in range(rows // 10_000):
                fh.write(chunk)
            fh.write((row_xml * (rows % 10_000)).encode())
            fh.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def xlsx_bomb() -> bytes:
    """2.7 million rows in ~0.6 MB (about 190 MB of sheet XML)."""
    return _xlsx(2_700_000, "<row><c><v>500103</v></c><c><v>2025</v></c><c><v>1</v></c></row>")


def docx_bomb() -> bytes:
    """A .docx whose document.xml inflates to ~300 MB from ~0.75 MB (one paragraph repeated)."""
    buf = io.BytesIO()
    para = b"<w:p><w:r><w:t>" + "养老床位达到1915张。".encode() * 40 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                                  f'Type="{R}/officeDocument" Target="word/document.xml"/></Relationships>')
        with z.open("word/document.xml", "w") as fh:
            fh.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                     b'wordprocessingml/2006/main"><w:body>')
            chunk = para * 1000
            for _ in range(200):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")
    return buf.getvalue()


def measure(code: str, path: Path) -> tuple[float, float, str]:
    """Run `code` (with `path` as PATH) in a fresh interpreter; (seconds, peak RSS in MB of it and its own
    children, its standard output)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", f"PATH = {str(path)!r}\n" + textwrap.dedent(code)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    out, err = proc.communicate(timeout=120)
    seconds = time.monotonic() - start
    _, _, usage = os.wait4(proc.pid, 0) if proc.returncode is None else (0, 0, None)
    assert proc.returncode == 0, err.decode()[-2000:]
    peak = float(out.decode().strip().splitlines()[-1])
    return seconds, peak, out.decode()


# Peak RSS of the measuring process and every worker it waited for (KB on Linux). The process's own peak is its
# VmHWM, not getrusage(RUSAGE_SELF): Linux carries the parent's high-water mark across fork + exec into ru_maxrss, so a
# child of a pytest process that has grown to 1.4 GB reported 1.4 GB before reading a byte (measured). Its workers
# are forked from this small process, so RUSAGE_CHILDREN is theirs.
PEAK = """
import resource
def peak_mb():
    with open("/proc/self/status") as f:
        own = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
"""


def test_xlsx_bomb_is_refused_fast_and_small(tmp_path):
    data = xlsx_bomb()
    assert 450_000 < len(data) < 900_000, len(data)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    seconds, peak, out = measure(PEAK + """
from pathlib import Path
from models.intake import importer
plan = importer.parse_file(Path(PATH).read_bytes(), "bomb.xlsx")
print([p.code for p in plan.file_problems])
print(plan.file_problems[0].message("zh"))
print(peak_mb())
""", path)
    assert "['doc_unpacked_too_large']" in out and "解压后超过" in out
    print(f"refused in {seconds:.1f} s, peak RSS {peak:.0f} MB ({len(data):,} bytes)")
    assert seconds < 10 and peak < 300, (seconds, peak)


def test_docx_bomb_is_refused_fast_and_small_by_extract(tmp_path):
    data = docx_bomb()
    assert 500_000 < len(data) < 1_000_000, len(data)
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    seconds, peak, out = measure(PEAK + """
import subprocess, sys
done = subprocess.run([sys.executable, "-m", "forecasting", "extract", PATH, "--region", "500103"],
                      capture_output=True, text=True)
print(done.returncode, done.stderr.strip()[-300:])
print(peak_mb())
""", path)
    assert out.startswith("2 ") and "解压后超过" in out, out
    print(f"refused in {seconds:.1f} s, peak RSS {peak:.0f} MB ({len(data):,} bytes)")
    assert seconds < 10 and peak < 300, (seconds, peak)


def test_rows_are_counted_while_streaming_and_reading_stops_at_the_limit(tmp_path):
    """Under the unpacked-size cap but over MAX_ROWS: the worker stops at row MAX_ROWS + 1."""
    data = _xlsx(importer.MAX_ROWS + 5_000, "<row><c><v>1</v></c></row>")
    plan = importer.parse_file(data, "many.xlsx")
    assert [p.code for p in plan.file_problems] == ["doc_too_many_rows"]
    assert "50000" in plan.file_problems[0].message("zh")
    ok = importer.parse_file(_xlsx(3, "<row><c><v>1</v></c></row>", header="地区代码"), "few.xlsx")
    assert "doc_too_many_rows" not in [p.code for p in ok.file_problems]


def test_zip_directory_sizes_are_checked_before_parsing():
    with pytest.raises(documents.UnreadableDocument) as err:
        documents.check_zip(docx_bomb())
    assert err.value.code == "doc_unpacked_too_large"
    documents.check_zip(_xlsx(10, "<row><c><v>1</v></c></row>"))  # a small one passes


@pytest.mark.parametrize("pages", [documents.MAX_PDF_PAGES + 1, 20_000])
def test_pdf_pages_are_counted_before_any_page_is_read(pages):
    """The probe's 20,000-page PDF took 13.6 s and 830 MB; the page tree's count refuses it before any page."""
    import pypdf  # pinned for the tests (requirements.txt)

    w = pypdf.PdfWriter()
    for _ in range(pages):
        w.add_blank_page(72, 72)
    buf = io.BytesIO()
    w.write(buf)
    start = time.monotonic()
    with pytest.raises(documents.UnreadableDocument) as err:
        documents.read_document(buf.getvalue(), "plan.pdf")
    assert err.value.code == "doc_too_many_pages" and err.value.params["n"] == str(pages)
    assert time.monotonic() - start < 10


def _slow_pdf(ops: int) -> bytes:
    """A one-page PDF whose content stream draws `ops` one-letter strings (seconds of pdfminer work, few bytes)."""
    content = b"BT /F1 12 Tf " + b"1 0 Td (A) Tj " * ops + b"ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_worker_limits_stop_a_runaway_parse(monkeypatch):
    """A parse that needs more CPU than the worker may use is stopped (the worker is killed), with a clear
    message; the caller's process is not the one that did the work."""
    data = _slow_pdf(300_000)
    assert len(data) < documents.MAX_DOCUMENT_BYTES
    monkeypatch.setattr(documents, "WORKER_SECONDS", 1)
    start = time.monotonic()
    with pytest.raises(documents.UnreadableDocument) as err:
        documents.read_document(data, "slow.pdf")
    assert err.value.code == "doc_worker_limit"
    assert time.monotonic() - start < 8


def test_utf16_without_bom_is_named_as_such():
    text = "地区代码,地区名称,指标代码,年份,数值,类型\n500103,渝中区,elderly_beds,2025,1,目标值\n"
    for enc in ("utf-16-be", "utf-16-le"):
        plan = importer.parse_file(text.encode(enc), "x.csv")
        assert [p.code for p in plan.file_problems] == ["imp_utf16_no_bom"]
