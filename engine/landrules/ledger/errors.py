"""The error for a ledger that cannot be read, and `clip`, which makes a value fit a message."""

from __future__ import annotations

import zipfile
import zlib
from typing import Any

from landrules.ledger.read.limits import MESSAGE_VALUE_CHARS

# what zipfile raises on a damaged or cut archive; a flipped byte may also claim a zip version or
# a compression method zipfile lacks (NotImplementedError)
DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError)

_MAX_REASON = 600  # a reason longer than this is cut (a header list of thousands of columns)


def clip(value: Any, limit: int = MESSAGE_VALUE_CHARS) -> str:
    """A value as quoted in a one-line message: control characters escaped (\\n, \\x00, …),
    cut to `limit` characters with an ellipsis and the full length."""
    text = str(value)
    long = len(text) > limit
    if long:
        head = text[:limit]
    else:
        head = text
    if any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in head):
        head = "".join(ch if not (ch < " " or "\x7f" <= ch <= "\x9f") else ch.encode("unicode_escape").decode("ascii") for ch in head)
        if len(head) > limit:
            head = head[:limit]
            long = True
    return f"{head}…（共 {len(text)} 字符）" if long else head


class LedgerError(Exception):
    """A ledger that cannot be read; str() is one line: the path and the reason, in Chinese."""

    def __init__(self, path: Any, reason: str):
        self.path = str(path)
        reason = " ".join(str(reason).split())
        self.reason = reason if len(reason) <= _MAX_REASON else reason[:_MAX_REASON] + "…"
        super().__init__(f'无法读取台账 "{clip(self.path, 200)}": {self.reason}')
