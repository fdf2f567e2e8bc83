"""`landrules template`: the empty ledger workbook an office fills in (contract §3)."""

from __future__ import annotations

from pathlib import Path

import typer

from landrules.cli.app import PolicyOpt, RulesOpt, app, fail, load_checked_rulebook


@app.command(
    epilog="退出码 / exit: 0 已写出 written · 2 无法写出 cannot write.  例 / example: landrules template -o 台账模板.xlsx",
)
def template(
    output: Path = typer.Option(Path("台账模板.xlsx"), "-o", "--output", help="输出 / output .xlsx (default: 台账模板.xlsx)"),
    rules: Path = RulesOpt,
    policy: Path = PolicyOpt,
) -> None:
    """写出空白台账模板（标题、填报单位、各字段表头与下拉选项、填表说明）。Write the empty ledger template."""
    from landrules.ledger.write.base import OutputError, write_atomically
    from landrules.ledger.write.template import template_bytes, title_of

    if output.suffix.lower() != ".xlsx":
        raise fail(f"-o {output}: 模板只能写成 .xlsx")
    rulebook = load_checked_rulebook(rules, policy)
    try:
        write_atomically(output, template_bytes(title_of(rulebook.policy)))
    except OutputError as exc:
        raise fail(str(exc)) from None
    print(f"已写出台账模板 {output}（填好后可直接 landrules decide {output.name}）")
