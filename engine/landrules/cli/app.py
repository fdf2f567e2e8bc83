"""The typer application, its shared options and the helpers every command uses.

Nothing here imports pandas, pyarrow, durable-rules or openpyxl: those load inside the command
that needs them.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console

from landrules import __version__

if TYPE_CHECKING:
    from landrules.rulebook.model import Rulebook


def _version(value: bool) -> None:
    if value:
        print(f"landrules {__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="按平龙政办〔2021〕36号逐宗决策并引用条款。Decide land parcels under 平龙政办〔2021〕36号, with citations.",
    epilog="规则库：--rules / --policy，或 $LANDRULES_RULES / $LANDRULES_POLICY，默认用随包的 rules/ 与 policy/。\n\n"
    "退出码 / exit status：0 成功、全部决策 done · 1 已写出但有无效行、发现问题或逾期 written, with invalid rows, "
    "problems or overdue items · 2 未完成（参数错误、台账无法读取、规则库无效）nothing done (bad invocation, "
    "unreadable ledger, invalid rulebook) · 130 已中断 interrupted · 141 标准输出已关闭 stdout closed",
)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="版本号 / show the version and exit"),
) -> None:
    pass


err = Console(stderr=True, highlight=False, width=min(Console(stderr=True).width, 100) if sys.stderr.isatty() else 100)


def out_console(stream=None, piped_width: int = 160) -> Console:
    """A console for a command's tables on `stream` (stdout): a terminal's own width, else
    $COLUMNS when set, else `piped_width` (a file or a pipe: rows are not folded for nothing)."""
    stream = stream or sys.stdout
    wide = stream.isatty() or "COLUMNS" in os.environ
    return Console(file=stream, highlight=False, width=None if wide else piped_width)

# readable=False: click would refuse an unreadable file in an English usage box; the reader says it in Chinese
LedgerArg = typer.Argument(..., readable=False, metavar="LEDGER", help="台账 / ledger: .csv .txt .xlsx .xlsm .xls .et .ods .parquet")
RulesOpt = typer.Option(None, "--rules", help="规则目录 / rules folder (default: $LANDRULES_RULES, then the bundled rules/)")
PolicyOpt = typer.Option(None, "--policy", help="政策目录 / policy folder (default: $LANDRULES_POLICY, then the bundled policy/)")
AsOfOpt = typer.Option(
    None, "--as-of", help="评估日 / evaluation date: 2021-10-01, 2021/10/01, 2021.10.01 or 2021年10月1日 (default: today)"
)
SheetOpt = typer.Option(
    None, "--sheet", help="工作表 / sheet name or number (default: the active visible sheet, or a visible one with a 宗地编号 column; a hidden one only when named)"
)
ColumnsOpt = typer.Option(
    None, "--columns", help="列对照表 / column map YAML: columns: {表头: 字段}, values: {字段: {文字: 代码}} (docs/ledgers.zh.md)"
)
ParcelsOpt = typer.Option(
    None, "--parcels", help="宗地界址 / parcel boundaries: 界址点坐标 .txt, .shp, .zip (Shapefile), .geojson, .gpkg (CGCS2000)"
)
BoundaryOpt = typer.Option(None, "--boundary", help="集聚区边界 / the cluster's boundary (same formats; with --parcels)")
PlanOpt = typer.Option(None, "--plan", help="国土空间规划图层 / the spatial plan's land-use layer (same formats; with --parcels)")
ParcelsIdOpt = typer.Option(None, "--parcels-id", help="图形文件的宗地编号字段 / the id field of --parcels (default: 地块编号, 宗地编号, DKBH, ZDDM, …)")


def map_inputs(parcels: Optional[Path], boundary: Optional[Path], plan: Optional[Path], parcels_id: Optional[str]):
    """`--parcels …` as a MapInputs (None without --parcels); exit 2 for --boundary/--plan alone."""
    if parcels is None:
        if boundary is not None or plan is not None or parcels_id is not None:
            raise fail("--boundary、--plan、--parcels-id 须与 --parcels 一起使用")
        return None
    from landrules.geo.join import MapInputs

    return MapInputs(parcels, boundary, plan, parcels_id)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line of reason on stderr and return the Exit to raise."""
    print(f"landrules: {message}", file=sys.stderr)
    return typer.Exit(code)


def as_of_date(value: Optional[str]) -> dt.date:
    """The evaluation date, in any spelling a date cell accepts (contract §3); today when None."""
    if value is None:
        return dt.date.today()
    from landrules.ledger.validate.cells import evaluation_date

    try:
        return evaluation_date(value)
    except ValueError as exc:
        raise fail(f"--as-of {exc}") from None


def as_of_line(value: Optional[str], when: dt.date) -> str:
    """How the summary names the evaluation date (its first line)."""
    return f"评估日 {when.isoformat()}" + ("（未指定，按今天）" if value is None else "")


def load_columns(path: Optional[Path]):
    """The column map of `--columns`, or exit 2 with its FILE:LINE problem."""
    if path is None:
        return None
    from landrules.ledger.columns.column_map import ColumnMapError, load_column_map

    try:
        return load_column_map(path)
    except ColumnMapError as exc:
        raise fail(str(exc)) from None


def check_engine(engine: str) -> None:
    """Exit 2 unless `engine` names an engine (or `auto`)."""
    from landrules.backends.registry import ENGINES

    if engine not in ("auto", *ENGINES):
        raise fail(f"--engine {engine!r}：应为 auto、durable 或 vectorized")


def check_output(output: Optional[Path]) -> None:
    """Exit 2 when `-o` names a format no writer has (before anything is read or decided)."""
    if output is None:
        return
    from landrules.decide.outputs import WRITERS
    from landrules.ledger.write.base import OutputError, output_format

    try:
        output_format(output, tuple(WRITERS))
    except OutputError as exc:
        raise fail(str(exc)) from None


def engine_checked(rulebook: Rulebook) -> Rulebook:
    """Raise RulebookError for rules the durable-rules engine cannot hold (FILE:LINE each), so
    that `lint` reports them and no command starts deciding with them."""
    from landrules.backends.durable import engine_problems
    from landrules.rulebook.problems import RulebookError

    problems = engine_problems(rulebook)
    if problems:
        raise RulebookError(problems)
    return rulebook


def load_checked_rulebook(rules: Optional[Path], policy: Optional[Path]) -> Rulebook:
    """The rulebook, or exit 2 with every problem on stderr (lint's warnings are shown, not fatal)."""
    from landrules.rulebook import locate
    from landrules.rulebook.load import load_rulebook
    from landrules.rulebook.problems import RulebookError

    try:
        rulebook = load_rulebook(locate.rules_dir(rules), locate.policy_dir(policy))
        engine_checked(rulebook)
    except RulebookError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise fail(f"规则库无效（{len(exc.problems)} 处问题），未作任何决定") from None
    for warning in rulebook.warnings:  # a gap decides no_action: say so, and go on
        print(warning, file=sys.stderr)
    return rulebook
