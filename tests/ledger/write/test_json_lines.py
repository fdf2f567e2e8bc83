"""JSON lines made from shared tails are the lines json.dumps would write, byte for byte."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.ledger.write.json_lines import BLOCK_ROWS, JsonLines, json_heads, json_list

ids = st.lists(st.one_of(st.none(), st.text(alphabet='SL-01"\\\n\t\x00\x1f中\u2028 é', max_size=6)), max_size=40)


@pytest.mark.slow  # a property test, 300 examples
@settings(max_examples=300, deadline=None)
@given(ids)
def test_heads_are_what_json_dumps_writes(values):
    heads = json_heads(np.array(values, dtype=object)).to_pylist()
    assert heads == ['{"parcel_id":' + json.dumps(v, ensure_ascii=False) for v in values]


@given(ids, st.lists(st.text(max_size=5), min_size=1, max_size=4), st.randoms())
def test_blocks_hold_every_line_in_order(values, texts, rnd):
    indices = [rnd.randrange(len(texts)) for _ in values]
    lines = JsonLines(json_heads(values), np.array(indices), texts)
    expected = ['{"parcel_id":' + json.dumps(v, ensure_ascii=False) + texts[k] for v, k in zip(values, indices)]
    assert list(lines) == expected and [lines[i] for i in range(len(values))] == expected
    assert b"".join(lines.blocks()).decode("utf-8") == "".join(line + "\n" for line in expected)


def test_a_chunk_longer_than_a_block_is_written_in_blocks():
    n = BLOCK_ROWS * 2 + 5
    lines = JsonLines(json_heads([f"P{i}" for i in range(n)]), np.zeros(n, dtype=np.int64), [',"x":1}'])
    blocks = list(lines.blocks())
    assert len(blocks) == 3 and b"".join(blocks).count(b"\n") == n


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.sampled_from(['a"b', "a\\b", "x\ny", "\u2028", "\x00", "é", "第3行"]),
                          st.integers(), st.none()), max_size=5))
def test_a_list_of_texts_is_the_json_of_json_dumps(items):
    """A row's errors or notes as a JSON list: the same text as json.dumps writes (non-texts too)."""
    assert json_list(items) == json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    assert json_list(tuple(items)) == json_list(items)
