"""A parcel as it stood on the evaluation date (contract §5 Revised, "As of the evaluation date").

An event dated after `as_of` - approval, supply, start of construction, suspension - had not
happened yet on that date: the backends see it empty, and the decision's `notes` say which
field and date were set aside. `agreed_start_on` is a scheduled date, not an event: it counts
as written. This is the one place that view is made; every way into the backends goes through
it (a parsed ledger chunk in `batch`, one parcel's facts in `evaluate`, `explain` and the BDD
runner), so both engines and `explain` see the same parcel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np

from landrules.core import fields
from landrules.geo.join import add_notes
from landrules.geo.plan import derive_conformity
from landrules.ledger.validate.frame import ParsedFrame
from landrules.ledger.validate.row_notes import NoteColumn

EVENT_FIELDS = ("approved_on", "supplied_on", "construction_started_on", "suspended_since")
# The derived fact (fields.DERIVED) that tells an approval set aside here from one not filled in:
# a parcel approved after the evaluation date was not yet construction land of the plan
# (contract §5 Revised, wave 3), while an empty 批准日期 is a fact to collect.
APPROVED_LATER = "approved_after_as_of"


def later_note(name: str, day: dt.date, as_of: dt.date) -> str:
    """The note of an event set aside, e.g. 供地日期 2022-03-01 晚于评估日 2021-10-01，按未发生处理."""
    note = f"{fields.BY_NAME[name].zh} {day.isoformat()} 晚于评估日 {as_of.isoformat()}，按未发生处理"
    if name == "approved_on":
        note += "：评估日时尚未批准为建设用地，不属于方案处置的范围"
    return note


def facts_as_of(facts: dict[str, Any], as_of: dt.date) -> tuple[dict[str, Any], list[str]]:
    """One parcel's typed facts as of the date (with the derived `approved_after_as_of`, 是, where
    the approval was set aside), and the notes of what was set aside."""
    later = [name for name in EVENT_FIELDS if facts.get(name) is not None and facts[name] > as_of]
    if not later:
        return facts, []
    viewed = {k: v for k, v in facts.items() if k not in later}
    if "approved_on" in later:
        viewed[APPROVED_LATER] = True  # present only then: rules test it with present / absent
    return viewed, [later_note(n, facts[n], as_of) for n in later]


def frame_as_of(parsed: ParsedFrame, as_of: dt.date) -> ParsedFrame:
    """A parsed chunk as of the date: later events emptied in its columns (rows with errors are
    left as they are: they are not decided), their notes added after the row's own."""
    limit = float(as_of.toordinal())  # the engines' encoding of dates (encoding.py)
    columns, notes = parsed.columns, parsed.notes
    invalid = np.zeros(parsed.n, dtype=bool)
    invalid[list(parsed.errors)] = True
    for name in EVENT_FIELDS:
        col = columns[name]
        with np.errstate(invalid="ignore"):
            later = (col > limit) & ~invalid
        if not later.any():
            continue
        if columns is parsed.columns:
            columns = dict(columns)
        if name == "approved_on":  # 是 where set aside, unknown (absent) elsewhere, as in facts_as_of
            columns[APPROVED_LATER] = np.where(later, 1.0, np.nan)
        rows = np.flatnonzero(later)
        days, which = np.unique(col[rows], return_inverse=True)  # each distinct date worded once
        codes = np.full(parsed.n, -1, dtype=np.int64)
        codes[rows] = which.ravel()
        notes = notes.with_column(NoteColumn(codes, [(later_note(name, dt.date.fromordinal(int(d)), as_of),)
                                                     for d in days.tolist()]))
        col = col.copy()
        col[later] = np.nan
        columns[name] = col
    if columns is parsed.columns:
        return parsed
    return dataclasses.replace(parsed, columns=columns, notes=notes)


def on_the_date(parsed: ParsedFrame, as_of: dt.date, plan_limit: float | None) -> tuple[ParsedFrame, ParsedFrame]:
    """A chunk as every face sees it on the evaluation date: 符合国土空间规划 taken from the map
    where the ledger leaves it empty (in place, contract §8: `plan_limit` is `geo.plan.threshold`;
    neither field is dated, so this comes before the cut and month spans see it too), then later
    events set aside. Returns (the chunk before the cut, the chunk as of the date)."""
    add_notes(parsed, derive_conformity(parsed.columns, plan_limit))
    return parsed, frame_as_of(parsed, as_of)
