"""Writing decisions: JSONL, CSV, XLSX, Parquet — atomically, injection-safe."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator, Sequence

import pandas as pd

from ..decision import Decision

FORMATS = (".jsonl", ".csv", ".xlsx", ".parquet")
DECISION_COLUMNS = (
    "categories", "outcome_codes", "outcome_labels", "citations",
    "deadline", "responsible", "needs", "errors",
)
EXTRA_COLUMNS = ("overdue", "as_of", "rulebook")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
SEP = "; "


class OutputError(Exception):
    pass


def output_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(f"不支持的输出格式 {path.name!r}：扩展名应为 {', '.join(FORMATS)}")
    return suffix


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed into place only if the block completes."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _join(items: Sequence[Any]) -> str:
    seen: list[str] = []
    for item in items:
        text = str(item)
        if text not in seen:
            seen.append(text)
    return SEP.join(seen)


def flatten(decision: Decision) -> dict[str, str]:
    """The decision part of a CSV/XLSX row (contract §4)."""
    outcomes = decision.outcomes
    return {
        "categories": _join(decision.categories),
        "outcome_codes": _join(o.code for o in outcomes),
        "outcome_labels": _join(o.label for o in outcomes),
        "citations": _join(f"{c.doc} {c.clause}" for o in outcomes for c in o.citations),
        "deadline": _join(o.deadline.isoformat() for o in outcomes if o.deadline),
        "responsible": _join(u for o in outcomes for u in o.responsible),
        "needs": _join(decision.needs),
        "errors": _join(decision.errors),
        "overdue": _join(
            f"{o.code}:{'是' if o.overdue else '否'}" for o in outcomes if o.overdue is not None
        ),
        "as_of": decision.as_of.isoformat(),
        "rulebook": decision.rulebook,
    }


def defuse(value: Any) -> Any:
    """Make a text cell that a spreadsheet would run as a formula show as text instead."""
    if isinstance(value, str) and value.startswith(_RISKY):
        return "'" + value
    return value


def table(inputs: Sequence[dict[str, Any]], decisions: Sequence[Decision], input_columns: Sequence[str]) -> pd.DataFrame:
    rows = []
    for raw, decision in zip(inputs, decisions):
        row = {f"{c}": _cell(raw.get(c)) for c in input_columns}
        row.update(flatten(decision))
        rows.append(row)
    columns = [*input_columns, *DECISION_COLUMNS, *EXTRA_COLUMNS]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 and getattr(value, "minute", 0) == 0 else value.isoformat()
    return value


def write_jsonl(decisions: Sequence[Decision], stream) -> None:
    for decision in decisions:
        stream.write(decision.to_json())
        stream.write("\n")


def write(path: Path, inputs: Sequence[dict[str, Any]], decisions: Sequence[Decision], input_columns: Sequence[str]) -> None:
    fmt = output_format(path)
    with atomic_path(path) as tmp:
        if fmt == ".jsonl":
            with tmp.open("w", encoding="utf-8", newline="\n") as stream:
                write_jsonl(decisions, stream)
            return
        frame = table(inputs, decisions, input_columns)
        if fmt == ".csv":
            frame.map(defuse).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        elif fmt == ".parquet":
            frame.astype(str).to_parquet(tmp, index=False)
        else:
            _write_xlsx(tmp, frame)


def _write_xlsx(path: Path, frame: pd.DataFrame) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("决策")
    sheet.freeze_panes = "A2"
    sheet.append([str(c) for c in frame.columns])
    for values in frame.itertuples(index=False, name=None):
        # openpyxl stores a string beginning with "=" as a formula: defuse it first.
        sheet.append([defuse(v) for v in values])
    workbook.save(path)
