"""Reading files from outside with limits checked before parsing, the heavy parsing in a worker process.

What comes in: the bytes of an upload or a file named on the command line. What goes out: the text of a plan
document (`read_document`), or the rows of an .xlsx import (`xlsx_rows`, for models/intake/importer.py).

Limits (all refusals are UnreadableDocument with an i18n code, in the user's language at the edge):
- size of the file itself: MAX_DOCUMENT_BYTES;
- .docx / .xlsx are zip files: the sizes in the zip directory are added up before anything is parsed
  (MAX_UNPACKED_BYTES), and the members are then inflated in chunks counting the real bytes, because a directory
  may lie; a 760 KB docx that inflates to gigabytes is refused at the cap, not after;
- .pdf: the page count from the page tree (/Count) before any page is read (MAX_PDF_PAGES);
- .xlsx: rows are counted while the sheet is streamed (openpyxl read-only) and reading stops at the limit;
- the text read: MAX_TEXT_CHARS.
- The parsing itself (python-docx, pdfplumber, openpyxl) runs in a separate Python process (`python -m
  models.intake.documents`) that sets its own address-space and CPU limits (resource.setrlimit) before it reads
  anything, and is killed after WORKER_SECONDS: a hostile file costs that process, not the dashboard serving
  the viewers.
"""
from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import zipfile

DOCUMENT_EXTENSIONS = (".txt", ".docx", ".pdf")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # the file as uploaded
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # a .docx/.xlsx's members inflated (a 50,000-row template is ~25 MB)
MAX_PDF_PAGES = 500  # a plan is 20–80 pages
MAX_TEXT_CHARS = 2_000_000  # a plan's text is 30–150 thousand characters
WORKER_MEMORY = 768 * 1024 * 1024  # address space of the worker process (a fresh interpreter uses ~150 MB of it)
WORKER_SECONDS = 30
_CHUNK = 1 << 20


class UnreadableDocument(ValueError):
    """A file this module cannot or will not read; `code` is a models.core.i18n key, `params` its placeholders."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def _mb(n: int) -> int:
    return n // 2**20


# -- checks before parsing (cheap, in the caller's process) -----------------------------------------------
def check_zip(data: bytes, *, limit: int = MAX_UNPACKED_BYTES, corrupt: str = "ext_unreadable") -> None:
    """Refuse a zip container (.docx/.xlsx) whose members inflate to more than `limit` bytes: first by the sizes
    the directory declares, then by inflating every member in chunks and counting (stops at the limit). A damaged
    container: UnreadableDocument `corrupt` (an i18n key with {detail})."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > limit:
                raise UnreadableDocument("doc_unpacked_too_large", mb=_mb(limit))
            total = 0
            for info in infos:
                with z.open(info) as fh:
                    while chunk := fh.read(_CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise UnreadableDocument("doc_unpacked_too_large", mb=_mb(limit))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
        if isinstance(exc, UnreadableDocument):
            raise
        raise UnreadableDocument(corrupt, detail=type(exc).__name__) from None


def _check_size(data: bytes) -> None:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument("doc_too_large", mb=_mb(MAX_DOCUMENT_BYTES))


def _check_text(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableDocument("doc_text_too_long", n=len(text), max=MAX_TEXT_CHARS)
    return text


# -- public entry points ----------------------------------------------------------------------------------
def read_document(data: bytes, filename: str) -> str:
    """The text of a plan document: .txt (UTF-8, UTF-8 with BOM, GBK/GB18030), .docx (paragraphs and table
    cells, in order), .pdf with a text layer (pdfplumber). The limits above are checked first; .docx and .pdf are
    parsed in the worker process. Raises UnreadableDocument."""
    name = filename.lower()
    _check_size(data)
    if name.endswith(".txt"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return _check_text(data.decode(enc))
            except UnicodeDecodeError:
                continue
        raise UnreadableDocument("ext_encoding")
    if name.endswith(".docx"):
        check_zip(data)
        return _check_text(run_worker("docx", data)["text"])
    if name.endswith(".pdf"):
        return _check_text(run_worker("pdf", data)["text"])
    raise UnreadableDocument("ext_bad_type", name=filename[-40:])


def xlsx_rows(data: bytes, *, max_rows: int, skip_sheets: tuple[str, ...] = ()) -> list[tuple[str, list[list[str]]]]:
    """The sheets of an .xlsx as (name, rows of cell texts; the first row is the header), every cell as text
    ('' for empty; a formula stays its '=…' text). Streams each sheet and stops as soon as more than `max_rows`
    data rows (all sheets together, header rows not counted) have been seen: UnreadableDocument
    'doc_too_many_rows'. Sheets named in `skip_sheets` are not read."""
    _check_size(data)
    check_zip(data, corrupt="imp_xlsx_corrupt")
    return [(name, rows) for name, rows in run_worker("xlsx", data, max_rows=max_rows,
                                                      skip_sheets=list(skip_sheets))["sheets"]]


# -- the worker process -----------------------------------------------------------------------------------
def run_worker(job: str, data: bytes, **options) -> dict:
    """Run `job` on `data` in a fresh Python process with memory and CPU limits; its answer as a dict.
    Raises UnreadableDocument with the worker's code, or 'doc_worker_limit' when it ran out of time or memory."""
    from models.core.paths import ROOT

    header = json.dumps({"job": job, "options": options, "memory": WORKER_MEMORY, "seconds": WORKER_SECONDS})
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        done = subprocess.run([sys.executable, "-m", "models.intake.documents"], input=header.encode() + b"\n" + data,
                              capture_output=True, timeout=WORKER_SECONDS + 5, env=env, cwd=str(ROOT), check=False)
    except subprocess.TimeoutExpired:  # run() has killed it
        raise UnreadableDocument("doc_worker_limit", seconds=WORKER_SECONDS, mb=_mb(WORKER_MEMORY)) from None
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        answer = None
    if not isinstance(answer, dict):  # killed by a limit (SIGXCPU, SIGKILL) or died on MemoryError
        raise UnreadableDocument("doc_worker_limit", seconds=WORKER_SECONDS, mb=_mb(WORKER_MEMORY))
    if "error" in answer:
        raise UnreadableDocument(answer["error"], **answer.get("params", {}))
    return answer


def _docx_text(data: bytes) -> str:
    import docx  # python-docx (pinned)

    try:
        doc = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as exc:  # python-docx raises several types on damaged files
        raise UnreadableDocument("ext_unreadable", detail=type(exc).__name__) from None
    parts, size = [], 0
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        before = len(parts)
        if tag == "p":
            parts.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tc"):
                    parts.append("".join(t.text or "" for t in row.iter() if t.tag.endswith("}t")) + " |")
        size += sum(len(x) + 1 for x in parts[before:])
        if size > MAX_TEXT_CHARS:
            raise UnreadableDocument("doc_text_too_long", n=size, max=MAX_TEXT_CHARS)
    return "\n".join(parts)


def _pdf_pages(data: bytes) -> int:
    """The page count the PDF's page tree declares, read without building any page."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    doc = PDFDocument(PDFParser(io.BytesIO(data)))
    count = resolve1(resolve1(doc.catalog["Pages"]).get("Count"))
    return int(count)


def _pdf_text(data: bytes) -> str:
    import pdfplumber  # pinned

    try:
        pages = _pdf_pages(data)
    except MemoryError:
        raise
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise UnreadableDocument("ext_unreadable", detail=type(exc).__name__) from None
    if pages > MAX_PDF_PAGES:
        raise UnreadableDocument("doc_too_many_pages", n=pages, max=MAX_PDF_PAGES)
    try:
        parts, size = [], 0
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for i, page in enumerate(pdf.pages):
                if i >= MAX_PDF_PAGES:
                    raise UnreadableDocument("doc_too_many_pages", n=i + 1, max=MAX_PDF_PAGES)
                parts.append(page.extract_text() or "")
                size += len(parts[-1])
                if size > MAX_TEXT_CHARS:
                    raise UnreadableDocument("doc_text_too_long", n=size, max=MAX_TEXT_CHARS)
                page.close()
    except (UnreadableDocument, MemoryError):
        raise
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise UnreadableDocument("ext_unreadable", detail=type(exc).__name__) from None
    text = "\n".join(parts)
    if not text.strip():
        raise UnreadableDocument("ext_no_text_layer")
    return text


def _xlsx_sheets(data: bytes, *, max_rows: int, skip_sheets: list[str]) -> list:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise UnreadableDocument("imp_xlsx_corrupt", detail=type(exc).__name__) from None
    sheets, seen = [], 0
    try:
        for ws in wb.worksheets:
            if ws.title in skip_sheets:
                continue
            rows = []
            for values in ws.iter_rows(values_only=True):
                if rows:  # the first row is the header
                    seen += 1
                    if seen > max_rows:
                        raise UnreadableDocument("doc_too_many_rows", max=max_rows)
                rows.append([_cell_text(v) for v in values])
            sheets.append([ws.title, rows])
    finally:
        wb.close()
    return sheets


def _cell_text(v) -> str:
    """A cell as the text pandas.read_excel(dtype=str) gave: '' for empty, 1915.0 → '1915' (Excel stores every
    number as a float), anything else str()."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _serve() -> int:
    """The worker's main: limits first, then one job read from standard input, the answer as JSON on stdout."""
    header = sys.stdin.buffer.readline()
    spec = json.loads(header)
    resource.setrlimit(resource.RLIMIT_AS, (int(spec["memory"]), int(spec["memory"])))
    resource.setrlimit(resource.RLIMIT_CPU, (int(spec["seconds"]), int(spec["seconds"]) + 1))
    data = sys.stdin.buffer.read()
    job, options = spec["job"], spec.get("options", {})
    try:
        if job == "docx":
            answer = {"text": _docx_text(data)}
        elif job == "pdf":
            answer = {"text": _pdf_text(data)}
        elif job == "xlsx":
            answer = {"sheets": _xlsx_sheets(data, **options)}
        else:
            answer = {"error": "ext_bad_type", "params": {"name": str(job)[:40]}}
    except UnreadableDocument as exc:
        answer = {"error": exc.code, "params": {k: str(v) for k, v in exc.params.items()}}
    except MemoryError:
        answer = {"error": "doc_worker_limit", "params": {"seconds": spec["seconds"], "mb": _mb(spec["memory"])}}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
