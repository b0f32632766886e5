"""`python -m forecasting users add NAME --role editor|admin|viewer [--display-name TEXT]`, `users list`,
`users disable NAME`, `users enable NAME`, `users passwd NAME`, `users role NAME ROLE`, `users unlock NAME`.

`passwd` sets a new password (asked like `add`; the same strength rules), `role` changes the role (never the last
enabled admin's away), `unlock` lifts a hard lock and lets every source try again; each is in the change log.

`add` asks for the password twice on a terminal (getpass: not echoed, not in the shell history); when standard
input is not a terminal it reads the first line of it (scripts, tests: `printf '%s\\n' "$PW" | ... users add`).
Whoever can run this command can open the database file, so the change log records `cli:<os user>` as the actor.
Exit 0 on success, 2 on bad input (bad name, weak password, unknown account).
"""
from __future__ import annotations

import getpass
import sys

from forecasting.cli.common import add_out
from models.core.export import write_csv
from models.core.i18n import t
from models.intake.importer import Problem
from models.store import accounts, roles


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create an account; the password is asked for (or read from stdin)")
    add.add_argument("name", help="username: 2-32 of a-z 0-9 _ . -")
    add.add_argument("--role", choices=roles.ROLES, default=roles.EDITOR, help="default: editor")
    add.add_argument("--display-name", default="", help="name shown beside the username, e.g. 王科长")
    lst = sub.add_parser("list", help="every account (no passwords, no hashes) as CSV")
    add_out(lst)
    for action, help_text in (("disable", "an account can no longer log in"),
                              ("enable", "enable again and lift a lock"),
                              ("passwd", "set a new password (asked for, or read from stdin)"),
                              ("unlock", "lift a lock after too many wrong passwords")):
        sub.add_parser(action, help=help_text).add_argument("name")
    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=roles.ROLES)
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of messages")


def read_password(prompt: str, *, confirm: str | None = None, stdin=None) -> str:
    """A password from the terminal (getpass, asked again with `confirm` when given) or, when standard input is
    not a terminal, its first line (without the line end). Raises ValueError when empty or not confirmed."""
    stdin = sys.stdin if stdin is None else stdin
    if stdin.isatty():
        password = getpass.getpass(prompt)
        if confirm is not None and getpass.getpass(confirm) != password:
            raise ValueError(f"{t('acc_cli_mismatch', 'zh')} / {t('acc_cli_mismatch', 'en')}")
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise ValueError(f"{t('acc_cli_no_password', 'zh')} / {t('acc_cli_no_password', 'en')}")
    return password


def run(args) -> int:
    lang = args.lang
    by = accounts.cli_who()
    if args.action == "add":
        name = accounts.parse_username(args.name)  # refuse a bad name before asking for a password
        password = read_password(t("acc_cli_password", lang, name=name), confirm=t("acc_cli_password_again", lang))
        account = accounts.add_account(name, password, role=args.role, display_name=args.display_name, by=by)
        print(t("acc_cli_added", lang, name=account.username, role=account.role))
    elif args.action == "list":
        write_csv(accounts.list_accounts(), args.out)
    elif args.action == "disable":
        accounts.set_disabled(args.name, True, by=by)
        print(t("acc_cli_disabled", lang, name=accounts.parse_username(args.name)))
    elif args.action == "enable":
        accounts.set_disabled(args.name, False, by=by)
        print(t("acc_cli_enabled", lang, name=accounts.parse_username(args.name)))
    elif args.action == "passwd":
        name = accounts.parse_username(args.name)
        if accounts.get_account(name) is None:  # before asking for a password
            raise accounts.AccountError(Problem("acc_not_found", (("name", name),)))
        password = read_password(t("acc_cli_password", lang, name=name), confirm=t("acc_cli_password_again", lang))
        accounts.set_password(name, password, by=by)
        print(t("acc_cli_passwd", lang, name=name))
    elif args.action == "role":
        account = accounts.set_role(args.name, args.role, by=by)
        print(t("acc_cli_role", lang, name=account.username, role=account.role))
    else:
        account = accounts.unlock(args.name, by=by)
        print(t("acc_cli_unlocked", lang, name=account.username))
    return 0
