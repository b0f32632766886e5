"""`python -m forecasting extract FILE [--region CODE] [--name NAME] [--out FILE.csv] [--base-year Y]`.

Proposes the figures of a plan document (.txt UTF-8/GBK, .docx, .pdf with a text layer) in the import template's
layout (Chinese headers) plus `原文`, the verbatim clause each figure came from. 地区代码: --region, else proposed
from --name or the document's text by the complete GB/T 2260 list (printed to standard error for the editor to
confirm; the column is left empty when the name is ambiguous). The file passes `python -m forecasting import
FILE.csv --dry-run` once 地区代码 is filled. Bad input: message in Chinese and English, exit code 2.
"""
from __future__ import annotations

import sys
from pathlib import Path

from forecasting.cli.common import add_out
from models.core.export import write_csv
from models.core.i18n import t
from models.intake import extract as ex
from models.intake.importer import Invalid, parse_region_code


def add_arguments(p) -> None:
    p.add_argument("file", help="plan document: .txt (UTF-8 or GBK), .docx or .pdf with a text layer")
    p.add_argument("--region", help="GB/T 2260 code of the plan's region, e.g. 500103")
    p.add_argument("--name", help="the region's name, e.g. 渝中区 (used to propose the code)")
    add_out(p)
    p.add_argument("--base-year", type=int, default=None, help="year of 现有/目前 figures (default: from the text)")


def run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"找不到文件 {path} / no such file")
    if path.suffix.lower() not in ex.DOCUMENT_EXTENSIONS:
        raise ValueError(f"{t('ext_bad_type', 'zh', name=path.name)} / {t('ext_bad_type', 'en', name=path.name)}")
    try:
        text = ex.read_document(path.read_bytes(), path.name)
    except ex.UnreadableDocument as exc:
        raise ValueError(f"{t(exc.code, 'zh', **exc.params)} / {t(exc.code, 'en', **exc.params)}") from None
    code, name = "", args.name or ""
    if args.region:
        try:
            code = parse_region_code(args.region)
        except Invalid as exc:
            raise ValueError(str(exc)) from None
        name = name or ex.gbt2260().set_index("code")["name"].get(code, "")
    else:
        hits = ex.propose_region(name or text[:400])
        if hits:
            print(t("ext_region_proposed", "zh", code=hits[0]["code"], name=hits[0]["full_name"]), file=sys.stderr)
            code, name = hits[0]["code"], name or hits[0]["name"]
    result = ex.extract(text, base=args.base_year)
    df = result.frame(region_code=code, region_name=name, source=path.name)
    write_csv(df, args.out)
    base = result.base_year if result.base_year is not None else t("ext_base_unknown", "zh")
    print(t("ext_summary", "zh", n=len(result.rows), alt=len(result.alternatives), base=base), file=sys.stderr)
    for r in result.refused:  # sub-totals without an indicator of their own: said, never folded into a total
        print(t(f"ext_refused_{r.reason}", "zh", words=r.words, quote=r.quote), file=sys.stderr)
    return 0
