"""Arrow's memory pool while a ledger is read (ledger/arrow_pool.py): jemalloc where pyarrow has
it, unless Arrow's own ARROW_DEFAULT_MEMORY_POOL says otherwise. Each case in a process of its own:
the pool is chosen once a process."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # each case an interpreter of its own reading a ledger (about a second)

CHECK = """
import pyarrow as pa
from landrules.ledger.read.reader import open_ledger
before = pa.default_memory_pool().backend_name
ledger = open_ledger({path!r})
next(iter(ledger.chunks))
print(before, pa.default_memory_pool().backend_name)
"""


def _pools(**env) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run([sys.executable, "-c", CHECK.format(path=str(ROOT / "examples" / "shilong-ledger.csv"))],
                          env={**environ, "PYTHONPATH": str(ROOT / "engine"), **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(not _has_jemalloc(), reason="this pyarrow build has no jemalloc: Arrow's default pool is kept")
def test_reading_a_ledger_makes_jemalloc_arrow_s_pool():
    before, after = _pools()
    if before == "jemalloc":
        pytest.skip("Arrow's default pool is jemalloc already: nothing to see")
    assert after == "jemalloc"


def test_arrow_s_own_variable_keeps_its_choice():
    before, after = _pools(ARROW_DEFAULT_MEMORY_POOL="system")
    assert before == after == "system"
