"""A chunk's JSON lines as each row's head and its pattern's shared tail, written as UTF-8.

A decision's JSON is a few kilobytes (every citation carries its clause's text) and repeats
from row to row: only `{"parcel_id":…` differs (and a row's own errors or notes). A chunk keeps
the distinct tails once and each row's index into them; each tail is encoded to UTF-8 once,
and a block of lines joins references to those bytes, so no long string is made per row. The
heads are made by Arrow (an id with nothing to escape needs no json.dumps).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BLOCK_ROWS = 4096
_HEAD = '{"parcel_id":'
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'  # what json.dumps(ensure_ascii=False) escapes in a string


def json_list(items: Sequence) -> str:
    """json.dumps(list(items), ensure_ascii=False, separators=(",", ":")) for a row's errors or
    notes: texts escaped by the encoder's own function (json.dumps with separators builds an
    encoder a call: twenty times the time)."""
    if all(type(t) is str for t in items):
        return "[" + ",".join(map(encode_basestring, items)) + "]"
    return json.dumps(list(items), ensure_ascii=False, separators=(",", ":"))


def json_heads(parcel_ids: Sequence) -> pa.Array:
    """`{"parcel_id":"…"` for each id (`null` for None), as json.dumps(ensure_ascii=False)
    writes it: ids with nothing to escape are joined by Arrow, the others dumped one by one."""
    ids = pa.array(list(parcel_ids) if not isinstance(parcel_ids, np.ndarray) else parcel_ids, type=pa.string(),
                   from_pandas=True)
    heads = pc.binary_join_element_wise(_HEAD + '"', ids, '"', "").fill_null(_HEAD + "null")
    odd = pc.match_substring_regex(ids, _NEEDS_ESCAPE).fill_null(False)
    if pc.any(odd).as_py():
        values = heads.to_pylist()
        for i in np.flatnonzero(odd.to_numpy(zero_copy_only=False)).tolist():
            values[i] = _HEAD + json.dumps(ids[i].as_py(), ensure_ascii=False)
        heads = pa.array(values, type=pa.string())
    return heads


class JsonLines(Sequence[str]):
    """Line i is `heads[i] + texts[indices[i]]` (no newline)."""

    def __init__(self, heads: pa.Array | None = None, indices: np.ndarray | None = None, texts: Sequence[str] = ()):
        self.heads = pa.array([], type=pa.string()) if heads is None else heads
        self.indices = np.zeros(0, dtype=np.int64) if indices is None else np.asarray(indices, dtype=np.int64)
        self.texts = list(texts)
        if len(self.heads) != len(self.indices):
            raise ValueError(f"{len(self.heads)} heads for {len(self.indices)} rows")

    @classmethod
    def of(cls, lines: Sequence[str]) -> JsonLines:
        """Whole lines, each its own text."""
        return cls(pa.array([""] * len(lines), type=pa.string()), np.arange(len(lines)), list(lines))

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self.heads[i].as_py() + self.texts[self.indices[i]]

    def __iter__(self) -> Iterator[str]:
        return (head + self.texts[k] for head, k in zip(self.heads.to_pylist(), self.indices.tolist()))

    def blocks(self) -> Iterator[bytes]:
        """The lines as UTF-8, each ended by "\\n", in blocks of BLOCK_ROWS lines: each text is
        encoded once, and a block joins references to the encoded texts (a memory copy)."""
        encoded = [t.encode("utf-8") + b"\n" for t in self.texts]
        for start in range(0, len(self), BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, len(self))
            heads = self.heads.slice(start, stop - start).to_pylist()
            parts: list[bytes] = []
            for head, k in zip(heads, self.indices[start:stop].tolist()):
                parts.append(head.encode("utf-8"))
                parts.append(encoded[k])
            yield b"".join(parts)
