"""The `landrules` command (contract §2): decide, explain, lint, schema."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import fields, locate
from .backends.durable import DurableBackend
from .batch import AUTO_DURABLE_MAX_ROWS, ENGINES
from .errors import RulebookError
from .evaluate import Evaluator
from .explain import RESULT_ZH, STATUS_ZH, explain as explain_trace
from .ledger.read import LedgerError
from .ledger.write import OutputError, output_format
from .pipeline import decide_ledger, find_parcel
from .rulebook import Rulebook, load_rulebook
from .summary import in_catalogue_order

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Decide land parcels under 平龙政办〔2021〕36号, with citations.",
)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 120)

RulesOpt = typer.Option(None, "--rules", help="rules folder (default: $LANDRULES_RULES, then the bundled rules/)")
PolicyOpt = typer.Option(None, "--policy", help="policy folder (default: $LANDRULES_POLICY, then the bundled policy/)")
AsOfOpt = typer.Option(None, "--as-of", help="evaluation date YYYY-MM-DD (default: today)")
SheetOpt = typer.Option(None, "--sheet", help="XLSX sheet name (default: the first sheet)")


def _fail(message: str, code: int = 2) -> typer.Exit:
    print(f"landrules: {message}", file=sys.stderr)
    return typer.Exit(code)


def _as_of(value: Optional[str]) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--as-of {value!r} 不是 YYYY-MM-DD 格式的日期") from None


def _rulebook(rules: Optional[Path], policy: Optional[Path]) -> Rulebook:
    try:
        rulebook = load_rulebook(locate.rules_dir(rules), locate.policy_dir(policy))
    except RulebookError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise _fail(f"规则库无效（{len(exc.problems)} 处问题），未作任何决定") from None
    for warning in rulebook.warnings:  # a gap decides no_action: say so, and go on
        print(warning, file=sys.stderr)
    return rulebook


@app.command()
def decide(
    ledger: Path = typer.Argument(..., help="ledger: .csv, .xlsx or .parquet"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="output: .jsonl .csv .xlsx .parquet (default: JSONL on stdout)"),
    as_of: Optional[str] = AsOfOpt,
    sheet: Optional[str] = SheetOpt,
    engine: str = typer.Option(
        "auto", "--engine",
        help=f"durable (the durable-rules reference), vectorized (numpy, for large ledgers) or auto "
        f"(durable up to {AUTO_DURABLE_MAX_ROWS} rows)",
    ),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """Decide every parcel of a ledger; a summary goes to stderr."""
    when = _as_of(as_of)
    if engine not in ("auto", *ENGINES):
        raise _fail(f"--engine {engine!r}：应为 auto、durable 或 vectorized")
    if output is not None:
        try:
            output_format(output)
        except OutputError as exc:
            raise _fail(str(exc)) from None
    rulebook = _rulebook(rules, policy)
    try:
        with _progress() as advance:
            result = decide_ledger(ledger, output, rulebook, when, engine=engine, sheet=sheet, progress=advance)
    except LedgerError as exc:
        raise _fail(f"{exc}（未写出输出文件）" if output else str(exc)) from None
    except OutputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"无法写出 {output}: {exc}") from None
    except KeyboardInterrupt:
        raise _fail("已中断，未写出输出文件", code=130) from None
    _print_summary(rulebook, result, output)
    raise typer.Exit(1 if result.summary.invalid else 0)


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


def _print_summary(rulebook: Rulebook, result, output: Optional[Path]) -> None:
    summary = result.summary
    print(
        f"读取 {summary.rows} 宗，已决策 {summary.decided} 宗，无效 {summary.invalid} 宗，"
        f"用时 {result.seconds:.2f} 秒（引擎 {result.engine}）" + (f"，输出 {output}" if output else ""),
        file=sys.stderr,
    )
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


@app.command()
def explain(
    ledger: Path = typer.Argument(..., help="ledger: .csv, .xlsx or .parquet"),
    parcel: str = typer.Option(..., "--parcel", help="宗地编号 of the parcel to explain"),
    as_of: Optional[str] = AsOfOpt,
    as_json: bool = typer.Option(False, "--json", help="print the decision and trace as JSON"),
    sheet: Optional[str] = SheetOpt,
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """One parcel's decision with its full trace and the clauses it cites."""
    when = _as_of(as_of)
    rulebook = _rulebook(rules, policy)
    try:
        found = find_parcel(ledger, parcel, sheet=sheet)
    except LedgerError as exc:
        raise _fail(str(exc)) from None
    if found is None:
        raise _fail(f"台账 {ledger} 中没有宗地 {parcel!r}")
    backend = DurableBackend(rulebook)
    evaluator = Evaluator(rulebook, backend)
    if found.facts is None:
        decision, trace = evaluator.invalid(parcel, found.errors, when), []
    else:
        firing = backend.fire([found.facts], when)[0]
        decision = evaluator.assemble(parcel, found.facts, firing, when)
        trace = explain_trace(rulebook, found.facts, firing, when)
    if as_json:
        print(json.dumps({"decision": decision.to_dict(), "trace": trace}, ensure_ascii=False, indent=2))
    else:
        _print_explanation(rulebook, found.row, decision, trace)
    raise typer.Exit(0)


def _print_explanation(rulebook: Rulebook, row: int, decision, trace) -> None:
    out = Console(highlight=False)
    out.print(f"[bold]宗地 {escape(str(decision.parcel_id))}[/]（第 {row} 行） 评估日 {decision.as_of}  规则库 {decision.rulebook[:19]}…")
    labels = [rulebook.categories.get(c, c) for c in decision.categories]
    out.print(f"类别：{'、'.join(labels) or '无'}")
    for o in decision.outcomes:
        line = f"• {o.label}（{o.code}）"
        if o.deadline:
            line += f"  完成时限 {o.deadline}{'（已逾期）' if o.overdue else ''}"
        if o.responsible:
            line += f"  责任单位 {'、'.join(o.responsible)}"
        if o.needs:
            line += f"  需补充 {'、'.join(fields.BY_NAME[n].label() for n in o.needs)}（规则 {o.rule}）"
        out.print(line, markup=False)
    for e in decision.errors:
        out.print(f"[red]错误[/] {escape(e)}")
    if trace:
        table = Table(title="规则追踪", title_justify="left", show_lines=False)
        for col in ("规则", "状态", "条件", "实际值", "结果"):
            table.add_column(col, overflow="fold")
        for rule in trace:
            first = True
            for cond in rule["conditions"]:
                table.add_row(
                    rule["rule"] if first else "",
                    STATUS_ZH[rule["status"]] if first else "",
                    "  " * cond["depth"] + str(cond["condition"]),
                    "" if cond["actual"] is None else str(cond["actual"]),
                    RESULT_ZH[cond["result"]],
                )
                first = False
        out.print(table)
    cited = {}
    for o in decision.outcomes:
        for c in o.citations:
            cited[(c.doc, c.clause)] = c.text
    if cited:
        out.print("[bold]引用条款[/]")
        for (doc, clause), text in cited.items():
            note = "（释义）" if rulebook.policy.get(doc, clause).paraphrase else ""
            out.print(f"{doc} {clause}{note}：{text}", markup=False)


@app.command()
def lint(
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
    strict: bool = typer.Option(False, "--strict", help="fail on warnings too (gaps, overrides without effect)"),
) -> None:
    """Check the rulebook without deciding anything; each problem as FILE:LINE: message.

    Exit 0 clean (warnings, if any, are shown), 1 problems found, or warnings with --strict.
    docs/rules.zh.md explains each message."""
    try:
        rulebook = load_rulebook(locate.rules_dir(rules), locate.policy_dir(policy))
    except RulebookError as exc:
        for problem in exc.problems:
            print(problem)
        err.print(f"规则库有 {len(exc.problems)} 处问题（说明见 docs/rules.zh.md）", markup=False)
        raise typer.Exit(1) from None
    for warning in rulebook.warnings:
        print(warning)
    summary = f"{len(rulebook.rules)} 条规则，{len(rulebook.parameters)} 个参数，{rulebook.hash}"
    if rulebook.warnings:
        err.print(f"规则库无错误，有 {len(rulebook.warnings)} 处提醒（warning）：{summary}", markup=False)
        raise typer.Exit(1 if strict else 0)
    err.print(f"规则库无问题：{summary}", markup=False)


@app.command()
def schema(
    out: Path = typer.Option(Path("schemas"), "--out", help="folder to write the JSON Schemas into"),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """Write the JSON Schemas of the rule, parameter, outcome and policy files (for editors)."""
    from .schema import write_schemas

    try:
        written = write_schemas(out, locate.rules_dir(rules), locate.policy_dir(policy))
    except OSError as exc:
        raise _fail(f"无法写出 {out}: {exc}") from None
    for path in written:
        err.print(f"已写出 {path}", markup=False)


@app.command()
def check(
    scenarios: Optional[Path] = typer.Argument(None, help="scenarios folder (default: the bundled scenarios/)"),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """Run the policy scenarios against the rulebook; report each scenario and the coverage."""
    from .bdd.binding import feature_files  # pytest and pytest-bdd load only for this command
    from .bdd.report import report_lines
    from .bdd.runner import run_check

    folder = scenarios if scenarios is not None else locate.bundled("scenarios")
    if not folder.is_dir():
        raise _fail(f"场景目录 {folder} 不存在")
    if not feature_files(folder):
        raise _fail(f"场景目录 {folder} 中没有 .feature 文件")
    rulebook = _rulebook(rules, policy)
    print(f"检查场景：{folder}（规则库 {rulebook.hash[:19]}…）", flush=True)
    result = run_check(folder, rulebook)
    for line in report_lines(result):
        print(line)
    raise typer.Exit(0 if result.passed else 1)


def main() -> None:
    """The console script: SIGTERM ends a run like Ctrl-C (no output file left), and an
    unexpected error is one line and exit 2 (set LANDRULES_DEBUG=1 for the traceback)."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        app()
    except KeyboardInterrupt:
        print("landrules: 已中断", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, see the docstring
        if os.environ.get("LANDRULES_DEBUG"):
            raise
        print(f"landrules: 内部错误，未完成: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
