"""A chunk's input cells as Arrow (what the record keeps of each row as read)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.record.arrow_rows import text_array, text_arrays


def test_cells_taken_from_arrow_are_the_cells_converted_one_by_one():
    """A column the reader gave as Arrow strings is taken without conversion; the others (Python
    objects: an Excel date, a number, NaN) are converted; either way the same cells."""
    arrow = pd.Series(["SL-001", None, "", "宗地 二"], dtype=pd.ArrowDtype(pa.large_string())).astype("string[pyarrow]")
    frame = pd.DataFrame({
        "id": arrow,
        "objects": pd.Series(["x", None, np.nan, 3], dtype=object),
        "plain": pd.Series(["p", "q", None, "r"], dtype="str"),
    })
    taken = text_arrays(frame)
    assert [column.to_pylist() for column in taken] == [text_array(frame.iloc[:, j]).to_pylist() for j in range(3)]
    assert taken[1].to_pylist() == ["x", None, None, "3"]
    assert isinstance(taken[0], pa.ChunkedArray)  # the reader's own array: no copy made
