"""One decided chunk as the store's tables, in Arrow, without DuckDB: what `RunRecorder` inserts
on its thread, and what a Dask worker writes beside its output file for the client to insert.

    tabler = ChunkTabler(headers)              # one per run (or per file of a Dask dataset)
    tables = tabler.tables(frame, decided)     # a ChunkTables; text ids count from 0 in the tabler

- `texts`      the chunk's decision texts new to the tabler: text_id, the JSON tail, the flat columns
               (a pattern's: a rows' own errors and notes are not in it)
- `own`        the rows' own errors and notes new to the tabler, each distinct list once: own_id,
               the JSON list, the cell (`; `-joined)
- `decisions`  row, parcel id, text id, errors_id and notes_id (null for a row without its own)
- `cells`      the input cells, one zstd Arrow IPC file (`_row`, `_c0`, `_c1` … by header position;
               a column of repeated cells as a dictionary over them, read back as text)
- `facts`      every canonical field, typed, one zstd Arrow IPC file (`_row` and one column a field):
               read back whole for a parcel's history, or a few columns of it for `progress`
               (`run_facts`): it costs a fifth of DuckDB's compressed columns to write

No Python object is made per row: a step per distinct pattern and per distinct list of own texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.core.decision import DECISION_COLUMNS, EXTRA_COLUMNS
from landrules.decide.batch import DecidedChunk
from landrules.record.arrow_rows import arrow_blob, cell_columns, fact_columns

TEXT_COLUMNS = ("categories", "outcome_codes", "deadline", "overdue", "responsible", "needs", "errors", "notes")
assert set(TEXT_COLUMNS) <= {*DECISION_COLUMNS, *EXTRA_COLUMNS}


CHUNKS_SCHEMA = pa.schema([("first_row", pa.int64()), ("n_rows", pa.int64()), ("cells", pa.binary()), ("facts", pa.binary())])


@dataclass
class ChunkTables:
    first_row: int | None
    n_rows: int
    texts: pa.Table | None  # text_id, tail, TEXT_COLUMNS (the patterns' texts new in this chunk)
    decisions: pa.Table  # row, parcel_id, text_id, errors_id, notes_id
    cells: pa.Buffer
    facts: pa.Buffer
    own: pa.Table | None = None  # own_id, list, cell (the rows' own errors and notes new in this chunk)

    def chunk(self) -> pa.Table:
        """The chunk's row of `row_cells` (CHUNKS_SCHEMA): its two files taken as they are, not
        copied (a million rows' are some 70 MB; DuckDB copies them once, into the store)."""
        return pa.table([pa.array([self.first_row], pa.int64()), pa.array([self.n_rows], pa.int64()),
                         _one_blob(self.cells), _one_blob(self.facts)], schema=CHUNKS_SCHEMA)


def _one_blob(buffer: pa.Buffer) -> pa.Array:
    """A binary array of one value, the buffer itself as its data."""
    return pa.Array.from_buffers(pa.binary(), 1, [None, pa.py_buffer(np.array([0, buffer.size], dtype=np.int32)), buffer])


class ChunkTabler:
    """A run's chunks as tables: each distinct decision text once, and each distinct list of a
    row's own errors or notes once (their ids: their order of arrival)."""

    def __init__(self, headers: list[str]):
        self.texts: dict[str, int] = {}  # a pattern's JSON tail -> text id
        self.own: dict[str, int] = {}  # a JSON list of notes -> own id
        self.own_count = 0  # own ids given (errors' and notes')

    def tables(self, frame: pd.DataFrame, decided: DecidedChunk) -> ChunkTables:
        """`frame` the chunk's input cells (columns in the ledger's order), `decided` made with
        its patterns' JSON tails (with_tails or with_json)."""
        if decided.patterns and decided.patterns[0].json_tail is None:
            raise ValueError("the chunk was decided without its JSON tails (with_tails=False)")
        parsed = decided.parsed
        n = parsed.n
        texts, text_ids = self._text_ids(decided)
        own, own_ids = self._own_ids(decided, n)
        rows = pa.array(np.asarray(parsed.rows, dtype=np.int64))
        facts = fact_columns(parsed)
        ids = facts["parcel_id"]  # (ParsedFrame.parcel_ids is that column: converted once)
        decisions = pa.table({"row": rows, "parcel_id": ids, "text_id": pa.array(text_ids),
                              "errors_id": own_ids["errors"], "notes_id": own_ids["notes"]})
        cells = pa.table({"_row": rows, **{f"_c{j}": column for j, column in enumerate(cell_columns(frame, parsed))}})
        return ChunkTables(int(parsed.rows[0]) if n else None, n, texts, decisions, arrow_blob(cells),
                           arrow_blob(pa.table({"_row": rows, **facts})), own)

    def _text_ids(self, decided: DecidedChunk) -> tuple[pa.Table | None, np.ndarray]:
        """Each row's text id: its pattern's JSON tail's, each distinct tail once a run; the new
        tails as a table for decision_texts. A Python step per pattern, none per row."""
        patterns, texts = decided.patterns, self.texts
        tails = []
        new_patterns: list[int] = []  # positions in `patterns` of texts new to the run
        for j, pattern in enumerate(patterns):
            known = texts.get(pattern.json_tail)
            if known is None:
                known = texts[pattern.json_tail] = len(texts)
                new_patterns.append(j)
            tails.append(known)
        by_pattern = np.asarray(tails, dtype=np.int32)
        ids = by_pattern[decided.index] if len(patterns) else np.zeros(len(decided.index), dtype=np.int32)
        if not new_patterns:
            return None, ids
        at = np.asarray(new_patterns, dtype=np.int64)
        return _texts_table(by_pattern[at], [patterns[j].json_tail for j in new_patterns], patterns, at), ids

    def _own_ids(self, decided: DecidedChunk, n: int) -> tuple[pa.Table | None, dict[str, pa.Array]]:
        """Each row's own errors and own notes as ids (null: none of its own), each distinct JSON
        list once a run; the new lists, with their cells, as a table for own_texts. A Python step
        per distinct list of the chunk, none per other row. A row with errors has its own list
        (errors name their row: `第19行 …`), so errors get new ids and are not kept: only the
        notes (the rows' dates and the map's: a few dozen lists) are looked up across chunks."""
        ids, parts = {}, []
        for c in ("errors", "notes"):
            lists = decided.own_json.get(c)
            if lists is None or not len(lists.rows):
                ids[c] = pa.nulls(n, pa.int32())
                continue
            distinct = lists.text_list()
            if len(distinct) <= int(lists.which.max()):
                raise ValueError("the chunk was decided without its rows' own JSON lists (with_tails=False)")
            cells = decided.own[c].text_list()  # the same positions as `distinct` (LedgerDecider._own)
            if c == "errors":
                known = np.arange(self.own_count, self.own_count + len(distinct), dtype=np.int32)
                new = range(len(distinct))
                self.own_count += len(distinct)
            else:
                known, new = self._notes_ids(distinct)
            column = np.full(n, -1, dtype=np.int32)  # -1: none of its own (null)
            column[lists.rows] = known[lists.which]
            ids[c] = pa.array(column, mask=column < 0)
            if len(new):
                parts.append(pa.table({"own_id": pa.array(known[new]), "list": pa.array([distinct[j] for j in new], type=pa.string()),
                                       "cell": pa.array([cells[j] or None for j in new], type=pa.string())}))
        table = pa.concat_tables(parts) if len(parts) > 1 else (parts[0] if parts else None)
        return table, ids

    def _notes_ids(self, distinct: list[str]) -> tuple[np.ndarray, list[int]]:
        """The ids of the chunk's distinct lists of notes, each known one's kept; the positions of the new ones."""
        known = np.empty(len(distinct), dtype=np.int32)
        new: list[int] = []
        for j, text in enumerate(distinct):
            own_id = self.own.get(text)
            if own_id is None:
                own_id = self.own[text] = self.own_count
                self.own_count += 1
                new.append(j)
            known[j] = own_id
        return known, new


def _texts_table(text_ids: np.ndarray, tails: list[str], patterns, of: np.ndarray) -> pa.Table:
    """decision_texts rows: each text's flat columns are its pattern's (`of`). As one Arrow
    table: DuckDB takes a row of parameters at a time slowly."""
    columns = {"text_id": pa.array(np.asarray(text_ids, dtype=np.int32)), "tail": pa.array(tails, type=pa.string())}
    for c in TEXT_COLUMNS:
        columns[c] = pa.array([patterns[j].flat.get(c) or None for j in of.tolist()], type=pa.string())
    return pa.table(columns)
