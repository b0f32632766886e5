"""Layers run one way (read by parsing every module, nothing is imported):

    pages/, ui/, app.py  →  forecasting/  →  models/

- models/ and forecasting/ never import streamlit; models/ never imports forecasting/ (the caller passes a
  projection in: forecasting/planning.py is the entry point for gaps);
- pages never import duckdb (models/database.py is the only module that talks to DuckDB);
- no module imports another module's _private name or reaches into it as `module._name`.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("models", "forecasting", "ui", "pages", "bench", "tools")


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names], node.lineno))
    return out


def _violations(folder: str, banned: tuple[str, ...]) -> list[str]:
    return [f"{p.relative_to(ROOT)}:{line} imports {mod}" for p in _modules(folder) for mod, _, line in _imports(p)
            if mod.split(".")[0] in banned]


@pytest.mark.parametrize("folder", ["models", "forecasting"])
def test_domain_never_imports_streamlit(folder):
    assert _violations(folder, ("streamlit",)) == []


def test_models_never_import_forecasting():
    assert _violations("models", ("forecasting",)) == []


def test_pages_never_import_duckdb():
    assert _violations("pages", ("duckdb",)) == []
    assert [p for p in ROOT.glob("**/*.py") if ".venv" not in p.parts and p.name != "database.py"
            and p.parent.name in PROJECT and any(m == "duckdb" for m, _, _ in _imports(p))
            and p.parent.name not in ("bench", "tests")] == []


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    project_aliases = set()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROJECT:
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    out.append(f"line {node.lineno}: from {node.module} import {a.name}")
                project_aliases.add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in PROJECT:
                    project_aliases.add(a.asname or a.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            if isinstance(base, ast.Name) and base.id in project_aliases:
                out.append(f"line {node.lineno}: {base.id}.{node.attr}")
    return out


@pytest.mark.parametrize("folder", ["models", "forecasting", "ui", "pages", "bench", "tests"])
def test_no_private_names_across_modules(folder):
    bad = {str(p.relative_to(ROOT)): u for p in sorted((ROOT / folder).rglob("*.py")) if (u := _private_uses(p))}
    assert bad == {}


def test_the_checks_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom forecasting.projection import _x\nfrom forecasting import cohort\n"
                   "cohort._hidden()\n", encoding="utf-8")
    assert any("streamlit" in m for m, _, _ in _imports(bad))
    assert len(_private_uses(bad)) == 2



def _bare_expressions(source: str) -> list[int]:
    """Lines of the statements that Streamlit's "magic" would display: an expression on its own line that is
    neither a call nor a docstring-like string."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call | ast.Await)
            and not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))]


def test_pages_write_only_through_calls_so_magic_can_stay_off():
    """.streamlit/config.toml turns magic off (its AST pass was a quarter of a workbench rerun under AppTest): that
    is safe only while no page relies on it."""
    assert "magicEnabled = false" in (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    found = [f"{p.relative_to(ROOT)}:{line}" for p in [ROOT / "app.py", *_modules("pages")]
             for line in _bare_expressions(p.read_text(encoding="utf-8"))]
    assert found == []
    assert _bare_expressions('"""doc"""\nimport streamlit as st\nx = 1\nx\nst.write(x)\ndf.head()\n') == [4]
