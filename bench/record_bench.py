"""The record of runs at scale (contract §7 "Scale"), measured in one run on this machine.

    python bench/record_bench.py [N]      (default N = 1 000 000; RECORD_BENCH_FORMAT=parquet for Parquet ledgers)

Makes two synthetic N-row ledgers (CSV; the second is the first with a different seed, so
most parcels change between the "quarters"), then times, each as the command line runs it:

  1. decide LEDGER -o decisions.parquet                 (no record)
  2. decide LEDGER -o decisions.parquet --record        (target: at most 25 % more than 1)
     1 and 2 alternate RECORD_BENCH_REPEAT times (default 3; each record in a new store) and
     the best of each is compared, so a busy moment of a shared machine weighs on both alike;
     their CPU seconds (user + system, all threads) too, which the machine's load inflates less
  3. decide LEDGER2 --record (the second quarter)
  4. progress 1 2                                       (target: no longer than 1; best of 3)
  5. progress 1 2 -o progress.parquet
and prints the store's size on disk and the load averages before and after. Everything lives
in a temporary folder, removed at the end.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import ledger_frame  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# the ledgers' format: csv (as officers' ledgers come; the reader gives Arrow strings, taken as
# they are) or parquet (RECORD_BENCH_FORMAT=parquet; its cells come as Python objects, which
# recording converts one by one: the slower case)
FORMAT = os.environ.get("RECORD_BENCH_FORMAT", "csv")
LANDRULES = [sys.executable, "-m", "landrules"]
REPEAT = int(os.environ.get("RECORD_BENCH_REPEAT", "3"))


def load() -> str:
    """The load averages (1, 5, 15 min) and the cores: the figures are read beside them."""
    return f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores"


CPU: dict[float, float] = {}  # wall seconds of a step -> its CPU seconds (user + system, every thread)


def timed(args: list[str], env: dict) -> float:
    """The step's wall seconds; its CPU seconds (what a shared machine's load does not inflate
    as much) are kept in CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(LANDRULES + args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[seconds] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode not in (0, 1):
        sys.exit(f"landrules {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def _ledger(n: int, seed: int):
    """n synthetic rows: 100 000 made by synthetic.py, repeated, ids renumbered SYN-0000000…"""
    import pandas as pd

    block = ledger_frame(min(n, 100_000), seed=seed)
    frame = pd.concat([block] * -(-n // len(block)), ignore_index=True).iloc[:n]
    frame[frame.columns[0]] = [f"SYN-{i:07d}" for i in range(n)]
    return frame


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    if len(sys.argv) > 1 and not sys.argv[1].replace("_", "").isdigit():
        sys.exit(f"record_bench: N must be a number of rows, not {sys.argv[1]!r} (see --help)")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory(prefix="record-bench-") as tmp:
        folder = Path(tmp)
        first, second = folder / f"q1.{FORMAT}", folder / f"q2.{FORMAT}"
        t0 = time.perf_counter()
        for path, seed in ((first, 7), (second, 8)):
            frame = _ledger(n, seed)
            frame.to_csv(path, index=False) if FORMAT == "csv" else frame.to_parquet(path, index=False)
        print(f"ledgers: 2 x {n:,} rows ({FORMAT}), made in {time.perf_counter() - t0:.1f} s")
        out = str(folder / "d.parquet")
        plain_args = ["decide", str(first), "--as-of", "2021-10-01", "-o", out]
        print(f"load before: {load()}")
        plains, recordeds = [], []
        for k in range(REPEAT):  # A then B, alternated: the machine's load falls on both alike
            plains.append(timed(plain_args, dict(os.environ)))
            store = folder / f"store-{k}.duckdb"
            recordeds.append(timed(plain_args + ["--record"], {**os.environ, "LANDRULES_STORE": str(store)}))
            if k < REPEAT - 1:
                store.unlink()
        plain, recorded = min(plains), min(recordeds)
        env = {**os.environ, "LANDRULES_STORE": str(store)}  # the last store keeps quarter 1 as run 1
        second_run = timed(["decide", str(second), "--as-of", "2022-01-01", "--record", "-o", str(folder / "d2.parquet")], env)
        progress = min(timed(["progress", "1", "2"], env) for _ in range(REPEAT))
        progress_out = timed(["progress", "1", "2", "-o", str(folder / "p.parquet")], env)
        size = store.stat().st_size + sum(p.stat().st_size for p in folder.glob(f"{store.name}.wal"))
        print(f"load after: {load()}")
        print(f"{'step (best of ' + str(REPEAT) + ')':52} {'seconds':>8}")
        each = lambda times: ", ".join(f"{t:.1f} ({CPU[t]:.1f} CPU)" for t in times)  # noqa: E731
        print(f"{'decide -o decisions.parquet':52} {plain:8.1f}  (each: {each(plains)})")
        extra = recorded / plain - 1
        print(f"{'decide -o decisions.parquet --record':52} {recorded:8.1f}  (each: {each(recordeds)})")
        print(f"{'  ratio --record / plain':52} {recorded / plain:8.2f}  (+{extra:.0%}; target <= +25%{'' if extra <= 0.25 else ', OVER'})")
        cpu_plain, cpu_recorded = min(CPU[t] for t in plains), min(CPU[t] for t in recordeds)
        print(f"{'  CPU seconds, least of each: --record / plain':52} {cpu_recorded / cpu_plain:8.2f}  "
              f"({cpu_recorded:.1f} / {cpu_plain:.1f}: +{cpu_recorded / cpu_plain - 1:.0%})")
        print(f"{'decide (second quarter) --record':52} {second_run:8.1f}")
        print(f"{'progress 1 2 (classes, rates, lists on stdout)':52} {progress:8.1f}  "
              f"({progress / plain:.2f} x one decide; target <= 1{'' if progress <= plain else ', OVER'})")
        print(f"{'progress 1 2 -o progress.parquet':52} {progress_out:8.1f}")
        print(f"store on disk after two {n:,}-row runs: {size / 1e6:,.0f} MB ({size / (2 * n):,.0f} bytes a row)")

if __name__ == "__main__":
    main()
