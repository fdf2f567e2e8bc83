"""A recorded run decided again: its rulebook's files written back to a folder, its rows rebuilt
from the recorded cells (with their own row numbers) and decided chunk by chunk as `decide` did
(the chunk loop, `decide.chunks`, on a `Ledger` of the recorded cells).

`replay` compares the new JSON records with the recorded ones; `replay --rules` decides the rows
under the recorded rulebook and another, as `diff` does (decide.diff.compare)."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from landrules.decide.chunks import ChunkLoop
from landrules.decide.diff.compare import DiffResult, diff_chunks
from landrules.decide.options import RunOptions
from landrules.ledger.read.reader import Chunk, Ledger
from landrules.record.arrow_rows import blob_table
from landrules.record.runs import Run, headers_of
from landrules.record.store import Store
from landrules.rulebook.model import Rulebook

CHUNK_ROWS = 50_000


@contextlib.contextmanager
def recorded_rulebook(store: Store, run: Run) -> Iterator[tuple[Path, Path]]:
    """The run's rulebook files in a temporary folder: (rules dir, policy dir)."""
    files = store.con.execute(
        "SELECT b.role, b.name, f.content FROM rulebooks b JOIN rulebook_files f USING (sha256) WHERE b.rulebook = ?",
        [run.rulebook]).fetchall()
    if not files:
        raise LookupError(f"记录库中没有 {run.name} 的规则库文件（{run.rulebook}）")
    with tempfile.TemporaryDirectory(prefix="landrules-replay-") as tmp:
        root = Path(tmp)
        for role, name, content in files:
            target = root / role / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (root / "rules").mkdir(exist_ok=True)
        (root / "policy").mkdir(exist_ok=True)
        yield root / "rules", root / "policy"


def _column_map(store: Store, run: Run):
    """The run's column map (ColumnMap), or None."""
    row = next(iter(store.con.execute("SELECT column_map FROM runs WHERE id = ?", [run.id]).fetchall()), None)
    if not row or not row[0]:
        return None
    from landrules.ledger.columns.column_map import load_column_map

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as handle:
        handle.write(row[0])
    try:
        return load_column_map(Path(handle.name))
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _recorded_cells(store: Store, run: Run, names: list[str], chunk_rows: int) -> Iterator[Chunk]:
    cursor = store.con.cursor().execute(
        f"SELECT cells FROM row_cells WHERE run_id = {int(run.id)} ORDER BY first_row NULLS FIRST, chunk")  # a Dask run's files arrive in any order
    for (blob,) in cursor.fetchall():
        table = blob_table(blob)  # Arrow IPC, or Parquet as older runs were stored
        rows = table.column("_row").to_pylist()
        frame = pd.DataFrame({f"_c{j}": table.column(f"_c{j}").to_numpy(zero_copy_only=False) for j in range(len(names))})
        frame = frame.fillna("").set_axis(names, axis=1).astype(object)
        for start in range(0, len(rows), chunk_rows):
            yield Chunk(frame.iloc[start:start + chunk_rows].reset_index(drop=True), rows[start:start + chunk_rows])


def recorded_loop(store: Store, run: Run, rulebook: Rulebook, engine: str, chunk_rows: int = CHUNK_ROWS) -> ChunkLoop:
    """The run's rows as the chunk loop reads a ledger (its recorded cells, own row numbers and
    column map; 合计 rows were never recorded), to be decided as `decide` decided them."""
    headers, names = headers_of(store, run.id)
    ledger = Ledger(Path(run.name), headers, names, _recorded_cells(store, run, names, chunk_rows))
    options = RunOptions(rulebook, run.as_of, engine=engine, columns=_column_map(store, run), chunk_rows=chunk_rows)
    return ChunkLoop(ledger, options, drop_totals=False)


@dataclass
class ReplayResult:
    rows: int = 0
    different: list[tuple[int, str | None, list[str]]] = field(default_factory=list)  # row, id, what differs


def replay_run(store: Store, run: Run, rulebook: Rulebook, engine: str, limit: int = 1000) -> ReplayResult:
    """Decide the run's rows again under `rulebook` and compare with the recorded records."""
    result = ReplayResult()
    loop = recorded_loop(store, run, rulebook, engine)
    # its own cursor: a query on the connection would end the result of another
    recorded = store.con.cursor().execute(f"SELECT row, record FROM decision_records WHERE run_id = {int(run.id)} ORDER BY row")
    for chunk in loop.decided(with_json=True, with_flat=False, read_ahead=False):  # the store is read on this thread
        parsed, decided = chunk.prepared.parsed, chunk.decision
        old = recorded.fetchmany(parsed.n)
        if [int(r) for r, _ in old] != [int(r) for r in parsed.rows]:
            raise LookupError(f"{run.name} 的记录不完整：行与决策对不上（第 {parsed.rows[0]} 行起）")
        for (row, before), after, pid in zip(old, decided.jsonl, parsed.parcel_ids):
            if before != after and len(result.different) < limit:
                result.different.append((int(row), pid, _differences(before, after)))
            elif before != after:
                result.different.append((int(row), pid, []))
        result.rows += parsed.n
    return result


def _differences(before: str, after: str) -> list[str]:
    a, b = json.loads(before), json.loads(after)
    return [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]


def diff_run(store: Store, run: Run, current: Rulebook, recorded: Rulebook, engine: str) -> DiffResult:
    """`diff` on a past quarter: the run's rows under the recorded rulebook (before) and `current`."""
    return diff_chunks(recorded_loop(store, run, current, engine), recorded, read_ahead=False)
