"""1 M rows on a Dask LocalCluster against the single-machine run, with where the time goes.

    python bench/dask_bench.py [ROWS] [FILES]

Writes a Parquet dataset of FILES files (synthetic parcels, Chinese headers), then times:
the single-machine `decide` of the concatenated ledger (vectorised, to Parquet); the cluster
run (a LocalCluster of one single-threaded worker per core) split into its phases — cluster
start, the duplicate-id pre-pass, deciding and writing the files — and prints each worker's
peak RSS. On 2 cores no speed-up is expected: the point is the same decisions in constant
memory per worker.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "engine"))
sys.path.insert(0, str(ROOT / "bench"))

from landrules.dask import runner  # noqa: E402
from landrules.decide.options import RunOptions  # noqa: E402
from landrules.decide.pipeline import decide_ledger  # noqa: E402
from landrules.rulebook import locate  # noqa: E402
from landrules.rulebook.load import load_rulebook  # noqa: E402
from synthetic import ledger_frame  # noqa: E402

AS_OF = dt.date(2021, 10, 1)


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def high_water_mark() -> int:
    """This process's peak RSS (VmHWM: per address space, so a spawned worker's own, unlike
    ru_maxrss, which a child inherits from its parent)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rulebook = load_rulebook(locate.rules_dir(), locate.policy_dir())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "dataset"
        data.mkdir()
        per = rows // files
        started = time.perf_counter()
        for k in range(files):
            ledger_frame(per, seed=k, start=k * per).to_parquet(data / f"part-{k:03d}.parquet", index=False)
        print(f"dataset: {files} files x {per:,} rows written in {time.perf_counter() - started:.1f} s")
        whole = tmp / "whole.parquet"
        pd.concat([pd.read_parquet(p) for p in sorted(data.glob("*.parquet"))], ignore_index=True).to_parquet(whole, index=False)

        started = time.perf_counter()
        single = decide_ledger(whole, tmp / "single.parquet", RunOptions(rulebook, AS_OF, engine="vectorized"))
        one = time.perf_counter() - started
        print(f"single machine (vectorized, Parquet -> Parquet): {one:.1f} s, peak RSS of this process {peak_rss() / 2**20:.0f} MiB")

        from distributed import Client, LocalCluster

        started = time.perf_counter()
        with LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as client:
            up = time.perf_counter() - started
            parts = runner.dataset_files(data)
            t = time.perf_counter()
            runner._find_duplicates(client, parts, buckets=4 * len(client.scheduler_info()["workers"]))
            prepass = time.perf_counter() - t
            t = time.perf_counter()
            result = runner.decide_dataset(data, tmp / "out", rulebook, AS_OF, client=client)
            total = time.perf_counter() - t
            peaks = client.run(high_water_mark)
        assert result.summary.rows == single.summary.rows == files * per
        print(f"LocalCluster: {result.workers} workers; start {up:.1f} s; duplicate pre-pass {prepass:.1f} s; "
              f"decide_dataset (pre-pass + decide + write) {total:.1f} s = {total / one:.2f}x the single run")
        for address, peak in sorted(peaks.items()):
            print(f"  worker {address}: peak RSS {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
