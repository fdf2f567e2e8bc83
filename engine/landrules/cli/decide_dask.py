"""`landrules decide DATASET --dask SCHEDULER -o OUT_DIR`: the dataset path of `decide`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import fail
from landrules.cli.progress import print_summary, progress_line


def decide_on_dask(dataset: Path, output: Optional[Path], scheduler: str, as_of: dt.date, engine: str, rulebook) -> None:
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
    from landrules.ledger.read.reader import LedgerError
    from landrules.ledger.write.base import OutputError

    try:
        with progress_line() as advance:
            result = decide_dataset(dataset, output, rulebook, as_of, scheduler, progress=advance)
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
