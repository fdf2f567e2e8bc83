"""Arrow's memory pool while ledgers are read, decided and written: jemalloc, where the pyarrow
build has it (its Linux wheels do; a build without it, as on Windows, keeps Arrow's default).

Arrow's default on Linux, mimalloc, maps each chunk's buffers on fresh 2 MB pages and hands
them back soon after, so the kernel zeroes new pages over and over (a tenth of the samples of a
recorded 1 000 000-row run). With jemalloc, which keeps freed pages for the next chunk, deciding
that ledger took 9 % less CPU and 17 % less peak memory, and recording it 7 % less CPU and 21 %
less memory (docs/performance.md §6, "Arrow's memory pool").

Arrow's own ARROW_DEFAULT_MEMORY_POOL, when set, is left to choose."""

from __future__ import annotations

import functools
import os

import pyarrow as pa


@functools.cache
def use_ledger_pool() -> str:
    """Make jemalloc Arrow's default pool, once a process (unless ARROW_DEFAULT_MEMORY_POOL says
    otherwise or the build lacks it); the pool's name. Buffers allocated before keep their pool."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except NotImplementedError:  # a pyarrow built without jemalloc
            pass
    return pa.default_memory_pool().backend_name
