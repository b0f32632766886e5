"""`python -m forecasting import FILE [--dry-run] [--who NAME] [--note TEXT] [--lang zh|en]`.

Prints the per-row report (interpretation and problems of every row). Exit 0 when written (or a clean dry run),
1 when any row or the file is invalid (nothing is written), 2 on other errors.
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from models import importer, userdata
from models.i18n import t


def add_arguments(p) -> None:
    p.add_argument("file", help="CSV (UTF-8 / GBK) or .xlsx file laid out like the template")
    p.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
    p.add_argument("--who", default=None, help="who imports (default: the login name)")
    p.add_argument("--note", default="", help="source note for rows without their own 来源")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report")


def run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"找不到文件 {path} / no such file")
    with open(path, "rb") as fh:
        data = fh.read(importer.MAX_BYTES + 1)  # bounded: one byte over the limit is enough to refuse
    plan = userdata.preview(data, path.name)
    out = sys.stdout
    for line in plan.report_lines(args.lang):
        print(line, file=out)
    if not plan.ok:
        print(t("imp_rejected", args.lang), file=sys.stderr)
        return 1
    if args.dry_run:
        print(t("imp_dry_run", args.lang), file=out)
        return 0
    try:
        result = userdata.apply_import(plan, who=args.who or getpass.getuser(), note=args.note)
    except userdata.Rejected as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    print(result.message(args.lang), file=out)
    return 0
