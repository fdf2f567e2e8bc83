"""A run recorded from elsewhere (a Dask worker): each file's chunks as the store's tables,
written beside its output as Arrow IPC streams while the file is decided, and taken into the
store by the recording process when the file is done (`RunRecorder.insert_part`).

    part = PartWriter(folder)                 # on the worker, one per file of the dataset
    decide_ledger(..., on_chunk=part.add)     # each chunk's tables written as it is decided
    part.close()                              # then the client: recorder.insert_part(folder)

A part is a folder of four streams, one record batch per chunk: `texts` (text_id counted from 0
in the file, the JSON tail, the flat columns), `own` (own_id counted from 0 in the file, the JSON
list, the cell), `decisions`, `chunks` (first row, rows, the cells' and facts' Arrow IPC files).
The client streams each into its table (DuckDB reads the Arrow stream batch by batch), its text
and own ids shifted past the run's so far.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from landrules.decide.batch import DecidedChunk
from landrules.record.chunk_tables import TEXT_COLUMNS, ChunkTabler

STREAMS = ("texts", "own", "decisions", "chunks")
TEXTS_SCHEMA = pa.schema([("text_id", pa.int32()), ("tail", pa.string()), *((c, pa.string()) for c in TEXT_COLUMNS)])
OWN_SCHEMA = pa.schema([("own_id", pa.int32()), ("list", pa.string()), ("cell", pa.string())])


class PartWriter:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.tabler: ChunkTabler | None = None
        self.headers: list[str] = []  # the file's headers and the fields they were read as (runs.headers)
        self.names: list[str] = []
        self._writers: dict[str, ipc.RecordBatchStreamWriter] = {}

    def add(self, frame: pd.DataFrame, decided: DecidedChunk, headers: list[str]) -> None:
        """decide_ledger's on_chunk: the chunk's tables appended to the part's streams."""
        if self.tabler is None:
            self.headers, self.names = [str(h) for h in headers], [str(c) for c in frame.columns]
            self.tabler = ChunkTabler(self.headers)
        tables = self.tabler.tables(frame, decided)
        self._write("texts", (tables.texts or TEXTS_SCHEMA.empty_table()).cast(TEXTS_SCHEMA))
        self._write("own", (tables.own or OWN_SCHEMA.empty_table()).cast(OWN_SCHEMA))
        self._write("decisions", tables.decisions)
        self._write("chunks", tables.chunk())

    add.wants_json = False  # decide_ledger's on_chunk: texts once each, no JSON line per row

    def _write(self, name: str, table: pa.Table) -> None:
        writer = self._writers.get(name)
        if writer is None:
            writer = self._writers[name] = ipc.new_stream(self.folder / f"{name}.arrows", table.schema)
        writer.write_table(table)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def part_streams(folder: Path) -> dict[str, ipc.RecordBatchStreamReader]:
    """The part's streams that were written (a file of no rows writes none)."""
    return {name: ipc.open_stream(pa.memory_map(str(folder / f"{name}.arrows")))
            for name in STREAMS if (folder / f"{name}.arrows").exists()}
