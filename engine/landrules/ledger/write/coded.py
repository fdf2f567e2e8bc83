"""A column as codes into its distinct values: what a list sheet is built from when its rows are
other rows picked, repeated or reordered (一宗一策 sorted, 按责任单位 one row per parcel and unit).

Picking rows takes codes (`take`), so a million-row list costs a few integer arrays, not a
million Python rows; work on the values (cleaning a text, measuring its lines, naming a
measure) is done once per distinct value (`map`). The sheet writer (`xlsx_sheet_xml`) takes a
`Coded` column as it is; anything else iterates it as the cell values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass(frozen=True, eq=False)
class Coded(Sequence):
    codes: np.ndarray  # int32 positions into `values`; -1: an empty cell (None)
    values: Sequence[Any]  # the distinct values (after `map`, two may be equal); a range for numbers()

    @classmethod
    def of(cls, values: Sequence[Any]) -> Coded:
        """The column of `values` (None an empty cell). Equal values share a code, as pandas
        compares them: a column must not mix booleans with numbers (True == 1)."""
        array = np.empty(len(values), dtype=object)
        array[:] = values
        codes, uniques = pd.factorize(array, use_na_sentinel=True)
        return cls(codes.astype(np.int32), list(uniques))

    @classmethod
    def indexed(cls, codes: np.ndarray, values: Sequence[Any]) -> Coded:
        """The column whose cells are `values[codes]`; a None value is an empty cell."""
        empty = np.array([v is None for v in values] + [True], dtype=bool)  # the last: code -1
        codes = np.asarray(codes, dtype=np.int32)
        return cls(np.where(empty[codes], -1, codes).astype(np.int32), list(values))

    @classmethod
    def numbers(cls, first: int, count: int) -> Coded:
        """序号: first, first + 1, … (each its own value)."""
        return cls(np.arange(count, dtype=np.int32), range(first, first + count))

    def take(self, positions: np.ndarray) -> Coded:
        return Coded(self.codes[positions], self.values)

    def map(self, function: Callable[[Any], Any]) -> Coded:
        """`function` of each distinct value, once."""
        return Coded(self.codes, [function(v) for v in self.values])

    def map_text_list(self, function: Callable[[list[Any]], list[Any]]) -> Coded:
        """`function` of the list of distinct values at once (it keeps their order and length);
        numbers() are left as they are."""
        if isinstance(self.values, range):
            return self
        return Coded(self.codes, function(list(self.values)))

    def table(self, function: Callable[[Any], Any], empty: Any, dtype: Any = None) -> np.ndarray:
        """`function` of each cell as a NumPy array (`empty` for empty cells), computed once per
        distinct value."""
        lookup = np.array([*(empty if v is None else function(v) for v in self.values), empty], dtype=dtype)
        return lookup[np.where(self.codes < 0, len(self.values), self.codes)]

    def first_seen(self) -> tuple[np.ndarray, list[Any]]:
        """(codes, values) renumbered in the order the values first appear, values used only;
        None and "" are empty cells (-1): what a list of the cells factorized gives."""
        codes = self.codes
        if isinstance(self.values, range) and len(codes) and (np.diff(codes) == 1).all():  # numbers(), in order
            return codes - codes[0], list(self.values[codes[0]:codes[-1] + 1])
        seen, present = pd.factorize(codes)  # present: the codes in the order they first appear
        usable = np.array([v is not None and not _blank(v) for v in self.values] + [False], dtype=bool)
        kept = usable[present]  # code -1 picks the last: False
        renumbered = np.where(kept, np.cumsum(kept) - 1, -1).astype(np.int32)
        return renumbered[seen], [self.values[c] for c in present[kept].tolist()]

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):  # rows of the column: a column
            return Coded(self.codes[index], self.values)
        return self._value(int(self.codes[index]))

    def __iter__(self) -> Iterator[Any]:
        values = [*self.values, None]
        return (values[c] for c in self.codes.tolist())

    def _value(self, code: int) -> Any:
        return None if code < 0 else self.values[code]


def factorize(series: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(int32 codes, -1 for an empty cell; the distinct values in the order they first appear)
    of a column, as `pd.factorize` gives them: an Arrow-backed text column (as the CSV reader
    gives them) is encoded by Arrow, without a Python string a cell."""
    array = series.array
    if hasattr(array, "__arrow_array__") and isinstance(series.dtype, pd.StringDtype):
        return arrow_codes(pa.array(array))
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    return codes.astype(np.int32), list(uniques)


def arrow_codes(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[Any]]:
    """(int32 codes, -1 for null; the distinct values in the order they first appear) of an
    Arrow array, dictionary-encoded by Arrow."""
    encoded = array.dictionary_encode()
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return codes, encoded.dictionary.to_pylist()


def _blank(value: Any) -> bool:
    return isinstance(value, str) and value == ""
