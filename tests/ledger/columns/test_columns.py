"""The column fast paths (ledger/columns.py) read every value exactly as the cell parser does."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.core import fields
from landrules.core.values import encode
from landrules.ledger.validate import cell_arrays as columns
from landrules.ledger.validate.cells import PARSERS, CellError
from landrules.ledger.validate.frame import _parse_uniques, parse_frame

DIGITS = st.text("0123456789", min_size=1, max_size=5)
ODD = st.sampled_from(["", " ", "/", "／", "-", "—", "无", "空", "不详", "合计", "N/A", "nan", "inf", "-0", "1e3",
                       "1,000", "30%", "1/4", "38.2亩", "１２", "２０１８-０１-０２", " 2018-01-02", "2018-01-02 ",
                       "2018-01-02 00:00:00", "2018 年 1 月 2 日", "0000-01-01", "2019-02-29", "2020-02-29",
                       "2018-13-01", "2018-00-10", "2018-1-32", "9999-12-31", "2018-01/02", "2018年1月2", "1.", ".5",
                       "00.50", "1.0", "0", "0.0", "1", "1e20", "99999999999", "100000000",
                       "--", "暂无", "未知", "\\", "＼", "——", " 无 ", "无\u3000", "单位", "\u3000单位", "单位\xa0", "1 000", "1,234.5", "2,50", "١٢", "SL-1 ", " SL-1", "A", "a\u3000", "x\ty", "é1"])


@st.composite
def dates(draw):
    y, m, d = draw(st.integers(0, 10000)), draw(st.integers(0, 14)), draw(st.integers(0, 33))
    pad = draw(st.booleans())
    ys, ms, ds = str(y).zfill(4), str(m).zfill(2) if pad else str(m), str(d).zfill(2) if pad else str(d)
    sep = draw(st.sampled_from(["-", "/", ".", "年", "x"]))
    return f"{ys}年{ms}月{ds}日" if sep == "年" else f"{ys}{sep}{ms}{sep}{ds}"


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    st.builds(lambda a, b: f"{a}.{b}", DIGITS, DIGITS),
    DIGITS,
)
TEXTS = st.one_of(st.text(max_size=8), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9\- _/]{0,6}[A-Za-z0-9]", fullmatch=True))
CELLS = {
    "date": st.one_of(dates(), ODD, DIGITS),
    "number": st.one_of(NUMBERS, ODD),
    "text": st.one_of(TEXTS, ODD),
}


def per_cell(name: str, values: list[str]):
    """What parsing each value on its own gives: (encoded value, error detail)."""
    spec = fields.BY_NAME[name]
    out = []
    for v in values:
        try:
            value = PARSERS[name](v)
        except CellError as exc:
            out.append((None, exc.detail))
            continue
        out.append((value if spec.type is fields.FieldType.TEXT else encode(spec, value), None))
    return out


def same(a, b) -> bool:
    if isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating)):
        return (math.isnan(a) and math.isnan(b)) or float(a) == float(b)
    return type(a) is type(b) and a == b


def check(name: str, values: list[str]) -> None:
    values = list(dict.fromkeys(values))  # distinct, as after factorising
    k = 0
    while len(values) < columns.FAST_MIN:  # past the threshold, so the fast path runs
        k += 1
        filler = f"{1900 + k}-01-02" if "on" in name else str(k)
        if filler not in values:
            values.append(filler)
    spec = fields.BY_NAME[name]
    expected = per_cell(name, values)
    for uniques in (pa.array(values, type=pa.string()), np.array(values, dtype=object)):
        encoded, errors, as_is = _parse_uniques(name, uniques)
        if as_is:  # every value its own cell or unknown: the record takes the Arrow cells for the column
            assert isinstance(uniques, pa.Array) and all(e is None or e == v for e, v in zip(encoded.tolist(), values))
        for j, (value, error) in enumerate(expected):
            assert errors.get(j) == error, (name, values[j], errors.get(j), error)
            if error is None:
                got = encoded[j]
                want = value if value is not None else (None if spec.type is fields.FieldType.TEXT else float("nan"))
                assert same(got, want), (name, values[j], got, want)


@pytest.mark.slow  # a property test, 150 examples
@settings(max_examples=150, deadline=None)
@given(st.lists(CELLS["date"], min_size=1, max_size=120))
def test_dates_read_as_the_cell_parser_reads_them(values):
    check("approved_on", values)


@pytest.mark.slow  # a property test, 150 examples
@settings(max_examples=150, deadline=None)
@given(st.lists(CELLS["number"], min_size=1, max_size=120), st.sampled_from(["area_mu", "developed_ratio", "tax_per_mu"]))
def test_numbers_and_ratios_read_as_the_cell_parser_reads_them(values, name):
    check(name, values)


@pytest.mark.slow  # a property test, 150 examples
@settings(max_examples=150, deadline=None)
@given(st.lists(CELLS["text"], min_size=1, max_size=120), st.sampled_from(["parcel_id", "holder"]))
def test_text_read_as_the_cell_parser_reads_it(values, name):
    check(name, values)


def test_an_arrow_column_and_an_object_column_validate_alike():
    cells = ["2018-12-31", "2018/1/2", "2018.01.02", "2018年12月31日", "２０１８-０１-０２", "2019-02-29", "",
             "昨天", " 2018-01-02 "] * 20
    ids = [f"SL-{i}" for i in range(len(cells))]
    ids[3], ids[7] = " SL-3", "-"
    frame = pd.DataFrame({"parcel_id": ids, "approved_on": cells, "area_mu": ["1.5", "2,000", "-1", "", "x"] * 36})
    arrow = parse_frame(frame.astype("string[pyarrow]"), list(range(2, 2 + len(frame))))
    objects = parse_frame(frame.astype(object), list(range(2, 2 + len(frame))))
    assert arrow.errors == objects.errors and arrow.errors
    for name in ("parcel_id", "approved_on", "area_mu"):
        a, b = arrow.columns[name], objects.columns[name]
        assert all(same(x, y) for x, y in zip(a.tolist(), b.tolist())), name


def test_a_text_column_of_plain_arrow_cells_is_taken_as_arrow():
    """Text fields whose every cell is its own value keep the reader's Arrow cells (what the
    record of runs stores); a column with a cell the parser changes, or replaced since, does not."""
    n = 200  # each column past columns.FAST_MIN distinct values, so the fast path reads them
    frame = pd.DataFrame({"parcel_id": [f"SL-{i}" for i in range(n)],
                          "holder": [None if i % 7 == 0 else f"平顶山市{i % 90}号单位" for i in range(n)],
                          "location": [" 石龙区 " if i == 5 else f"村{i}" for i in range(n)],
                          "project": ["不详" if i == 9 else "" if i == 10 else f"项目{i}" for i in range(n)],
                          "overlaps": [" " if i == 3 else f"SL-{i}" for i in range(n)]})
    parsed = parse_frame(frame.astype("string[pyarrow]"), list(range(2, 2 + n)))
    for name in ("parcel_id", "holder"):
        assert parsed.text_arrow(name).to_pylist() == parsed.columns[name].tolist(), name
        shared = parsed.text_arrow(name, dictionary=True)  # over the distinct cells: nothing copied per row
        assert isinstance(shared, pa.DictionaryArray) and shared.to_pylist() == parsed.columns[name].tolist(), name
    assert len(parsed.text_arrow("holder", dictionary=True).dictionary) < n
    assert parsed.text_arrow("holder").null_count == len(range(0, n, 7))
    assert parsed.columns["location"][5] == "石龙区" and parsed.text_arrow("location") is None  # trimmed: not as read
    for name, blank in (("project", 9), ("project", 10), ("overlaps", 3)):  # a placeholder, blanks: unknown, null
        assert parsed.columns[name][blank] is None and parsed.text_arrow(name)[blank].as_py() is None, name
        assert parsed.text_arrow(name).to_pylist() == parsed.columns[name].tolist(), name
    assert parse_frame(frame.astype(object), list(range(2, 2 + n))).text_arrow("parcel_id") is None  # Python objects
    parsed.columns["holder"] = parsed.columns["holder"].copy()
    assert parsed.text_arrow("holder") is None  # a column replaced since validation is not its cells
    repeated = frame.assign(holder=[f"单位{i % 80}" for i in range(n)]).astype("string[pyarrow]")  # repeats, no blank
    parsed = parse_frame(repeated, list(range(2, 2 + n)))
    assert parsed.text_arrow("holder").to_pylist() == repeated["holder"].tolist()


def test_dates_are_read_off_the_bytes_of_a_slice_as_the_cell_parser_reads_them():
    """fast_dates reads year, month and day off the cells' bytes: one- and two-digit months and
    days in every form, 年月日 of three bytes each, a slice not starting at the buffer's start,
    and a one-digit day in the buffer's last cell."""
    forms = ["{y}-{m}-{d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日"]
    values = ["x", "2018-1-1"]
    for k, (m, d) in enumerate([("1", "2"), ("01", "2"), ("1", "02"), ("12", "31"), ("2", "29"), ("2", "30"), ("13", "1")]):
        for form in forms:
            values.append(form.format(y=2016 + k, m=m, d=d))
    values += ["2018年1月2", "2018-1/2", "2019-3-7"]
    sliced = pa.array(values, type=pa.string()).slice(2)
    read, ordinals = columns.fast_dates(sliced)
    for value, ok, ordinal in zip(values[2:], read.tolist(), ordinals.tolist()):
        try:
            want = PARSERS["approved_on"](value)
        except CellError:
            want = None
        if ok:  # anything else is left to the cell parser
            assert ordinal == want.toordinal(), value
    assert read[-1] and ordinals[-1] == dt.date(2019, 3, 7).toordinal()
    assert read.sum() == len(forms) * 5 + 1  # 2-30 and 13-1 are no dates
