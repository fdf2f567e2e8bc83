"""`landrules explain`: one parcel's decision, its trace and the clauses it cites."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import (
    AsOfOpt,
    BoundaryOpt,
    ColumnsOpt,
    LedgerArg,
    ParcelsIdOpt,
    ParcelsOpt,
    PlanOpt,
    PolicyOpt,
    RulesOpt,
    SheetOpt,
    app,
    as_of_date,
    fail,
    load_checked_rulebook,
    load_columns,
    map_inputs,
)


@app.command(
    epilog="退出码 / exit: 0 · 2 台账中无此宗地 parcel not in the ledger.  "
    "例 / example: landrules explain examples/shilong-ledger.csv --parcel SL-005 --as-of 2021-10-01",
)
def explain(
    ledger: Path = LedgerArg,
    parcel: str = typer.Option(..., "--parcel", help="宗地编号；无编号的宗地写行号，如 第12行 / id of the parcel, or 第12行 for a row without id"),
    as_of: Optional[str] = AsOfOpt,
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出 / print the decision and trace as JSON"),
    full: bool = typer.Option(False, "--full", help="完整追踪 / the complete trace: every rule, every condition, as a table"),
    sheet: Optional[str] = SheetOpt,
    columns: Optional[Path] = ColumnsOpt,
    parcels: Optional[Path] = ParcelsOpt,
    boundary: Optional[Path] = BoundaryOpt,
    plan: Optional[Path] = PlanOpt,
    parcels_id: Optional[str] = ParcelsIdOpt,
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """一宗地的决策及其理由：先结论，再适用的规则与条件，未适用的规则各一行，最后所引条款。
    One parcel's decision, then the rules that fired with their conditions, the others in one line each
    (--full: the complete trace table)."""
    from landrules.backends.durable import DurableBackend
    from landrules.decide.evaluate import Evaluator
    from landrules.decide.explain import explain as explain_trace
    from landrules.decide.find import decide_found, find_parcel
    from landrules.decide.options import RunOptions
    from landrules.ledger.read.reader import LedgerError

    when = as_of_date(as_of)
    column_map = load_columns(columns)
    rulebook = load_checked_rulebook(rules, policy)
    inputs = map_inputs(parcels, boundary, plan, parcels_id)
    from landrules.geo.layer import GeoError

    options = RunOptions(rulebook, when, sheet=sheet, columns=column_map, map_inputs=inputs)
    try:
        found = find_parcel(ledger, parcel, options)
    except (LedgerError, GeoError) as exc:
        raise fail(str(exc)) from None
    if found is None:
        from landrules.decide.find import similar_ids

        close = similar_ids(ledger, parcel, options)
        hint = f"；是否要找 {'、'.join(close)}？" if close else ""
        raise fail(f"台账 {ledger} 中没有宗地 {parcel!r}{hint}")
    backend = DurableBackend(rulebook)
    evaluator = Evaluator(rulebook, backend)
    firing = None
    if found.facts is None:
        decision, trace = evaluator.invalid(parcel, found.errors, when), []
    else:
        firing = backend.fire([found.facts], when)[0]
        decision = evaluator.assemble(parcel, found.facts, firing, when)
        trace = explain_trace(rulebook, found.facts, firing, when) if as_json or full else []
    spanned = decide_found(options, found, parcel)  # a date given only to the month: as `decide` decides it
    if spanned is not None:
        decision = spanned
    else:
        decision.notes = list(found.notes) + decision.notes
    shown = map_facts(found.facts) if inputs is not None else None
    if as_json:
        out = {"decision": decision.to_dict(), "trace": trace}
        if shown is not None:
            out["map"] = shown
        print(json.dumps(out, ensure_ascii=False, indent=2))
    elif full:
        _print_explanation(rulebook, found.row, decision, trace)
        _print_map(shown)
    else:
        from landrules.cli.explain_text import print_narrative
        from landrules.decide.narrative import narrate

        print_narrative(narrate(rulebook, decision, found.facts, firing, when, row=found.row))
        _print_map(shown)
    raise typer.Exit(0)


def map_facts(facts) -> dict | None:
    """The map's facts of the parcel (contract §8), field → value (None: not known)."""
    from landrules.core import fields

    return {f.name: (facts or {}).get(f.name) for f in fields.FIELDS if f.name in fields.MAP_FIELDS}


def _print_map(shown: dict | None) -> None:
    if shown is None:
        return
    from landrules.core import fields

    print("图上事实（--parcels）：")
    for name, value in shown.items():
        spec = fields.BY_NAME[name]
        text = f"{value:.2%}" if isinstance(value, float) and name.endswith("ratio") else fields.display(spec, value)
        print(f"  {spec.zh}（{name}）：{text}")


def _print_explanation(rulebook, row: int, decision, trace) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from landrules.core import fields
    from landrules.decide.explain import RESULT_ZH, STATUS_ZH

    out = Console(highlight=False)
    out.print(f"[bold]宗地 {escape(str(decision.parcel_id))}[/]（第 {row} 行） 评估日 {decision.as_of}  规则库 {decision.rulebook[:19]}…")
    labels = [rulebook.categories.get(c, c) for c in decision.categories]
    from landrules.decide.narrative import conclusion

    out.print(conclusion(rulebook, decision), markup=False, style="bold")
    out.print(f"类别：{'、'.join(labels) or '无'}")
    for o in decision.outcomes:
        line = f"• {o.label}"
        if o.deadline:
            line += f"  完成时限 {o.deadline}{'（已逾期）' if o.overdue else ''}"
        if o.responsible:
            line += f"  责任单位 {'、'.join(o.responsible)}"
        if o.needs:
            line += f"  需补充 {'、'.join(fields.BY_NAME[n].zh for n in o.needs)}"
        out.print(line, markup=False)
    for e in decision.errors:
        out.print(f"[red]错误[/] {escape(e)}")
    for n in decision.notes:
        out.print(f"备注：{n}", markup=False)
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
            out.print(f"{rulebook.policy.printed(f'{doc} {clause}')}{note}：{text}", markup=False)
    out.print(conclusion(rulebook, decision), markup=False, style="bold")
