"""Print the package's tree for the README (folders by floor, each with its modules), or, with
`--update README.md`, rewrite the block between `<!-- tree: … -->` and `<!-- /tree -->`.

tests/test_layers.py checks that the README's tree names every module, so the tree cannot go stale.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "engine" / "landrules"


def folders() -> list[tuple[str, list[str], str]]:
    """(folder relative to the package, its module names, its docstring's first sentence)."""
    out = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        folder = init.parent
        if "_bundled" in folder.parts:
            continue
        modules = sorted(p.stem for p in folder.glob("*.py") if p.name != "__init__.py")
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        first = re.split(r"(?<=\.)\s", doc.replace("\n", " "), maxsplit=1)[0].rstrip(".")
        rel = folder.relative_to(PACKAGE.parent).as_posix() + "/"
        out.append((rel, modules, first))
    return out


def tree() -> str:
    lines = ["```"]
    for rel, modules, doc in folders():
        lines.append(f"{rel:<28} {doc}" if doc else rel)
        if modules:
            lines.extend(textwrap.wrap(" ".join(modules), width=96, initial_indent=" " * 4, subsequent_indent=" " * 4))
    lines.append("```")
    return "\n".join(lines)


def update(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    block = re.compile(r"(<!-- tree:[^\n]*-->\n).*?(<!-- /tree -->)", re.S)
    if not block.search(text):
        sys.exit(f"{readme}: no <!-- tree: … --> block")
    readme.write_text(block.sub(lambda m: m.group(1) + tree() + "\n" + m.group(2), text), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--update"]:
        update(Path(sys.argv[2]))
    else:
        print(tree())
