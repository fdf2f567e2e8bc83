"""The rows' notes of a chunk (contract §4), as a few code columns instead of a tuple per row.

About half the rows of a county's ledger carry a note that a whole column gives them: the
plan layer's 符合国土空间规划, an event dated after the evaluation date, a date given only to
the month, the decision's own. Each such step adds a `NoteColumn`: one code per row (-1: no
note) and each distinct tuple of notes once. The notes set row by row while validating (a
remark, a look-alike id, a row without an id: few) stay a dict, and come first.

A row's notes are its row-by-row notes, then each column's in the order the columns were
added: what appending tuples row by row gave. `RowNotes` is a Mapping row -> tuple, so that
one parcel's notes read as before (`explain`, the web pages); `combined` gives the chunk's
rows with notes and their distinct combinations, so that each distinct combination is worded
once, not each row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NONE = -1
_KEY_LIMIT = 1 << 62  # mixed-radix row keys are re-coded before they could overflow int64


class NoteColumn(NamedTuple):
    """Row i's notes are texts[codes[i]] (none where codes[i] < 0); no entry of texts is empty."""

    codes: np.ndarray  # int64, one per row of the chunk
    texts: list[tuple[str, ...]]

    @classmethod
    def from_rows(cls, n: int, notes: Mapping[int, Sequence[str]], skip: Iterable[int] = ()) -> NoteColumn:
        """A column from a dict row -> notes (rows in `skip`, and empty notes, left out), each
        distinct tuple once."""
        codes = np.full(n, _NONE, dtype=np.int64)
        distinct: dict[tuple[str, ...], int] = {}
        skipped = set(skip)
        for i, added in notes.items():
            added = tuple(added)
            if added and i not in skipped:
                codes[i] = distinct.setdefault(added, len(distinct))
        return cls(codes, list(distinct))

    def at(self, i: int) -> tuple[str, ...]:
        code = int(self.codes[i])
        return self.texts[code] if code >= 0 else ()

    def without(self, rows: Iterable[int]) -> NoteColumn:
        """The column with no note at `rows` (rows with errors keep only their errors)."""
        rows = list(rows)
        if not rows:
            return self
        codes = self.codes.copy()
        codes[rows] = _NONE
        return NoteColumn(codes, self.texts)


class RowNotes(Mapping):
    """row position -> tuple of notes: the rows' own (a dict), then the columns'."""

    __slots__ = ("_rows", "_columns")

    def __init__(self, rows: Mapping[int, Sequence[str]] | None = None, columns: Sequence[NoteColumn] = ()):
        self._rows: dict[int, tuple[str, ...]] = {i: tuple(v) for i, v in (rows or {}).items()}
        self._columns: list[NoteColumn] = list(columns)

    # -- the Mapping ------------------------------------------------------------------------

    def __getitem__(self, i: int) -> tuple[str, ...]:
        own = self._rows.get(i)
        notes = own or ()
        for column in self._columns:
            if 0 <= i < len(column.codes):
                notes = (*notes, *column.at(i))
        if own is None and not notes:
            raise KeyError(i)
        return notes

    def __iter__(self) -> Iterator[int]:
        yield from self._rows
        if self._columns:
            noted = np.zeros(len(self._columns[0].codes), dtype=bool)
            for column in self._columns:
                noted |= column.codes >= 0
            for i in np.flatnonzero(noted).tolist():
                if i not in self._rows:
                    yield i

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, i: object) -> bool:
        if i in self._rows:
            return True
        return any(isinstance(i, (int, np.integer)) and 0 <= i < len(c.codes) and c.codes[i] >= 0 for c in self._columns)

    def __setitem__(self, i: int, notes: Sequence[str]) -> None:
        """Row i's notes are `notes` from now on, all of them (the columns' too: taken from it)."""
        self._rows[i] = tuple(notes)
        self._columns = [c.without([i]) if 0 <= i < len(c.codes) and c.codes[i] >= 0 else c for c in self._columns]

    def __repr__(self) -> str:
        return f"RowNotes({dict(self.items())!r})"

    # -- columns ----------------------------------------------------------------------------

    def add(self, column: NoteColumn) -> None:
        """Append a column's notes after each row's (in place)."""
        if (column.codes >= 0).any():
            self._columns.append(column)

    def with_column(self, column: NoteColumn) -> RowNotes:
        """A copy with a column's notes appended after each row's (this one unchanged)."""
        copy = RowNotes.__new__(RowNotes)
        copy._rows, copy._columns = dict(self._rows), list(self._columns)
        copy.add(column)
        return copy

    def _all(self, n: int, after: Sequence[NoteColumn]) -> list[NoteColumn]:
        columns = [NoteColumn.from_rows(n, self._rows), *self._columns, *after]
        return [c for c in columns if len(c.texts)]

    def joined(self, n: int, sep: str, after: Sequence[NoteColumn] = ()) -> tuple[np.ndarray, pa.Array] | None:
        """The rows with notes (ascending) and each one's notes as one text, joined by `sep`,
        each note once (as `sep.join(dict.fromkeys(notes))` of `combined`'s): each column's
        distinct notes joined once, the rows' joined by Arrow. None when one note's text is in
        two columns (then a row could hold it twice: `combined` takes it once)."""
        columns = self._all(n, after)
        seen: set[str] = set()
        parts = []
        for codes, texts in columns:
            words = [tuple(dict.fromkeys(str(t) for t in notes)) for notes in texts]
            mine = {t for notes in words for t in notes}
            if not seen.isdisjoint(mine):
                return None
            seen |= mine
            parts.append((codes, pa.array([sep.join(notes) for notes in words], type=pa.string())))
        noted = np.zeros(n, dtype=bool)
        for codes, _ in parts:
            noted |= codes >= 0
        rows = np.flatnonzero(noted)
        if not parts:
            return rows, pa.array([], type=pa.string())
        if len(parts) == 1:
            codes, texts = parts[0]
            return rows, texts.take(pa.array(codes[rows]))
        arrays = []
        for codes, texts in parts:
            at = codes[rows]
            arrays.append(texts.take(pa.array(at, mask=at < 0)))
        return rows, pc.binary_join_element_wise(*arrays, sep, null_handling="skip")

    def combined(self, n: int, after: Sequence[NoteColumn] = ()) -> tuple[np.ndarray, np.ndarray, list[tuple[str, ...]]]:
        """The rows with notes (ascending), each one's combination (a position in the list) and
        the distinct combinations: each row's notes, then `after`'s (the decision's own)."""
        columns = self._all(n, after)
        key = np.zeros(n, dtype=np.int64)
        span = 1
        for column in columns:
            radix = len(column.texts) + 1
            if span * radix >= _KEY_LIMIT:  # many distinct notes: number the combinations so far (0: none)
                codes, uniques = pd.factorize(key)
                key = np.where(key != 0, codes + 1, 0)
                span = len(uniques) + 1
            key = key * radix + (column.codes + 1)
            span *= radix
        rows = np.flatnonzero(key)
        which, uniques = pd.factorize(key[rows])
        first = np.empty(len(uniques), dtype=np.int64)
        first[which] = rows  # any row of a combination: they all have its codes
        combos: list[tuple[str, ...]] = [()] * len(first)
        for codes, texts in columns:
            codes = codes[first]
            noted = np.flatnonzero(codes >= 0)
            for j, code in zip(noted.tolist(), codes[noted].tolist()):
                combos[j] += texts[code]
        return rows, which.astype(np.int64), combos
