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
distinct decision texts once per run (`decision_texts`; a few hundred), the rows' own errors and
notes as ids of their distinct lists (`own_texts`: errors name their row), the input cells and
the facts (typed) as two compressed Arrow IPC files per chunk (`chunk_tables`). No Python object
is made per row. A Dask run's files come as parts the workers wrote (`insert_part`, `parts`).
Figures: docs/record.zh.md, bench/record_bench.py.
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

import duckdb
import pandas as pd

from landrules.decide.batch import DecidedChunk
from landrules.record import audit
from landrules.record.chunk_tables import ChunkTabler, ChunkTables
from landrules.record.parts import part_streams
from landrules.record.runs import Run, get_run
from landrules.record.store import Store
from landrules.rulebook.model import Rulebook


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
    ledger_sha256: str | None = None  # given when `ledger` is a folder (a Dask dataset: of its files' hashes), else hashed


class RunRecorder:
    def __init__(self, store: Store, info: RunInfo, rulebook: Rulebook):
        self.store, self.info, self.rulebook = store, info, rulebook
        self.con = store.con
        self.run_id: int | None = None
        self.rows = 0
        self._open = False
        self.written = False  # the run's row is in (write_run)
        self._executor = None
        self._pending = None
        self._chunks = 0
        self._tabler: ChunkTabler | None = None
        self._text_count = 0  # texts of the parts inserted (insert_part)
        self._own_count = 0  # own texts of the parts inserted
        self._ledger_sha256 = None

    def begin(self) -> int:
        # the chunks are inserted on the recorder's thread while the command decides on the others:
        # DuckDB's own worker threads would only compete for the cores (and cost a fifth more CPU);
        # and each full row group is compressed and written as it fills, on that thread, rather
        # than five at a time and the rest at COMMIT, after the last chunk (the run's blocks count
        # only once committed: a run rolled back or killed leaves them free, its rows unseen);
        # and COMMIT checkpoints: the run (its cells and facts are 70 MB a million rows) is written
        # once, into the file, rather than into the WAL at COMMIT and again into the file at the
        # next checkpoint (a second of CPU a million rows; bench/record_bench.py)
        # and the cells' and facts' files, zstd-compressed already, are stored as they are: DuckDB
        # would zstd them again at COMMIT for 10 % of their size and 0.15 s of CPU a million rows,
        # after the last chunk, while nothing else runs; and the run's text (parcel ids, the rows'
        # errors) is stored without DuckDB's dict_fsst, whose analysis of each segment costs 0.2 s
        # of CPU a million ids to save 9 bytes each (bench/record_bench.py, docs/record.zh.md)
        self.con.execute("SET threads = 1")
        self.con.execute("SET write_buffer_row_group_count = 1")
        self.con.execute("SET checkpoint_threshold = '1MB'")
        for methods in ("zstd,dict_fsst", "zstd"):
            try:
                self.con.execute(f"SET disabled_compression_methods = '{methods}'")
                break
            except duckdb.Error:  # an older DuckDB without a method, or without the setting: compressed as before
                pass
        if not self.info.ledger.is_dir():  # hashed while the first chunk is read
            self._ledger_sha256 = self._pool().submit(file_sha256, self.info.ledger)
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
        if self._tabler is None:
            self._tabler = ChunkTabler(self.info.headers)
        self._pending = self._pool().submit(lambda: self.insert(self._tabler.tables(frame, decided)))
        self.rows += decided.parsed.n

    add.wants_json = False  # decide_ledger's on_chunk: the record takes each text once, no JSON line per row

    def insert(self, tables: ChunkTables) -> None:
        """One chunk's tables into the run, inside its transaction."""
        self._insert(tables.texts, tables.own, tables.decisions, tables.chunk(), 0, 0)

    def insert_part(self, folder: Path) -> int:
        """A file's chunks recorded elsewhere (`parts.PartWriter`, a Dask worker) into the run:
        streamed from the part's Arrow streams, its text and own ids shifted past the run's; its rows."""
        streams = part_streams(folder)
        texts = streams["texts"].read_all() if "texts" in streams else None
        own = streams["own"].read_all() if "own" in streams else None
        rows = self._insert(texts, own, streams.get("decisions"), streams.get("chunks"), self._text_count, self._own_count)
        self._text_count += 0 if texts is None else len(texts)
        self._own_count += 0 if own is None else len(own)
        self.rows += rows
        return rows

    def _insert(self, texts, own, decisions, chunks, text_offset: int, own_offset: int) -> int:
        """Each table (an Arrow table or stream) into its own; the decisions' count."""
        con, run = self.con, int(self.run_id)
        shift = f"text_id + {int(text_offset)}" if text_offset else "text_id"
        own_shift = f" + {int(own_offset)}" if own_offset else ""
        counted = 0
        for data, sql in (
            (chunks, f"INSERT INTO row_cells BY NAME SELECT {run} AS run_id, {self._chunks} + row_number() OVER () - 1 AS chunk, "
                     "first_row, n_rows, cells, facts FROM _chunk"),
            (texts, f"INSERT INTO decision_texts BY NAME SELECT {run} AS run_id, {shift} AS text_id, * EXCLUDE (text_id) FROM _chunk"),
            (own, f"INSERT INTO own_texts BY NAME SELECT {run} AS run_id, own_id{own_shift} AS own_id, list, cell FROM _chunk"),
            (decisions, f"INSERT INTO decisions BY NAME SELECT {run} AS run_id, row, parcel_id, {shift} AS text_id, "
                        f"errors_id{own_shift} AS errors_id, notes_id{own_shift} AS notes_id FROM _chunk"),
        ):
            if data is None:
                continue
            con.register("_chunk", data)
            try:
                count = con.execute(sql).fetchall()[0][0]
            finally:
                con.unregister("_chunk")
            if data is chunks:
                self._chunks += count
            elif data is decisions:
                counted = count
        return counted

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
        sha256 = info.ledger_sha256 or self._ledger_sha256.result()
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.run_id, info.label, info.as_of, info.ledger_name or info.ledger.name, sha256, self.rows,
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
        self.con.execute("RESET checkpoint_threshold")
        _reset(self.con, "disabled_compression_methods")
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
            for setting in ("threads", "write_buffer_row_group_count", "checkpoint_threshold", "disabled_compression_methods"):
                _reset(self.con, setting)

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


def _reset(con, setting: str) -> None:
    try:
        con.execute(f"RESET {setting}")
    except duckdb.CatalogException:  # a setting this DuckDB does not have (never set)
        pass


def _summary_json(summary) -> dict:
    if summary is None:
        return {}
    return {"rows": summary.rows, "decided": summary.decided, "invalid": summary.invalid, "totals": summary.totals,
            "tax_target": summary.tax_target, "tax": dataclasses.asdict(summary.tax)}
