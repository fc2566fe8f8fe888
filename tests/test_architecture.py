"""The shape of the code, as docs/architecture.md draws it.

Imports between apps go one way: accounts at the bottom, courses above it,
quizzes above courses, reports on top; the sanitiser (config/sanitise.py) below
them all. No module imports itself back through a chain of others, at module
level or inside a function. Read from the source with ast: no import runs.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "courses", "quizzes", "reports"]
# What each app may import from the others.
ALLOWED = {
    "accounts": set(),
    "courses": {"accounts"},
    "quizzes": {"accounts", "courses"},
    "reports": {"accounts", "courses", "quizzes"},
}
# The project's own modules that sit below every app.
SHARED = {"config", "config.sanitise"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    modules = {}
    for package in [*APPS, "config"]:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


MODULES = _sources()


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """The first-party modules a `from ... import ...` statement loads."""
    if node.level:
        package = module.split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    targets = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        targets.append(submodule if submodule in MODULES else base)
    return targets


def _parents(module: str) -> list[str]:
    """Importing a.b.c runs a/__init__.py and a/b/__init__.py first."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.update(_resolve(module, path, node))
    loaded = set()
    for target in found:
        for name in [*_parents(target), target]:
            if name in MODULES and name != module and name not in _parents(module):
                loaded.add(name)
    return loaded


GRAPH = {module: imports_of(module) for module in MODULES}


def _app(module: str) -> str:
    return module.split(".")[0]


def test_apps_import_only_the_apps_below_them():
    wrong = []
    for module, targets in GRAPH.items():
        app = _app(module)
        if app not in ALLOWED:
            continue
        for target in targets:
            other = _app(target)
            if other == app or target in SHARED:
                continue
            if other not in ALLOWED[app]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_sanitiser_imports_no_app():
    assert not {_app(t) for t in GRAPH["config.sanitise"]} & set(APPS)


def test_no_import_cycles():
    """Tarjan's strongly connected components: each must be a single module."""
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = iter(range(len(GRAPH) * 2))

    def visit(node):
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert not cycles, "\n".join(" ↔ ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize(
    "source,target,expected",
    [
        ("courses.services", "from .certificates.services import x", True),
        ("reports.views", "from courses.models import Enrolment", True),
    ],
)
def test_the_import_reader_follows_relative_and_absolute_imports(
    source, target, expected
):
    node = ast.parse(target).body[0]
    resolved = _resolve(source, MODULES[source], node)
    assert all(name in MODULES for name in resolved) is expected
