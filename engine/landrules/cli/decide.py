"""`landrules decide`: every parcel of a ledger, decided, written, summarised."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import (
    AsOfOpt,
    ColumnsOpt,
    PolicyOpt,
    RulesOpt,
    SheetOpt,
    app,
    as_of_date,
    as_of_line,
    err,
    fail,
    load_checked_rulebook,
    load_columns,
)
from landrules.decide.engines import AUTO_DURABLE_MAX_ROWS, ENGINES


@app.command(
    epilog="退出码 / exit: 0 全部决策 all decided · 1 已写出但有无效行 written, some rows invalid · "
    "2 未决策 nothing decided (含 --strict-columns 发现列问题 incl. column problems under --strict-columns).  例 / example: landrules decide examples/shilong-ledger.csv --as-of 2021-10-01 -o decisions.xlsx",
)
def decide(
    ledger: Path = typer.Argument(..., help="台账 / ledger: .csv .txt .xlsx .xlsm .xls .et .ods .parquet"),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="输出 / output: .jsonl .csv .xlsx .parquet (default: JSONL on stdout)"
    ),
    as_of: Optional[str] = AsOfOpt,
    sheet: Optional[str] = SheetOpt,
    engine: str = typer.Option(
        "auto", "--engine",
        help=f"引擎 / engine: durable (the durable-rules reference), vectorized (numpy, for large ledgers) or auto "
        f"(durable up to {AUTO_DURABLE_MAX_ROWS} rows)",
    ),
    columns: Optional[Path] = ColumnsOpt,
    strict_columns: bool = typer.Option(
        False, "--strict-columns", help="列严格 / exit 2 if a column looks like a field but is not mapped, or a needed field has no column"
    ),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """逐宗决策整本台账，汇总写到 stderr。Decide every parcel of a ledger; a summary goes to stderr."""
    from landrules.decide.pipeline import ColumnsError, decide_ledger
    from landrules.ledger.output import OutputError, output_format
    from landrules.ledger.read import LedgerError

    when = as_of_date(as_of)
    if engine not in ("auto", *ENGINES):
        raise fail(f"--engine {engine!r}：应为 auto、durable 或 vectorized")
    if output is not None:
        try:
            output_format(output)
        except OutputError as exc:
            raise fail(str(exc)) from None
    column_map = load_columns(columns)
    rulebook = load_checked_rulebook(rules, policy)
    try:
        with _progress() as advance:
            result = decide_ledger(
                ledger, output, rulebook, when, engine=engine, sheet=sheet, progress=advance, columns=column_map,
                strict_columns=strict_columns, report=lambda lines: _report_columns(as_of_line(as_of, when), lines),
            )
    except ColumnsError as exc:
        raise fail(str(exc)) from None
    except LedgerError as exc:
        raise fail(f"{exc}（未写出输出文件）" if output else str(exc)) from None
    except OutputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"无法写出 {output}: {exc}") from None
    except KeyboardInterrupt:
        raise fail("已中断，未写出输出文件", code=130) from None
    _print_summary(rulebook, result, output)
    raise typer.Exit(1 if result.summary.invalid else 0)


def _report_columns(as_of_text: str, lines: list[str]) -> None:
    """Once the ledger is open, before any decision is written: the evaluation date (the
    summary's first line), then every notice, look-alike column and missing field, on stderr."""
    print(as_of_text, file=sys.stderr)
    for line in lines:
        print(f"landrules: 注意: {line}", file=sys.stderr)


@contextlib.contextmanager
def _progress():
    """A progress line on stderr while deciding, when stderr is a terminal."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("决策中 {task.completed:,} 宗"), TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("decide", total=None)
        yield lambda n: bar.advance(task, n)


def _print_summary(rulebook, result, output: Optional[Path]) -> None:
    from rich.table import Table

    from landrules.decide.pipeline import totals_line
    from landrules.summary import in_catalogue_order

    summary = result.summary
    print(
        f"读取 {summary.rows} 宗，已决策 {summary.decided} 宗，无效 {summary.invalid} 宗，"
        f"用时 {result.seconds:.2f} 秒（引擎 {result.engine}）" + (f"，输出 {output}" if output else ""),
        file=sys.stderr,
    )
    for line in [*result.columns.counted(summary), *filter(None, [totals_line(summary)])]:
        print(line, file=sys.stderr)
    for title, tallies, labels in (
        ("类别", summary.by_category, rulebook.categories),
        ("处置措施", summary.by_outcome, rulebook.outcomes),
    ):
        table = Table(title=f"按{title}汇总", title_justify="left")
        table.add_column("代码")
        table.add_column(title)
        table.add_column("宗数", justify="right")
        table.add_column("面积（亩）", justify="right")
        for code, tally in in_catalogue_order(tallies, labels):
            table.add_row(code, labels.get(code, code), str(tally.count), f"{tally.area_mu:.2f}")
        err.print(table)
