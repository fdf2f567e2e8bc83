"""Issue 23 item 7: a TAB on the line YAML names is blamed, not a full-width colon in a note's
text above it (rulebook/yamlio.py `_syntax_message`)."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from conftest import RULES
from landrules.cli import app


def test_a_tab_below_a_note_with_a_full_width_colon_is_named(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = rules / "parameters.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    note:"))
    lines[at] = "    note: 方案：未给出数值"  # a full-width colon inside a value: fine YAML
    lines[at + 1] = "\t" + lines[at + 1].lstrip()
    path.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", "--rules", str(rules)], env={"LANDRULES_LANG": "zh"})
    assert result.exit_code != 0
    assert f"第 {at + 2} 行含制表符" in result.output and "全角冒号" not in result.output
