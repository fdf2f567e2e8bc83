"""`landrules replay RUN [--rules DIR]`: a recorded run decided again (contract §7)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import PolicyOpt, app, fail, load_checked_rulebook
from landrules.cli.record.options import StoreOpt, find_run, open_store, run_rulebook


@app.command(
    epilog="退出码 / exit: 0 决策与记录一致 (with --rules: no decision changed) · 1 有差异 some differ · 2 无法重放 nothing replayed.  "
    "例 / example: landrules replay 2021Q4 ; landrules replay 2021Q4 --rules rules/ -o 变化.xlsx",
)
def replay(
    run: str = typer.Argument(..., metavar="RUN", help="记录 / run id or label"),
    rules: Optional[Path] = typer.Option(None, "--rules", help="另一规则库 / decide under this rules folder and list what changed (diff on a past quarter)"),
    policy: Optional[Path] = PolicyOpt,
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="with --rules: the changed parcels, as `diff -o`"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """按记录的规则库重新决策一期记录，核对结果一致；带 --rules 则比较新旧规则库的决策。Replay a recorded run."""
    from landrules.record.replay import diff_run, replay_run

    with open_store(store, readonly=True) as opened:
        found = find_run(opened, run)
        try:
            with run_rulebook(opened, found) as recorded:
                if recorded.hash != found.rulebook:
                    raise fail(f"记录的规则库文件的哈希 {recorded.hash} 与记录 {found.rulebook} 不符")
                engine = _engine(opened, found)
                if rules is None:
                    result = replay_run(opened, found, recorded, engine)
                else:
                    current = load_checked_rulebook(rules, policy)
                    diffed = diff_run(opened, found, current, recorded, engine)
        except LookupError as exc:
            raise fail(str(exc)) from None
    if rules is not None:
        from landrules.cli.diff import print_summary

        if output is not None:
            from landrules.decide.diff.write import write_diff
            from landrules.ledger.write.base import Labels

            write_diff(output, diffed, Labels.of(current, found.as_of), f"{found.name} 的规则库")
        print_summary(diffed, current, f"{found.name} 的规则库", output)
        raise typer.Exit(1 if diffed.changed else 0)
    print(f"重放 {found.name}：{result.rows} 行，规则库 {found.rulebook[:19]}…，引擎 {engine}", file=sys.stderr)
    if not result.different:
        print(f"全部 {result.rows} 行的决策与记录一致")
        raise typer.Exit(0)
    print(f"{len(result.different)} 行的决策与记录不同：")
    for row, pid, fields in result.different[:200]:
        print(f"  第{row}行 {pid or '（无编号）'}：{'、'.join(fields) or '（未逐项比较）'}")
    raise typer.Exit(1)


def _engine(store, run) -> str:
    row = next(iter(store.con.execute("SELECT engine FROM runs WHERE id = ?", [run.id]).fetchall()), None)
    engine = row[0] if row and row[0] in ("durable", "vectorized") else "vectorized"
    return engine
