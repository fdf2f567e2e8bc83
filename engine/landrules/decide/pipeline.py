"""`decide` on a whole ledger: read chunk by chunk, validate, decide, write — nothing half-written.

Memory stays bounded by the chunk size whatever the ledger's length; the output is written to
a temporary file beside the target and moved into place only when every row is in it.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

import numpy as np

from landrules.decide.batch import LedgerDecider
from landrules.decide.engines import AUTO_DURABLE_MAX_ROWS
from landrules.ledger.frame import parse_frame
from landrules.ledger.read import CHUNK_ROWS, open_ledger
from landrules.ledger.write import Labels, open_writer
from landrules.rulebook.model import Rulebook
from landrules.summary import Summary


@dataclass
class RunResult:
    summary: Summary
    engine: str
    seconds: float


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
) -> RunResult:
    """Decide every row of a ledger into `output` (JSONL on `stdout` when None).

    A ledger that is one part of a larger one (a file of a Parquet dataset) numbers its rows
    from `row_offset` on and takes `first_seen` (parcel id → row) from the parts before it, so
    that its decisions, messages included, are those of the whole ledger.

    Raises LedgerError / OutputError; on any error or interruption the output file is not
    created (a partial temporary file is removed).
    """
    started = time.perf_counter()
    ledger = open_ledger(ledger_path, sheet, chunk_rows=chunk_rows)
    chunks = iter(ledger.chunks)
    first = next(chunks, None)
    chosen = choose_engine(engine, ledger.small, 0 if first is None else len(first.frame))
    decider = LedgerDecider(rulebook, chosen, as_of)
    writer = open_writer(output, ledger.headers, Labels.of(rulebook)) if output is not None else None
    with_json = output is None or output.suffix.lower() == ".jsonl"
    first_seen = {} if first_seen is None else first_seen
    try:
        for chunk in _chain(first, chunks):
            rows = [r + row_offset for r in chunk.rows] if row_offset else chunk.rows
            parsed = parse_frame(chunk.frame, rows, first_seen)
            decided = decider.decide(parsed, with_json=with_json)
            if writer is None:
                (stdout or sys.stdout).write("".join(line + "\n" for line in decided.jsonl))
            else:
                writer.write(chunk.frame.set_axis(ledger.headers, axis=1), decided.columns, decided.jsonl)
            if progress:
                progress(parsed.n)
        if writer is not None:
            writer.commit(decider.summary)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    return RunResult(decider.summary, chosen, time.perf_counter() - started)


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


def find_parcel(ledger_path: Path, parcel_id: str, sheet: str | None = None) -> FoundParcel | None:
    """The first row of a ledger with this 宗地编号, validated as `decide` would (duplicates of
    earlier rows included), reading chunk by chunk and stopping there."""
    ledger = open_ledger(ledger_path, sheet)
    first_seen: dict[str, int] = {}
    for chunk in ledger.chunks:
        parsed = parse_frame(chunk.frame, chunk.rows, first_seen)
        hits = np.flatnonzero(parsed.parcel_ids == parcel_id)
        if len(hits):
            i = int(hits[0])
            errors = parsed.errors.get(i, [])
            notes = list(parsed.notes.get(i, ()))
            return FoundParcel(parsed.rows[i], None if errors else parsed.facts(i), list(errors), notes)
    return None
