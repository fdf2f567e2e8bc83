"""The recorded runs, and one run by id or label."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

from landrules.record.store import Store


class RunNotFound(Exception):
    """str() is one line, in Chinese."""


@dataclass
class Run:
    id: int
    label: str
    as_of: dt.date
    ledger: str
    rows: int
    rulebook: str
    recorded_by: str
    recorded_at: dt.datetime
    ledger_sha256: str = ""

    def to_json(self) -> dict:
        """Contract §7: `runs --json`."""
        data = asdict(self)
        data.pop("ledger_sha256")
        data["as_of"] = self.as_of.isoformat()
        data["recorded_at"] = self.recorded_at.isoformat(timespec="seconds")
        return data

    @property
    def name(self) -> str:
        return f"#{self.id} {self.label}（评估日 {self.as_of.isoformat()}）"


_COLUMNS = "id, label, as_of, ledger, rows, rulebook, recorded_by, recorded_at, ledger_sha256"


def list_runs(store: Store) -> list[Run]:
    return [Run(*row) for row in store.con.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id").fetchall()]


def get_run(store: Store, run_id: int) -> Run | None:
    row = next(iter(store.con.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchall()), None)
    return None if row is None else Run(*row)


def resolve_run(store: Store, spec: str | int | None, back: int = 0) -> Run:
    """`spec` an id (`3`, `#3`) or a label (the latest run with it); None: the latest run but `back`."""
    if spec is None:
        runs = list_runs(store)
        if len(runs) <= back:
            need = back + 1
            raise RunNotFound(f"记录库中只有 {len(runs)} 期记录，需要至少 {need} 期（用 decide --record 记录）")
        return runs[-1 - back]
    text = str(spec).strip().lstrip("#")
    if text.isdigit():
        run = get_run(store, int(text))
        if run is not None:
            return run
    row = next(iter(store.con.execute(f"SELECT {_COLUMNS} FROM runs WHERE label = ? ORDER BY id DESC LIMIT 1", [str(spec)]).fetchall()), None)
    if row is None:
        raise RunNotFound(f"记录库中没有编号或标签为 {spec} 的记录（landrules runs 列出全部）")
    return Run(*row)


def headers_of(store: Store, run_id: int) -> tuple[list[str], list[str]]:
    """The run's ledger headers and the field names they were read as (in column order)."""
    row = next(iter(store.con.execute("SELECT headers FROM runs WHERE id = ?", [run_id]).fetchall()), None)
    data = json.loads(row[0]) if row and row[0] else {}
    return data.get("headers", []), data.get("names", [])
