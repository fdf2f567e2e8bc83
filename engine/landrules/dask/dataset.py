"""A Parquet dataset as one ledger: its files in order, their row numbers, duplicate ids across them.

The files of a dataset (a folder, hive-partitioned sub-folders allowed) are, in the order of
their relative paths, the parts of one ledger: file k's rows are numbered after those of files
0..k-1, exactly as if the files were concatenated. Duplicate parcel ids across files are found
by hashing ids into buckets (one task per file), then checking each bucket (one task per bucket):
no task holds more than one file's or one bucket's ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from landrules.ledger.errors import LedgerError
from landrules.ledger.read.reader import CHUNK_ROWS, map_headers
from landrules.ledger.validate.frame import parse_frame

FIRST_ROW = 2  # row 1 is the header, as in a spreadsheet


@dataclass(frozen=True)
class DatasetFile:
    path: Path
    relative: Path
    rows: int
    first_row: int  # the row number of its first row in the whole ledger


@dataclass(frozen=True)
class Duplicate:
    parcel_id: str
    first: tuple[str, int, int]  # (relative file, row in the file, row in the ledger)
    again: tuple[str, int, int]

    def message(self) -> str:
        return (f'宗地编号 "{self.parcel_id}" 跨文件重复：{self.first[0]} 第{self.first[1]}行 '
                f'与 {self.again[0]} 第{self.again[1]}行')


def dataset_files(folder: Path) -> list[DatasetFile]:
    """The dataset's Parquet files in order, with their row counts from the file footers."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LedgerError(folder, "不是目录（--dask 需要一个 Parquet 数据集目录）")
    paths = sorted(p for p in folder.rglob("*.parquet") if p.is_file() and not p.name.startswith((".", "_")))
    if not paths:
        raise LedgerError(folder, "目录中没有 .parquet 文件")
    out, first = [], FIRST_ROW
    for path in paths:
        try:
            rows = pq.ParquetFile(path).metadata.num_rows
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
            raise LedgerError(path, f"不是有效的 Parquet 文件: {type(exc).__name__}") from None
        out.append(DatasetFile(path, path.relative_to(folder), rows, first))
        first += rows
    return out


def bucket_ids(part: DatasetFile, index: int, buckets: int) -> list[pd.DataFrame]:
    """One file's parcel ids (parsed as validation parses them) split into `buckets` by hash,
    each with the file's index and row numbers. Only the id column is read."""
    parquet = pq.ParquetFile(part.path)
    header = list(parquet.schema_arrow.names)
    _, names, kept, _ = map_headers(part.path, header, None)
    if "parcel_id" not in names:
        raise LedgerError(part.path, "没有宗地编号列")
    column = header[kept[names.index("parcel_id")]]
    ids, rows, first = [], [], FIRST_ROW
    for batch in parquet.iter_batches(columns=[column], batch_size=CHUNK_ROWS):
        raw = batch.column(0).to_pandas().astype(object)
        frame = pd.DataFrame({"parcel_id": raw.where(raw.notna(), None)})
        numbers = list(range(first, first + len(frame)))
        ids.append(parse_frame(frame, numbers).parcel_ids)
        rows.append(np.asarray(numbers, dtype=np.int64))
        first += len(frame)
    frame = pd.DataFrame({
        "parcel_id": np.concatenate(ids) if ids else np.array([], dtype=object),
        "file": index,
        "row": np.concatenate(rows) if rows else np.array([], dtype=np.int64),
    })
    frame = frame[frame["parcel_id"].notna()]
    which = pd.util.hash_array(frame["parcel_id"].to_numpy(dtype=object)) % buckets
    return [frame[which == b].reset_index(drop=True) for b in range(buckets)]


def bucket_duplicates(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of one bucket whose id was seen in an earlier file, with that first sighting."""
    frame = pd.concat(pieces, ignore_index=True).sort_values(["file", "row"], kind="stable")
    first = frame.drop_duplicates("parcel_id", keep="first").set_index("parcel_id")
    again = frame[frame.duplicated("parcel_id", keep="first")]
    again = again.join(first, on="parcel_id", rsuffix="_first")
    return again[again["file"] != again["file_first"]].reset_index(drop=True)


def duplicates_of(parts: list[DatasetFile], found: pd.DataFrame) -> list[Duplicate]:
    out = []
    for rec in found.sort_values(["file", "row"]).itertuples(index=False):
        a, b = parts[rec.file_first], parts[rec.file]
        out.append(Duplicate(
            rec.parcel_id,
            (str(a.relative), rec.row_first, rec.row_first - FIRST_ROW + a.first_row),
            (str(b.relative), rec.row, rec.row - FIRST_ROW + b.first_row),
        ))
    return out
