"""The column report page's content: the pipeline's own report (`decide.columns.column_report`,
what `decide` prints before deciding) for the uploaded ledger read with the session's column
map, plus the table of recognised columns the page shows beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from landrules.core import fields
from landrules.decide.chunks import ChunkLoop
from landrules.decide.column_report import ColumnReport, needed_fields
from landrules.decide.options import RunOptions
from landrules.ledger.columns.headers import EXTRA_FIELDS, key, label
from landrules.rulebook.model import Rulebook


@dataclass
class ColumnView:
    report: ColumnReport  # the pipeline's: notices, look-alikes, needed fields without a column
    recognised: list[tuple[str, str, bool]] = field(default_factory=list)  # (header, field label, by the map)
    unknown: list[tuple[str, str | None, str]] = field(default_factory=list)  # (header, look-alike field label, why)
    missing: list[tuple[str, list[str]]] = field(default_factory=list)  # (field label, ids of rules reading it)
    set_aside: list[str] = field(default_factory=list)  # headers the map declares no field (null)
    ids: set[str] = field(default_factory=set)  # the first chunk's 宗地编号 (they pick a boundary file's id field)


def rules_reading(rulebook: Rulebook) -> dict[str, list[str]]:
    """field name -> ids of the rules that read it (conditions or declared needs), for the page."""
    used: dict[str, list[str]] = {}
    for rule in rulebook.rules:
        for name in rule.fields_needed:
            ids = used.setdefault(name, [])
            if rule.id not in ids:
                ids.append(rule.id)
    return used


def column_view(ledger_path: Path, options: RunOptions) -> ColumnView:
    """Open the ledger as `decide` does (the chunk loop, with the column map) and report its
    columns as `decide_ledger` does before deciding. Raises LedgerError."""
    loop = ChunkLoop.open(ledger_path, options)
    report = loop.column_report(rows=False)
    rulebook, columns, not_fields = options.rulebook, options.columns, options.not_fields
    view = ColumnView(report)
    view.ids = loop.first_ids() or set()  # as decide's map takes them
    mapped = {key(h) for h, name in (columns.columns.items() if columns else ()) if name}
    alike = {item.header: item for item in report.lookalikes}
    for header, name in zip(loop.headers, loop.names):
        if name in fields.BY_NAME or name in EXTRA_FIELDS:
            view.recognised.append((header, label(name), key(header) in mapped))
        elif key(header) in not_fields:
            view.set_aside.append(header)
        else:
            item = alike.get(header)
            view.unknown.append((header, label(item.field) if item else None, item.reason if item else ""))
    reading = rules_reading(rulebook)
    view.missing = [(label(name), reading.get(name, [])) for name in report.missing]
    return view


def needs_filter(rulebook: Rulebook) -> list[tuple[str, str]]:
    """(field, label) of every field some rule needs: the parcels table's 需补充 filter."""
    return [(name, fields.BY_NAME[name].zh if name in fields.BY_NAME else label(name)) for name in needed_fields(rulebook)]
