"""The package layout a newcomer reads: a few public modules at the top, folders by job, imports that
only go down the layers, and no import circle."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "stylelab"

# Lower layers never reach up into these: the web UI and the public faces built on everything else.
UPPER = ("stylelab.web", "stylelab.studio", "stylelab.api", "stylelab.cli", "stylelab.__main__")
LOWER = ("stylelab.engine", "stylelab.product", "stylelab.creatives", "stylelab.store", "stylelab.models", "stylelab.weights",
         "stylelab.training", "stylelab.gan", "stylelab.cluster", "stylelab.errors", "stylelab.text",
         "stylelab.settings", "stylelab.imageio", "stylelab.metrics", "stylelab.styles")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every stylelab module this file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from package import submodule` imports the submodule
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def test_only_the_public_faces_and_shared_basics_stay_at_the_top():
    flat = sorted(path.stem for path in PACKAGE.glob("*.py"))
    assert len(flat) <= 12, flat
    folders = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert {"engine", "product", "web", "store", "models", "weights", "training", "gan"} <= folders


def test_there_is_no_import_circle():
    graph = import_graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import circle: " + " -> ".join(path[path.index(name):] + [name]))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_lower_layers_never_import_the_web_ui_or_the_public_faces():
    offenders = [f"{name} imports {imported}" for name, imported_names in import_graph().items()
                 if name.startswith(LOWER) for imported in imported_names if imported.startswith(UPPER)]
    assert offenders == []
