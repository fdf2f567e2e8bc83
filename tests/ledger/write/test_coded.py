"""Coded columns: codes into distinct values, picked by position, renumbered as the sheet writer
numbers a list of cells."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.ledger.write.coded import Coded


def test_a_column_keeps_its_cells_through_take_and_map():
    column = Coded.of(["乙", None, "甲", "乙", ""])
    assert list(column) == ["乙", None, "甲", "乙", ""]
    assert len(column.values) == 3  # 乙, 甲, "": each distinct value once
    picked = column.take(np.array([2, 2, 0]))
    assert list(picked) == ["甲", "甲", "乙"] and picked[1] == "甲" and list(picked[0:2]) == ["甲", "甲"]
    calls = []
    shouted = column.map(lambda v: calls.append(v) or v + "!")
    assert list(shouted) == ["乙!", None, "甲!", "乙!", "!"]
    assert len(calls) == 3


def test_first_seen_numbers_values_as_factorizing_the_cells_does():
    dates = [dt.date(2022, 1, 1), dt.date(2021, 1, 1)]
    cells = ["b", "", None, "a", "b", 3.5, dates[0], dates[1], dates[0], "a"]
    column = Coded.of(cells[::-1]).take(np.arange(len(cells))[::-1])  # coded in another order
    assert list(column) == cells
    codes, values = column.first_seen()
    expected_codes, expected_values = pd.factorize(np.array([None if c == "" else c for c in cells], dtype=object))
    assert values == list(expected_values)
    assert codes.tolist() == expected_codes.tolist()  # "" and None empty (-1)


def test_numbers_and_table():
    assert list(Coded.numbers(1, 4)) == [1, 2, 3, 4]
    column = Coded.of(["ab", None, "abc"])
    assert column.table(len, -1, dtype=int).tolist() == [2, -1, 3]


def test_factorize_gives_pandas_codes_for_arrow_and_object_columns():
    from landrules.ledger.write.coded import factorize

    cells = ["乙", None, "甲", "乙", "", None, "丙"]
    expected_codes, expected_values = pd.factorize(np.array(cells, dtype=object), use_na_sentinel=True)
    for series in (pd.Series(cells, dtype="str"), pd.Series(cells, dtype=object), pd.Series(cells, dtype=pd.ArrowDtype(pa.string()))):
        codes, values = factorize(series)
        assert codes.dtype == np.int32 and codes.tolist() == expected_codes.tolist(), series.dtype
        assert values == list(expected_values), series.dtype
