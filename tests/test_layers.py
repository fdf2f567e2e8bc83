"""The house by layers: no module imports a higher floor, and no import circle.

Floors, lowest first (README "Layout"): the ground (core/), rulebook/, ledger/, backends/ and geo/,
decide/, record/ (the store of runs), report/ (the bulletin), the library faces (bdd/, dask/,
tasks/), web/, cli/. A module may import its own
package and any lower floor; two packages on one floor do not import each other. Deferred
imports (inside functions) count: they are still dependencies.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "engine" / "landrules"
GROUND = {"landrules"}  # plus every module directly under landrules/ but __main__ (`python -m landrules`, a face)
FLOORS = {
    "ground": 0, "core": 0,
    "rulebook": 1,
    "ledger": 2,
    "backends": 3, "geo": 3,
    "decide": 4,
    "record": 5,
    "report": 6,
    "bdd": 7, "dask": 7, "tasks": 7,
    "web": 8,
    "cli": 9,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts}


def room(module: str) -> str:
    """The package a module lives in ('ground' for modules directly under landrules/)."""
    parts = module.split(".")
    if module == "landrules.__main__":
        return "cli"
    if module in GROUND or len(parts) == 2 and module not in _PACKAGES:
        return "ground"
    return parts[1]


_PACKAGES = {module_name(p) for p in PACKAGE.rglob("__init__.py")}


def imports_of(module: str) -> set[str]:
    """The landrules modules `module` imports, anywhere in its body."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if module in _PACKAGES else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "landrules"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "landrules":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    found.discard(module)
    return {m for m in found if m in MODULES}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Every module's landrules imports: parsed when a test here first asks, not while the file is
    collected (each pytest-xdist worker collects every file; one of them runs these tests)."""
    return {m: imports_of(m) for m in MODULES}


def test_every_package_has_a_floor():
    unknown = sorted({room(m) for m in MODULES} - set(FLOORS))
    assert not unknown, f"packages without a floor in FLOORS: {unknown}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_floor(module, graph):
    mine = room(module)
    wrong = []
    for target in sorted(graph[module]):
        theirs = room(target)
        if FLOORS[theirs] > FLOORS[mine] or (FLOORS[theirs] == FLOORS[mine] and theirs != mine):
            wrong.append(f"{target} ({theirs})")
    assert not wrong, f"{module} ({mine}, floor {FLOORS[mine]}) imports upward or sideways: {wrong}"


def test_no_import_circle(graph):
    """Tarjan's strongly connected components over the module graph: every one is a single module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"


def test_the_walk_sees_imports(tmp_path, graph):
    """The walker itself: it finds deferred and relative imports (else the tests above prove nothing)."""
    assert "landrules.rulebook.lint" in graph["landrules.rulebook.load"]
    assert "landrules.decide.pipeline" in graph["landrules.cli.decide"]  # imported inside the command
    assert room("landrules.core.fields") == "core" and room("landrules.ledger.read.reader") == "ledger"


def test_no_folder_holds_more_than_about_fifteen_modules():
    """A folder that grows past ~15 modules is split by job (docs/architecture.md)."""
    counts: dict[Path, int] = {}
    for path in MODULES.values():
        if path.name != "__init__.py":
            counts[path.parent] = counts.get(path.parent, 0) + 1
    crowded = {str(folder.relative_to(PACKAGE)): n for folder, n in counts.items() if n > 16}
    assert not crowded, f"folders over ~15 modules, split them by job: {crowded}"


def test_the_readme_tree_names_every_module():
    """The README's layout tree is generated (`python tools/readme_tree.py --update README.md`)."""
    readme = (PACKAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- tree:", 1)[1].split("<!-- /tree -->", 1)[0]
    shown: dict[str, set[str]] = {}
    folder = None
    for line in block.splitlines():
        if line.startswith("landrules"):
            folder = line.split()[0]
            shown[folder] = set()
        elif line.startswith("    ") and folder:
            shown[folder] |= set(line.split())
    missing = []
    for path in MODULES.values():
        rel = path.parent.relative_to(PACKAGE.parent).as_posix() + "/"
        if path.name != "__init__.py" and path.stem not in shown.get(rel, set()):
            missing.append(f"{rel}{path.name}")
    assert not missing, f"the README's tree lacks {missing}: run `python tools/readme_tree.py --update README.md`"
