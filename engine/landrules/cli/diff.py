"""`landrules diff`: which parcels a rulebook change decides differently, and how."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import (
    AsOfOpt,
    LedgerArg,
    PolicyOpt,
    RulesOpt,
    SheetOpt,
    app,
    as_of_date,
    check_engine,
    check_output,
    err,
    fail,
    load_checked_rulebook,
)


@app.command(
    epilog="退出码 / exit: 0 决定无变化 no decision changed · 1 有变化 some changed · "
    "2 未比较 nothing compared (bad invocation, unreadable ledger, invalid rulebook).  "
    "例 / example: landrules diff examples/shilong-ledger.csv --against HEAD~1 --as-of 2021-10-01 -o changes.xlsx",
)
def diff(
    ledger: Path = LedgerArg,
    against: str = typer.Option(
        ..., "--against",
        help="对比的规则库 / the rulebook to compare with: a rules folder, a folder holding rules/ and policy/, "
        "or a git revision (HEAD, HEAD~1, a tag) of the repository holding the current rules",
    ),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="输出 / output: .jsonl .csv .xlsx .parquet (default: JSONL on stdout)"
    ),
    as_of: Optional[str] = AsOfOpt,
    sheet: Optional[str] = SheetOpt,
    engine: str = typer.Option("auto", "--engine", help="引擎 / engine: durable, vectorized or auto (as for decide)"),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """按两个规则库分别决策同一台账，列出决定有变化的宗地。Decide a ledger under the current rulebook and under
    RULES; list every parcel whose decision changed, and a summary on stderr."""
    from landrules.ledger.write.base import OutputError

    when = as_of_date(as_of)
    check_engine(engine)
    check_output(output)
    current = load_checked_rulebook(rules, policy)
    previous, label = load_against_or_exit(against, rules, policy)
    result = run_diff(ledger, current, previous, when, engine, sheet)
    try:
        if output is not None:
            from landrules.decide.diff.write import write_diff
            from landrules.ledger.write.base import Labels

            write_diff(output, result, Labels.of(current), label, inputs=[ledger])
        else:
            from landrules.decide.diff.write import jsonl_lines

            sys.stdout.write("".join(line + "\n" for line in jsonl_lines(result.table)))
    except OutputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"无法写出 {output}: {exc}") from None
    print_summary(result, current, label, output)
    raise typer.Exit(1 if result.changed else 0)


def load_against_or_exit(against: str, rules: Optional[Path], policy: Optional[Path]):
    """(rulebook, label) for --against, or exit 2 with the reason (shared with `lint --ledger`)."""
    from landrules.decide.diff.against import AgainstError, load_against
    from landrules.rulebook import locate
    from landrules.rulebook.problems import RulebookError

    try:
        found = load_against(against, locate.rules_dir(rules), locate.policy_dir(policy))
    except AgainstError as exc:
        raise fail(str(exc)) from None
    except RulebookError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise fail(f"对比的规则库 {against} 无效（{len(exc.problems)} 处问题），未作比较") from None
    return found.rulebook, found.label


def run_diff(ledger: Path, current, previous, when, engine: str, sheet):
    """The DiffResult, or exit 2 when the ledger cannot be read or holds nothing to compare."""
    from landrules.decide.diff.compare import diff_ledger
    from landrules.decide.options import RunOptions
    from landrules.ledger.read.reader import LedgerError

    try:
        result = diff_ledger(ledger, RunOptions(current, when, engine=engine, sheet=sheet), previous)
    except LedgerError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("已中断，未写出输出文件", code=130) from None
    if not result.compared:
        raise fail(f"{ledger}：没有可比较的宗地（读取 {result.rows} 行，均为无效记录或台账为空）")
    return result


def print_summary(result, rulebook, label: str, output: Optional[Path]) -> None:
    from rich.table import Table

    from landrules.decide.diff.compare import detail_words, summary_line

    print(
        f"对比 {label}（{result.rulebook_before[:19]}…）→ 当前规则库（{result.rulebook_after[:19]}…），"
        f"评估日 {result.as_of}，用时 {result.seconds:.2f} 秒（引擎 {result.engine}）"
        + (f"，输出 {output}" if output else ""),
        file=sys.stderr,
    )
    print(summary_line(result), file=sys.stderr)
    if not result.changed:
        return
    table = Table(title="处置措施变化（原 → 新）", title_justify="left")
    for name, justify in (("原处置措施", "left"), ("新处置措施", "left"), ("宗数", "right"), ("面积（亩）", "right")):
        table.add_column(name, justify=justify)
    for (old, new, detail), tally in result.moves_in_order():
        after = _names(new, rulebook) + ("\n" + detail_words(detail) if detail else "")
        table.add_row(_names(old, rulebook), after, str(tally.count), f"{tally.area_mu:.2f}")
    err.print(table)


def _names(codes: str, rulebook) -> str:
    from landrules.core.decision import SEP

    return "\n".join(f"{c}（{_short_label(rulebook.outcomes.get(c, c))}）" for c in codes.split(SEP))


def _short_label(label: str) -> str:
    """The label up to its first bracket: 完善用地手续（以项目开工时间…） -> 完善用地手续."""
    for bracket in ("（", "("):
        label = label.split(bracket, 1)[0]
    return label


def preview(ledger: Path, rulebook, against: str, rules: Optional[Path], policy: Optional[Path], as_of: Optional[str]) -> None:
    """`lint --ledger`: the one-line diff of `rulebook` against `against` on `ledger` (stdout)."""
    from landrules.decide.diff.compare import summary_line

    previous, label = load_against_or_exit(against, rules, policy)
    result = run_diff(ledger, rulebook, previous, as_of_date(as_of), "auto", None)
    print(f"预览（{ledger}，对比 {label}）：{summary_line(result)}")
