"""`landrules decide DATASET --dask SCHEDULER -o OUT_DIR`: the dataset path of `decide`."""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import fail
from landrules.cli.progress import print_summary, progress_line


def decide_on_dask(dataset: Path, output: Optional[Path], scheduler: str, as_of: dt.date, engine: str, rulebook,
                   record: Optional[tuple[Optional[Path], Optional[str]]] = None) -> None:
    """`record`: (--store, --label) when the run is recorded (the workers' record parts streamed
    into the store as each file is done, committed once every file is; else nothing of it stays)."""
    if engine not in ("auto", "vectorized"):
        raise fail("--dask 只用向量化引擎（--engine vectorized 或 auto）")
    if output is None:
        raise fail("--dask 需要 -o 输出目录（每个输入文件写出一个 Parquet 文件）")
    if output.suffix.lower() in (".jsonl", ".csv", ".xlsx", ".parquet") or (output.exists() and not output.is_dir()):
        raise fail(f"--dask 的输出应为目录，而不是文件：{output}")
    if not dataset.is_dir():
        raise fail(f"--dask 需要一个 Parquet 数据集目录：{dataset}")
    try:
        from landrules.dask.runner import decide_dataset
    except ImportError as exc:
        raise fail(f"未安装 Dask（pip install 'landrules[dask]'）：{exc}") from None
    import duckdb

    from landrules.cli.record.decide_record import failed_record
    from landrules.dask.runner import DatasetHeadersDiffer
    from landrules.ledger.read.reader import LedgerError
    from landrules.ledger.write.base import OutputError
    from landrules.record.store import StoreError

    try:
        recording = nullcontext()
        if record is not None:
            from landrules.cli.record.decide_record import Recording

            recording = Recording.start(record[0], dataset, as_of, record[1], rulebook, "vectorized", None, None)
        with recording as recorder:  # a run not finished is rolled back: nothing of it stays
            with progress_line() as advance:
                result = decide_dataset(dataset, output, rulebook, as_of, scheduler, progress=advance,
                                        recorder=None if recorder is None else recorder.recorder)
            if recorder is not None:
                recorder.finish(result, output)
    except StoreError as exc:
        raise fail(str(exc)) from None
    except duckdb.Error as exc:  # a file's record parts not taken into the store: the run is rolled back
        raise fail(f"已写出 {output}，但{failed_record(exc)}") from None
    except DatasetHeadersDiffer as exc:
        raise fail(f"已写出 {output}，但{exc}") from None
    except (LedgerError, OutputError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"无法连接或写出（{scheduler} → {output}）：{exc}") from None
    except KeyboardInterrupt:
        raise fail("已中断", code=130) from None
    for dup in result.duplicates:
        print(f"landrules: {dup.message()}", file=sys.stderr)
    print_summary(rulebook, result, output)
    raise typer.Exit(1 if result.summary.invalid else 0)
