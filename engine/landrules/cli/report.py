"""`landrules report`: the officers' bulletin (季度通报) of a decided ledger."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import (
    AsOfOpt,
    BoundaryOpt,
    ColumnsOpt,
    ParcelsIdOpt,
    ParcelsOpt,
    PlanOpt,
    PolicyOpt,
    RulesOpt,
    SheetOpt,
    app,
    as_of_date,
    as_of_line,
    check_engine,
    fail,
    load_checked_rulebook,
    load_columns,
    map_inputs,
)
from landrules.cli.progress import report_columns
from landrules.cli.record.options import LabelOpt, RecordOpt, StoreOpt, find_run


@app.command(
    epilog="退出码 / exit: 0 全部决策 all decided · 1 已写出但有无效行 written, some rows invalid · "
    "2 未写出 nothing written.  例 / example: landrules report examples/shilong-ledger.csv --as-of 2021-10-01 -o 通报.pdf ; "
    "landrules report --run 2022Q1 --since 2021Q4 -o 通报.pdf",
)
def report(
    ledger: Optional[Path] = typer.Argument(
        None, readable=False, metavar="[LEDGER]",
        help="台账 / ledger: .csv .txt .xlsx .xlsm .xls .et .ods .parquet (or --run: a recorded run instead)"),
    output: Path = typer.Option(..., "-o", "--output", help="输出 / output: .xlsx .html .pdf"),
    as_of: Optional[str] = AsOfOpt,
    sheet: Optional[str] = SheetOpt,
    engine: str = typer.Option("auto", "--engine", help="引擎 / engine: auto, durable or vectorized (as decide)"),
    columns: Optional[Path] = ColumnsOpt,
    since: Optional[str] = typer.Option(None, "--since", help="本季进展 / add progress since this recorded run (id or label)"),
    run: Optional[str] = typer.Option(
        None, "--run", help="按记录出通报 / the bulletin of this recorded run (id or label), from the store alone: no LEDGER"),
    record: bool = RecordOpt,
    label: Optional[str] = LabelOpt,
    store: Optional[Path] = StoreOpt,
    parcels: Optional[Path] = ParcelsOpt,
    boundary: Optional[Path] = BoundaryOpt,
    plan: Optional[Path] = PlanOpt,
    parcels_id: Optional[str] = ParcelsIdOpt,
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """季度通报：汇总、图表、逾期事项、一宗一策、公布清单。The bulletin: figures, charts, overdue items, 一宗一策."""
    import sys

    from landrules.decide.options import RunOptions
    from landrules.decide.pipeline import decide_ledger
    from landrules.ledger.read.reader import LedgerError
    from landrules.ledger.write.base import OutputError
    from landrules.report.writer import report_format, report_writer

    try:
        report_format(output)
    except OutputError as exc:
        raise fail(str(exc)) from None
    if run is not None:
        given = [name for name, value in (("LEDGER", ledger), ("--as-of", as_of), ("--sheet", sheet), ("--columns", columns),
                                          ("--record", record or None), ("--label", label), ("--parcels", parcels),
                                          ("--rules", rules), ("--policy", policy), ("--engine", None if engine == "auto" else engine))
                 if value is not None]
        if given:
            raise fail(f"--run 按记录出通报（该期的台账行、决策、评估日与规则库都取自记录库），不能再给 {'、'.join(given)}")
        from landrules.cli.record.report_run import report_of_run

        report_of_run(run, since, output, store)
        return
    if ledger is None:
        raise fail("缺少台账 LEDGER：给出台账文件，或用 --run 指定一期已记录的台账")
    when = as_of_date(as_of)
    check_engine(engine)
    column_map = load_columns(columns)
    rulebook = load_checked_rulebook(rules, policy)
    on_map = map_inputs(parcels, boundary, plan, parcels_id)
    from landrules.geo.layer import GeoError

    recording, progress = None, None
    if since is not None or record:
        from landrules.cli.record.decide_record import Recording

        recording = Recording.start(store, ledger, when, label, rulebook, engine, columns, sheet)
    if since is not None:
        progress = _progress_since(recording, find_run(recording.store, since), rulebook)
    from landrules.record.store import StoreError

    try:
        with recording or nullcontext():  # without --record, the run compared is rolled back: nothing stays
            options = RunOptions(rulebook, when, engine=engine, sheet=sheet, columns=column_map, map_inputs=on_map)
            result = decide_ledger(ledger, output, options,
                                   report=lambda checked: report_columns(as_of_line(as_of, when), checked),
                                   open_output=report_writer(ledger.name, progress),
                                   on_chunk=None if recording is None else recording.add)
            if recording is not None and record:
                recording.finish(result, output)
    except GeoError as exc:
        raise fail(str(exc)) from None
    except StoreError as exc:
        raise fail(str(exc)) from None
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


def _progress_since(recording, since_run, rulebook):
    """The writer's 本季进展: this run, written into the open transaction, compared with `since_run`."""

    def tables(summary):
        from landrules import __version__
        from landrules.record.progress import compare
        from landrules.report.progress_tables import progress_tables

        current = recording.recorder.write_run(summary, __version__)
        return progress_tables(compare(recording.store, since_run, current), rulebook.outcomes)

    return tables
