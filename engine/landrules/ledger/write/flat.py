"""The decision columns of a chunk, as the few distinct decisions' texts and a row index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.ledger.arrow_buffers import empty_as_null


class OwnTexts(NamedTuple):
    """Rows' own texts in one column: row rows[k]'s is texts[which[k]] (each distinct text once)."""

    rows: np.ndarray  # int64 row positions
    which: np.ndarray  # int64 positions in texts, one per row
    texts: list[str] | pa.Array  # an Arrow string array: made by Arrow, kept as it is

    def text_list(self) -> list[str]:
        return self.texts.to_pylist() if isinstance(self.texts, pa.Array) else self.texts

    @classmethod
    def of(cls, rows: np.ndarray, texts: Sequence[str]) -> OwnTexts:
        """One text per row."""
        return cls(np.asarray(rows, dtype=np.int64), np.arange(len(texts), dtype=np.int64), list(texts))

    def cells(self) -> list[str]:
        """Each row's text."""
        table = np.empty(len(self.texts), dtype=object)
        table[:] = self.text_list()
        return table[self.which].tolist()


class FlatColumns:
    """The decision columns of a chunk as patterns and an index: row i's text in column c is
    `texts[c][index[i]]` ("" when empty), unless `rows` gives row i its own text in column c
    (a row's errors and notes, which name the row: `rows[c]` is an OwnTexts, or (row positions,
    their texts)).

    A chunk has a few hundred distinct decisions, so the Arrow writers take each column as a
    DictionaryArray (index → text, the rows' own texts after the patterns') without one Python
    string per row; `frame()` gives the plain DataFrame the other writers take."""

    def __init__(self, index: np.ndarray, texts: dict[str, list[str]],
                 rows: Mapping[str, OwnTexts | tuple[np.ndarray, list[str]]] | None = None):
        self.index = np.asarray(index, dtype=np.int32)
        self.texts = texts
        self.rows = {c: own if isinstance(own, OwnTexts) else OwnTexts.of(*own)
                     for c, own in (rows or {}).items() if len(own[0])}
        self.columns = list(texts)

    def __len__(self) -> int:
        return len(self.index)

    def _all_texts(self, name: str) -> list[str]:
        own = self.rows.get(name)
        return self.texts[name] if own is None else [*self.texts[name], *own.text_list()]

    def indices(self, name: str) -> np.ndarray:
        """Each row's position in `dictionary(name)`."""
        own = self.rows.get(name)
        if own is None:
            return self.index
        indices = self.index.copy()
        indices[own.rows] = len(self.texts[name]) + own.which
        return indices

    def dictionary(self, name: str) -> pa.Array:
        """Column `name`'s distinct texts and the rows' own, "" as null."""
        own = self.rows.get(name)
        if own is not None and isinstance(own.texts, pa.Array):
            return empty_as_null(pa.concat_arrays([pa.array(self.texts[name], type=pa.string()), own.texts]))
        return empty_as_null(pa.array(self._all_texts(name), type=pa.string()))

    def arrow(self, name: str, dictionary: pa.Array | None = None) -> pa.DictionaryArray:
        """Column `name` as a DictionaryArray over `dictionary` (default: `dictionary(name)`)."""
        dictionary = self.dictionary(name) if dictionary is None else dictionary
        return pa.DictionaryArray.from_arrays(pa.array(self.indices(name), type=pa.int32()), dictionary)

    def invalid(self) -> int:
        """Rows with errors."""
        has = np.array([t != "" for t in self._all_texts("errors")], dtype=bool)
        return int(has[self.indices("errors")].sum()) if len(has) else 0

    def column(self, name: str) -> np.ndarray:
        """Column `name`, one text per row (an object array)."""
        return np.array(self._all_texts(name), dtype=object)[self.indices(name)]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({c: self.column(c) for c in self.columns}, columns=self.columns)
