"""A chunk's JSON lines as each row's head and its pattern's shared tail, written as UTF-8.

A decision's JSON is a few kilobytes (every citation carries its clause's text) and repeats
from row to row: only `{"parcel_id":…` differs (and a row's own errors or notes). Rows keep a
reference to their pattern's tail instead of a string of their own; each distinct tail is
encoded once per chunk, and lines are written in blocks, so memory stays that of the patterns.
"""

from __future__ import annotations

from typing import Iterator, Sequence

BLOCK_ROWS = 4096


class JsonLines(Sequence[str]):
    """Line i is `heads[i] + tails[i]` (no newline); tails are shared between rows."""

    def __init__(self, heads: Sequence[str] = (), tails: Sequence[str] = ()):
        if len(heads) != len(tails):
            raise ValueError(f"{len(heads)} heads for {len(tails)} tails")
        self.heads, self.tails = heads, tails

    def __len__(self) -> int:
        return len(self.heads)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.heads[k] + self.tails[k] for k in range(*i.indices(len(self)))]
        return self.heads[i] + self.tails[i]

    def __iter__(self) -> Iterator[str]:
        return (head + tail for head, tail in zip(self.heads, self.tails))

    def blocks(self) -> Iterator[bytes]:
        """The lines as UTF-8, each ended by "\\n", in blocks of BLOCK_ROWS lines."""
        encoded: dict[int, bytes] = {}  # id of a tail -> its bytes (the tails live as long as self)
        for start in range(0, len(self), BLOCK_ROWS):
            parts = []
            for head, tail in zip(self.heads[start:start + BLOCK_ROWS], self.tails[start:start + BLOCK_ROWS]):
                body = encoded.get(id(tail))
                if body is None:
                    body = encoded[id(tail)] = tail.encode("utf-8") + b"\n"
                parts.append(head.encode("utf-8"))
                parts.append(body)
            yield b"".join(parts)
