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
from landrules.ledger.validate.frame import parse_frame
from landrules.record.arrow_rows import arrow_blob, blob_table, cell_columns, fact_array, fact_columns, text_array, text_arrays


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


def _coded(columns) -> set:
    return {name for name, column in columns.items() if pa.types.is_dictionary(column.type)}


def test_repeated_cells_are_stored_once_a_chunk_and_read_back_as_they_were():
    """Validation's distinct cells become the files' dictionaries: the cells of a column that
    repeats, and the values of its numbers and dates; a distinct column, a column replaced since
    validation and a field changed since stay a value a row. Read back, each is what it was."""
    n = 120
    frame = pd.DataFrame({
        "parcel_id": [f"SL-{i:03d}" for i in range(n)],  # distinct
        "land_use": ["工业用地", "商业用地", None][: 3] * (n // 3),
        "area_mu": [f"{i % 9}.5" for i in range(n)],
        "approved_on": ["2018-01-02", "2019年3月4日", "", "bad"] * (n // 4),
        "holder": [f"单位{i % 5}" for i in range(n)],
        "其他": [f"备注{i % 4}" for i in range(n)],  # not a field: never factorised
    }).astype("string[pyarrow]")
    parsed = parse_frame(frame, list(range(2, 2 + n)))
    cells = dict(zip(frame.columns, cell_columns(frame, parsed)))
    assert _coded(cells) == {"land_use", "area_mu", "approved_on", "holder"}
    assert _coded(fact_columns(parsed)) >= {"area_mu", "approved_on", "holder"}
    assert "parcel_id" not in _coded(fact_columns(parsed))
    assert [column.to_pylist() for column in cells.values()] == [column.to_pylist() for column in text_arrays(frame)]

    replaced = frame.copy()  # the same cells, but not the arrays validation saw: taken as they are
    assert not _coded(dict(zip(replaced.columns, cell_columns(replaced, parsed))))
    parsed.columns["area_mu"] = parsed.columns["area_mu"] + 1  # a field changed since validation
    facts = fact_columns(parsed)
    assert "area_mu" not in _coded(facts) and "approved_on" in _coded(facts)

    plain = {name: fact_array(name, column) for name, column in parsed.columns.items()}
    back = blob_table(arrow_blob(pa.table(facts)))
    assert not _coded(dict(zip(back.column_names, back.columns)))
    for name, column in plain.items():  # (texts as read stay large_string, as the reader gave them)
        assert back.column(name).to_pylist() == column.to_pylist(), name
        if not pa.types.is_string(column.type):
            assert back.column(name).type == getattr(column.type, "value_type", column.type), name
    back = blob_table(arrow_blob(pa.table(cells)))
    assert back.to_pylist() == pa.table(text_arrays(frame), names=list(frame.columns)).to_pylist()


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
