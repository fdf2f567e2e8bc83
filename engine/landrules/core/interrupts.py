"""Interrupts (SIGTERM, Ctrl-C) that must wait for a call to finish.

durable-rules runs our Python actions from inside its C engine and catches whatever they raise:
a KeyboardInterrupt raised there by a signal handler is logged with a traceback ("base exception
type …", the intermittent traceback on SIGTERM) and leaves the engine's state half asserted. Code
that calls into such a library holds `shielded()`; an interrupt that arrives meanwhile is raised
as the shield ends (a parcel's rules take milliseconds), so it lands in our own code, which ends
the run cleanly. `interrupt` is the signal handler that honours it (installed by the CLI).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.local()  # signal handlers run on the main thread: its depth is the one that counts
_pending = False


def _depth() -> int:
    return getattr(_state, "depth", 0)


@contextmanager
def shielded() -> Iterator[None]:
    global _pending
    _state.depth = _depth() + 1
    try:
        yield
    finally:
        _state.depth = _depth() - 1
        if _state.depth == 0 and _pending and threading.current_thread() is threading.main_thread():
            _pending = False
            raise KeyboardInterrupt


def interrupt(signum=None, frame=None) -> None:
    """A signal handler: KeyboardInterrupt now, or as the current shield ends."""
    global _pending
    if _depth():
        _pending = True
        return
    raise KeyboardInterrupt
