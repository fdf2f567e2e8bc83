"""A writer that writes on a thread of its own while the caller decides the next chunk.

The Arrow writers spend their time in pyarrow, which releases the GIL: on a machine with two
cores, chunk N is written while chunk N + 1 is read and decided. Chunks are written one at a
time, in the order given; at most `depth` chunks wait (memory stays bounded by the chunk
size). A failure on the writing thread is raised in the caller at its next `write`, or at
`commit`, as the writer raised it (the writer has then aborted: nothing is left behind).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

from landrules.ledger.write.base import DecisionWriter

_DONE = object()
T = TypeVar("T")


class BackgroundWriter:
    """`write`, `commit` and `abort` of a DecisionWriter, the writes done on one thread."""

    def __init__(self, writer: DecisionWriter, depth: int = 1):
        self.writer = writer
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._stopping = False  # abort: chunks still waiting are not written
        self._thread = threading.Thread(target=self._work, name=f"landrules-writer:{writer.path.name}", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            if self._error is None and not self._stopping:  # after a failure the rest is only drained
                try:
                    self.writer.write(*item)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self._error = exc

    def write(self, *chunk) -> None:
        """Queue one chunk (the arguments of DecisionWriter.write); waits while `depth` chunks
        are waiting. The caller must not change the chunk's objects after handing them over."""
        self._raise()
        self._queue.put(chunk)

    def _finish_writing(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()

    def commit(self, summary=None) -> None:
        self._finish_writing()
        self._raise()
        self.writer.commit(summary)

    def abort(self) -> None:
        self._stopping = True
        self._finish_writing()
        self.writer.abort()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


def ahead(items: Iterator[T], depth: int = 1) -> Ahead[T]:
    """`items`, produced on a thread of its own up to `depth` items ahead of the consumer (the
    reader parses chunk N + 1 while chunk N is decided). The thread starts at once, not at the
    first item asked for, so what the caller does before asking overlaps the first item's
    making. An exception of `items` is raised here, in its place. The consumer that stops
    early (or never asks) closes it (`close`, or `with`): the producing thread stops too."""
    return Ahead(items, depth)


class Ahead(Generic[T]):
    """The iterator `ahead` returns: its thread runs from the start."""

    def __init__(self, items: Iterator[T], depth: int):
        self._waiting: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._produce, args=(items,), name="landrules-reader", daemon=True)
        self._thread.start()

    def _produce(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not _put(self._waiting, (True, item), self._stop):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            _put(self._waiting, (False, exc), self._stop)
            return
        _put(self._waiting, (False, None), self._stop)

    def __iter__(self) -> Ahead[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        ok, item = self._waiting.get()
        if ok:
            return item
        self.close()
        if item is None:
            raise StopIteration
        raise item

    def close(self) -> None:
        """Stop the producing thread (items it made and nobody took are dropped)."""
        self._done = True
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Ahead[T]:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _put(waiting: queue.Queue, item, stop: threading.Event) -> bool:
    """Put `item` unless the consumer has gone (then False)."""
    while not stop.is_set():
        try:
            waiting.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
