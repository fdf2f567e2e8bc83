"""Text columns as Arrow string arrays, for the writers: empty cells null, risky cells defused.

Both read an array's offsets and data buffers with numpy instead of running a string kernel
over every cell: a cell is empty when its length is 0, and risky when its first byte is one of
the ASCII characters a spreadsheet runs as a formula. The data buffer is never copied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landrules.ledger.output import RISKY, text_column

_RISKY_BYTES = np.frombuffer("".join(RISKY).encode("ascii"), dtype=np.uint8)
_RISKY_PATTERN = "^[" + "".join("\\" + c if c in "-\\" else c for c in RISKY) + "]"


def text_array(series: pd.Series) -> pa.Array:
    """An input column as one Arrow string array, empty cells null."""
    values = text_column(series)
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arr = values.array._pa_array  # the column's own Arrow data, not a copy
    else:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    return empty_as_null(_one_string_array(arr))


def filled_cells(series: pd.Series) -> np.ndarray:
    """Which cells of a column are neither null nor "" (read off an Arrow column's offsets)."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        arr = _one_string_array(series.array._pa_array)
        filled = np.diff(_offsets(arr)) > 0
        valid = _valid(arr)
        return filled if valid is None else filled & valid
    return (series.notna() & (series != "")).to_numpy(dtype=bool)


def _one_string_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


def _offsets(arr: pa.Array) -> np.ndarray:
    """The n + 1 offsets of a (large) string array's cells into its data buffer."""
    dtype = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    buffer = arr.buffers()[1]
    if buffer is None:  # an array of nulls only
        return np.zeros(len(arr) + 1, dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype)[arr.offset: arr.offset + len(arr) + 1]


def _valid(arr: pa.Array) -> np.ndarray | None:
    """Which cells are not null (None when none is null)."""
    if not arr.null_count:
        return None
    return arr.is_valid().to_numpy(zero_copy_only=False)


def empty_as_null(arr: pa.Array) -> pa.Array:
    """`arr` with its "" cells null (the writers write a null as an empty field)."""
    offsets = _offsets(arr)
    keep = np.diff(offsets) > 0
    valid = _valid(arr)
    if valid is not None:
        keep &= valid
    if keep.all() or not len(arr):
        return arr
    bitmap = pa.py_buffer(np.packbits(keep, bitorder="little"))
    return pa.Array.from_buffers(arr.type, len(arr), [bitmap, pa.py_buffer(offsets.copy()), arr.buffers()[2]],
                                 null_count=int(len(arr) - keep.sum()))


def defuse_array(arr: pa.Array) -> pa.Array:
    """`output.defuse` on an Arrow string array: a leading "'" on text a spreadsheet would run."""
    if not len(arr):
        return arr
    offsets = _offsets(arr)
    starts, lengths = offsets[:-1], np.diff(offsets)
    data = arr.buffers()[2]
    if data is None or not data.size:
        return arr
    filled = lengths > 0
    valid = _valid(arr)
    if valid is not None:
        filled &= valid
    first = np.frombuffer(data, dtype=np.uint8)[starts[filled]]
    if not np.isin(first, _RISKY_BYTES).any():
        return arr
    risky = pc.match_substring_regex(arr, _RISKY_PATTERN)  # the rare column that has some
    return pc.if_else(risky, pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type)), arr)
