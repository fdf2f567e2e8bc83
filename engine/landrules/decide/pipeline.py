"""`decide` on a whole ledger: read chunk by chunk, validate, decide, write — nothing half-written.

Memory stays bounded by the chunk size whatever the ledger's length; the output is written to
a temporary file beside the target and moved into place only when every row is in it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, TextIO

import numpy as np

from landrules.decide.as_of import frame_as_of
from landrules.decide.batch import LedgerDecider
from landrules.decide.column_report import ColumnReport, column_report
from landrules.decide.engines import AUTO_DURABLE_MAX_ROWS
from landrules.ledger.write.background import BackgroundWriter, ahead
from landrules.ledger.columns.column_map import ColumnMap
from landrules.ledger.validate.prepare import prepare_chunk
from landrules.ledger.read.reader import CHUNK_ROWS, open_ledger
from landrules.ledger.validate.seen_ids import SeenIds
from landrules.ledger.write.base import DecisionWriter, refuse_inputs
from landrules.decide.outputs import open_writer
from landrules.geo.join import MapFacts, MapInputs, apply_map, load_map
from landrules.ledger.write.base import Labels
from landrules.rulebook.model import Rulebook
from landrules.core.summary import Summary


@dataclass
class RunResult:
    summary: Summary
    engine: str
    seconds: float
    columns: ColumnReport = field(default_factory=ColumnReport)


class ColumnsError(Exception):
    """`--strict-columns` and a look-alike or missing column: nothing decided (one line)."""


def totals_line(summary: Summary) -> str | None:
    if not summary.totals:
        return None
    shown = "、".join(str(r) for r in summary.total_rows[:10]) + ("…" if summary.totals > 10 else "")
    return f"合计行 {summary.totals} 行（未计入）: 第 {shown} 行"


def choose_engine(engine: str, small_ledger: bool, first_chunk_rows: int) -> str:
    """`auto`: the durable-rules reference for small ledgers, the vectorised backend above."""
    if engine != "auto":
        return engine
    return "durable" if small_ledger and first_chunk_rows <= AUTO_DURABLE_MAX_ROWS else "vectorized"


def decide_ledger(
    ledger_path: Path,
    output: Path | None,
    rulebook: Rulebook,
    as_of: dt.date,
    engine: str = "auto",
    sheet: str | None = None,
    progress: Callable[[int], None] | None = None,
    stdout: TextIO | None = None,
    chunk_rows: int = CHUNK_ROWS,
    row_offset: int = 0,
    first_seen: dict[str, int] | None = None,
    columns: ColumnMap | None = None,
    strict_columns: bool = False,
    report: Callable[[list[str]], None] | None = None,
    open_output: Callable[..., DecisionWriter] | None = None,
    map_inputs: MapInputs | None = None,
) -> RunResult:
    """Decide every row of a ledger into `output` (JSONL on `stdout` when None).

    `progress(n)` is called after each chunk of n rows; a `progress` that has `finishing(text)`
    is told, before the output is completed, what is being written (the workbook's other sheets).

    Before deciding, `report` gets the column report's lines (notices, look-alike columns,
    needed fields without a column); with `strict_columns` any look-alike or missing field
    raises ColumnsError and nothing is decided. `open_output(path, headers, labels, names)`
    makes the writer (default: by extension, `decide.outputs.open_writer`); the report passes its own.

    `map_inputs` (`--parcels` …): the boundary file's facts are joined onto every chunk before
    deciding (`geo/join.py`), and the .gpkg / .geojson writers take the shapes.

    A ledger that is one part of a larger one (a file of a Parquet dataset) numbers its rows
    from `row_offset` on and takes `first_seen` (parcel id → row) from the parts before it, so
    that its decisions, messages included, are those of the whole ledger.

    Raises LedgerError / OutputError (also when `output` is the ledger itself); on any error
    or interruption the output file is not created (a partial temporary file is removed).
    JSONL on `stdout` is flushed chunk by chunk, so a closed pipe (`| head`) raises
    BrokenPipeError here, before any summary could claim the rows were written.
    """
    started = time.perf_counter()
    if output is not None:
        refuse_inputs(output, [ledger_path])
    ledger = open_ledger(ledger_path, sheet, chunk_rows=chunk_rows, resolver=columns.resolver() if columns else None)
    chunks = iter(ledger.chunks)
    first = next(chunks, None)
    checked = column_report(rulebook, ledger.headers, ledger.names, None if first is None else first.frame, ledger.notices,
                            columns.not_fields() if columns else set())
    on_map = _load_map(map_inputs, rulebook, as_of, first)
    if on_map is not None:
        checked.notices += on_map.geo.notices
    if report is not None:
        report(checked.lines())
    if strict_columns and checked.problems:
        raise ColumnsError(f"--strict-columns: {checked.problems} 处列问题（见上），未作任何决定")
    values = columns.values if columns else {}
    headers = dict(zip(ledger.names, ledger.headers))
    chosen = choose_engine(engine, ledger.small, 0 if first is None else len(first.frame))
    decider = LedgerDecider(rulebook, chosen, as_of)
    writer = None
    if output is not None:
        labels = Labels.of(rulebook, as_of)
        if open_output is None:
            writer = open_writer(output, ledger.headers, labels, ledger.names, shapes=on_map.geo if on_map else None)
        else:
            extra = {"shapes": on_map.geo} if on_map is not None else {}  # only map-aware faces pass map_inputs
            writer = open_output(output, ledger.headers, labels, ledger.names, **extra)
        if getattr(writer, "in_background", False):
            writer = BackgroundWriter(writer)
    with_json = output is None or output.suffix.lower() == ".jsonl"
    seen = SeenIds.of(first_seen or {})
    try:
        for chunk in _chain(first, ahead(chunks)):
            rows, errors = chunk.rows, chunk.errors
            if row_offset:
                rows = [r + row_offset for r in rows]
                errors = {r + row_offset: e for r, e in errors.items()} if errors else errors
            prepared = prepare_chunk(chunk.frame, rows, seen, values, headers, reader_errors=errors)
            parsed = prepared.parsed
            apply_map(parsed, on_map)  # 符合国土空间规划 is then derived by the decider
            decider.summary.total_rows += prepared.totals
            decided = decider.decide(parsed, with_json=with_json)
            if writer is None:
                write_all(stdout or sys.stdout, decided.jsonl.blocks())
            else:
                writer.write(prepared.frame.set_axis(ledger.headers, axis=1), decided.columns, decided.jsonl, decided.parsed)
            if progress:
                progress(parsed.n)
        summary = decider.summary
        summary.notices = [*checked.lines(), *checked.counted(summary), *filter(None, [totals_line(summary)])]
        if writer is not None:
            finishing = getattr(progress, "finishing", None)  # the command line's progress line says so
            if finishing is not None:
                finishing(f"正在写出 {output.name}…")
            writer.commit(summary)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    return RunResult(decider.summary, chosen, time.perf_counter() - started, checked)


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


def _load_map(inputs: MapInputs | None, rulebook: Rulebook, as_of: dt.date, first) -> MapFacts | None:
    """The boundary file's facts; the first chunk's ids pick the id field when several could be it."""
    if inputs is None:
        return None
    ids = None
    if first is not None and "parcel_id" in first.frame.columns:
        ids = set(first.frame["parcel_id"].dropna().astype(str).str.strip()) - {""}
    return load_map(inputs, rulebook, as_of, ids)


def _chain(first, rest):
    if first is not None:
        yield first
    yield from rest


@dataclass
class FoundParcel:
    row: int
    facts: dict | None  # None when the row is invalid
    errors: list[str]
    notes: list[str] = field(default_factory=list)


def find_parcel(
    ledger_path: Path, parcel_id: str, sheet: str | None = None, as_of: dt.date | None = None,
    columns: ColumnMap | None = None, on_map: MapFacts | None = None, plan_limit: float | None = None,
) -> FoundParcel | None:
    """The first row of a ledger with this 宗地编号, validated as `decide` would (duplicates of
    earlier rows included), reading chunk by chunk and stopping there; with `on_map`, the
    map's facts joined as `decide` joins them, and with `plan_limit` 符合国土空间规划 derived; with `as_of`, its facts
    as they stood on that date, as `decide` sees them (later events set aside, and noted)."""
    ledger = open_ledger(ledger_path, sheet, resolver=columns.resolver() if columns else None)
    seen = SeenIds()
    values = columns.values if columns else {}
    headers = dict(zip(ledger.names, ledger.headers))
    for chunk in ledger.chunks:
        parsed = prepare_chunk(chunk.frame, chunk.rows, seen, values, headers, reader_errors=chunk.errors).parsed
        apply_map(parsed, on_map, plan_limit)
        if as_of is not None:
            parsed = frame_as_of(parsed, as_of)
        hits = np.flatnonzero(parsed.parcel_ids == parcel_id)
        if len(hits):
            i = int(hits[0])
            errors = parsed.errors.get(i, [])
            notes = list(parsed.notes.get(i, ()))
            return FoundParcel(parsed.rows[i], None if errors else parsed.facts(i), list(errors), notes)
    return None
