"""Duplicate 宗地编号 found with the compact id store, as a dict of every id would find them."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.ledger.errors import clip
from landrules.ledger.validate.frame import _check_ids
from landrules.ledger.validate.seen_ids import SeenIds


def reference(chunks):
    """Each row's first row, with a plain dict."""
    first, out = {}, []
    for ids, rows in chunks:
        for pid, row in zip(ids, rows):
            out.append(None if pid is None else first.setdefault(pid, row))
    return out


def messages(chunks):
    seen, out = SeenIds(), []
    for ids, rows in chunks:
        errors: dict[int, list[str]] = {}
        _check_ids(np.array(ids, dtype=object), rows, errors, seen)
        out += [errors.get(i, []) for i in range(len(ids))]
    return out


ids = st.lists(st.one_of(st.none(), st.sampled_from(["A", "B", "中1", "SL-1", "x" * 80])), max_size=12)


@pytest.mark.slow  # a property test, 300 examples
@settings(max_examples=300, deadline=None)
@given(st.lists(ids, max_size=6))
def test_repeats_name_the_first_row_across_chunks(id_chunks):
    chunks, row = [], 2
    for chunk in id_chunks:
        chunks.append((chunk, list(range(row, row + len(chunk)))))
        row += len(chunk)
    expected = reference(chunks)
    got = messages(chunks)
    all_rows = [r for _, rows in chunks for r in rows]
    all_ids = [pid for chunk, _ in chunks for pid in chunk]
    for pid, row, first, errors in zip(all_ids, all_rows, expected, got):
        if pid is None:  # a row without an id is decided, named by its row, never a repeat
            assert errors == []
        elif first != row:
            assert errors == [f'第{row}行 parcel_id（宗地编号）: 重复的宗地编号 "{clip(pid)}"（首次出现在第{first}行）']
        else:
            assert errors == []


def test_a_hash_collision_is_not_a_repeat(monkeypatch):
    import landrules.ledger.validate.seen_ids as module

    monkeypatch.setattr(module, "id_hashes", lambda ids: np.zeros(len(ids), dtype=np.uint64))
    seen = SeenIds()
    seen.add(np.array(["A", "B"], dtype=object), np.array([2, 3]))
    assert seen.first_rows(np.array(["B", "C", "A"], dtype=object)).tolist() == [3, -1, 2]


def test_runs_stay_few_and_lookups_exact_over_many_chunks():
    seen = SeenIds()
    for k in range(64):
        ids = np.array([f"P{k}-{i}" for i in range(100)], dtype=object)
        seen.add(ids, np.arange(k * 100, k * 100 + 100) + 2)
    assert len(seen) == 6400 and len(seen._runs) <= 8
    probe = np.array(["P0-0", "P63-99", "P31-50", "nope"], dtype=object)
    assert seen.first_rows(probe).tolist() == [2, 6401, 3152, -1]


def test_of_a_mapping():
    seen = SeenIds.of({"A": 7})
    assert seen.first_rows(np.array(["A", "B"], dtype=object)).tolist() == [7, -1]


@pytest.mark.parametrize("arrow", [True, False])
def test_ids_that_differ_only_in_width_are_noted_in_arrow_and_object_columns(arrow):
    from landrules.ledger.validate.frame import parse_frame

    dtype = pd.StringDtype("pyarrow", na_value=np.nan) if arrow else object
    seen = SeenIds()
    chunks = [["SL-004", "ＳＬ－００５", "SL-006"], ["ＳＬ－００４", "SL-005", "中文-1", None], ["SL-006", "ＳＬ－００６"]]
    notes, first_row = [], 2
    for ids in chunks:
        frame = pd.DataFrame({"parcel_id": pd.Series(ids, dtype=dtype), "area_mu": pd.Series(["1"] * len(ids), dtype=dtype)})
        rows = list(range(first_row, first_row + len(ids)))
        parsed = parse_frame(frame, rows, seen)
        notes += [(rows[i], n) for i, ns in parsed.notes.items() for n in ns if "全角" in n]
        first_row += len(ids)
    assert [(row, note.split(" 与")[0]) for row, note in notes] == [
        (5, 'parcel_id（宗地编号） "ＳＬ－００４"'), (6, 'parcel_id（宗地编号） "SL-005"'),
        (10, 'parcel_id（宗地编号） "ＳＬ－００６"')]
    assert "第2行" in notes[0][1] and "第3行" in notes[1][1] and "第4行" in notes[2][1]


def test_merging_two_runs_is_a_stable_sort_of_the_two_one_after_the_other():
    from landrules.ledger.validate.seen_ids import _merged

    rng = np.random.default_rng(5)
    for size_a, size_b in ((0, 5), (5, 0), (1, 1), (300, 120), (64, 1000)):
        a = np.sort(rng.integers(0, 50, size_a).astype(np.uint64))  # few values: many equal hashes
        b = np.sort(rng.integers(0, 50, size_b).astype(np.uint64))
        sa = np.arange(size_a, dtype=np.int32)
        sb = np.arange(size_a, size_a + size_b, dtype=np.int32)
        merged, seqs = _merged(a, sa, b, sb)
        order = np.argsort(np.concatenate([a, b]), kind="stable")
        assert merged.tolist() == np.concatenate([a, b])[order].tolist()
        assert seqs.tolist() == np.concatenate([sa, sb])[order].tolist()
        assert merged.dtype == np.uint64 and seqs.dtype == np.int32


def test_a_row_number_beyond_32_bits_is_kept_whole():
    seen = SeenIds()
    seen.add(np.array(["A", "B"], dtype=object), np.array([2, 2**33]))
    assert seen.first_rows(np.array(["B", "A"], dtype=object)).tolist() == [2**33, 2]
