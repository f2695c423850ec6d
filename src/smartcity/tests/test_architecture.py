"""The rules of the house that import-linter's contracts (pyproject.toml) cannot state: no app reaches into another
app's private names or modules, and no two modules import each other, directly or through others, at run time (imports for type checking only are allowed)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

SRC = Path(__file__).resolve().parents[1]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _source_files():
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if "tests" in parts or "migrations" in parts or len(parts) < 2:
            continue
        yield parts[0], path


def test_no_app_imports_another_apps_private_modules_or_names():
    found = []
    for app, path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("smartcity."):
                modules, names = [node.module], [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                modules, names = [a.name for a in node.names if a.name.startswith("smartcity.")], []
            else:
                continue
            for module in modules:
                segments = module.split(".")
                if len(segments) < 2 or segments[1] == app:
                    continue
                private = [s for s in segments[2:] if _is_private(s)] + [n for n in names if _is_private(n)]
                if private:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} imports {module} {', '.join(private)}")
    assert found == []


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("smartcity", include_external_packages=False, exclude_type_checking_imports=True)
    cycles = set()
    for importer in graph.modules:
        if ".tests" in importer or ".migrations" in importer:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if ".tests" in imported or imported == importer:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycles.add(" -> ".join((importer, *back)))
    assert sorted(cycles) == []
