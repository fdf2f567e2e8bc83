"""A chunk's input cells and facts as Arrow (what the record keeps of each row as read and as decided)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.record.arrow_rows import fact_array, text_array, text_arrays


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


def _decoded(name: str, value: float | str | None):
    """One encoded value as the record reads it back, worked out value by value."""
    spec = fields.BY_NAME[name]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if spec.type is FieldType.DATE:
        return dt.date.fromordinal(int(value))
    if spec.type is FieldType.BOOL:
        return value > 0.5
    if spec.type is FieldType.ENUM:
        return list(spec.vocabulary)[int(value)]
    return value


@pytest.mark.slow  # a property test of whole stores
@settings(max_examples=30, deadline=None)
@given(st.data())
def test_facts_read_back_are_the_values_decoded_one_by_one(data):
    """Every kind of field: numbers, ratios, dates, yes/no, codes (a dictionary over the
    vocabulary) and texts, unknown values among them."""
    for spec in fields.FIELDS:
        if spec.type is FieldType.TEXT:
            values = data.draw(st.lists(st.one_of(st.none(), st.text(max_size=5)), max_size=12))
            column = np.array(values, dtype=object)
        else:
            if spec.type is FieldType.ENUM:
                known = st.integers(0, len(spec.vocabulary) - 1).map(float)
            elif spec.type is FieldType.DATE:
                known = st.integers(dt.date(1990, 1, 1).toordinal(), dt.date(2040, 12, 31).toordinal()).map(float)
            elif spec.type is FieldType.BOOL:
                known = st.sampled_from([0.0, 1.0])
            else:
                known = st.floats(0, 1e9, allow_nan=False)
            values = data.draw(st.lists(st.one_of(st.just(float("nan")), known), max_size=12))
            column = np.array(values, dtype=float)
        assert fact_array(spec.name, column).to_pylist() == [_decoded(spec.name, v) for v in values], spec.name
