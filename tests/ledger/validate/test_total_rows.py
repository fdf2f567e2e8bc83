"""Issue 23 item 1: which rows are total rows (ledger/validate/totals.py). A row is one only
when it has no parcel id of its own, a leading cell reads a total word, and its other filled
cells are figures — a real parcel whose 坐落 reads 合计 is decided, not dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.ledger.validate.totals import FOOTER_WORDS, STRIPPED, footer_mask, is_total_row

# columns: 序号, 宗地编号, 坐落, 面积（亩）, 土地使用权人
ID_AT = 1


@pytest.mark.parametrize("row", [
    ["合计", "", "", "45", ""],
    ["", "合计", "", "45", ""],
    ["", "", "总计", "45", ""],
    ["小计", "/", "", "1,234.5", "—"],
    ["合计", "40宗", "", "45亩", ""],
    ["", "合计（2宗）", "", "45", ""],
    ["合 计", None, None, 45.0, None],
    ["共计：", "", "", "25%", ""],
])
def test_rows_without_id_whose_other_cells_are_figures_are_totals(row):
    assert is_total_row(row, ID_AT)


@pytest.mark.parametrize("row", [
    ["1", "SL-009", "合计", "20", "某公司"],  # a real parcel: its 坐落 reads 合计
    ["合计", "SL-010", "", "20", ""],  # an id of its own
    ["", "", "合计", "20", "某公司"],  # text besides the word: a parcel row missing its id
    ["", "", "", "45", "合计"],  # the word outside the leading cells
    ["", "", "合计村", "45", ""],  # a place name, not the word
])
def test_rows_with_an_id_or_text_are_parcels(row):
    assert not is_total_row(row, ID_AT)


ids = st.text(alphabet="SL-0123456789ＳＬ－", min_size=1, max_size=8).filter(lambda t: "宗" not in t and t.strip("-－"))
words = st.sampled_from(["合计", "小计", "总计", "合 计", "合计：", "合计（40宗）"])


@given(parcel_id=ids, word=words, where=st.sampled_from([0, 2]), area=st.sampled_from(["", "45", "1,234"]))
def test_a_row_with_a_parcel_id_is_never_a_total(parcel_id, word, where, area):
    row = ["", parcel_id, "", area, ""]
    row[where] = word
    assert not is_total_row(row, ID_AT)


def test_a_parcel_whose_location_reads_the_total_word_is_decided(tmp_path):
    from landrules.ledger.read.reader import open_ledger
    from landrules.ledger.validate.prepare import prepare_chunk

    path = tmp_path / "l.csv"
    path.write_text("序号,宗地编号,坐落,面积（亩）\n1,SL-009,合计,20\n合计,,,20\n", encoding="utf-8")
    (chunk,) = list(open_ledger(path).chunks)
    prepared = prepare_chunk(chunk.frame, chunk.rows)
    assert prepared.totals == [3] and prepared.parsed.parcel_ids.tolist() == ["SL-009"]


def test_what_the_arrow_regex_strips_is_what_str_strip_strips():
    assert set(STRIPPED) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


_SPACES = st.sampled_from(sorted(STRIPPED))
# characters one byte away from a footer word's first character (the Arrow path reads bytes)
_NEAR = "".join(chr(ord(w[0]) + d) for w in FOOTER_WORDS for d in (-64, -1, 1, 64)) + "—“・\u3001"
_CELLS = st.one_of(
    st.text(max_size=8),
    st.text(st.sampled_from(sorted(set(_NEAR + "".join(w[0] for w in FOOTER_WORDS) + STRIPPED + "a:："))), max_size=4),
    st.builds(lambda pad, word, rest: pad + word + rest, st.text(_SPACES, max_size=3),
              st.sampled_from(FOOTER_WORDS), st.sampled_from(["", "：张三", ": 李四", " 王五", "说明", "：", "x"])),
)


@pytest.mark.slow  # a property test, 300 examples
@settings(deadline=None, max_examples=300)  # Arrow's first call may be slow on a loaded machine
@given(st.lists(st.tuples(_CELLS, _CELLS, st.one_of(st.none(), _CELLS)), min_size=1, max_size=30))
def test_footer_rows_are_found_alike_in_arrow_and_object_columns(rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "c"])
    arrow = frame.astype(pd.StringDtype("pyarrow", na_value=np.nan))
    assert footer_mask(arrow).tolist() == footer_mask(frame.astype(object)).tolist()
