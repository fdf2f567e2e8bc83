"""A child process that starts writing decisions and is killed with SIGKILL halfway (tests of
what a killed run leaves behind)."""

KILLED_CHILD = """
import os, signal, sys
from pathlib import Path
import pandas as pd
sys.path.insert(0, {engine!r})
from landrules.ledger.write.base import OUTPUT_COLUMNS
from landrules.decide.outputs import open_writer
writer = open_writer(Path({out!r}), ["宗地编号"], None)
for start in range(0, 30, 10):
    ids = [f"SL-{{i}}" for i in range(start, start + 10)]
    flat = pd.DataFrame({{c: ["x"] * 10 for c in OUTPUT_COLUMNS}})
    writer.write(pd.DataFrame({{0: ids}}), flat, ["{{}}"] * 10)
os.kill(os.getpid(), signal.SIGKILL)
"""
