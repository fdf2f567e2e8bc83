"""The Python API for a Dask DataFrame already in hand: `decide_frame(ddf, rulebook, as_of)`.

Each partition (a pandas DataFrame with the ledger's columns) is validated and decided by the
vectorised engine, exactly as one chunk of `decide` (the chunk loop, `decide.chunks`); the result has the partition's columns
followed by the decision columns (contract §4, flattened), all text, empty as null (as in
`decide`'s Parquet output). Row numbers in messages are the
index + 2 when the index is integer (the row of a spreadsheet with a header row), else they
count within the partition. Duplicate parcel ids are
checked within a partition only: use `decide DATASET --dask` for the whole-dataset check.
Values are read as `decide` reads them (units, placeholders), and 合计/小计/总计 rows are left
out of the result, as `decide` leaves them out of its decisions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from landrules.dask.bundle import RulebookBundle, rulebook_on_worker
from landrules.decide.chunks import ChunkLoop
from landrules.decide.options import RunOptions
from landrules.ledger.read.reader import Chunk, Ledger, map_headers
from landrules.ledger.validate.totals import footer_mask, total_mask
from landrules.ledger.write.base import OUTPUT_COLUMNS, unique_names
from landrules.rulebook.model import Rulebook


def _output_names(columns: list[str]) -> list[str]:
    return unique_names([str(c) for c in columns], OUTPUT_COLUMNS) + list(OUTPUT_COLUMNS)


def decide_partition(part: pd.DataFrame, bundle: RulebookBundle, as_of: dt.date) -> pd.DataFrame:
    rulebook = rulebook_on_worker(bundle)
    _, names, kept, _ = map_headers("<dask partition>", list(part.columns), None)
    raw = part.iloc[:, kept].astype(object)
    raw = raw.where(raw.notna(), None).set_axis(names, axis=1).reset_index(drop=True)
    headers = [str(part.columns[k]) for k in kept]
    totals = total_mask(raw) | footer_mask(raw)  # 合计 and 填表人 rows are not parcels: left out, as `decide` leaves them
    if totals.any():
        part, raw = part[~totals], raw[~totals].reset_index(drop=True)
    ledger = Ledger(Path("<dask partition>"), headers, names, iter([Chunk(raw, _row_numbers(part))]))
    loop = ChunkLoop(ledger, RunOptions(rulebook, as_of, engine="vectorized"), drop_totals=False)  # 合计 rows out above
    [chunk] = loop.decided(with_json=False, read_ahead=False)
    decided = chunk.decision
    inputs = part.reset_index(drop=True).astype(object)
    inputs = inputs.where(inputs.notna(), None).map(lambda v: None if v is None else str(v))
    out = pd.concat([inputs, decided.flat.reset_index(drop=True)], axis=1)
    out.columns = _output_names(list(part.columns))
    out = out.astype(object).where(out != "", None)  # empty is null, as in decide's Parquet output
    return out.set_axis(part.index)


def _row_numbers(part: pd.DataFrame) -> list[int]:
    """Row numbers for messages: the index + 2 (header row 1) when it is integer (a frame read
    from one ledger keeps its RangeIndex), else the position within the partition."""
    if pd.api.types.is_integer_dtype(part.index.dtype):
        return (part.index.to_numpy() + 2).tolist()
    return list(range(2, len(part) + 2))


def decide_frame(ddf, rulebook: Rulebook, as_of: dt.date):
    """The decided Dask DataFrame (lazy): `map_partitions` with an explicit `meta`."""
    bundle = RulebookBundle.of(rulebook)
    names = _output_names(list(ddf.columns))
    meta = pd.DataFrame({name: pd.Series(dtype=object) for name in names})
    return ddf.map_partitions(decide_partition, bundle, as_of, meta=meta)
