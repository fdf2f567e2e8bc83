"""Text columns as Arrow string arrays, for the writers: empty cells null, risky cells defused.

A cell is risky when its first byte is one of the ASCII characters a spreadsheet runs as a
formula; that is read off the array's buffers (`arrow_buffers`), without a string kernel over
every cell. The data buffer is never copied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landrules.ledger.arrow_buffers import data_bytes, empty_as_null, offsets, one_string_array
from landrules.ledger.write.base import CONTROL, RISKY, RISKY_START, show_controls, text_column

_RISKY_BYTES = np.zeros(256, dtype=bool)  # a first byte -> whether it makes a cell risky
_RISKY_BYTES[np.frombuffer("".join(RISKY).encode("ascii"), dtype=np.uint8)] = True
_CONTROL_BYTES = np.array([c for c in range(0x20) if CONTROL.match(chr(c))], dtype=np.uint8)


def text_array(series: pd.Series) -> pa.Array:
    """An input column as one Arrow string array, empty cells null."""
    values = text_column(series)
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arr = values.array._pa_array  # the column's own Arrow data, not a copy
    else:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    return empty_as_null(one_string_array(arr))


def controls_shown(arr: pa.Array) -> pa.Array:
    """`show_controls` on an Arrow string array (the few cells that hold one, converted alone).

    A control character is one byte below 0x20 in UTF-8 (no other character's bytes are), so
    the data buffer is looked at with numpy first; only an array that holds one is converted."""
    data = data_bytes(arr)
    if not len(data) or data.min() >= 0x20:  # one pass, nothing allocated: nearly every column
        return arr
    if not np.isin(data[data < 0x20], _CONTROL_BYTES).any():
        return arr
    return pa.array([show_controls(v) if v is not None else None for v in arr.to_pylist()], type=pa.string())


def defuse_array(arr: pa.Array) -> pa.Array:
    """`output.defuse` on an Arrow string array: a leading "'" on text a spreadsheet would run."""
    if not len(arr):
        return arr
    data = arr.buffers()[2]
    if data is None or not data.size:
        return arr
    # each cell's first byte, or for an empty or null cell the next cell's (or the last byte):
    # no risky cell is missed, and a column without one (nearly every column) is left as it is
    first = np.take(np.frombuffer(data, dtype=np.uint8), offsets(arr)[:-1], mode="clip")
    if not _RISKY_BYTES[first].any():
        return arr
    risky = pc.match_substring_regex(arr, RISKY_START)  # the rare column that has some
    return pc.if_else(risky, pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type)), arr)
