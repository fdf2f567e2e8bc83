"""`decide` on a whole ledger: the chunk loop's decisions written — nothing half-written.

Memory stays bounded by the chunk size whatever the ledger's length; the output is written to
a temporary file beside the target and moved into place only when every row is in it.
"""

from __future__ import annotations

import codecs
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from landrules.core.summary import Summary
from landrules.decide.chunks import INVALID_KEPT, ChunkLoop
from landrules.decide.column_report import ColumnReport
from landrules.decide.options import RunOptions
from landrules.decide.outputs import open_writer
from landrules.ledger.write.background import BackgroundWriter
from landrules.ledger.write.base import DecisionWriter, Labels, refuse_inputs

__all__ = ["RunResult", "ColumnsError", "decide_ledger", "write_all", "after_lines", "totals_line", "INVALID_KEPT"]


@dataclass
class RunResult:
    summary: Summary
    engine: str
    seconds: float
    columns: ColumnReport = field(default_factory=ColumnReport)
    invalid: list[tuple[int, list[str]]] = field(default_factory=list)  # (file row, errors), the first INVALID_KEPT


class ColumnsError(Exception):
    """`--strict-columns` and a look-alike or missing column: nothing decided (one line)."""


def _rows_shown(rows: list[int], limit: int = 10) -> str:
    return "、".join(str(r) for r in rows[:limit]) + ("…" if len(rows) > limit else "")


def totals_line(summary: Summary) -> str | None:
    """The rows set aside as not parcels: 合计 rows and footer rows (填表人：…), one line."""
    parts = []
    if summary.totals:
        parts.append(f"合计行 {summary.totals} 行（未计入）: 第 {_rows_shown(summary.total_rows)} 行")
    if summary.footer_rows:
        parts.append(f"表尾行 {len(summary.footer_rows)} 行（填表人、审核人等，未计入）: 第 {_rows_shown(summary.footer_rows)} 行")
    return "；".join(parts) or None


def after_lines(summary: Summary) -> list[str]:
    """What the summary says once every row is read: rows without id, rows set aside."""
    return [line for line in (no_id_line(summary), totals_line(summary)) if line]


def no_id_line(summary: Summary) -> str | None:
    """The rows decided without a 宗地编号 (named by their row), one line."""
    if not summary.no_id_rows:
        return None
    return f"无宗地编号 {len(summary.no_id_rows)} 行（按行号标识，照常决策）: 第 {_rows_shown(summary.no_id_rows)} 行"


def decide_ledger(
    ledger_path: Path,
    output: Path | None,
    options: RunOptions,
    *,
    progress: Callable[[int], None] | None = None,
    report: Callable[[ColumnReport], None] | None = None,
    on_chunk: Callable[..., None] | None = None,
    open_output: Callable[..., DecisionWriter] | None = None,
    stdout: TextIO | None = None,
) -> RunResult:
    """Decide every row of a ledger (`options`: rulebook, date, engine, sheet, column map, map
    inputs, chunk size) into `output` (JSONL on `stdout` when None): the writers' consumer of
    the chunk loop (`chunks.ChunkLoop.decided`).

    `progress(n)` is called after each chunk of n rows; a `progress` that has `finishing(text)`
    is told, before the output is completed, what is being written (the workbook's other sheets).

    Before deciding, `report` gets the column report (`ColumnReport`: recognised, ignored and
    look-alike columns, needed fields without a column, rows without id in the first chunk); with
    `options.strict_columns` any look-alike or missing field raises ColumnsError and nothing is
    decided. `open_output(path, headers, labels, names)` makes the writer (default: by extension,
    `decide.outputs.open_writer`); the report passes its own. `on_chunk(cells, decided, headers)`
    gets each chunk's input cells (a DataFrame, columns by field name), its DecidedChunk, JSON
    lines included unless `on_chunk.wants_json` is False, and the ledger's headers (the record
    of runs, `decide --record`; the workbench's table).

    With `options.map_inputs` (`--parcels` …) the boundary file's facts are joined onto every
    chunk before deciding (`geo/join.py`), and the .gpkg / .geojson writers take the shapes.

    Raises LedgerError / OutputError (also when `output` is the ledger itself); on any error
    or interruption the output file is not created (a partial temporary file is removed).
    JSONL on `stdout` is flushed chunk by chunk, so a closed pipe (`| head`) raises
    BrokenPipeError here, before any summary could claim the rows were written.
    """
    started = time.perf_counter()
    if output is not None:
        refuse_inputs(output, [ledger_path])
    loop = ChunkLoop.open(ledger_path, options)
    checked = loop.column_report()
    if report is not None:
        report(checked)
    if options.strict_columns and checked.problems:
        raise ColumnsError(f"--strict-columns: {checked.problems} 处列问题（见上），未作任何决定")
    writer = None
    if output is not None:
        labels = Labels.of(options.rulebook, options.as_of)
        shapes = {"shapes": loop.map.geo} if loop.map is not None else {}  # only map-aware faces pass map_inputs
        writer = (open_output or open_writer)(output, loop.headers, labels, loop.names, **shapes)
        if getattr(writer, "in_background", False):
            writer = BackgroundWriter(writer)
    with_json = (output is None or output.suffix.lower() == ".jsonl"
                 or (on_chunk is not None and getattr(on_chunk, "wants_json", True)))
    try:
        for chunk in loop.decided(with_json=with_json, with_tails=on_chunk is not None):
            decided = chunk.decision
            if writer is None:
                write_all(stdout or sys.stdout, decided.jsonl.blocks())
            else:
                writer.write(chunk.cells.set_axis(loop.headers, axis=1), decided.columns, decided.jsonl, decided.parsed)
            if on_chunk is not None:
                on_chunk(chunk.cells, decided, loop.headers)
            if progress:
                progress(chunk.prepared.parsed.n)
        summary = loop.summary
        summary.notices = [*checked.lines(), *checked.counted(summary), *after_lines(summary)]
        if writer is not None:
            finishing = getattr(progress, "finishing", None)  # the command line's progress line says so
            if finishing is not None:
                finishing(f"正在写出 {output.name}…")
            writer.commit(summary)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    return RunResult(summary, loop.engine, time.perf_counter() - started, checked, loop.invalid)


def write_all(stream: TextIO, blocks: Iterable[bytes]) -> None:
    """Write UTF-8 `blocks` to a text stream and flush it, all of it or an OSError (BrokenPipeError).

    An unbuffered stdout (`python -u`, PYTHONUNBUFFERED) is a raw file whose write() may take
    only part of the data when the reader goes away, and TextIOWrapper ignores the rest: the
    bytes are written here in a loop until every one is taken."""
    raw = getattr(stream, "buffer", None)
    if raw is None:  # a StringIO, a test's capture
        for block in blocks:
            stream.write(block.decode("utf-8"))
        stream.flush()
        return
    stream.flush()
    encoding = getattr(stream, "encoding", None) or "utf-8"
    recode = codecs.lookup(encoding).name != "utf-8"
    for block in blocks:
        if recode:
            block = block.decode("utf-8").encode(encoding, errors=getattr(stream, "errors", None) or "strict")
        view = memoryview(block)
        while view:
            n = raw.write(view)
            if n is None:  # a non-blocking stream that cannot take data now
                raise BlockingIOError("stdout would block")
            view = view[n:]
    raw.flush()
