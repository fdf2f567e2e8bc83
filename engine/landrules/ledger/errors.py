"""The error for a ledger that cannot be read."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """A ledger that cannot be read; str() is one line: the path and the reason, in Chinese."""

    def __init__(self, path: Any, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())
        super().__init__(f'无法读取台账 "{self.path}": {self.reason}')
