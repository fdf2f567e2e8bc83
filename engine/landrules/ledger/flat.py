"""The decision columns of a chunk, as the few distinct decisions' texts and a row index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


class FlatColumns:
    """The decision columns of a chunk as patterns and an index: row i's text in column c is
    `texts[c][index[i]]` ("" when empty). A chunk has a few hundred distinct decisions, so the
    Arrow writers take each column as a DictionaryArray (index → pattern text) without one
    Python string per row; `frame()` gives the plain DataFrame the other writers take."""

    def __init__(self, index: np.ndarray, texts: dict[str, list[str]]):
        self.index = np.asarray(index, dtype=np.int32)
        self.texts = texts
        self.columns = list(texts)

    def __len__(self) -> int:
        return len(self.index)

    def dictionary(self, name: str) -> pa.Array:
        """Column `name`'s distinct texts, "" as null."""
        return pa.array([t if t != "" else None for t in self.texts[name]], type=pa.string())

    def arrow(self, name: str, dictionary: pa.Array | None = None) -> pa.DictionaryArray:
        """Column `name` as a DictionaryArray over `dictionary` (default: its own texts)."""
        dictionary = self.dictionary(name) if dictionary is None else dictionary
        return pa.DictionaryArray.from_arrays(pa.array(self.index, type=pa.int32()), dictionary)

    def invalid(self) -> int:
        """Rows with errors."""
        has = np.array([t != "" for t in self.texts["errors"]], dtype=bool)
        return int(has[self.index].sum()) if len(has) else 0

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({c: np.array(self.texts[c], dtype=object)[self.index] for c in self.columns},
                            columns=self.columns)
