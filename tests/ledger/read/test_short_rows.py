"""Issue 23 item 1: a CSV row with fewer fields than the header is never lost, wherever it
stands — inside a chunk, at a chunk's end, at the end of the file — whatever the chunk size
(pyarrow skips such rows while parsing; csv_chunks puts them back)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.ledger.read.reader import open_ledger

HEADER = ["宗地编号", "面积（亩）", "土地用途", "坐落"]

# a row: its id, then 0..3 of the other cells (0..2 makes it short)
rows = st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["10", "工业", "平龙县", ""])), min_size=1, max_size=40)


def _expected(text: str) -> list[tuple[int, list[str]]]:
    """(file row, cells padded to the header) of every non-blank data row, as csv reads them."""
    out = []
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if number == 1 or not any(cell.strip() for cell in row):
            continue
        out.append((number, row + [""] * (len(HEADER) - len(row))))
    return out


@pytest.mark.slow  # a property test, 120 files read
@settings(max_examples=120, deadline=None)
@given(data=rows, chunk_rows=st.integers(1, 9), final_newline=st.booleans())
def test_short_rows_anywhere_in_any_chunk_are_kept_in_place(tmp_path_factory, data, chunk_rows, final_newline):
    lines = [",".join(HEADER)]
    for i, (width, cell) in enumerate(data):
        lines.append(",".join([f"P{i}"] + [cell] * width))
    text = "\n".join(lines) + ("\n" if final_newline else "")
    path = tmp_path_factory.mktemp("short") / "ledger.csv"
    path.write_text(text, encoding="utf-8")

    ledger = open_ledger(path, chunk_rows=chunk_rows)
    got = []
    for chunk in ledger.chunks:
        cells = chunk.frame.astype(object).where(chunk.frame.notna(), "").values.tolist()
        got += list(zip(chunk.rows, cells))
    assert got == [(n, cells) for n, cells in _expected(text)]
