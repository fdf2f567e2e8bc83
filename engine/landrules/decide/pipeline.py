"""`decide` on a whole ledger: read chunk by chunk, validate, decide, write — nothing half-written.

Memory stays bounded by the chunk size whatever the ledger's length; the output is written to
a temporary file beside the target and moved into place only when every row is in it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from landrules.core.summary import Summary
from landrules.decide.as_of import frame_as_of
from landrules.decide.batch import LedgerDecider
from landrules.decide.column_report import ColumnReport, column_report
from landrules.decide.engines import AUTO_DURABLE_MAX_ROWS
from landrules.decide.outputs import open_writer
from landrules.geo.join import MapFacts, MapInputs, apply_map, load_map
from landrules.ledger.columns.column_map import ColumnMap
from landrules.ledger.columns.units import HA_NOTE
from landrules.ledger.read.reader import CHUNK_ROWS, open_ledger
from landrules.ledger.validate.cells import CellError, parse_cell
from landrules.ledger.validate.frame import ParsedFrame
from landrules.ledger.validate.prepare import prepare_chunk
from landrules.ledger.validate.seen_ids import SeenIds
from landrules.ledger.write.background import BackgroundWriter, ahead
from landrules.ledger.write.base import DecisionWriter, Labels, refuse_inputs
from landrules.rulebook.model import Rulebook


@dataclass
class RunResult:
    summary: Summary
    engine: str
    seconds: float
    columns: ColumnReport = field(default_factory=ColumnReport)
    invalid: list[tuple[int, list[str]]] = field(default_factory=list)  # (file row, errors), the first INVALID_KEPT


INVALID_KEPT = 1000  # invalid rows whose reasons the command line can show


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
    report: Callable[[ColumnReport], None] | None = None,
    open_output: Callable[..., DecisionWriter] | None = None,
    on_chunk: Callable[..., None] | None = None,
    map_inputs: MapInputs | None = None,
) -> RunResult:
    """Decide every row of a ledger into `output` (JSONL on `stdout` when None).

    `progress(n)` is called after each chunk of n rows; a `progress` that has `finishing(text)`
    is told, before the output is completed, what is being written (the workbook's other sheets).

    Before deciding, `report` gets the column report (`ColumnReport`: recognised, ignored and
    look-alike columns, needed fields without a column, rows without id in the first chunk); with `strict_columns` any look-alike or missing field
    raises ColumnsError and nothing is decided. `open_output(path, headers, labels, names)`
    makes the writer (default: by extension, `decide.outputs.open_writer`); the report passes its own.
    `on_chunk(cells, decided, headers)` gets each chunk's input cells (a DataFrame, columns by
    field name), its DecidedChunk, JSON lines included, and the ledger's headers (the record of
    runs, `decide --record`).

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
    values = columns.values if columns else {}
    headers = dict(zip(ledger.names, ledger.headers))
    seen = SeenIds.of(first_seen or {})

    def prepare(chunk):
        rows, errors = chunk.rows, chunk.errors
        if row_offset:
            rows = [r + row_offset for r in rows]
            errors = {r + row_offset: e for r, e in errors.items()} if errors else errors
        return prepare_chunk(chunk.frame, rows, seen, values, headers, reader_errors=errors)

    first_prepared = None if first is None else prepare(first)
    if first_prepared is not None:
        checked.no_id, checked.no_id_partial = list(first_prepared.no_id), not ledger.small
    if report is not None:
        report(checked)
    if strict_columns and checked.problems:
        raise ColumnsError(f"--strict-columns: {checked.problems} 处列问题（见上），未作任何决定")
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
    with_json = output is None or output.suffix.lower() == ".jsonl"  # on_chunk (the record) takes tails, not lines
    invalid: list[tuple[int, list[str]]] = []
    try:
        for prepared in _chain(first_prepared, (prepare(chunk) for chunk in ahead(chunks))):
            parsed = prepared.parsed
            apply_map(parsed, on_map)  # 符合国土空间规划 is then derived by the decider
            if parsed.errors and len(invalid) < INVALID_KEPT:
                invalid += [(parsed.rows[i], list(e)) for i, e in parsed.errors.items()][: INVALID_KEPT - len(invalid)]
            decider.summary.total_rows += prepared.totals
            decider.summary.footer_rows += prepared.footers
            decider.summary.no_id_rows += prepared.no_id
            decided = decider.decide(parsed, with_json=with_json, with_tails=on_chunk is not None)
            if writer is None:
                write_all(stdout or sys.stdout, decided.jsonl.blocks())
            else:
                writer.write(prepared.frame.set_axis(ledger.headers, axis=1), decided.columns, decided.jsonl, decided.parsed)
            if on_chunk is not None:
                on_chunk(prepared.frame, decided, ledger.headers)
            if progress:
                progress(parsed.n)
        summary = decider.summary
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
    return RunResult(decider.summary, chosen, time.perf_counter() - started, checked, invalid)


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
        ids = set(first.frame["parcel_id"].dropna().astype(str).str.strip().tolist()) - {""}  # tolist: not cell by cell
    return load_map(inputs, rulebook, as_of, ids)


def _chain(first, rest):
    if first is not None:
        yield first
    yield from rest


_ROW_NAME = re.compile(r"第\s*(\d+)\s*行")
_DIGITS = re.compile(r"\d+")


def id_key(text: str) -> str:
    """An id as a person may mistype it: case, width, spaces and leading zeros of numbers
    ignored (SL-12, sl-012 and ＳＬ-０１２ are one key)."""
    text = unicodedata.normalize("NFKC", str(text)).strip().upper().replace(" ", "")
    return _DIGITS.sub(lambda m: str(int(m.group(0))), text)


def similar_ids(ledger_path: Path, parcel_id: str, sheet: str | None = None, columns: ColumnMap | None = None,
                limit: int = 3) -> list[str]:
    """Ids of the ledger that the one asked for may have meant: the same `id_key` first (SL-012
    for SL-12), else the closest by spelling (difflib) among the first 200 000 ids."""
    import difflib

    ledger = open_ledger(ledger_path, sheet, resolver=columns.resolver() if columns else None)
    wanted, same, pool = id_key(parcel_id), [], []
    for chunk in ledger.chunks:
        if "parcel_id" not in chunk.frame:
            return []
        for value in chunk.frame["parcel_id"].tolist():
            if not isinstance(value, str) and value is not None and value == value:
                value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            if not isinstance(value, str) or not value.strip():
                continue
            if id_key(value) == wanted and value not in same:
                same.append(value)
            elif len(pool) < 200_000:
                pool.append(value)
    if same:
        return same[:limit]
    return difflib.get_close_matches(parcel_id, list(dict.fromkeys(pool)), n=limit, cutoff=0.75)


@dataclass
class FoundParcel:
    row: int
    facts: dict | None  # None when the row is invalid
    errors: list[str]
    notes: list[str] = field(default_factory=list)
    parsed: ParsedFrame | None = None  # the row alone, as read (before the evaluation date)


def decide_found(rulebook: Rulebook, found: FoundParcel, as_of: dt.date, parcel_id: str | None):
    """The decision of a found row as `decide` makes it, or None when the row's own facts make
    it (the common case): a row with a date given only to the month is decided over its span
    (`month_spans`), as the ledger's decisions are."""
    if found.parsed is None or not found.parsed.spans or found.facts is None:
        return None
    from landrules.core.decision import Decision

    decided = LedgerDecider(rulebook, "durable", as_of).decide(found.parsed, with_json=True)
    decision = Decision.model_validate_json(b"".join(decided.jsonl.blocks()).decode("utf-8").strip())
    return decision.model_copy(update={"parcel_id": parcel_id})


def find_parcel(
    ledger_path: Path, parcel_id: str, sheet: str | None = None, as_of: dt.date | None = None,
    columns: ColumnMap | None = None, on_map: MapFacts | None = None, plan_limit: float | None = None,
) -> FoundParcel | None:
    """The first row of a ledger with this 宗地编号 — or, written `第12行`, the row without an id
    that the decisions name so — validated as `decide` would (duplicates of earlier rows
    included), reading chunk by chunk and stopping there; with `on_map`, the map's facts
    joined as `decide` joins them, and with `plan_limit` 符合国土空间规划 derived; with `as_of`, its facts as they stood
    on that date, as `decide` sees them (later events set aside, and noted)."""
    ledger = open_ledger(ledger_path, sheet, resolver=columns.resolver() if columns else None)
    seen = SeenIds()
    values = columns.values if columns else {}
    headers = dict(zip(ledger.names, ledger.headers))
    named = _ROW_NAME.fullmatch(parcel_id.strip())
    by_row = int(named.group(1)) if named else None
    for chunk in ledger.chunks:
        parsed = prepare_chunk(chunk.frame, chunk.rows, seen, values, headers, reader_errors=chunk.errors).parsed
        apply_map(parsed, on_map, plan_limit)
        raw = parsed
        if as_of is not None:
            parsed = frame_as_of(parsed, as_of)
        hits = np.flatnonzero(parsed.parcel_ids == parcel_id)
        if not len(hits) and by_row is not None:  # 第12行: a parcel without an id, by its row
            hits = np.flatnonzero((np.asarray(parsed.rows) == by_row) & pd.isna(parsed.parcel_ids))
        if len(hits):
            i = int(hits[0])
            errors = parsed.errors.get(i, [])
            notes = list(parsed.notes.get(i, ()))
            if not errors and "area_ha" in ledger.names and "area_mu" not in ledger.names:
                notes.insert(0, HA_NOTE)  # a whole ledger says it once (column report); one parcel says it itself
            repeats = [parsed.rows[int(j)] for j in hits[1:]] + (_later_rows(ledger.chunks, parcel_id) if by_row is None else [])
            if repeats and by_row is None:  # decide takes them as invalid (a repeated id): explain says so
                shown = "、".join(f"第{r}行" for r in repeats[:10]) + (f" 等 {len(repeats)} 行" if len(repeats) > 10 else "")
                notes.append(f"宗地编号 {parcel_id} 在台账中再次出现于{shown}：决策时这些行作为重复编号记为无效，"
                             f"此处按首次出现的第{parsed.rows[i]}行说明")
            alone = None
            if raw.spans:
                alone = ParsedFrame(1, [raw.rows[i]], {k: v[i:i + 1] for k, v in raw.columns.items()},
                                    notes={0: raw.notes[i]} if i in raw.notes else {},
                                    spans={k: v[i:i + 1] for k, v in raw.spans.items()})
            return FoundParcel(parsed.rows[i], None if errors else parsed.facts(i), list(errors), notes, alone)
    return None


def _later_rows(chunks, parcel_id: str) -> list[int]:
    """The file rows of the remaining chunks whose 宗地编号 cell reads `parcel_id` (the id
    column only, compared as text: no validation of the rest)."""
    out: list[int] = []
    for chunk in chunks:
        if "parcel_id" not in chunk.frame.columns:
            return out
        ids = chunk.frame["parcel_id"]
        texts = [_id_text(v) for v in ids.tolist()]
        out += [chunk.rows[j] for j, text in enumerate(texts) if text == parcel_id]
    return out


def _id_text(value) -> str | None:
    if isinstance(value, str):
        return value.strip()
    try:
        return parse_cell("parcel_id", value)
    except CellError:
        return None
