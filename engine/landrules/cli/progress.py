"""What `decide` shows while and after it works: the progress line and the summary tables."""

from __future__ import annotations

import contextlib
import sys
from typing import Optional

from landrules.cli.app import err


@contextlib.contextmanager
def progress_line():
    """A progress line on stderr while deciding, when stderr is a terminal."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("决策中 0 宗", total=None)
        yield Advance(bar, task)


class Advance:
    """The progress line's callback: `advance(n)` counts decided rows; `finishing(what)` says
    what is being done once every row is decided (a workbook's other sheets take a while)."""

    def __init__(self, bar, task):
        self.bar, self.task, self.rows = bar, task, 0

    def __call__(self, n: int) -> None:
        self.rows += n
        self.bar.update(self.task, description=f"决策中 {self.rows:,} 宗")

    def finishing(self, what: str) -> None:
        self.bar.update(self.task, description=f"已决策 {self.rows:,} 宗，{what}")


def print_summary(rulebook, result, output: Optional[object]) -> None:
    from rich.table import Table

    from landrules.core.summary import in_catalogue_order

    summary = result.summary
    where = f"（引擎 {result.engine}" + (f"，Dask {result.workers} 个 worker，{result.files} 个文件" if hasattr(result, "workers") else "") + "）"
    from landrules.cli.layout import terminal_width, wrap
    from landrules.decide.pipeline import after_lines

    limit = terminal_width()
    line = (f"读取 {summary.rows} 宗，已决策 {summary.decided} 宗，无效 {summary.invalid} 宗，"
            f"用时 {result.seconds:.2f} 秒{where}" + (f"，输出 {output}" if output else ""))
    print("\n".join(wrap(line, limit, indent="    ")), file=sys.stderr)
    columns = getattr(result, "columns", None)  # the column report (a dataset run has none)
    for line in [*(columns.counted(summary) if columns else ()), *after_lines(summary)]:
        print("\n".join(wrap(line, limit, indent="    ")), file=sys.stderr)
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


def report_columns(as_of_text: str, report) -> None:
    """Once the ledger is open, before any decision is written: the evaluation date (the
    summary's first line), every notice of reading, then what the columns and rows were
    understood as (`ColumnReport.understood`), in Chinese, on stderr, at most 100 columns wide."""
    from landrules.cli.layout import listing, terminal_width, wrap

    limit = terminal_width()
    print(as_of_text, file=sys.stderr)
    for heading, items in report.understood():
        print("\n".join(listing(heading, items, limit)), file=sys.stderr)
    for line in report.lines():  # notices of reading, look-alike columns, fields no column gives
        print("\n".join(wrap(f"landrules: 注意: {line}", limit, indent="    ")), file=sys.stderr)


def report_invalid(invalid: list[tuple[int, list[str]]], count: int, verbose: bool, shown: int = 5) -> None:
    """After deciding: the first invalid rows with their reasons (all kept ones with `verbose`)."""
    from landrules.cli.layout import terminal_width, wrap

    if not count:
        return
    limit = terminal_width()
    rows = invalid if verbose else invalid[:shown]
    print(f"无效 {count} 宗（记录无效，未决策），原因：", file=sys.stderr)
    for _, errors in rows:
        for message in errors:
            print("\n".join(wrap(f"  {message}", limit, indent="      ")), file=sys.stderr)
    if count > len(rows):
        more = "（用 --verbose 显示全部）" if not verbose else f"（只保留前 {len(rows)} 宗）"
        print(f"  另有 {count - len(rows)} 宗无效{more}", file=sys.stderr)
