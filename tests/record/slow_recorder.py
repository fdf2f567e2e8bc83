"""A recorder that announces each chunk and then holds: the fault tests kill it, or race it.

    python slow_recorder.py STORE LEDGER ROWS_PER_CHUNK HOLD_AT GATE
prints "chunk N" after each chunk is in the store's open transaction, "committed ID" at the end.
After chunk HOLD_AT it holds (the store locked, its transaction open) until the file GATE
exists: the test opens the gate when the other side has met the lock, not after a guessed pause."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.record.recorder import RunInfo, RunRecorder
from landrules.record.store import Store
from landrules.rulebook import locate
from landrules.rulebook.load import load_rulebook


def main() -> None:
    store_path, ledger, chunk_rows, hold_at, gate = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
    rulebook = load_rulebook(locate.rules_dir(), locate.policy_dir())
    when = dt.date(2021, 10, 1)
    store = Store.open(store_path)
    recorder = RunRecorder(store, RunInfo("慢速", when, ledger, []), rulebook)
    recorder.begin()
    count = 0

    def on_chunk(frame, decided, headers):
        nonlocal count
        recorder.info.headers = list(headers)
        recorder.add(frame, decided)
        count += 1
        print(f"chunk {count}", flush=True)
        while count == hold_at and not gate.exists():
            time.sleep(0.02)

    result = decide_ledger(ledger, None, RunOptions(rulebook, when, engine="vectorized", chunk_rows=chunk_rows),
                           on_chunk=on_chunk, stdout=open("/dev/null", "w"))
    print(f"committed {recorder.finish(result.summary)}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
