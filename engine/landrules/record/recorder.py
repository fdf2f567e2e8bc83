"""Recording a run while it is decided: each chunk goes into the store inside one transaction,
and the run's row in `runs` is written last, so a run is listed whole or not at all.

    recorder = RunRecorder(store, RunInfo(...), rulebook)
    recorder.begin()
    for each chunk: recorder.add(raw_cells_frame, decided_chunk)   # decided with_tails (or with_json)
    run_id = recorder.finish(summary)        # COMMIT
    (or recorder.abort() — ROLLBACK; a killed process leaves no trace either: DuckDB keeps
    nothing of a transaction that never committed)

`add` hands the chunk to the recorder's own thread, which makes its Arrow tables and inserts
them while the next chunk is read and decided: the decisions as (row, parcel id, text id), the
distinct decision texts once per run (`decision_texts`; a few hundred, and the rows' own texts:
errors and notes name their row), the facts typed column by column, the input cells as one
compressed Arrow IPC file per chunk. No Python object is made per row but for a row with its
own texts. Figures: docs/record.zh.md, bench/record_bench.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.core.decision import DECISION_COLUMNS, EXTRA_COLUMNS
from landrules.decide.batch import DecidedChunk, own_tail
from landrules.record import audit
from landrules.record.arrow_rows import SQL_TYPES, cells_blob, fact_columns, text_array
from landrules.record.runs import Run, get_run
from landrules.record.store import Store
from landrules.rulebook.model import Rulebook

APPROVAL_DOC = "批准文号"  # the identifying cell of a parcel whose id changed (contract §7)
_TEXT_COLUMNS = ("categories", "outcome_codes", "deadline", "overdue", "responsible", "needs", "errors", "notes")
assert set(_TEXT_COLUMNS) <= {*DECISION_COLUMNS, *EXTRA_COLUMNS}


def quarter_label(when: dt.date) -> str:
    """The default label: the evaluation date's quarter, e.g. 2021Q4."""
    return f"{when.year}Q{(when.month - 1) // 3 + 1}"


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without $USER)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "未知"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class RunInfo:
    label: str
    as_of: dt.date
    ledger: Path
    headers: list[str]
    names: list[str] = dataclasses.field(default_factory=list)  # the fields the headers were read as
    recorded_by: str = dataclasses.field(default_factory=os_user)
    engine: str = ""
    column_map: str | None = None  # the --columns YAML text
    sheet: str | None = None
    origin: str = dataclasses.field(default_factory=audit.command_line)  # where from, for the audit log
    ledger_name: str = ""  # the ledger's name as the officer knows it, when `ledger` is a copy (the workbench's upload)


class RunRecorder:
    def __init__(self, store: Store, info: RunInfo, rulebook: Rulebook):
        self.store, self.info, self.rulebook = store, info, rulebook
        self.con = store.con
        self.run_id: int | None = None
        self.rows = 0
        self._texts: dict[str, int] = {}
        self._open = False
        self.written = False  # the run's row is in (write_run)
        self._executor = None
        self._pending = None
        self._chunks = 0

    def begin(self) -> int:
        # the chunks are inserted on the recorder's thread while the command decides on the others:
        # DuckDB's own worker threads would only compete for the cores (and cost a fifth more CPU);
        # and each full row group is compressed and written as it fills, on that thread, rather
        # than five at a time and the rest at COMMIT, after the last chunk (the run's blocks count
        # only once committed: a run rolled back or killed leaves them free, its rows unseen)
        self.con.execute("SET threads = 1")
        self.con.execute("SET write_buffer_row_group_count = 1")
        self._ledger_sha256 = self._pool().submit(file_sha256, self.info.ledger)  # hashed while the first chunk is read
        self.con.execute("BEGIN TRANSACTION")
        self._open = True
        self.run_id = int(self.con.execute("SELECT coalesce(max(id), 0) + 1 FROM runs").fetchall()[0][0])
        # a run id is never reused, even after a rolled-back run: rows of no listed run cannot exist
        return self.run_id

    def add(self, frame: pd.DataFrame, decided: DecidedChunk) -> None:
        """One decided chunk: `frame` its input cells (columns in the ledger's order), `decided`
        made with its patterns' JSON tails (with_tails or with_json). Nothing is done here but
        handing the chunk over: the recorder's own thread makes its Arrow tables and DuckDB
        inserts them (pyarrow and DuckDB work without the GIL) while the next chunk is read and
        decided, one chunk in flight at a time; an error is raised by the next `add` or by `finish`."""
        if decided.patterns and decided.patterns[0].json_tail is None:
            raise ValueError("the chunk was decided without its JSON tails (with_tails=False)")
        self._wait()
        if self._chunks == 0:
            headers = [str(h).strip() for h in self.info.headers]
            self._doc_column = headers.index(APPROVAL_DOC) if APPROVAL_DOC in headers else None
        self._pending = self._pool().submit(self._record_chunk, frame, decided, self._chunks)
        self._chunks += 1
        self.rows += decided.parsed.n


    add.wants_json = False  # decide_ledger's on_chunk: the record takes each text once, no JSON line per row

    def _record_chunk(self, frame: pd.DataFrame, decided: DecidedChunk, chunk: int) -> None:
        """On the recorder's thread: the chunk's Arrow tables, then inserted."""
        parsed = decided.parsed
        n = parsed.n
        texts, text_ids = self._text_ids(decided)
        rows = pa.array(np.asarray(parsed.rows, dtype=np.int64))
        ids = pa.array(parsed.parcel_ids, type=pa.string(), from_pandas=True)
        run = pa.array(np.full(n, self.run_id, dtype=np.int32))
        decisions = pa.table({"run_id": run, "row": rows, "parcel_id": ids, "text_id": pa.array(text_ids)})
        facts = fact_columns(parsed.columns)
        cells = pa.table({"_row": rows, **{f"_c{j}": text_array(frame.iloc[:, j]) for j in range(frame.shape[1])}})
        doc = cells.column(f"_c{self._doc_column}") if self._doc_column is not None else pa.nulls(n, pa.string())
        table = pa.table({"run_id": run, "row": rows, "approval_doc": doc, **facts})
        self._insert(texts, decisions, table, cells, facts, chunk)

    def _insert(self, texts: pa.Table | None, decisions: pa.Table, table: pa.Table, cells: pa.Table, facts,
                chunk: int) -> None:
        con = self.con
        self.ensure_fact_columns(facts)
        con.execute("INSERT INTO row_cells VALUES (?, ?, ?, ?, ?)",
                    [self.run_id, chunk, cells.column("_row")[0].as_py() if len(cells) else None, len(cells),
                     cells_blob(cells)])
        for name, data, sql in (
            ("_chunk_texts", texts, "INSERT INTO decision_texts SELECT * FROM _chunk_texts"),
            ("_chunk_decisions", decisions, "INSERT INTO decisions SELECT * FROM _chunk_decisions"),
            ("_chunk_rows", table, "INSERT INTO rows BY NAME SELECT * FROM _chunk_rows"),
        ):
            if data is None:
                continue
            con.register(name, data)
            try:
                con.execute(sql)
            finally:
                con.unregister(name)

    def _pool(self):
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="landrules-record")
        return self._executor

    def _wait(self) -> None:
        """The chunk in flight inserted (its error raised here)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def ensure_fact_columns(self, facts: dict[str, pa.Array]) -> None:
        """A field the store's `rows` has no column for yet (one added to the catalogue) gets one."""
        if getattr(self, "_columns", None) is None:
            self._columns = {r[0] for r in self.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'rows'").fetchall()}
        for name, array in facts.items():
            if name not in self._columns:
                self.con.execute(f'ALTER TABLE rows ADD COLUMN "{name}" {SQL_TYPES.get(array.type, "VARCHAR")}')
                self._columns.add(name)

    def _text_ids(self, decided: DecidedChunk) -> tuple[pa.Table | None, np.ndarray]:
        """Each row's text id in the run: its pattern's JSON tail, or, for a row with its own
        errors or notes, that tail with them (`own_tail`), each distinct text once in the run;
        the new texts as a table for decision_texts, their flat columns taken column-wise from
        the patterns' and the rows' own cells. A Python step per pattern and per row with its
        own texts (a dictionary look-up), none per other row."""
        patterns, texts = decided.patterns, self._texts
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
            parts.append(self._texts_table(by_pattern[at], [patterns[j].json_tail for j in new_patterns], patterns, at))
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
                parts.append(self._texts_table(out[k], new_tails, patterns, index[k], cells))
        table = pa.concat_tables(parts) if len(parts) > 1 else (parts[0] if parts else None)
        return table, ids

    def _texts_table(self, text_ids: np.ndarray, tails: list[str], patterns, of: np.ndarray,
                     own_cells: dict[str, pa.Array] | None = None) -> pa.Table:
        """decision_texts rows: each text's flat columns are its pattern's (`of`), but for the
        rows' own errors and notes. As one Arrow table: DuckDB takes a row of parameters at a
        time slowly (ms each)."""
        n = len(tails)
        columns = {"run_id": pa.array(np.full(n, self.run_id, dtype=np.int32)),
                   "text_id": pa.array(np.asarray(text_ids, dtype=np.int32)),
                   "tail": pa.array(tails, type=pa.string())}
        for c in _TEXT_COLUMNS:
            if own_cells is not None and c in own_cells:
                columns[c] = own_cells[c]
            else:
                columns[c] = pa.array([p.flat.get(c) or None for p in patterns], type=pa.string()).take(pa.array(of))
        return pa.table(columns)


    def finish(self, summary=None, landrules_version: str = "") -> int:
        """Store the rulebook's files (each once), write the run's row, COMMIT; the run id."""
        if not self.written:
            self.write_run(summary, landrules_version)
        return self.commit()

    def write_run(self, summary=None, landrules_version: str = "") -> Run:
        """The rulebook's files and the run's row, still inside the transaction: the run can be
        compared (the bulletin's 本季进展) and then committed or rolled back."""
        self._wait()
        self.con.execute("RESET threads")  # every chunk is in: queries (the bulletin's progress) may use every core
        self.con.execute("RESET write_buffer_row_group_count")
        self._store_rulebook()
        self.written = True
        info = self.info
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.run_id, info.label, info.as_of, info.ledger_name or info.ledger.name, self._ledger_sha256.result(), self.rows,
             self.rulebook.hash, info.engine, json.dumps({"headers": info.headers, "names": info.names}, ensure_ascii=False),
             info.column_map, info.sheet, json.dumps(_summary_json(summary), ensure_ascii=False), info.recorded_by,
             dt.datetime.now().replace(microsecond=0), landrules_version],
        )
        audit.log(self.con, info.recorded_by, "run_recorded", f"第 {self.run_id} 期 {info.label}",
                  f"台账 {info.ledger_name or info.ledger.name}，评估日 {info.as_of.isoformat()}，{self.rows} 行", info.origin)
        return get_run(self.store, self.run_id)

    def commit(self) -> int:
        self._wait()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self.con.execute("COMMIT").fetchall()  # a result not fetched may stay pending
        self._open = False
        return self.run_id

    def abort(self) -> None:
        try:
            self._wait()
        except Exception:  # noqa: BLE001 - rolling back anyway
            pass
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._open:
            self._open = False
            self.con.execute("ROLLBACK")
            self.con.execute("RESET threads")
            self.con.execute("RESET write_buffer_row_group_count")

    def _store_rulebook(self) -> None:
        rulebook = self.rulebook.hash
        if self.con.execute("SELECT 1 FROM rulebooks WHERE rulebook = ? LIMIT 1", [rulebook]).fetchall():
            return
        for role, path in self.rulebook.files:
            content = path.read_bytes()
            digest = hashlib.sha256(content).hexdigest()
            self.con.execute("INSERT INTO rulebook_files SELECT ?, ? WHERE NOT EXISTS "
                             "(SELECT 1 FROM rulebook_files WHERE sha256 = ?)", [digest, content, digest])
            self.con.execute("INSERT OR REPLACE INTO rulebooks VALUES (?, ?, ?, ?)", [rulebook, role, path.name, digest])


def _taken(cells: list[str], at: np.ndarray) -> pa.Array:
    """cells[at[i]], or null where at[i] is -1 (the row has no own text of this kind) or the cell is ""."""
    values = pa.array([c or None for c in cells] + [None], type=pa.string())
    return values.take(pa.array(np.where(at >= 0, at, len(cells))))


def _summary_json(summary) -> dict:
    if summary is None:
        return {}
    return {"rows": summary.rows, "decided": summary.decided, "invalid": summary.invalid, "totals": summary.totals,
            "tax_target": summary.tax_target, "tax": dataclasses.asdict(summary.tax)}
