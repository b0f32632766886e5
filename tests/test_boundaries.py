"""Layers run one way (read by parsing every module, nothing is imported):

    pages/, ui/, app.py  →  forecasting/  →  models/

and inside models/, one way down the subpackages (each may import only those before it, and itself):

    report → planning → store → regions → intake → core

- models/ and forecasting/ never import streamlit; models/ never imports forecasting/ (the caller passes a
  projection in: forecasting/planning.py is the entry point for gaps);
- pages never import duckdb (models/store/database.py is the only module that talks to DuckDB);
- no module imports another module's _private name or reaches into it as `module._name`;
- no import circle between modules (imports inside functions count too).
"""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("models", "forecasting", "ui", "pages", "bench", "tools")


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


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
    owners = [p.relative_to(ROOT).as_posix() for folder in PROJECT if folder not in ("bench", "tests")
              for p in _modules(folder) if any(m == "duckdb" for m, _, _ in _imports(p))]
    assert owners == ["models/store/database.py"]


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


# -- models/ subpackages, one way down ------------------------------------------------------------------------
MODEL_ORDER = ("core", "intake", "regions", "store", "planning", "report")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _subpackage_violations(paths: list[Path]) -> list[str]:
    """Imports from a models/ subpackage to one that is not below it in MODEL_ORDER (or to an unknown one)."""
    out = []
    for p in paths:
        rel = p.relative_to(ROOT).parts
        if rel[0] != "models" or len(rel) < 3:
            continue
        own = MODEL_ORDER.index(rel[1]) if rel[1] in MODEL_ORDER else -1
        for mod, names, line in _imports(p):
            bits = mod.split(".")
            if bits[0] != "models":
                continue
            targets = [bits[1]] if len(bits) > 1 else names
            for target in targets:
                if target not in MODEL_ORDER or MODEL_ORDER.index(target) > own:
                    out.append(f"{p.relative_to(ROOT)}:{line} imports models.{target}")
    return out


def test_models_has_only_subpackages():
    assert sorted(p.name for p in (ROOT / "models").glob("*.py")) == ["__init__.py"]
    assert sorted(p.name for p in (ROOT / "models").iterdir() if p.is_dir() and p.name != "__pycache__") == \
        sorted(MODEL_ORDER)


def test_models_subpackages_import_one_way_down():
    assert _subpackage_violations(_modules("models")) == []


def test_forecasting_keeps_its_commands_in_cli():
    assert [p.name for p in _modules("forecasting") if p.name.startswith("cmd_")] == []
    assert (ROOT / "forecasting" / "cli" / "__init__.py").exists()


def _graph(paths: list[Path]) -> dict[str, set[str]]:
    known = {_module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for p in paths:
        edges = set()
        for mod, names, _ in _imports(p):
            for cand in [f"{mod}.{n}" for n in names] + [mod]:
                if cand in known:
                    edges.add(cand)
                    break
        graph[_module_name(p)] = edges - {_module_name(p)}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles():
    paths = [p for folder in ("models", "forecasting", "ui") for p in _modules(folder)]
    assert _cycles(_graph(paths)) == []


def test_the_subpackage_and_circle_checks_can_fail(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "models" / "core").mkdir(parents=True)
    (tmp_path / "models" / "store").mkdir(parents=True)
    up = tmp_path / "models" / "core" / "up.py"
    up.write_text("from models.store import database\nfrom models.core.paths import ROOT\n", encoding="utf-8")
    ok = tmp_path / "models" / "store" / "database.py"
    ok.write_text("def f():\n    from models.core import up\n", encoding="utf-8")
    assert _subpackage_violations([up, ok]) == ["models/core/up.py:1 imports models.store"]
    assert _cycles(_graph([up, ok])) == [["models.core.up", "models.store.database"]]
