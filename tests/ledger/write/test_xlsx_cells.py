"""The workbook's cells measured and typed the fast way give what the slow way gives: text widths
and line counts computed a column at a time (`xlsx_cells.display_widths`, `xlsx_book.line_counts`)
are each text measured character by character; a number cell's shortcut (`xlsx_cells._typed`) is
the cell parsed as its field is."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.ledger.write import xlsx_cells
from landrules.ledger.write.coded import Coded
from landrules.ledger.write.xlsx_book import MAX_LINES, line_counts
from landrules.ledger.write.xlsx_cells import display_width, display_widths

pytestmark = pytest.mark.long_file  # property tests


def by_character(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines_by_text(text: str, width: float) -> int:
    return min(sum(-(-max(by_character(t), 1) // width) for t in text.split("\n")), MAX_LINES)


TEXTS = st.lists(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("中文，全角ＡＢ ｱ\n😀"), max_size=40), max_size=30)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_widths_of_a_column_are_each_text_s_width(texts):
    assert display_widths(texts).tolist() == [by_character(t) for t in texts]
    assert [display_width(t) for t in texts] == [by_character(t) for t in texts]


def test_wide_and_narrow_characters():
    assert display_widths(["", "abc", "中文ab", "全角ＡＢ", "ｱｲ", "😀e", "a\ud800"]).tolist() == [0, 3, 6, 8, 2, 3, 2]


@settings(max_examples=100, deadline=None)
@given(TEXTS, st.sampled_from([1.0, 8.0, 13.5, 28.0]))
def test_line_counts_are_each_row_s_widest_text_in_lines(texts, width):
    n = len(texts)
    plain = list(texts)
    coded = Coded.of([t or None for t in texts])
    expected = [max(1, lines_by_text(t, width)) if t else 1 for t in texts]
    got_plain = line_counts([[None] * n, plain], [10.0, width + 2], [1], n)
    got_coded = line_counts([[None] * n, coded], [10.0, width + 2], [1], n)
    assert got_coded == expected
    assert got_plain == [max(1, lines_by_text(t, width)) if t is not None else 1 for t in texts]
    assert np.all(np.asarray(got_plain) <= MAX_LINES)


NUMBER_FIELDS = [f.name for f in fields.FIELDS if f.type is FieldType.NUMBER]
DECIMALS = st.from_regex(r"\A[+-]?(\d{1,20}(\.\d{0,12})?|\.\d{1,12})([eE][+-]?\d{1,3})?\Z")


@pytest.mark.slow  # a property test, 300 examples
@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NUMBER_FIELDS), st.lists(DECIMALS | st.sampled_from(["1e999", "-0", "0", "007", "5.", ".5", "1,234", "１２", " 3", "/"]), max_size=20))
def test_a_number_cell_s_shortcut_gives_what_parsing_it_gives(name, cells):
    """`_typed`'s shortcut for plain digits is the same as the full conversion (parse, range, fallback)."""
    shortcut, full = xlsx_cells._typed(name), xlsx_cells._typed(name, shortcut=False)
    for cell in cells:
        a, b = shortcut(cell), full(cell)
        assert (a, type(a)) == (b, type(b)), (name, cell)


CELL_TEXTS = st.lists(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\x01", "中", "\n"]),
                              max_size=12) | st.sampled_from(["x" * (xlsx_cells.MAX_TEXT + 1), "\ud800a", "=1+1"]), max_size=30)


@pytest.mark.slow  # a property test, 300 examples
@settings(max_examples=300, deadline=None)
@given(CELL_TEXTS)
def test_texts_cleaned_together_are_each_text_cleaned(texts):
    expected = [xlsx_cells.clean_text(t) for t in texts]
    got = xlsx_cells.clean_texts(texts)
    assert [(g, type(g)) for g in got] == [(e, type(e)) for e in expected]
    coded = Coded.of(texts).map_text_list(xlsx_cells.clean_texts)
    assert [(g, type(g)) for g in coded] == [(e, type(e)) for e in expected]
    mixed = [*texts, 3, None]
    assert xlsx_cells.clean_texts(mixed) == [*expected, 3, None]


SST_TEXTS = st.lists(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(
    [" ", "\t", "\n", "\r", "\x0b", "\x1c", "\x85", "\xa0", "\u2000", "\u200b", "\u3000", "&", "<", ">", "中", "\x01"]),
    max_size=10), max_size=40)


@pytest.mark.slow  # a property test, 300 examples
@settings(max_examples=300, deadline=None)
@given(SST_TEXTS)
def test_shared_strings_put_together_by_arrow_are_each_text_s_item(texts):
    from landrules.ledger.write.xlsx_sheet_xml import _string_item, _string_items

    assert _string_items(texts) == "".join(map(_string_item, texts)).encode()


DATE_FIELDS = [f.name for f in fields.FIELDS if f.type is FieldType.DATE]
ISO_DATES = st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z") | st.dates().map(dt.date.isoformat)


@pytest.mark.slow  # a property test, 300 examples
@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DATE_FIELDS), st.lists(ISO_DATES | st.sampled_from(["2021-02-29", "0000-01-01", "2021/10/01", "2021-10-01 00:00:00", "2021年10月1日", "2021-1-5", "/"]), max_size=20))
def test_a_date_cell_s_shortcut_gives_what_parsing_it_gives(name, cells):
    shortcut, full = xlsx_cells._typed(name), xlsx_cells._typed(name, shortcut=False)
    for cell in cells:
        a, b = shortcut(cell), full(cell)
        assert (a, type(a)) == (b, type(b)), (name, cell)
