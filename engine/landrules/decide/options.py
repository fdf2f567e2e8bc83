"""The options of one run: what a ledger is decided with, built once by each face and passed down.

A command (`decide`, `diff`, `explain`, `report`), the workbench's session, the API and a Dask
task each turn their own arguments into one `RunOptions`; the chunk loop (`decide.chunks`) and
everything built on it read them from there. What listens to a run (progress, the column
report, the record of runs, the writer) is not an option: it is given to the consumer that
listens (`pipeline.decide_ledger`'s keyword arguments).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from landrules.geo.join import MapInputs
from landrules.ledger.columns.column_map import ColumnMap
from landrules.ledger.columns.headers import HeaderResolver
from landrules.ledger.read.reader import CHUNK_ROWS
from landrules.rulebook.model import Rulebook


@dataclass(frozen=True)
class RunOptions:
    """What one run decides a ledger with.

    `engine`: a name of `backends.registry.ENGINES` or "auto" (`engines.choose_engine`);
    `sheet`: the workbook sheet to read (None: the one the reader picks); `columns`: the column
    map (`--columns`: headers, synonyms, value spellings, not-a-field columns); `strict_columns`:
    refuse to decide on a look-alike or missing column; `map_inputs`: the parcel shapes
    (`--parcels`, `--boundary`, `--plan`); `chunk_rows`: rows read and decided at a time.

    A ledger that is one part of a larger one (a file of a Parquet dataset) numbers its rows
    from `row_offset` on and takes `first_seen` (parcel id → row) from the parts before it, so
    that its decisions, messages included, are those of the whole ledger."""

    rulebook: Rulebook
    as_of: dt.date
    engine: str = "auto"
    sheet: str | None = None
    columns: ColumnMap | None = None
    strict_columns: bool = False
    map_inputs: MapInputs | None = None
    chunk_rows: int = CHUNK_ROWS
    row_offset: int = 0
    first_seen: Mapping[str, int] | None = None

    def resolver(self) -> HeaderResolver | None:
        """How headers are read: the column map's, else the default (None)."""
        return self.columns.resolver() if self.columns is not None else None

    @property
    def values(self) -> Mapping[str, Mapping[str, str]]:
        """The column map's value spellings (field -> text -> code)."""
        return self.columns.values if self.columns is not None else {}

    @property
    def not_fields(self) -> set[str]:
        """Headers the column map declares no field (`null`)."""
        return self.columns.not_fields() if self.columns is not None else set()

    def but(self, **changes) -> RunOptions:
        """These options with some changed (another rulebook for a what-if, an engine chosen)."""
        return dataclasses.replace(self, **changes)
