"""`python -m forecasting import FILE [--dry-run] [--user NAME] [--note TEXT] [--lang zh|en]`.

Prints the per-row report (interpretation and problems of every row). Exit 0 when written (or a clean dry run),
1 when any row or the file is invalid (nothing is written), 2 on other errors (a refused login included).

Who: with `--user NAME` the account logs in (password asked with getpass, or the first line of standard input
when it is not a terminal; wrong passwords count towards the lockout) and the change log names it; without, the
change log records the operating-system user, marked as such: `cli:<os user>`. There is no free-text name.
"""
from __future__ import annotations

import sys
from pathlib import Path

from forecasting.cli.users import read_password
from models.core.i18n import t
from models.intake import importer
from models.store import accounts, userdata


def add_arguments(p) -> None:
    p.add_argument("file", help="CSV (UTF-8 / GBK) or .xlsx file laid out like the template")
    p.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
    p.add_argument("--user", default=None, help="log in as this account (password asked, or read from stdin); "
                                              "default: recorded as cli:<os user>")
    p.add_argument("--note", default="", help="source note for rows without their own 来源")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report")


def who(user: str | None, *, lang: str = "zh") -> str:
    """The change-log name: the account `user` after a password check, or 'cli:<os user>' when None.
    Raises accounts.LoginRefused / AccountError (a ValueError: exit 2) when the login fails or may not edit."""
    if user is None:
        return accounts.cli_who()
    name = accounts.parse_username(user)
    account = accounts.login(name, read_password(t("acc_cli_password", lang, name=name)),
                             source=accounts.cli_source())
    if not account.can_edit:
        raise accounts.AccountError(importer.Problem("acc_no_edit_role", (("name", name),)))
    return account.username


def run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"找不到文件 {path} / no such file")
    actor = None if args.dry_run else who(args.user, lang=args.lang)  # log in before the slow preview
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
        result = userdata.apply_import(plan, who=actor, note=args.note)
    except userdata.Rejected as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    print(result.message(args.lang), file=out)
    return 0
