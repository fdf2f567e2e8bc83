"""An output's disk write started while it is still being written, a stretch at a time.

`publish` flushes the finished file to disk before renaming it into place. The kernel keeps
what a command writes in memory until then. A million decided rows of CSV are about 670 MB,
so the flush made the command wait 0.4–0.6 s after its last row on this machine. Started a
stretch at a time while the rows are decided, the flush finds only the last stretch still to
write (docs/performance.md).

Linux's `posix_fadvise(POSIX_FADV_DONTNEED)` starts the write of a range's unwritten pages and
does not wait for it. Elsewhere nothing is started, and the flush at the end does it all, as
before. An error here is no error of the output: the flush in `publish` reports any."""

from __future__ import annotations

import os
from pathlib import Path

STRETCH = 32 << 20  # bytes written before their disk write is started
_ADVICE = getattr(os, "POSIX_FADV_DONTNEED", None)


class Writeback:
    """Call `written()` after each chunk; `close()` at the end (commit or abort)."""

    def __init__(self, path: Path, stretch: int | None = None):
        self.path, self.stretch = path, STRETCH if stretch is None else stretch
        self.started = 0  # bytes whose disk write was started
        self._fd: int | None = None
        self._off = _ADVICE is None

    def written(self) -> None:
        """Start the disk write of what was written since it was last started, once a stretch long."""
        if self._off:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDONLY)
            size = os.fstat(self._fd).st_size
            if size - self.started >= self.stretch:
                os.posix_fadvise(self._fd, self.started, size - self.started, _ADVICE)
                self.started = size
        except OSError:  # the flush at the end writes it all (and says why if it cannot)
            self.close()
            self._off = True

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
