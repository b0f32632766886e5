"""The analysts' command line: `python -m forecasting SUBCOMMAND ...`.

Each subcommand lives in its own module with `add_arguments(parser)` and `run(args) -> int`; COMMANDS lists
them. Output CSVs are UTF-8 with BOM. Errors are reported in Chinese and English, exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "facts": ("forecasting.cmd_facts", "导出全部规划数据及原文引用 / all sourced figures as CSV"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m forecasting", description="一老一小规划测算 命令行 / planning CLI")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return module.run(args)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
