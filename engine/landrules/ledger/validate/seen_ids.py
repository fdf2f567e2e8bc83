"""The parcel ids a ledger has shown so far, and the row each first appeared on.

A dict of Python strings costs some 190 bytes an id: 570 MB for a 3 M-row ledger, the bulk of
`decide`'s memory. Here an id costs about 30 bytes: its 64-bit hash and 32-bit sequence number
in sorted runs (merged two by two as they grow, so a lookup searches a few runs), the id itself
in the Arrow string array of its chunk (to tell a true repeat from a hash collision), its row
(32 bits unless a row number needs more).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

_INT32_MAX = np.iinfo(np.int32).max  # sequence numbers are int32; rows too, unless one needs more


def id_hashes(ids: np.ndarray) -> np.ndarray:
    """64-bit hashes of an object array of strings."""
    return pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)


class SeenIds:
    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, their sequence numbers)
        self._ids: list[pa.Array] = []  # per added batch
        self._rows: list[np.ndarray] = []
        self._starts: list[int] = []  # sequence number of each batch's first id
        self._count = 0
        # width-folded form (NFKC) -> (row, id) of the first id whose folded form differs from it
        # (ＳＬ－００４): few, so a dict; a later SL-004 is found in it, an earlier one in the runs
        self.folded: dict[str, tuple[int, str]] = {}

    @classmethod
    def of(cls, first_rows: Mapping[str, int]) -> SeenIds:
        """From a mapping id -> row where it was first seen."""
        seen = cls()
        if first_rows:
            seen.add(np.array(list(first_rows), dtype=object), np.fromiter(first_rows.values(), dtype=np.int64))
        return seen

    def __len__(self) -> int:
        return self._count

    def first_rows(self, ids: np.ndarray, hashes: np.ndarray | None = None,
                   order: np.ndarray | None = None) -> np.ndarray:
        """For each id (an object array of str), the row it was first seen on, or -1. `order`:
        the hashes' argsort, when the caller has it."""
        hashes = id_hashes(ids) if hashes is None else hashes
        out = np.full(len(ids), -1, dtype=np.int64)
        ordered = None
        for run, seqs in self._runs:
            if not len(run):
                continue
            if ordered is None:  # searched in sorted order, each search starts where the last ended
                order = np.argsort(hashes) if order is None else order
                ordered = hashes[order]
            at = np.empty(len(hashes), dtype=np.intp)
            at[order] = np.searchsorted(run, ordered)
            hit = at < len(run)
            hit[hit] = run[at[hit]] == hashes[hit]
            for i in np.flatnonzero(hit & (out < 0)).tolist():  # rare: a repeat (or a collision)
                k = int(at[i])
                while k < len(run) and run[k] == hashes[i]:
                    if self._id(int(seqs[k])) == ids[i]:
                        out[i] = self._row(int(seqs[k]))
                        break
                    k += 1
        return out

    def add(self, ids: np.ndarray, rows: np.ndarray, hashes: np.ndarray | None = None,
            order: np.ndarray | None = None) -> None:
        """Record ids not seen before (distinct among themselves) and their rows. `order`: the
        hashes' stable argsort, when the caller has it."""
        if not len(ids):
            return
        hashes = id_hashes(ids) if hashes is None else hashes
        order = np.argsort(hashes, kind="stable") if order is None else order
        if self._count + len(ids) > _INT32_MAX:
            raise ValueError(f"more than {_INT32_MAX} parcel ids")
        self._runs.append((hashes[order], (self._count + order).astype(np.int32)))
        self._ids.append(pa.array(list(ids), type=pa.string()))
        rows = np.asarray(rows, dtype=np.int64)
        self._rows.append(rows.astype(np.int32) if not len(rows) or rows.max() <= _INT32_MAX else rows)
        self._starts.append(self._count)
        self._count += len(ids)
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            b, sb = self._runs.pop()
            a, sa = self._runs.pop()
            self._runs.append(_merged(a, sa, b, sb))

    def _batch(self, seq: int) -> tuple[int, int]:
        k = int(np.searchsorted(self._starts, seq, side="right")) - 1
        return k, seq - self._starts[k]

    def _id(self, seq: int) -> str:
        k, j = self._batch(seq)
        return self._ids[k][j].as_py()

    def _row(self, seq: int) -> int:
        k, j = self._batch(seq)
        return int(self._rows[k][j])


def _merged(a: np.ndarray, sa: np.ndarray, b: np.ndarray, sb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs (hashes, sequence numbers) as one, a's first among equal hashes (as a
    stable sort of the two one after the other would place them). Each of b's hashes is placed
    by a search in a: the merge holds the two runs, the merged one, a byte a hash and a place
    for each of b's, not the whole set's sort order and copies (at the end of a 5 M-row ledger,
    the last merges were the peak of `decide`'s memory)."""
    places = np.searchsorted(a, b, side="right")
    places += np.arange(len(b))
    from_a = np.ones(len(a) + len(b), dtype=bool)
    from_a[places] = False
    merged = np.empty(len(from_a), dtype=a.dtype)
    merged[places] = b
    merged[from_a] = a
    seqs = np.empty(len(from_a), dtype=sa.dtype)
    seqs[places] = sb
    seqs[from_a] = sa
    return merged, seqs


def folded(text: str) -> str:
    """An id as NFKC folds it: full-width letters, digits and dashes to ASCII (ＳＬ－００４ -> SL-004)."""
    return unicodedata.normalize("NFKC", text)


def lookalike_notes(ids: np.ndarray, rows: list[int], seen: SeenIds, label: str,
                    maybe_wide: np.ndarray | None = None) -> dict[int, str]:
    """Notes for the ids that differ from an earlier one only in width (NFKC), by position in
    `ids` (an object array, None for no id): suspected duplicates, reported, not refused (they
    are different text). `seen.folded` learns this chunk's wide ids. `maybe_wide`: the
    positions of the ids that are not ASCII, or more (default: every id is looked at), so that
    a chunk of ASCII ids costs nothing per id."""
    candidates = range(len(ids)) if maybe_wide is None else maybe_wide.tolist()
    wide = {}
    for i in candidates:
        t = ids[i]
        if isinstance(t, str) and not t.isascii() and folded(t) != t:
            wide[i] = folded(t)
    if not wide and not seen.folded:
        return {}
    texts = [v if isinstance(v, str) else None for v in ids.tolist()]
    keys = set(wide.values()) | set(seen.folded)
    involved = sorted(set(wide) | {i for i, t in enumerate(texts) if t in keys})
    earlier = seen.first_rows(np.array([wide[i] for i in involved if i in wide], dtype=object))
    first: dict[str, tuple[int, str]] = dict(seen.folded)
    for i, row in zip([i for i in involved if i in wide], earlier.tolist()):
        if row >= 0:  # the folded form itself came in an earlier chunk
            first.setdefault(wide[i], (int(row), wide[i]))
    notes: dict[int, str] = {}
    for i in involved:
        key = wide.get(i, texts[i])
        if key not in first:
            first[key] = (rows[i], texts[i])
            if i in wide:
                seen.folded[key] = (rows[i], texts[i])
            continue
        row, text = first[key]
        if text != texts[i]:
            notes[i] = (f'{label} "{texts[i]}" 与第{row}行的 "{text}" 只差全角/半角等写法，疑似同一宗地重复登记；'
                        "请核对，如确为两宗请改用不同编号")
        if i in wide and key not in seen.folded:
            seen.folded[key] = (rows[i], texts[i])
    return notes
