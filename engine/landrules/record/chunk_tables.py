"""One decided chunk as the store's tables, in Arrow, without DuckDB: what `RunRecorder` inserts
on its thread, and what a Dask worker writes beside its output file for the client to insert.

    tabler = ChunkTabler(headers)              # one per run (or per file of a Dask dataset)
    tables = tabler.tables(frame, decided)     # a ChunkTables; text ids count from 0 in the tabler

- `texts`      the chunk's decision texts new to the tabler: text_id, the JSON tail, the flat columns
- `decisions`  row, parcel id, text id
- `cells`      the input cells, one zstd Arrow IPC file (`_row`, `_c0`, `_c1` … by header position)
- `facts`      every canonical field, typed, one zstd Arrow IPC file (`_row` and one column a field):
               read back whole for a parcel's history, or a few columns of it for `progress`
               (`run_facts`): it costs a fifth of DuckDB's compressed columns to write

No Python object is made per row but for a row with its own texts (errors and notes name their row).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.core.decision import DECISION_COLUMNS, EXTRA_COLUMNS
from landrules.decide.batch import DecidedChunk, own_tail
from landrules.record.arrow_rows import arrow_blob, fact_columns, text_array

TEXT_COLUMNS = ("categories", "outcome_codes", "deadline", "overdue", "responsible", "needs", "errors", "notes")
assert set(TEXT_COLUMNS) <= {*DECISION_COLUMNS, *EXTRA_COLUMNS}


@dataclass
class ChunkTables:
    first_row: int | None
    n_rows: int
    texts: pa.Table | None  # text_id, tail, TEXT_COLUMNS (the texts new in this chunk)
    decisions: pa.Table  # row, parcel_id, text_id
    cells: bytes
    facts: bytes


class ChunkTabler:
    """A run's chunks as tables, each distinct decision text once (its id: its order of arrival)."""

    def __init__(self, headers: list[str]):
        self.texts: dict = {}

    def tables(self, frame: pd.DataFrame, decided: DecidedChunk) -> ChunkTables:
        """`frame` the chunk's input cells (columns in the ledger's order), `decided` made with
        its patterns' JSON tails (with_tails or with_json)."""
        if decided.patterns and decided.patterns[0].json_tail is None:
            raise ValueError("the chunk was decided without its JSON tails (with_tails=False)")
        parsed = decided.parsed
        n = parsed.n
        texts, text_ids = self._text_ids(decided)
        rows = pa.array(np.asarray(parsed.rows, dtype=np.int64))
        facts = fact_columns(parsed.columns)
        ids = facts["parcel_id"]  # (ParsedFrame.parcel_ids is that column: converted once)
        decisions = pa.table({"row": rows, "parcel_id": ids, "text_id": pa.array(text_ids)})
        cells = pa.table({"_row": rows, **{f"_c{j}": text_array(frame.iloc[:, j]) for j in range(frame.shape[1])}})
        return ChunkTables(int(parsed.rows[0]) if n else None, n, texts, decisions, arrow_blob(cells),
                           arrow_blob(pa.table({"_row": rows, **facts})))

    def _text_ids(self, decided: DecidedChunk) -> tuple[pa.Table | None, np.ndarray]:
        """Each row's text id: its pattern's JSON tail, or, for a row with its own errors or
        notes, that tail with them (`own_tail`), each distinct text once; the new texts as a
        table for decision_texts, their flat columns taken column-wise from the patterns' and
        the rows' own cells. A Python step per pattern and per row with its own texts (a
        dictionary look-up), none per other row."""
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
        parts = []
        if new_patterns:
            at = np.asarray(new_patterns, dtype=np.int64)
            parts.append(_texts_table(by_pattern[at], [patterns[j].json_tail for j in new_patterns], patterns, at))
        own = {c: (np.asarray(at, dtype=np.int64), cells, decided.own_json[c]) for c, (at, cells) in decided.own.items()
               if len(at)}
        if own:
            at = np.unique(np.concatenate([where for where, _, _ in own.values()]))
            slot = {c: np.full(len(at), -1, dtype=np.int64) for c in ("errors", "notes")}
            for c, (where, _, _) in own.items():
                slot[c][np.searchsorted(at, where)] = np.arange(len(where))
            json_e = own["errors"][2] if "errors" in own else ()
            json_n = own["notes"][2] if "notes" in own else ()
            index = decided.index[at]
            out = np.empty(len(at), dtype=np.int32)
            new_rows: list[int] = []  # positions in `at` of texts new to the run
            new_tails: list[str] = []
            for k, (p, e, m) in enumerate(zip(index.tolist(), slot["errors"].tolist(), slot["notes"].tolist())):
                key = (tails[p], json_e[e] if e >= 0 else "[]", json_n[m] if m >= 0 else "[]")
                known = texts.get(key)
                if known is None:
                    known = texts[key] = len(texts)
                    new_rows.append(k)
                    new_tails.append(own_tail(patterns[p].json_tail, key[1], key[2]))
                out[k] = known
            ids[at] = out
            if new_rows:
                k = np.asarray(new_rows, dtype=np.int64)
                cells = {c: _taken(own[c][1], slot[c][k]) if c in own else pa.nulls(len(k), pa.string())
                         for c in ("errors", "notes")}
                parts.append(_texts_table(out[k], new_tails, patterns, index[k], cells))
        table = pa.concat_tables(parts) if len(parts) > 1 else (parts[0] if parts else None)
        return table, ids


def _texts_table(text_ids: np.ndarray, tails: list[str], patterns, of: np.ndarray,
                 own_cells: dict[str, pa.Array] | None = None) -> pa.Table:
    """decision_texts rows: each text's flat columns are its pattern's (`of`), but for the rows'
    own errors and notes. As one Arrow table: DuckDB takes a row of parameters at a time slowly."""
    columns = {"text_id": pa.array(np.asarray(text_ids, dtype=np.int32)), "tail": pa.array(tails, type=pa.string())}
    used, at = np.unique(np.asarray(of, dtype=np.int64), return_inverse=True)  # the patterns these texts are of, once each
    used_patterns = [patterns[j] for j in used.tolist()]  # (the rows' own texts: mostly of one pattern, the invalid one)
    at = pa.array(at.reshape(-1))
    for c in TEXT_COLUMNS:
        if own_cells is not None and c in own_cells:
            columns[c] = own_cells[c]
        else:
            columns[c] = pa.array([p.flat.get(c) or None for p in used_patterns], type=pa.string()).take(at)
    return pa.table(columns)


def _taken(cells: list[str], at: np.ndarray) -> pa.Array:
    """cells[at[i]], or null where at[i] is -1 (the row has no own text of this kind) or the cell is ""."""
    values = pa.array([c or None for c in cells] + [None], type=pa.string())
    return values.take(pa.array(np.where(at >= 0, at, len(cells))))
