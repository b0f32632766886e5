"""The analysts' command line: `python -m forecasting SUBCOMMAND ...`.

Each subcommand lives in its own module with `add_arguments(parser)` and `run(args) -> int`; COMMANDS lists
them. Output CSVs are UTF-8 with BOM. Errors are reported in Chinese and English, exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "facts": ("forecasting.cli.facts", "导出全部规划数据及原文引用 / all sourced figures as CSV"),
    "brief": ("forecasting.cli.brief", "一页领导简报（PDF/PNG）/ one-page leadership brief as PDF or PNG"),
    "import": ("forecasting.cli.import_", "导入本地数据（CSV/Excel），先校验 / import own data (CSV/Excel), validated"),
    "users": ("forecasting.cli.users", "编辑账号：创建、列出、停用 / editor accounts: add, list, disable"),
    "gaps": ("forecasting.cli.gaps", "需求、供给与缺口 / demand, supply and gap as CSV"),
    "audit": ("forecasting.cli.audit", "核查规划自身的计算 / audit each plan's own arithmetic as CSV"),
    "extract": ("forecasting.cli.extract", "从规划原文提取数据（含原文引用）/ propose a plan's figures from its text"),
    "project": ("forecasting.cli.project", "人口预测（老年人口、0-3岁婴幼儿）/ population projections as CSV"),
    "backtest": ("forecasting.cli.backtest", "按年份回溯检验预测（--as-of）/ vintage backtest against published figures"),
    "regions": ("forecasting.cli.regions", "全部地区及2020年普查人口 / every region with its 2020 census figures"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that subcommand's module is imported (a slow or broken one cannot hurt the others)."""
    parser = argparse.ArgumentParser(prog="python -m forecasting", description="一老一小规划测算 命令行 / planning CLI")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only in (None, name):
            importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    only = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(only).parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return module.run(args)
    except (ValueError, KeyError, FileNotFoundError) as exc:  # WppMissing is a FileNotFoundError
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
