"""Dates given only to the month, decided as spans (contract §3, "Officers' ledgers as they are").

`2019年7月` is any day from 2019-07-01 to 2019-07-31. A row with such dates is decided at every
corner of its spans (each month date at its first and at its last day; the rulebook's date
conditions are monotone in each date, so the corners bound the whole span): a rule that fires
at every corner fires; a rule whose firing changes between corners depends on the missing day
and is left undecided — `needs_information`, `needs` naming the month date — and a note says the
date gives only the month. Nothing is decided against the land user on a day the ledger does
not give.

This sits above the backends, on the pattern keys both compute (`batch.Key`), so the durable
and the vectorised engine get the same treatment. Rows without a month date are not touched:
a ledger without one costs one dict test a chunk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Callable, Sequence

import numpy as np

from landrules.core import fields
from landrules.decide.as_of import frame_as_of
from landrules.ledger.validate.frame import ParsedFrame
from landrules.rulebook.model import Rulebook

Key = tuple[frozenset, tuple]
MAX_FIELDS = 6  # month dates of one chunk looked at together (2**6 corners); more are very unlikely


def rule_fields(rulebook: Rulebook) -> dict[str, frozenset[str]]:
    """The fields each rule's condition reads (`Rule.fields_read`)."""
    return {rule.id: frozenset(rule.fields_read) for rule in rulebook.rules}


def month_note(name: str, first: dt.date) -> str:
    return (f"{fields.BY_NAME[name].zh} {first.year}年{first.month}月 只写到月，未写日：取决于具体日期的规定暂不判断，"
            f"请补充到日")


def widen(
    raw: ParsedFrame, as_of: dt.date, positions: np.ndarray, keys: list[Key],
    keys_at: Callable[[ParsedFrame, np.ndarray], list[Key]], reads: dict[str, frozenset[str]],
    rule_order: Sequence[str],
) -> tuple[list[Key], dict[int, tuple[str, ...]]]:
    """Each row's key (`keys`, aligned with `positions`, computed with month dates at their first
    day) widened over its month spans; and the notes of the rows whose decision the missing day
    changed (row position -> notes). `raw` is the chunk before `frame_as_of`; `keys_at(parsed,
    positions)` computes keys with a backend."""
    spans = {name: last for name, last in raw.spans.items()}
    if not spans or not len(positions):
        return keys, {}
    has = np.zeros(len(positions), dtype=bool)
    for last in spans.values():
        has |= ~np.isnan(last[positions])
    sub = np.flatnonzero(has)
    if not len(sub):
        return keys, {}
    rows = positions[sub]
    names = [n for n in spans if (~np.isnan(spans[n][rows])).any()][:MAX_FIELDS]
    corners: list[list[Key]] = []
    for pick in itertools.product((False, True), repeat=len(names)):
        if not any(pick):
            continue  # all first days: `keys` already
        columns = dict(raw.columns)
        for name, late in zip(names, pick):
            if late:
                col = columns[name].copy()
                last = spans[name]
                at = ~np.isnan(last)
                col[at] = last[at]
                columns[name] = col
        corner = frame_as_of(dataclasses.replace(raw, columns=columns), as_of)
        corners.append(keys_at(corner, rows))
    keys = list(keys)
    notes: dict[int, tuple[str, ...]] = {}
    order = {r: i for i, r in enumerate(rule_order)}
    for k, j in enumerate(sub.tolist()):
        base = keys[j]
        seen = [base, *(c[k] for c in corners)]
        if all(s == base for s in seen[1:]):
            continue
        i = int(positions[j])
        month_fields = [n for n in names if not np.isnan(spans[n][i])]
        status = [{**{r: () for r in s[0]}, **dict(s[1])} for s in seen]  # rule -> missing (() = fires)
        definite, needs, named_all = set(), {}, []
        for rule_id in sorted(set().union(*status), key=order.get):
            states = [st.get(rule_id) for st in status]
            missing = list(dict.fromkeys(m for st in states if st for m in st))
            if all(st == states[0] for st in states):
                if states[0] == ():
                    definite.add(rule_id)
                else:
                    needs[rule_id] = missing
                continue
            named = [n for n in month_fields if n in reads.get(rule_id, ())] or month_fields
            needs[rule_id] = list(dict.fromkeys([*missing, *named]))
            named_all += [n for n in named if n not in named_all]
        keys[j] = (frozenset(definite), tuple((r, tuple(m)) for r, m in needs.items() if m))
        notes[i] = tuple(month_note(n, dt.date.fromordinal(int(raw.columns[n][i]))) for n in named_all)
    return keys, notes
