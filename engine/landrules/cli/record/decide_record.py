"""`decide --record`: the store opened before deciding, each chunk recorded as it is decided,
the run committed once every row is in (and the output written), or rolled back."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Optional

import duckdb

from landrules import __version__
from landrules.cli.record.options import open_store
from landrules.record.recorder import RunInfo, RunRecorder, quarter_label
from landrules.record.store import StoreError


class RecordFailed(StoreError):
    pass


class Recording:
    def __init__(self, store, recorder: RunRecorder):
        self.store, self.recorder = store, recorder

    @classmethod
    def start(cls, store_option: Optional[Path], ledger: Path, when: dt.date, label: Optional[str], rulebook,
              engine: str, columns: Optional[Path], sheet: Optional[str], recorded_by: Optional[str] = None) -> Recording:
        store = open_store(store_option)
        info = RunInfo(label=label or quarter_label(when), as_of=when, ledger=ledger, headers=[], engine=engine,
                       column_map=columns.read_text(encoding="utf-8") if columns else None, sheet=sheet)
        if recorded_by:
            info.recorded_by = recorded_by
        recorder = RunRecorder(store, info, rulebook)
        try:
            recorder.begin()
        except duckdb.Error as exc:
            store.close()
            raise RecordFailed(failed_record(exc)) from None
        return cls(store, recorder)

    def add(self, frame, decided, headers) -> None:
        if not self.recorder.info.headers:
            self.recorder.info.headers = [str(h) for h in headers]
            self.recorder.info.names = [str(c) for c in frame.columns]
        try:
            self.recorder.add(frame, decided)
        except duckdb.Error as exc:
            raise RecordFailed(failed_record(exc)) from None

    add.wants_json = False  # decide_ledger's on_chunk: the record takes each text once, no JSON line per row

    def finish(self, result, output: Optional[Path]) -> int:
        self.recorder.info.engine = result.engine
        try:
            run_id = self.recorder.finish(result.summary, __version__)
        except duckdb.Error as exc:
            written = f"已写出 {output}，但" if output else ""
            raise RecordFailed(f"{written}{failed_record(exc)}") from None
        info = self.recorder.info
        print(f"已记录第 {run_id} 期：{info.label}，评估日 {info.as_of.isoformat()}，{self.recorder.rows} 行，"
              f"记录人 {info.recorded_by}", file=sys.stderr)
        return run_id

    def close(self) -> None:
        """Roll back a run not finished (nothing of it stays) and close the store."""
        try:
            self.recorder.abort()
        except duckdb.Error:
            pass
        self.store.close()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def failed_record(exc: Exception) -> str:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"本期未记录（记录库保持原样）：{first[:200]}"
