"""The workbench's seams: one function per feature other faces may provide more richly.

- `column_report`: what the ledger's headers mean, before deciding;
- `decide_to_file`: decide a ledger into a file with decide's own writers (workbook, CSV);
- `diff_tables`: the parcels whose decision changed between two decided tables.

Each is small on purpose: an integrator swaps in the richer implementation (column maps,
the officers' workbook, `landrules diff`) by replacing the body, keeping the signature.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from landrules import fields
from landrules.decide.pipeline import RunResult, decide_ledger
from landrules.ledger.read import canonical_header, open_ledger
from landrules.rulebook.conditions import Atom, atoms
from landrules.rulebook.model import Rulebook


@dataclass
class ColumnReport:
    recognised: list[tuple[str, str]] = field(default_factory=list)  # (header, field label)
    unknown: list[tuple[str, str | None]] = field(default_factory=list)  # (header, field it may be)
    missing: list[tuple[str, list[str]]] = field(default_factory=list)  # (field label, rule ids needing it)
    notes: list[str] = field(default_factory=list)


def rule_fields(rulebook: Rulebook) -> dict[str, list[str]]:
    """field name -> ids of the rules whose conditions read it, in catalogue order."""
    used: dict[str, list[str]] = {}
    for rule in rulebook.rules:
        for atom in atoms(rule.when):
            if isinstance(atom, Atom):
                for name in filter(None, (atom.field, atom.other_field)):
                    ids = used.setdefault(name, [])
                    if rule.id not in ids:
                        ids.append(rule.id)
    order = {f.name: i for i, f in enumerate(fields.FIELDS)}
    return dict(sorted(used.items(), key=lambda kv: order.get(kv[0], len(order))))


def column_report(ledger_path: Path, rulebook: Rulebook, sheet: str | None = None) -> ColumnReport:
    """Recognised columns, unknown ones that look like a field (a header close to a field's
    Chinese name), and the fields some rule reads that no column provides. Raises LedgerError."""
    ledger = open_ledger(ledger_path, sheet)
    report = ColumnReport()
    present = set()
    zh_names = {f.zh: f for f in fields.FIELDS}
    for header, name in zip(ledger.headers, ledger.names):
        spec = fields.BY_NAME.get(name) if canonical_header(header) else None
        if spec is not None:
            present.add(spec.name)
            report.recognised.append((header, spec.label()))
        else:
            close = difflib.get_close_matches(header, list(zh_names), n=1, cutoff=0.6)
            report.unknown.append((header, zh_names[close[0]].label() if close else None))
    if {"area_mu", "area_m2"} & present:
        present |= {"area_mu", "area_m2"}
    for name, rule_ids in rule_fields(rulebook).items():
        if name not in present:
            report.missing.append((fields.BY_NAME[name].label(), rule_ids))
    return report


def decide_to_file(
    ledger_path: Path, out_path: Path, rulebook: Rulebook, as_of: dt.date,
    sheet: str | None = None, progress: Callable[[int], None] | None = None, engine: str = "auto",
) -> RunResult:
    """`decide LEDGER -o OUT`: the same pipeline and writers (the extension picks the format)."""
    return decide_ledger(ledger_path, out_path, rulebook, as_of, engine=engine, sheet=sheet, progress=progress)


DIFF_KEYS = ("categories", "outcome_codes", "needs", "deadline")


@dataclass
class Diff:
    changed: list[dict]  # parcel rows: row, parcel_id, area_mu, and before/after of DIFF_KEYS
    moved: list[tuple[str, str, int, float]]  # (old outcomes, new outcomes, 宗数, 面积)
    total: int


def diff_tables(before: "object", after: "object", limit: int = 500) -> Diff:
    """Compare two decided tables (pyarrow Tables from `table.read_index`) row by row: the
    flattened categories, outcome codes, needs and deadlines (what `landrules diff` compares)."""
    b, a = before.to_pydict(), after.to_pydict()
    changed, moved, total = [], Counter(), 0
    areas: Counter = Counter()
    for i in range(len(b["row"])):
        if all(b[k][i] == a[k][i] for k in DIFF_KEYS):
            continue
        total += 1
        pair = (b["outcome_codes"][i] or "—", a["outcome_codes"][i] or "—")
        moved[pair] += 1
        areas[pair] += b["area_mu"][i] or 0.0
        if len(changed) < limit:
            changed.append({"row": b["row"][i], "parcel_id": b["parcel_id"][i], "area_mu": b["area_mu"][i],
                            **{f"{k}_before": b[k][i] for k in DIFF_KEYS},
                            **{f"{k}_after": a[k][i] for k in DIFF_KEYS}})
    return Diff(changed, [(o, n, c, areas[(o, n)]) for (o, n), c in moved.most_common()], total)
