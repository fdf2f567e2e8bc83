"""The writers' Arrow text helpers agree with the cell-by-cell reference (`output.defuse`)."""

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.ledger.arrow_buffers import empty_as_null
from landrules.ledger.write.arrow_text import defuse_array, text_array
from landrules.ledger.write.base import defuse

cells = st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r'a中 1", max_size=4)), max_size=30)


def expected(values):
    return [None if v in (None, "") else defuse(v) for v in values]


@pytest.mark.slow  # a property test, 200 examples
@settings(max_examples=200, deadline=None)
@given(cells, st.integers(0, 5), st.booleans())
def test_defused_text_matches_the_reference(values, cut, arrow_backed):
    dtype = pd.StringDtype("pyarrow") if arrow_backed else object
    series = pd.Series(values, dtype=dtype).iloc[cut:]  # a slice: an array with an offset
    got = defuse_array(text_array(series)).to_pylist()
    assert got == expected(values[cut:])


@given(cells, st.integers(0, 5), st.sampled_from([pa.string(), pa.large_string()]))
def test_empty_as_null_on_a_sliced_array(values, cut, kind):
    arr = pa.array(values, type=kind).slice(cut)
    out = empty_as_null(arr)
    assert out.to_pylist() == [None if v in (None, "") else v for v in values[cut:]]
    assert out.null_count == sum(v in (None, "") for v in values[cut:])
    out.validate(full=True)


def test_large_string_and_chunked_columns():
    chunked = pa.chunked_array([["=1", ""], ["x", None]], type=pa.large_string())
    series = pd.Series(pd.arrays.ArrowExtensionArray(chunked))
    assert defuse_array(text_array(series)).to_pylist() == ["'=1", None, "x", None]


def test_a_column_without_risky_cells_is_returned_as_it_is():
    arr = pa.array(["a", "b=", "中"])
    assert defuse_array(arr) is arr


@given(cells, st.integers(0, 5))
def test_filled_cells_match_pandas(values, cut):
    from landrules.ledger.arrow_buffers import filled_cells

    for dtype in (object, pd.StringDtype("pyarrow")):
        series = pd.Series(values, dtype=dtype).iloc[cut:]
        assert filled_cells(series).tolist() == [v not in (None, "") for v in values[cut:]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="\x00\x07\x1f\x7f\t\n\ra中", max_size=4)), max_size=30),
       st.integers(0, 5))
def test_controls_are_shown_as_show_controls_shows_them(values, cut):
    from landrules.ledger.write.arrow_text import controls_shown
    from landrules.ledger.write.base import show_controls

    arr = pa.array(values, type=pa.string()).slice(cut)
    assert controls_shown(arr).to_pylist() == [None if v is None else show_controls(v) for v in values[cut:]]
