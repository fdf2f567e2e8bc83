"""A recorded run read back as `decide` made it, without its ledger file: its chunks as the
writers take them (input cells, decision columns, the rows as decided) and its summary, so that
`report --run RUN` writes the 季度通报 of a past quarter from the store alone (contract §7).

The decisions are the recorded ones, never decided again (a later landrules or rulebook cannot
change a past quarter's bulletin): each distinct recorded decision text is read once into its
flat columns and the facts the summary counts; the rows' facts are the recorded cells parsed
again as `decide` parsed them (`replay.recorded_loop`), as of the run's evaluation date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from landrules.core.decision import Decision, flatten
from landrules.core.summary import PatternFacts, Summary, TaxTally
from landrules.decide.as_of import frame_as_of
from landrules.decide.batch import FLAT_COLUMNS
from landrules.ledger.validate.frame import ParsedFrame
from landrules.ledger.write.flat import FlatColumns, OwnTexts
from landrules.record.replay import recorded_loop
from landrules.record.run_facts import run_facts
from landrules.record.runs import Run, headers_of
from landrules.record.store import Store
from landrules.rulebook.model import Rulebook

_HEAD = '{"parcel_id":null'


@dataclass
class RecordedChunk:
    inputs: pd.DataFrame  # the input cells, one column per ledger header (as the writers take them)
    flat: FlatColumns  # the recorded decisions' columns
    parsed: ParsedFrame  # the rows as decided: validated, as of the evaluation date


class RecordedRun:
    """The run's distinct decisions (flat columns and counted facts by text id), its headers."""

    def __init__(self, store: Store, run: Run):
        self.store, self.run = store, run
        self.headers, self.names = headers_of(store, run.id)
        texts = store.con.execute(
            "SELECT text_id, tail FROM decision_texts WHERE run_id = ? ORDER BY text_id", [run.id]).fetchall()
        size = (texts[-1][0] + 1) if texts else 0
        self.flat = {c: [""] * size for c in FLAT_COLUMNS}
        self.facts: list[PatternFacts | None] = [None] * size
        for text_id, tail in texts:
            decision = Decision.model_validate_json(_HEAD + tail)
            for c, value in flatten(decision).items():
                if c in self.flat:
                    self.flat[c][text_id] = value
            self.facts[text_id] = PatternFacts.of(decision)
        # the rows' own errors and notes (schema 4; a run recorded before folded them into its texts)
        own = store.con.execute("SELECT own_id, coalesce(cell, '') FROM own_texts WHERE run_id = ? ORDER BY own_id",
                                [run.id]).fetchall()
        self.own_cells = [""] * ((own[-1][0] + 1) if own else 0)
        for own_id, cell in own:
            self.own_cells[own_id] = cell

    def chunks(self, rulebook: Rulebook) -> Iterator[RecordedChunk]:
        """The run's rows in order, read by the chunk loop as `decide` read them (the recorded
        cells, the run's column map), with the decisions recorded for them."""
        loop = recorded_loop(self.store, self.run, rulebook, "auto")
        ids = self.store.con.cursor().execute(
            "SELECT row, text_id, coalesce(errors_id, -1), coalesce(notes_id, -1) FROM decisions "
            "WHERE run_id = ? ORDER BY row", [self.run.id])
        for prepared in loop.prepared():  # the store is read on this thread
            rows = prepared.parsed.rows
            recorded = np.array(ids.fetchmany(len(rows)), dtype=np.int64).reshape(-1, 4)
            if recorded[:, 0].tolist() != [int(r) for r in rows]:
                raise LookupError(f"{self.run.name} 的记录不完整：行与决策对不上（第 {rows[0]} 行起）")
            own = {}
            for c, column in (("errors", recorded[:, 2]), ("notes", recorded[:, 3])):
                at = np.flatnonzero(column >= 0)
                if len(at):  # the chunk's own lists only (a run's can be a row in four)
                    used, which = np.unique(column[at], return_inverse=True)
                    own[c] = OwnTexts(at, which.reshape(-1), [self.own_cells[k] for k in used.tolist()])
            yield RecordedChunk(prepared.frame.set_axis(self.headers, axis=1), FlatColumns(recorded[:, 1], self.flat, own),
                                frame_as_of(prepared.parsed, self.run.as_of))

    def summary(self) -> Summary:
        """The summary `decide` printed: 宗数 and 面积 by category, outcome, 责任单位 and deadline
        counted from the recorded decisions; rows, invalid rows and 亩均税收 as recorded."""
        row = next(iter(self.store.con.execute("SELECT summary FROM runs WHERE id = ?", [self.run.id]).fetchall()), None)
        recorded = json.loads(row[0]) if row and row[0] else {}
        summary = Summary(tax_target=recorded.get("tax_target"))
        con = self.store.con
        con.register("_areas", run_facts(self.store, self.run.id, ["area_mu"]))
        try:
            counts = con.execute("""
                SELECT d.text_id, d.errors_id IS NOT NULL, count(*), coalesce(sum(r.area_mu), 0) FROM decisions d
                JOIN _areas r ON r.row = d.row
                WHERE d.run_id = ? GROUP BY ALL ORDER BY ALL""", [self.run.id]).fetchall()
        finally:
            con.unregister("_areas")
        for text_id, _, count, area in counts:
            summary.add_pattern(self.facts[text_id], int(count), float(area))
        invalid = sum(int(count) for text_id, own_errors, count, _ in counts if own_errors or self.flat["errors"][text_id])
        summary.rows = int(recorded.get("rows", self.run.rows))
        summary.invalid = int(recorded.get("invalid", invalid))
        summary.decided = int(recorded.get("decided", summary.rows - summary.invalid))
        if recorded.get("tax"):
            summary.tax = TaxTally(**recorded["tax"])
        return summary
