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
import shutil
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
class FileDecided:
    """A worker's answer for one file: its tallies; when recorded, its headers and sha256."""

    summary: Summary
    headers: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    sha256: str | None = None


@dataclass
class DatasetResult:
    summary: Summary
    files: int
    duplicates: list[Duplicate] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    engine: str = "vectorized"


def decide_file(bundle: RulebookBundle, source: str, target: str, as_of: dt.date, row_offset: int,
                first_seen: dict[str, int], record_to: str | None = None) -> FileDecided:
    """A worker's task: one file of the dataset decided into its output file; with `record_to`,
    each chunk's record tables written to that folder as the chunk is decided (record.parts)."""
    rulebook = rulebook_on_worker(bundle)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    options = RunOptions(rulebook, as_of, engine="vectorized", row_offset=row_offset, first_seen=dict(first_seen))
    if record_to is None:
        return FileDecided(decide_ledger(Path(source), Path(target), options).summary)
    from landrules.record.parts import PartWriter
    from landrules.record.recorder import file_sha256

    part = PartWriter(Path(record_to))
    try:
        result = decide_ledger(Path(source), Path(target), options, on_chunk=part.add)
    finally:
        part.close()
    return FileDecided(result.summary, part.headers, part.names, file_sha256(Path(source)))


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
                   progress: Callable[[int], None] | None = None, client=None, recorder=None) -> DatasetResult:
    """Decide every file of `dataset` into `out_dir` on a Dask cluster (or on `client`). With a
    begun `recorder` (record.recorder.RunRecorder) the run is recorded: each worker writes its
    file's record tables beside the output (`record_parts`), and they are streamed into the
    store's open transaction as each file is done; the caller then finishes or aborts it."""
    started = time.perf_counter()
    parts = dataset_files(Path(dataset))
    out_dir = Path(out_dir).resolve()
    staging = record_parts(out_dir) if recorder is not None else None
    try:
        with (contextlib.nullcontext(client) if client is not None else connect(scheduler)) as client:
            return _decide_dataset(client, parts, out_dir, rulebook, as_of, progress, recorder, staging, started)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def record_parts(out_dir: Path) -> Path:
    """Where the workers write the record's parts: a hidden folder of OUT_DIR (seen by workers and
    client alike, as OUT_DIR is; a dataset reader skips it), emptied first, removed at the end."""
    staging = out_dir / ".landrules-record"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _decide_dataset(client, parts: list[DatasetFile], out_dir: Path, rulebook: Rulebook, as_of: dt.date,
                    progress, recorder, staging: Path | None, started: float) -> DatasetResult:
    workers = len(client.scheduler_info().get("workers", {})) or 1
    duplicates = _find_duplicates(client, parts, buckets=max(1, min(4 * workers, len(parts) * 4)))
    seeds: dict[int, dict[str, int]] = {}
    for dup in duplicates:
        k = next(i for i, p in enumerate(parts) if str(p.relative) == dup.again[0])
        seeds.setdefault(k, {}).setdefault(dup.parcel_id, dup.first[2])
    [bundle] = client.scatter([RulebookBundle.of(rulebook)], broadcast=True)
    futures = {
        client.submit(decide_file, bundle, str(p.path.resolve()), str(out_dir / p.relative), as_of,
                      p.first_row - 2, seeds.get(k, {}), None if staging is None else str(staging / str(k)),
                      key=f"landrules-decide-{k}-{rulebook.hash[7:19]}", pure=False): k
        for k, p in enumerate(parts)
    }
    summary = Summary()
    decided: dict[int, FileDecided] = {}
    from distributed import as_completed

    for future in as_completed(futures):
        k, done = futures[future], future.result()
        summary.merge(done.summary)
        if recorder is not None:
            recorder.insert_part(staging / str(k))  # streamed into the open transaction while the others are decided
            shutil.rmtree(staging / str(k), ignore_errors=True)
            decided[k] = done
        if progress:
            progress(done.summary.rows)
    if recorder is not None:
        _describe(recorder.info, parts, decided)
    return DatasetResult(summary, len(parts), duplicates, time.perf_counter() - started, workers)


class DatasetHeadersDiffer(ValueError):
    """The files of a recorded dataset have different columns: one run has one header row."""


def _describe(info, parts: list[DatasetFile], decided: dict[int, FileDecided]) -> None:
    """The run's headers (every file's must be the same) and the dataset's sha256: of each
    file's path in the dataset and sha256, in order."""
    import hashlib

    headers = {(tuple(d.headers), tuple(d.names)) for d in decided.values() if d.headers}
    if len(headers) > 1:
        first = next(k for k in sorted(decided) if decided[k].headers)
        other = next(k for k in sorted(decided) if decided[k].headers and decided[k].headers != decided[first].headers)
        raise DatasetHeadersDiffer(f"数据集各文件的列不同（{parts[first].relative} 与 {parts[other].relative}），"
                                   "一期记录只能有一种表头：本期未记录")
    if headers:
        info.headers, info.names = (list(h) for h in headers.pop())
    digest = hashlib.sha256()
    for k, p in enumerate(parts):
        digest.update(f"{p.relative.as_posix()}\t{decided[k].sha256}\n".encode())
    info.ledger_sha256 = digest.hexdigest()


def _find_duplicates(client, parts: list[DatasetFile], buckets: int) -> list[Duplicate]:
    split = [client.submit(bucket_ids, p, k, buckets, pure=False) for k, p in enumerate(parts)]
    pieces = [[client.submit(operator.getitem, s, b, pure=False) for s in split] for b in range(buckets)]
    checks = [client.submit(bucket_duplicates, piece, pure=False) for piece in pieces]
    import pandas as pd

    found = [f.result() for f in checks]
    frame = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    return duplicates_of(parts, frame) if len(frame) else []
