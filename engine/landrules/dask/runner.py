"""`decide DATASET --dask SCHEDULER -o OUT_DIR`: one task per file of a Parquet dataset.

The client lists the files (row counts from their footers), finds parcel ids repeated across
files (a hashed pre-pass, see dataset.py), scatters the rulebook once to every worker, and
submits one task per file: the worker decides it with the vectorised engine through
`decide_ledger` — rows numbered as in the concatenated ledger, earlier files' ids seeded for the
duplicate check — and writes OUT_DIR/<same relative path> atomically. The client adds up the
files' summaries. Workers must see DATASET and OUT_DIR at the same paths (a shared file system).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from landrules.core.summary import Summary
from landrules.dask.bundle import RulebookBundle, rulebook_on_worker
from landrules.dask.dataset import DatasetFile, Duplicate, bucket_duplicates, bucket_ids, dataset_files, duplicates_of
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.rulebook.model import Rulebook


@dataclass
class DatasetResult:
    summary: Summary
    files: int
    duplicates: list[Duplicate] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    engine: str = "vectorized"


def decide_file(bundle: RulebookBundle, source: str, target: str, as_of: dt.date, row_offset: int,
                first_seen: dict[str, int]) -> Summary:
    """A worker's task: one file of the dataset decided into its output file."""
    rulebook = rulebook_on_worker(bundle)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    options = RunOptions(rulebook, as_of, engine="vectorized", row_offset=row_offset, first_seen=dict(first_seen))
    result = decide_ledger(Path(source), Path(target), options)
    return result.summary


@contextlib.contextmanager
def connect(scheduler: str):
    """A distributed Client: `local` starts a LocalCluster (one single-threaded worker process
    per core); anything else is a scheduler address (tcp://host:8786)."""
    from distributed import Client, LocalCluster

    if scheduler == "local":
        with LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def decide_dataset(dataset: Path, out_dir: Path, rulebook: Rulebook, as_of: dt.date, scheduler: str = "local",
                   progress: Callable[[int], None] | None = None, client=None) -> DatasetResult:
    """Decide every file of `dataset` into `out_dir` on a Dask cluster (or on `client`)."""
    started = time.perf_counter()
    parts = dataset_files(Path(dataset))
    out_dir = Path(out_dir).resolve()
    with (contextlib.nullcontext(client) if client is not None else connect(scheduler)) as client:
        workers = len(client.scheduler_info().get("workers", {})) or 1
        duplicates = _find_duplicates(client, parts, buckets=max(1, min(4 * workers, len(parts) * 4)))
        seeds: dict[int, dict[str, int]] = {}
        for dup in duplicates:
            k = next(i for i, p in enumerate(parts) if str(p.relative) == dup.again[0])
            seeds.setdefault(k, {}).setdefault(dup.parcel_id, dup.first[2])
        [bundle] = client.scatter([RulebookBundle.of(rulebook)], broadcast=True)
        futures = [
            client.submit(decide_file, bundle, str(p.path.resolve()), str(out_dir / p.relative), as_of,
                          p.first_row - 2, seeds.get(k, {}), key=f"landrules-decide-{k}-{rulebook.hash[7:19]}", pure=False)
            for k, p in enumerate(parts)
        ]
        summary = Summary()
        from distributed import as_completed

        for future in as_completed(futures):
            part = future.result()
            summary.merge(part)
            if progress:
                progress(part.rows)
    return DatasetResult(summary, len(parts), duplicates, time.perf_counter() - started, workers)


def _find_duplicates(client, parts: list[DatasetFile], buckets: int) -> list[Duplicate]:
    split = [client.submit(bucket_ids, p, k, buckets, pure=False) for k, p in enumerate(parts)]
    pieces = [[client.submit(operator.getitem, s, b, pure=False) for s in split] for b in range(buckets)]
    checks = [client.submit(bucket_duplicates, piece, pure=False) for piece in pieces]
    import pandas as pd

    found = [f.result() for f in checks]
    frame = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    return duplicates_of(parts, frame) if len(frame) else []
