"""What a column's Arrow buffers tell without a string kernel over every cell: which cells are
empty, and the same array with its empty cells null. Offsets and validity are read with numpy;
the data buffer is never copied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def one_string_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One (large) string array of a column's chunks."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


def offsets(arr: pa.Array) -> np.ndarray:
    """The n + 1 offsets of a (large) string array's cells into its data buffer."""
    dtype = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    buffer = arr.buffers()[1]
    if buffer is None:  # an array of nulls only
        return np.zeros(len(arr) + 1, dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype)[arr.offset: arr.offset + len(arr) + 1]


def data_bytes(arr: pa.Array) -> np.ndarray:
    """The bytes of a (large) string array's cells, one after another (a view, not a copy)."""
    buffer = arr.buffers()[2] if arr.buffers()[1] is not None else None
    if buffer is None or not len(arr):
        return np.zeros(0, dtype=np.uint8)
    ends = offsets(arr)
    return np.frombuffer(buffer, dtype=np.uint8)[int(ends[0]): int(ends[-1])]


def validity(arr: pa.Array) -> np.ndarray | None:
    """Which cells are not null (None when none is null)."""
    if not arr.null_count:
        return None
    return arr.is_valid().to_numpy(zero_copy_only=False)


def empty_as_null(arr: pa.Array) -> pa.Array:
    """`arr` with its "" cells null (the writers write a null as an empty field).

    The validity bitmap is Arrow's own comparison of the cells' lengths with 0 (bit-packed as
    it is made); offsets and data are the array's, not copied. Numpy's way (the offsets'
    differences, packed, and a copy of the offsets) cost five times as much a column in a
    chunk's writing, where each column's new arrays stay alive until the chunk is written."""
    if not len(arr):
        return arr
    keep = pc.greater(pc.binary_length(arr), 0)  # null where the cell is null
    if keep.null_count:
        keep = keep.fill_null(False)
    kept = keep.true_count
    if kept == len(arr):
        return arr
    width = 8 if pa.types.is_large_string(arr.type) else 4
    bounds = arr.buffers()[1].slice(arr.offset * width)  # the bitmap starts at the first cell: so must they
    return pa.Array.from_buffers(arr.type, len(arr), [keep.buffers()[1], bounds, arr.buffers()[2]],
                                 null_count=len(arr) - kept)


def filled_cells(series: pd.Series) -> np.ndarray:
    """Which cells of a column are neither null nor "" (an Arrow column: read off its offsets)."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        arr = series.array._pa_array
        parts = []
        for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:  # chunk by chunk: no copy
            chunk = one_string_array(chunk)
            filled = np.diff(offsets(chunk)) > 0
            valid = validity(chunk)
            parts.append(filled if valid is None else filled & valid)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    return (series.notna() & (series != "")).to_numpy(dtype=bool)
