"""The rows' notes as code columns: what appending tuples row by row gave, combined once per
distinct combination, and joined by Arrow."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.ledger.validate.frame import ParsedFrame
from landrules.ledger.validate.row_notes import NoteColumn, RowNotes

SEP = "; "


def column(n: int, rows: dict[int, tuple[str, ...]]) -> NoteColumn:
    return NoteColumn.from_rows(n, rows)


def test_a_row_reads_its_own_notes_then_each_columns_in_order():
    notes = RowNotes({1: ("甲",), 3: ("乙", "丙")})
    notes.add(column(5, {1: ("丁",), 2: ("戊",)}))
    later = notes.with_column(column(5, {2: ("己",), 4: ("庚",)}))
    assert dict(notes) == {1: ("甲", "丁"), 3: ("乙", "丙"), 2: ("戊",)}
    assert dict(later) == {1: ("甲", "丁"), 3: ("乙", "丙"), 2: ("戊", "己"), 4: ("庚",)}
    assert 4 in later and 4 not in notes and 0 not in later
    assert later.get(0) is None and len(later) == 4
    assert later == {1: ("甲", "丁"), 3: ("乙", "丙"), 2: ("戊", "己"), 4: ("庚",)}


def test_setting_a_row_replaces_all_its_notes_columns_included():
    notes = RowNotes()
    notes.add(column(3, {0: ("甲",), 1: ("乙",)}))
    notes[0] = ("丙", *notes.get(0, ()))
    assert dict(notes) == {0: ("丙", "甲"), 1: ("乙",)}


def test_a_parsed_frame_takes_a_dict_of_notes():
    parsed = ParsedFrame(2, [2, 3], {}, notes={1: ("甲",)})
    assert isinstance(parsed.notes, RowNotes) and dict(parsed.notes) == {1: ("甲",)}


NOTE = st.sampled_from(["甲", "乙", "丙", "丁", "=1+1", ""])
ROWS = st.dictionaries(st.integers(0, 11), st.lists(NOTE, min_size=0, max_size=3).map(tuple), max_size=8)


@pytest.mark.slow  # a property test, 200 examples
@settings(max_examples=200, deadline=None)
@given(st.lists(ROWS, min_size=1, max_size=5), ROWS)
def test_combinations_and_joined_cells_are_what_row_by_row_appending_gives(sources, after):
    n = 12
    by_row: dict[int, tuple[str, ...]] = {}
    for source in sources:  # what add_notes did: append, row by row
        for i, added in source.items():
            by_row[i] = (*by_row.get(i, ()), *added)
    for i, added in after.items():
        by_row[i] = (*by_row.get(i, ()), *added)
    want = {i: v for i, v in sorted(by_row.items()) if v}

    notes = RowNotes(sources[0])
    for source in sources[1:]:
        notes = notes.with_column(column(n, source))
    last = [column(n, after)]
    rows, which, combos = notes.combined(n, last)
    assert {i: combos[k] for i, k in zip(rows.tolist(), which.tolist())} == want
    assert len(combos) <= len(rows) and set(which.tolist()) == set(range(len(combos)))

    joined = notes.joined(n, SEP, last)
    cells = {i: SEP.join(dict.fromkeys(v)) for i, v in want.items()}
    words = [{t for v in source.values() for t in v} for source in [*sources, after]]
    if joined is None:  # a text in two sources: only `combined` takes it once
        assert any(words[a] & words[b] for a in range(len(words)) for b in range(a))
    else:
        assert isinstance(joined[1], pa.Array)
        assert dict(zip(joined[0].tolist(), joined[1].to_pylist())) == cells


def test_many_distinct_notes_do_not_overflow_the_row_keys():
    n = 2000
    notes = RowNotes()
    for k in range(8):  # 2001 ** 8 > 2 ** 62: the keys are renumbered on the way
        notes.add(NoteColumn(np.arange(n, dtype=np.int64), [(f"{k}-{i}",) for i in range(n)]))
    rows, which, combos = notes.combined(n)
    assert len(rows) == n and len(combos) == n
    assert combos[which[5]] == tuple(f"{k}-5" for k in range(8))
