"""`landrules progress [FROM] [TO] [-o OUT]`: what changed between two recorded runs (contract §7)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import app, fail, out_console
from landrules.cli.layout import width, wrap
from landrules.cli.record.options import StoreOpt, find_run, open_store


@app.command(
    epilog="退出码 / exit: 0 · 1 有宗地被移出台账而未说明 a parcel left the ledger unexplained · 2 未比较 nothing compared.  "
    "例 / example: landrules progress 2021Q4 2022Q1 -o 进展.xlsx",
)
def progress(
    before: Optional[str] = typer.Argument(None, metavar="FROM", help="上期 / earlier run: id or label (default: the one before the last)"),
    after: Optional[str] = typer.Argument(None, metavar="TO", help="本期 / later run: id or label (default: the last)"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="逐宗进展 / per parcel: .jsonl .csv .xlsx .parquet"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """比较两期记录：新增、销号、移出、措施变化、新逾期、未变，处置率与亩均税收。 Progress between two recorded runs."""
    from landrules.ledger.write.base import OutputError
    from landrules.record.progress import compare
    from landrules.record.progress_write import check_format, write_progress

    if output is not None:
        try:
            check_format(output)
        except OutputError as exc:
            raise fail(str(exc)) from None
    with open_store(store, readonly=True) as opened:
        if before is not None and after is None:
            to_run, from_run = find_run(opened, None), find_run(opened, before)
        else:
            to_run = find_run(opened, after)
            from_run = find_run(opened, before, default_back=1) if before is not None else _previous(opened, to_run)
        if from_run.id == to_run.id:
            raise fail(f"上期与本期是同一期记录 {to_run.name}，无可比较")
        result = compare(opened, from_run, to_run)
        if output is not None:
            try:
                write_progress(output, result)
            except OutputError as exc:
                raise fail(str(exc)) from None
        _print(result, sys.stdout if output is None else sys.stderr, output)
    raise typer.Exit(1 if result.removed else 0)


def _previous(store, run):
    from landrules.record.runs import list_runs

    earlier = [r for r in list_runs(store) if r.id < run.id]
    if not earlier:
        raise fail(f"{run.name} 之前没有记录，无可比较（landrules runs 列出全部）")
    return earlier[-1]


def _print(result, stream, output: Optional[Path]) -> None:
    from rich.table import Table

    from landrules.rulebook import locate
    from landrules.rulebook.load import load_rulebook

    try:
        rulebook = load_rulebook(locate.rules_dir(), locate.policy_dir(), analyse=False)
        cats, outs = rulebook.categories, rulebook.outcomes
    except Exception:  # labels only: the codes stand in
        cats, outs = {}, {}
    console = out_console(stream, 120)
    heading, before, after = "本季进展：", f"上期 {result.before.name}", f"本期 {result.after.name}"
    if width(f"{heading}{before} → {after}") <= console.width:
        console.print(f"{heading}{before} → {after}")
    else:  # one run a line, not cut inside a run's name and date
        console.print(f"{heading}{before}", overflow="fold")
        console.print(f"{' ' * (width(heading) - 2)}→ {after}", overflow="fold")
    removed = result.listed("removed")
    if removed:
        console.print(f"[bold red]移出 {len(removed)} 宗（未说明理由即离开台账，须核实）：[/]")
        for r in removed:
            console.print(f"[red]  {r['parcel_id'] or '（无编号）'}  {_num(r['area_mu'])} 亩  上期措施：{_names(r['from_codes'], outs)}[/]")
    table = Table(title="进展分类", title_justify="left")
    for name in ("进展", "宗数", "上期面积（亩）", "本期面积（亩）"):
        table.add_column(name, justify="left" if name == "进展" else "right")
    for c in result.classes:
        style = "bold red" if c.code == "removed" and c.parcels else None
        table.add_row(c.label, str(c.parcels), _num(c.from_area_mu), _num(c.to_area_mu), style=style)
    table.add_row("合计", str(sum(c.parcels for c in result.classes)), _num(sum(c.from_area_mu for c in result.classes)),
                  _num(sum(c.to_area_mu for c in result.classes)), style="bold")
    console.print(table)
    for code, title in (("resolved", "销号"), ("newly_overdue", "新逾期"), ("new", "新增"), ("changed", "措施变化")):
        rows = result.listed(code, limit=50)
        if not rows:
            continue
        console.print(f"{title}：")
        for r in rows:
            head = f"  {r['parcel_id'] or '（无编号）'}  {_num(r['area_mu'])} 亩"
            note = f"（{r['note']}）" if r["note"] else ""
            if code == "changed":  # the measures before and after, a line each
                lines = [("", f"{head}{note}"), ("    上期：", _names(r["from_codes"], outs)), ("    本期：", _names(r["to_codes"], outs))]
            else:
                detail = r["reason"] if code == "resolved" else (
                    f"完成时限 {r['to_deadline']}" if code == "newly_overdue" else _names(r["to_codes"], outs))
                lines = [("", f"{head}  {detail}{note}")]
            for label, text in lines:  # folded under its own text (after its label), not at the margin
                for part in wrap(label + text, console.width, indent=" " * (width(label) if label else 4)):
                    console.print(part, markup=False, highlight=False, crop=False)
    renamed = result.store.con.execute("SELECT parcel_id, class_label, note FROM progress WHERE note IS NOT NULL ORDER BY t_row").fetchall()
    if renamed:
        console.print("宗地编号变化：")
        for pid, label, note in renamed:
            console.print(f"  {pid}（{label}）：{note}")
    for key, rates in result.rates.items():
        table = Table(title=f"处置率（按{key}）：已销号面积 ÷ 上期有处置措施的面积", title_justify="left")
        # two-line headers keep the table within 80 columns; a long 责任单位 folds, never "…"
        for name in (key, "有措施\n宗数", "有措施\n面积（亩）", "销号\n宗数", "销号\n面积（亩）", "处置率"):
            table.add_column(name, justify="left" if name == key else "right", overflow="fold", no_wrap=name != key)
        for r in rates:
            label = cats.get(r.key, r.key) if key == "类别" else r.key
            table.add_row(label, str(r.parcels), _num(r.with_measures_area_mu), str(r.resolved), _num(r.resolved_area_mu),
                          "—" if r.rate is None else f"{r.rate:.1%}")
        console.print(table)
    lines = []
    for side, run in (("from", result.before), ("to", result.after)):
        tax = result.tax[side]
        mean = "无已知数据" if tax["mean"] is None else f"{tax['mean']:.2f} 万元/亩"
        target = "" if tax["target"] is None else f"，目标 {tax['target']:g} 万元/亩，低于目标 {tax['below_target_count']} 宗"
        lines.append(f"  {run.label}：已供工业用地 {tax['count']} 宗 {_num(tax['area_mu'])} 亩，亩均税收 {mean}{target}")
    console.print("亩均税收：\n" + "\n".join(lines))
    if output is not None:
        console.print(f"逐宗进展已写出 {output}")


def _num(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _names(codes: Optional[str], labels: dict) -> str:
    if not codes:
        return "—"
    return "；".join(labels.get(c, c) for c in codes.split("; "))
