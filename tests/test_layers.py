"""The import layers of docs/architecture.md, enforced: every import goes down, none up or sideways
into another layer, and the modules at the bottom import only each other."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import REPO

PACKAGE = REPO / "demografie"
BOTTOM = "bottom"  # catalog, settings, tuning, fileio, storage, redact, sqltext, the package itself
# what each layer may import besides itself and the bottom (docs/architecture.md)
ALLOWED = {
    "cli": {"flows", "usecases", "warehouse", "transforms", "sources", "publish", "devserver", "reference"},
    # the orchestration layer only wraps the use cases in tasks and flows (dlt's core knows no orchestrator)
    "flows": {"usecases"},
    "usecases": {"warehouse", "transforms", "sources", "reference"},
    "publish": {"warehouse", "transforms", "reference"},
    "warehouse": {"transforms", "reference"},
    "transforms": {"reference"},
    "sources": set(),
    "devserver": {"transforms", "reference"},
    "reference": set(),
    BOTTOM: set(),
}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return BOTTOM


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("demografie"):
            found |= {f"demografie.{a.name}" for a in node.names} if node.module == "demografie" else {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("demografie")}
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(path): imports(path) for path in PACKAGE.rglob("*.py")}


def test_every_import_goes_down_the_layers() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if layer(target) not in {layer(module), BOTTOM, *ALLOWED[layer(module)]}
    )
    assert wrong == []


def test_the_bottom_modules_import_no_layer_and_no_module_imports_in_a_circle() -> None:
    modules = graph()
    upward = [f"{m} imports {t}" for m, ts in modules.items() if layer(m) == BOTTOM for t in ts if layer(t) != BOTTOM]
    assert upward == []
    known = set(modules)
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for target in modules.get(module, set()) & known:
            visit(target, (*path, module))
        done.add(module)

    for module in modules:
        visit(module, ())


def test_every_error_we_raise_on_purpose_has_one_root() -> None:
    """The command line tells our errors (a message for a person) from bugs by this root."""
    import importlib
    import inspect

    from demografie.errors import DemografieError

    strays = []
    for name in sorted(graph()):
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__ == name
                and not issubclass(value, DemografieError)
            ):
                strays.append(f"{name}.{value.__name__}")
    assert strays == []
