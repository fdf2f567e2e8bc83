"""One parcel in every recorded run: its facts that changed, categories, measures, deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field

from landrules.record.arrow_rows import blob_table


@dataclass
class Step:
    run_id: int
    label: str
    as_of: str
    rulebook: str
    row: int
    categories: str | None
    outcome_codes: str | None
    deadline: str | None
    overdue: str | None
    facts: dict
    changed: dict = field(default_factory=dict)  # field -> (before, after), against the previous step

    def to_json(self) -> dict:
        return {"run": self.run_id, "label": self.label, "as_of": self.as_of, "rulebook": self.rulebook, "row": self.row,
                "categories": _split(self.categories), "outcome_codes": _split(self.outcome_codes),
                "deadline": _split(self.deadline), "overdue": bool(self.overdue and ":是" in self.overdue),
                "changed": {k: {"before": a, "after": b} for k, (a, b) in self.changed.items()}}


def _split(text: str | None) -> list[str]:
    return text.split("; ") if text else []


def parcel_history(store, parcel_id: str) -> list[Step]:
    cursor = store.con.execute("""
        SELECT r.id, r.label, r.as_of::VARCHAR, r.rulebook, d.row, d.categories, d.outcome_codes, d.deadline, d.overdue,
               (SELECT c.facts FROM row_cells c WHERE c.run_id = d.run_id AND c.first_row <= d.row
                ORDER BY c.first_row DESC LIMIT 1) AS facts
        FROM decision_rows d JOIN runs r ON r.id = d.run_id
        WHERE d.parcel_id = ? ORDER BY r.id, d.row""", [parcel_id])
    steps: list[Step] = []
    for record in cursor.fetchall():
        run_id, label, as_of, rulebook, row, cats, codes, deadline, overdue, blob = record
        if steps and steps[-1].run_id == run_id:
            continue  # a repeated id: the first row is the parcel (the others are invalid duplicates)
        facts = {k: _plain(v) for k, v in _facts_of(blob, row).items() if v is not None}
        step = Step(run_id, label, as_of, rulebook, row, cats, codes, deadline, overdue, facts)
        if steps:
            before = steps[-1].facts
            step.changed = {k: (before.get(k), facts.get(k)) for k in dict.fromkeys([*before, *facts])
                            if before.get(k) != facts.get(k)}
        steps.append(step)
    return steps


def _facts_of(blob: bytes | None, row: int) -> dict:
    """The canonical fields of `row`, from its chunk's facts (row_cells.facts, read whole)."""
    if blob is None:
        return {}
    import pyarrow.compute as pc

    table = blob_table(blob)
    found = table.filter(pc.equal(table.column("_row"), row)).drop_columns(["_row"]).to_pylist()
    return found[0] if found else {}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
