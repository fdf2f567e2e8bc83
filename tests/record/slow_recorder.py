"""A recorder that announces each chunk and then waits: the fault tests kill it, or race it.

    python slow_recorder.py STORE LEDGER ROWS_PER_CHUNK PAUSE_SECONDS
prints "chunk N" after each chunk is in the store's open transaction, "committed ID" at the end."""

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
    store_path, ledger, chunk_rows, pause = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
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
        time.sleep(pause)

    result = decide_ledger(ledger, None, RunOptions(rulebook, when, engine="vectorized", chunk_rows=chunk_rows),
                           on_chunk=on_chunk, stdout=open("/dev/null", "w"))
    print(f"committed {recorder.finish(result.summary)}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
