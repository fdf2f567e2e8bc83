"""`landrules report`: the officers' bulletin (季度通报) of a decided ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import (
    LedgerArg,
    ColumnsOpt,
    as_of_line,
    load_columns,
    check_engine,
    AsOfOpt,
    PolicyOpt,
    RulesOpt,
    SheetOpt,
    app,
    as_of_date,
    fail,
    load_checked_rulebook,
)
from landrules.cli.progress import report_columns


@app.command(
    epilog="退出码 / exit: 0 全部决策 all decided · 1 已写出但有无效行 written, some rows invalid · "
    "2 未写出 nothing written.  例 / example: landrules report examples/shilong-ledger.csv --as-of 2021-10-01 -o 通报.pdf",
)
def report(
    ledger: Path = LedgerArg,
    output: Path = typer.Option(..., "-o", "--output", help="输出 / output: .xlsx .html .pdf"),
    as_of: Optional[str] = AsOfOpt,
    sheet: Optional[str] = SheetOpt,
    engine: str = typer.Option("auto", "--engine", help="引擎 / engine: auto, durable or vectorized (as decide)"),
    columns: Optional[Path] = ColumnsOpt,
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """季度通报：汇总、图表、逾期事项、一宗一策、公布清单。The bulletin: figures, charts, overdue items, 一宗一策."""
    import sys

    from landrules.decide.pipeline import decide_ledger
    from landrules.ledger.write.base import OutputError
    from landrules.ledger.read.reader import LedgerError
    from landrules.report.writer import report_format, report_writer

    when = as_of_date(as_of)
    check_engine(engine)
    try:
        report_format(output)
    except OutputError as exc:
        raise fail(str(exc)) from None
    column_map = load_columns(columns)
    rulebook = load_checked_rulebook(rules, policy)
    try:
        result = decide_ledger(ledger, output, rulebook, when, engine=engine, sheet=sheet, columns=column_map,
                               report=lambda checked: report_columns(as_of_line(as_of, when), checked),
                               open_output=report_writer(ledger.name))
    except LedgerError as exc:
        raise fail(f"{exc}（未写出通报）") from None
    except OutputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"无法写出 {output}: {exc}") from None
    except KeyboardInterrupt:
        raise fail("已中断，未写出通报", code=130) from None
    s = result.summary
    print(f"读取 {s.rows} 宗，已决策 {s.decided} 宗，无效 {s.invalid} 宗，逾期 {s.overdue.count} 宗；"
          f"通报 {output}（用时 {result.seconds:.2f} 秒）", file=sys.stderr)
    raise typer.Exit(1 if s.invalid else 0)
