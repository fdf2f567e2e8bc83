"""`landrules decide`: every parcel of a ledger, decided, written, summarised."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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
    as_of_line,
    check_engine,
    check_output,
    fail,
    load_checked_rulebook,
    load_columns,
    map_inputs,
)
from landrules.cli.progress import print_summary, progress_line, report_columns, report_invalid
from landrules.cli.record.options import LabelOpt, RecordOpt, StoreOpt
from landrules.decide.engines import AUTO_DURABLE_MAX_ROWS


@app.command(
    epilog="退出码 / exit: 0 全部决策 all decided · 1 已写出但有无效行 written, some rows invalid · "
    "2 未决策 nothing decided (含 --strict-columns 发现列问题 incl. column problems under --strict-columns).  例 / example: landrules decide examples/shilong-ledger.csv --as-of 2021-10-01 -o decisions.xlsx",
)
def decide(
    ledger: Path = LedgerArg,
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="输出 / output: .jsonl .csv .xlsx .parquet .gpkg .geojson (default: JSONL on stdout)"
    ),
    as_of: Optional[str] = AsOfOpt,
    sheet: Optional[str] = SheetOpt,
    engine: str = typer.Option(
        "auto", "--engine",
        help=f"引擎 / engine: durable (the durable-rules reference), vectorized (numpy, for large ledgers) or auto "
        f"(durable up to {AUTO_DURABLE_MAX_ROWS} rows)",
    ),
    dask: Optional[str] = typer.Option(
        None, "--dask",
        help="在 Dask 集群上决策 Parquet 数据集 / decide a Parquet dataset (LEDGER a folder, -o a folder) on a "
        "Dask cluster: `local` or a scheduler address (needs landrules\\[dask])",  # \\[ : Rich markup would eat [dask]
    ),
    columns: Optional[Path] = ColumnsOpt,
    strict_columns: bool = typer.Option(
        False, "--strict-columns", help="列严格 / exit 2 if a column looks like a field but is not mapped, or a needed field has no column"
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="详细 / list every invalid row with its reasons"),
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
    """逐宗决策整本台账，汇总写到 stderr。Decide every parcel of a ledger; a summary goes to stderr."""
    if ledger.suffix.lower() in (".csv", ".txt") and dask is None:  # reader.CSV_SUFFIXES (not imported: pandas)
        from landrules.ledger.read.charset import check_ahead

        check_ahead(ledger)  # the whole file's UTF-8 check on a thread, while the imports below run
    on_map = map_inputs(parcels, boundary, plan, parcels_id)
    if (label or store) and not record:
        raise fail("--label 与 --store 需与 --record 一起使用")
    if dask is not None:
        if on_map is not None:
            raise fail("--parcels 暂不能与 --dask 一起使用")
        from landrules.cli.decide_dask import decide_on_dask

        decide_on_dask(ledger, output, dask, as_of_date(as_of), engine, load_checked_rulebook(rules, policy),
                       (store, label) if record else None)
        return
    from landrules.decide.options import RunOptions
    from landrules.decide.pipeline import ColumnsError, decide_ledger
    from landrules.geo.layer import GeoError
    from landrules.ledger.read.reader import LedgerError
    from landrules.ledger.write.base import OutputError

    store_errors: tuple[type[Exception], ...] = ()  # duckdb is imported only to record the run
    if record:
        from landrules.record.store import StoreError

        store_errors = (StoreError,)
    when = as_of_date(as_of)
    check_engine(engine)
    check_output(output)
    column_map = load_columns(columns)
    rulebook = load_checked_rulebook(rules, policy)
    options = RunOptions(rulebook, when, engine=engine, sheet=sheet, columns=column_map, strict_columns=strict_columns,
                         map_inputs=on_map)
    recording = nullcontext()
    if record:
        from landrules.cli.record.decide_record import Recording

        recording = Recording.start(store, ledger, when, label, rulebook, engine, columns, sheet)
    try:
        with recording as recorder, progress_line() as advance, _old_objects_left_alone():  # a run not finished is rolled back: nothing of it stays
            result = decide_ledger(
                ledger, output, options, progress=advance,
                report=lambda checked: report_columns(as_of_line(as_of, when), checked),
                on_chunk=None if recorder is None else recorder.add,
            )
            if recorder is not None:
                recorder.finish(result, output)
    except GeoError as exc:
        raise fail(f"{exc}（未作决策）") from None
    except store_errors as exc:
        raise fail(str(exc)) from None
    except ColumnsError as exc:
        raise fail(str(exc)) from None
    except LedgerError as exc:
        raise fail(f"{exc}（未写出输出文件）" if output else str(exc)) from None
    except OutputError as exc:
        raise fail(str(exc)) from None
    except BrokenPipeError:
        raise _closed_pipe() from None
    except OSError as exc:
        raise fail(f"无法写出 {output or '标准输出'}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        raise fail("已中断，未写出输出文件", code=130) from None
    print_summary(rulebook, result, output)
    report_invalid(result.invalid, result.summary.invalid, verbose)
    raise typer.Exit(1 if result.summary.invalid else 0)


# the young generation's threshold while a ledger is decided (Python's default: 700)
_YOUNG = 7000


@contextmanager
def _old_objects_left_alone() -> Iterator[None]:
    """Python's cycle collector told to leave alone what the command set up before deciding.

    The imports and the rulebook are some 90 000 objects that live as long as the process, and
    every full collection walked them again, holding the interpreter lock that the reading,
    deciding and writing threads share (0.3–0.4 CPU s a million rows, most of the collector's
    time). They are frozen (`gc.freeze`: left out of collections while the run lasts) and the
    young generation is collected less often, so full collections come rarer; both are undone
    afterwards (the command may run inside a test's process; one that froze its own objects
    already is left so). Cycles made while deciding are collected as before."""
    threshold = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(max(_YOUNG, threshold[0]), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()


def _closed_pipe() -> typer.Exit:
    """stdout's reader went away (`| head`): say so in one line and exit 141 (128 + SIGPIPE),
    as Unix tools do; the rest of the output is discarded, so nothing claims it was written."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
    except (OSError, ValueError):
        pass
    return fail("标准输出已关闭（读取方已退出，如 | head），决策结果未全部输出", code=141)
