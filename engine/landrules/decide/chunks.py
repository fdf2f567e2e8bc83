"""The one chunk loop: read → prepare → join the map → see on the date → decide, chunk by chunk.

Every face that reads a ledger's rows goes through `ChunkLoop`, so that each reads and decides a
ledger alike and memory stays bounded by the chunk size:

- `decide`, `report`, the workbench's exports and Dask's files write what `decided()` yields
  (`pipeline.decide_ledger`, the writers' one consumer; the workbench's table and the record of
  runs listen to it chunk by chunk through its `on_chunk`);
- `diff` and `replay --rules` decide each chunk under two rulebooks (`decided(rulebooks=…)`);
- `explain` (`find.find_parcel`) and the API look at `prepared()` chunks on the date
  (`as_of.on_the_date`) and stop at the parcel;
- `replay`, the API and Dask's partitions give rows they hold already as a `Ledger` of
  their own (`drop_totals=False`: those rows are parcels).

A new face opens a loop with its `RunOptions` (`ChunkLoop.open(path, options)`, or
`ChunkLoop(ledger, options)` for rows it holds) and consumes one of the two iterators.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from landrules.core.summary import Summary
from landrules.decide.batch import DecidedChunk, LedgerDecider
from landrules.decide.column_report import ColumnReport, column_report
from landrules.decide.engines import choose_engine
from landrules.decide.options import RunOptions
from landrules.geo.join import MapFacts, apply_map, load_map
from landrules.ledger.read.reader import Chunk, Ledger, open_ledger
from landrules.ledger.validate.prepare import Prepared, prepare_chunk
from landrules.ledger.validate.seen_ids import SeenIds
from landrules.ledger.write.background import ahead
from landrules.rulebook.model import Rulebook

INVALID_KEPT = 1000  # invalid rows whose reasons the command line can show


@dataclass
class RunChunk:
    """One chunk of a run: as read and validated, and as decided under each rulebook."""

    prepared: Prepared  # 合计 and footer rows out, the map's facts joined; before the evaluation date
    decided: tuple[DecidedChunk, ...] = ()  # one per rulebook, in the order given (`ChunkLoop.decided`)

    @property
    def cells(self) -> pd.DataFrame:
        """The chunk's raw cells (total rows out), columns by field name: what outputs carry."""
        return self.prepared.frame

    @property
    def decision(self) -> DecidedChunk:
        """The chunk decided under the run's rulebook (the first)."""
        return self.decided[0]


class ChunkLoop:
    """One ledger read for one run: its headers, column report and engine known at once, its
    chunks prepared (`prepared`) or decided (`decided`) one by one, each once."""

    def __init__(self, ledger: Ledger, options: RunOptions, *, drop_totals: bool = True,
                 map_ids: set[str] | None = None):
        """`drop_totals=False`: every row is a parcel (rows a face holds already, not a file).
        `map_ids`: the ids that pick the boundary file's id field (default: the first chunk's)."""
        self.ledger, self.options, self.drop_totals = ledger, options, drop_totals
        self._rest = iter(ledger.chunks)
        self._first: Chunk | None = next(self._rest, None)
        self._first_prepared: Prepared | None = None
        self._started = False
        self._report: ColumnReport | None = None
        self.seen = SeenIds.of(options.first_seen or {})
        self.by_name = dict(zip(ledger.names, ledger.headers))
        self.map: MapFacts | None = self._load_map(map_ids)
        self.engine = choose_engine(options.engine, ledger.small, 0 if self._first is None else len(self._first.frame))
        self.deciders: list[LedgerDecider] = []
        self.invalid: list[tuple[int, list[str]]] = []  # (file row, errors), the first INVALID_KEPT

    @classmethod
    def open(cls, path: Path, options: RunOptions, **kw) -> ChunkLoop:
        """Open the ledger file (LedgerError) as the options say: sheet, chunk size, column map."""
        return cls(open_ledger(path, options.sheet, chunk_rows=options.chunk_rows, resolver=options.resolver()),
                   options, **kw)

    @property
    def headers(self) -> list[str]:
        return self.ledger.headers

    @property
    def names(self) -> list[str]:
        return self.ledger.names

    @property
    def summary(self) -> Summary:
        """The run's tallies under its rulebook (once `decided` has run)."""
        return self.deciders[0].summary

    # -- before the first chunk ------------------------------------------------------------

    def column_report(self, rows: bool = True) -> ColumnReport:
        """What the ledger's columns leave out and what reading noticed, before deciding (contract
        §3); with `rows`, also the rows without 宗地编号 of the first chunk (which prepares it)."""
        if self._report is None:
            first = self._first
            self._report = column_report(self.options.rulebook, self.headers, self.names,
                                         None if first is None else first.frame, self.ledger.notices,
                                         self.options.not_fields)
            if self.map is not None:
                self._report.notices += self.map.geo.notices
        prepared = self._prepare_first() if rows else None
        if prepared is not None:
            self._report.no_id, self._report.no_id_partial = list(prepared.no_id), not self.ledger.small
        return self._report

    def _load_map(self, ids: set[str] | None) -> MapFacts | None:
        """The boundary file's facts; the first chunk's ids pick the id field when several could be it."""
        inputs = self.options.map_inputs
        if inputs is None:
            return None
        return load_map(inputs, self.options.rulebook, self.options.as_of, self.first_ids() if ids is None else ids)

    def first_ids(self) -> set[str] | None:
        """The first chunk's 宗地编号 (they pick a boundary file's id field), None without them."""
        first = self._first
        if first is None or "parcel_id" not in first.frame.columns:
            return None
        return set(first.frame["parcel_id"].dropna().astype(str).str.strip().tolist()) - {""}  # tolist: not cell by cell

    # -- the loop --------------------------------------------------------------------------

    def _prepare(self, chunk: Chunk) -> Prepared:
        rows, errors, offset = chunk.rows, chunk.errors, self.options.row_offset
        if offset:
            rows = [r + offset for r in rows]
            errors = {r + offset: e for r, e in errors.items()} if errors else errors
        return prepare_chunk(chunk.frame, rows, self.seen, self.options.values, self.by_name,
                             drop_totals=self.drop_totals, reader_errors=errors)

    def _prepare_first(self) -> Prepared | None:
        if self._first_prepared is None and self._first is not None:
            self._first_prepared = self._prepare(self._first)
        return self._first_prepared

    def prepared(self, read_ahead: bool = False) -> Iterator[Prepared]:
        """Each chunk once, in order: validated (`prepare_chunk`: total and footer rows out, the
        column map's spellings, units, ids repeated across chunks), its rows numbered from
        `row_offset`, the map's facts joined. With `read_ahead` the next chunk is read and
        validated on a thread while this one is used (a consumer that stops early and reads on
        must not): on two cores, validating chunk N + 1 overlaps deciding chunk N — the second
        chunk's validating starts before the first chunk is handed out."""
        if self._started:
            raise RuntimeError("a ledger's chunks are read once")
        self._started = True
        first = self._prepare_first()
        if first is not None:
            apply_map(first.parsed, self.map)
        rest = (self._prepared_on_map(chunk) for chunk in self._rest)  # one at a time, in order: `seen` grows in order
        if not read_ahead:
            if first is not None:
                yield first
            yield from rest
            return
        with ahead(rest) as later:  # the first chunk's `seen` ids are in: the thread may start
            if first is not None:
                yield first
            yield from later

    def _prepared_on_map(self, chunk: Chunk) -> Prepared:
        prepared = self._prepare(chunk)
        apply_map(prepared.parsed, self.map)
        return prepared

    def rest(self) -> Iterator[Chunk]:
        """The chunks not read yet, raw (`find_parcel` looks for repeats of an id in them)."""
        return self._rest

    def decided(self, rulebooks: Sequence[Rulebook] | None = None, with_json: bool = True,
                with_flat: bool = True, read_ahead: bool = True, with_tails: bool = False) -> Iterator[RunChunk]:
        """Each chunk decided under each of `rulebooks` (default: the options' one) with the engine
        chosen and the options' date; the summaries count the rows set aside, `invalid` keeps the
        first invalid rows' reasons. With `read_ahead` (not for rows from a connection that one
        thread must keep) the next chunk is read on a thread meanwhile."""
        as_of = self.options.as_of
        self.deciders = [LedgerDecider(rb, self.engine, as_of) for rb in (rulebooks or [self.options.rulebook])]
        for prepared in self.prepared(read_ahead):
            parsed = prepared.parsed
            if parsed.errors and len(self.invalid) < INVALID_KEPT:
                self.invalid += [(parsed.rows[i], list(e)) for i, e in parsed.errors.items()][: INVALID_KEPT - len(self.invalid)]
            for decider in self.deciders:
                decider.summary.total_rows += prepared.totals
                decider.summary.footer_rows += prepared.footers
                decider.summary.no_id_rows += prepared.no_id
            yield RunChunk(prepared, tuple(d.decide(parsed, with_json=with_json, with_flat=with_flat,
                                                    with_tails=with_tails) for d in self.deciders))
