"""pyarrow's CSV reader hands out the rows pandas' reader would, numbered alike (ledger/csv_arrow.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from landrules.ledger.errors import LedgerError
from landrules.ledger.read import reader as read
from landrules.ledger.read.csv_chunks import NotForArrow

HEADER = "宗地编号,坐落,面积（亩）,备注"


def _pandas_only(monkeypatch):
    def refuse(*args, **kwargs):
        raise NotForArrow()
        yield  # pragma: no cover - a generator, like the real one

    monkeypatch.setattr(read, "arrow_grids", refuse)


def _both(path, monkeypatch, chunk_rows):
    ledger = read.open_ledger(path, chunk_rows=chunk_rows)
    arrow = [(c.frame.astype(object).where(c.frame.notna(), None).values.tolist(), c.rows) for c in ledger.chunks]
    with monkeypatch.context() as m:
        _pandas_only(m)
        ledger = read.open_ledger(path, chunk_rows=chunk_rows)
        pandas = [(c.frame.astype(object).where(c.frame.notna(), None).values.tolist(), c.rows) for c in ledger.chunks]
    flat = lambda chunks: ([r for rows, _ in chunks for r in rows], [n for _, ns in chunks for n in ns])  # noqa: E731
    return flat(arrow), flat(pandas)


LINES = [
    "A1,坐落1,1.5,",
    "",  # a blank line: left out, its number skipped
    'A2,"平龙县\n迎宾路 12 号",2,x',  # a line break inside a cell: one row
    "A3,短行",  # fewer fields: the rest empty
    "A4,,3,  spaces kept  ",
    ",,,",  # empty cells only
    "A5",
    'A6,"引号""里",4,"=1+1"',
    "A7,坐落7,7,y",
]


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 50_000])
def test_rows_and_numbers_as_pandas_reads_them(tmp_path, monkeypatch, eol, chunk_rows):
    path = tmp_path / "ledger.csv"
    path.write_bytes(("\ufeff" + eol.join([HEADER, *LINES]) + eol).encode("utf-8"))
    arrow, pandas = _both(path, monkeypatch, chunk_rows)
    assert arrow == pandas
    assert arrow[1] == [2, 4, 5, 6, 8, 9, 10]  # file rows: the blank line (3) and the empty row (7) left out


def test_a_gb18030_ledger_with_a_title_row(tmp_path, monkeypatch):
    path = tmp_path / "gbk.csv"
    text = "平龙县闲置土地台账\r\n" + HEADER + "\r\n" + "\r\n".join(f"石龙-{i},坐落{i},{i}.5,备注{i}" for i in range(30)) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    arrow, pandas = _both(path, monkeypatch, 7)
    assert arrow == pandas
    assert arrow[0][0][:2] == ["石龙-0", "坐落0"] and arrow[1][0] == 3


def test_a_row_with_too_many_fields_after_the_first_chunks_is_named(tmp_path):
    path = tmp_path / "long.csv"
    rows = [f"P{i},x,{i + 1},y" for i in range(20)]
    rows[14] = "P14,x,15,y,extra"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    ledger = read.open_ledger(path, chunk_rows=4)
    with pytest.raises(LedgerError, match="第16行的字段多于表头"):
        list(ledger.chunks)


def test_rows_after_a_fallback_to_pandas_are_neither_lost_nor_repeated(tmp_path, monkeypatch):
    # a short row holding a quote is left to pandas: the rows before it were handed out already
    path = tmp_path / "fallback.csv"
    rows = [f"P{i},x,{i + 1},y" for i in range(20)]
    rows[13] = 'P13,"带""引号"'
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    arrow, pandas = _both(path, monkeypatch, 4)
    assert arrow == pandas
    assert [r[0] for r in arrow[0]] == [f"P{i}" for i in range(20)]
    assert arrow[1] == list(range(2, 22))


def test_a_decided_ledger_is_the_same_from_either_reader(tmp_path, monkeypatch, rulebook):
    import datetime as dt

    from landrules.decide.options import RunOptions
    from landrules.decide.pipeline import decide_ledger

    path = tmp_path / "ledger.csv"
    body = [f"S-{i},坐落,{i % 7 + 0.5},{'' if i % 3 else '备注'}" for i in range(300)]
    path.write_text("\n".join([HEADER + ",批准日期", *[f"{b},2017-0{i % 9 + 1}-1{i % 10}" for i, b in enumerate(body)]]) + "\n",
                    encoding="utf-8")
    decide_ledger(path, tmp_path / "arrow.csv", RunOptions(rulebook, dt.date(2021, 10, 1), engine="vectorized", chunk_rows=64))
    _pandas_only(monkeypatch)
    decide_ledger(path, tmp_path / "pandas.csv", RunOptions(rulebook, dt.date(2021, 10, 1), engine="vectorized", chunk_rows=64))
    assert (tmp_path / "arrow.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    assert len(pd.read_csv(tmp_path / "arrow.csv")) == 300


def test_a_plain_ledger_is_read_without_pandas_reader(tmp_path, monkeypatch):
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join([HEADER, *LINES]) + "\n", encoding="utf-8")

    def no_pandas(*args, **kwargs):
        raise AssertionError("pandas' reader was used")

    monkeypatch.setattr(read.pd, "read_csv", no_pandas)
    ledger = read.open_ledger(path, chunk_rows=2)
    assert [r for c in ledger.chunks for r in c.rows] == [2, 4, 5, 6, 8, 9, 10]


@pytest.mark.parametrize("sep", ["\t", ";"])
def test_other_separators_and_a_bare_cr(tmp_path, monkeypatch, sep):
    path = tmp_path / "ledger.csv"
    lines = [HEADER.replace(",", sep)] + [f"T{i}{sep}坐落{i}{sep}{i + 1}{sep}" for i in range(9)]
    path.write_bytes(("\r".join(lines) + "\r").encode("utf-8"))
    arrow, pandas = _both(path, monkeypatch, 4)
    assert arrow == pandas
    assert arrow[1] == list(range(2, 11))


@pytest.mark.parametrize("encoding, whole", [("utf-8", True), ("gb18030", False)])
def test_arrow_checks_the_cells_unless_the_whole_file_was_checked(tmp_path, monkeypatch, encoding, whole):
    """A file `detect` calls UTF-8 has been read whole or checked byte by byte: Arrow is told so
    and does not check every cell again; a file read in another encoding is checked as Arrow reads it."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(("\n".join([HEADER, "A1,石龙区,1.5,", "A2,平顶山,2,备"]) + "\n").encode(encoding))
    seen, real = [], read.arrow_grids

    def spy(*args, whole_utf8=False, **kwargs):
        seen.append(whole_utf8)
        yield from real(*args, whole_utf8=whole_utf8, **kwargs)

    monkeypatch.setattr(read, "arrow_grids", spy)
    rows = [r for c in read.open_ledger(path).chunks for r in c.frame.values.tolist()]
    assert seen == [whole]
    assert rows == [["A1", "石龙区", "1.5", ""], ["A2", "平顶山", "2", "备"]]
