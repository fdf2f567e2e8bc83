"""Recording a run while it is decided: each chunk goes into the store inside one transaction,
and the run's row in `runs` is written last, so a run is listed whole or not at all.

    recorder = RunRecorder(store, RunInfo(...), rulebook)
    recorder.begin()
    for each chunk: recorder.add(raw_cells_frame, decided_chunk)   # the chunk needs its JSON lines
    run_id = recorder.finish(summary)        # COMMIT
    (or recorder.abort() — ROLLBACK; a killed process leaves no trace either: DuckDB keeps
    nothing of a transaction that never committed)

Each chunk arrives as Arrow: the decisions as (row, parcel id, text id), the few hundred
distinct decision texts once per run (`decision_texts`), the rows' cells and facts as Arrow
structs turned into JSON by DuckDB. No Python object is made per row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from landrules.core.decision import DECISION_COLUMNS, EXTRA_COLUMNS
from landrules.decide.batch import DecidedChunk
from landrules.record import audit
from landrules.record.arrow_rows import SQL_TYPES, fact_columns, text_array
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
        self.con.execute("BEGIN TRANSACTION")
        self._open = True
        self.run_id = int(self.con.execute("SELECT coalesce(max(id), 0) + 1 FROM runs").fetchall()[0][0])
        # a run id is never reused, even after a rolled-back run: rows of no listed run cannot exist
        return self.run_id

    def add(self, frame: pd.DataFrame, decided: DecidedChunk) -> None:
        """One decided chunk: `frame` its input cells (columns in the ledger's order), `decided`
        made with JSON lines (with_json=True). The chunk's Arrow tables are made here; DuckDB
        inserts them on the recorder's own thread while the next chunk is decided (DuckDB works
        without the GIL), one chunk in flight at a time; an insert's error is raised by the
        next `add` or by `finish`."""
        parsed = decided.parsed
        lines = decided.jsonl
        if len(lines) != parsed.n:
            raise ValueError("the chunk was decided without its JSON lines (with_json=False)")
        self._wait()
        if self._chunks == 0:
            headers = [str(h).strip() for h in self.info.headers]
            self._doc_column = headers.index(APPROVAL_DOC) if APPROVAL_DOC in headers else None
        texts, text_ids = self._text_ids(decided)
        n = parsed.n
        rows = pa.array(np.asarray(parsed.rows, dtype=np.int64))
        ids = pa.array(parsed.parcel_ids, type=pa.string(), from_pandas=True)
        run = pa.array(np.full(n, self.run_id, dtype=np.int32))
        decisions = pa.table({"run_id": run, "row": rows, "parcel_id": ids,
                              "text_id": pa.array(text_ids[lines.indices].astype(np.int32))})
        facts = fact_columns(parsed.columns)
        cells = pa.table({"_row": rows, **{f"_c{j}": text_array(frame.iloc[:, j]) for j in range(frame.shape[1])}})
        doc = cells.column(f"_c{self._doc_column}") if self._doc_column is not None else pa.nulls(n, pa.string())
        table = pa.table({"run_id": run, "row": rows, "approval_doc": doc, **facts})
        self._pending = self._pool().submit(self._insert, texts, decisions, table, cells, facts, self._chunks)
        self._chunks += 1
        self.rows += n

    def _insert(self, texts: pa.Table | None, decisions: pa.Table, table: pa.Table, cells: pa.Table, facts,
                chunk: int) -> None:
        con = self.con
        self.ensure_fact_columns(facts)
        blob = io.BytesIO()
        pq.write_table(cells, blob, compression="zstd")
        con.execute("INSERT INTO row_cells VALUES (?, ?, ?, ?, ?)",
                    [self.run_id, chunk, cells.column("_row")[0].as_py() if len(cells) else None, len(cells), blob.getvalue()])
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
        """Each of the chunk's JSON texts (pattern tails, and rows' own tails with their errors
        and notes) as the run's text id; new texts go into decision_texts with their flat columns."""
        lines, patterns = decided.jsonl, decided.patterns
        ids = np.empty(len(lines.texts), dtype=np.int64)
        base = np.arange(len(lines.texts), dtype=np.int64)  # the pattern each text belongs to
        own_cells: dict[int, dict[str, str]] = {}
        if len(lines.texts) > len(patterns):
            used, first = np.unique(lines.indices, return_index=True)
            rows_of = dict(zip(used.tolist(), first.tolist()))
            own = {c: dict(zip(at.tolist(), cells)) for c, (at, cells) in decided.own.items()}
            for j in range(len(patterns), len(lines.texts)):
                i = rows_of.get(j)
                if i is None:
                    continue
                base[j] = decided.index[i]
                own_cells[j] = {c: own.get(c, {}).get(i, "") for c in ("errors", "notes")}
        new = []
        for j, text in enumerate(lines.texts):
            known = self._texts.get(text)
            if known is None:
                known = self._texts[text] = len(self._texts)
                flat = dict(patterns[base[j]].flat) if base[j] < len(patterns) else {}
                flat.update(own_cells.get(j, {}))
                new.append((self.run_id, known, text, *(flat.get(c) or None for c in _TEXT_COLUMNS)))
            ids[j] = known
        table = None
        if new:  # as one Arrow table: DuckDB takes a row of parameters at a time slowly (ms each)
            names = ("run_id", "text_id", "tail", *_TEXT_COLUMNS)
            table = pa.table({name: pa.array(list(values), type=pa.int32() if name.endswith("_id") else pa.string())
                              for name, values in zip(names, zip(*new))})
        return table, ids

    def finish(self, summary=None, landrules_version: str = "") -> int:
        """Store the rulebook's files (each once), write the run's row, COMMIT; the run id."""
        if not self.written:
            self.write_run(summary, landrules_version)
        return self.commit()

    def write_run(self, summary=None, landrules_version: str = "") -> Run:
        """The rulebook's files and the run's row, still inside the transaction: the run can be
        compared (the bulletin's 本季进展) and then committed or rolled back."""
        self._wait()
        self._store_rulebook()
        self.written = True
        info = self.info
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.run_id, info.label, info.as_of, info.ledger.name, file_sha256(info.ledger), self.rows,
             self.rulebook.hash, info.engine, json.dumps({"headers": info.headers, "names": info.names}, ensure_ascii=False),
             info.column_map, info.sheet, json.dumps(_summary_json(summary), ensure_ascii=False), info.recorded_by,
             dt.datetime.now().replace(microsecond=0), landrules_version],
        )
        audit.log(self.con, info.recorded_by, "run_recorded", f"第 {self.run_id} 期 {info.label}",
                  f"台账 {info.ledger.name}，评估日 {info.as_of.isoformat()}，{self.rows} 行", info.origin)
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


def _summary_json(summary) -> dict:
    if summary is None:
        return {}
    return {"rows": summary.rows, "decided": summary.decided, "invalid": summary.invalid, "totals": summary.totals,
            "tax_target": summary.tax_target, "tax": dataclasses.asdict(summary.tax)}
