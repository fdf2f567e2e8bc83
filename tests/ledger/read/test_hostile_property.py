"""Property (issue 9): whatever hostile cells a ledger holds — quotes, separators, line breaks,
exponents, huge and tiny numbers, control characters, placeholders, formula-like text — every
row comes out, once, in input order, on every output format, and both engines write the same
bytes."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.ledger.validate.cells import CellError, parse_cell

pytestmark = pytest.mark.slow  # long: see `slow` in pyproject.toml

AS_OF = dt.date(2021, 10, 1)
HEADERS = ["宗地编号", "面积（亩）", "面积（平方米）", "土地用途", "批准日期", "供地日期", "约定动工日期",
           "亩均产出（万元/亩）", "已开发面积占比", "已认定闲置", "闲置原因", "坐落", "备注"]
HOSTILE = [
    # placeholders and blanks
    "", " ", "/", "／", "-", "—", "无", "空", "不详", "\u3000",
    # quotes and separators
    '"', '""', 'a"b', '"quoted"', ",", ";", "\t", "a,b", "1,5", "2,50", "1,234,567.5", "1 234",
    # line breaks
    "\n", "\r\n", "\r", "a\nb", "line1\rline2", "\u2028",
    # exponents, huge and tiny numbers (and EXPONENT_FACTS below)
    "1e5", "1E+3", "1e400", "-1e308", "123456789012345678901234567890",
    "nan", "inf", "-0", "0x1A", "1_000", "25%", "1/4",
    # control characters
    "\x00", "\x01", "\x0b", "\x1f", "\x7f", "a\x00b",
    # formula-like, markup, odd unicode
    "=1+1", "+5", "-3", "@SUM(A1)", "[bold]x[/]", "\ufeff", "𠀀", "é",
    # ordinary values
    "工业", "商服", "招商引资", "2018-12-31", "2019/1/1", "2021年1月1日", "是", "否", "企业原因", "政府原因", "0.5", "38.2", "100",
]
# Numbers that reach the engines in exponent form (JSON 5e-05, 1e+16). The durable-rules C engine
# fails on them ("Could not delete state, error code: 309"): issue 9 item 11, fixed in the
# backends, not the reader. Set True once that fix is merged, and the property covers them too.
DURABLE_TAKES_EXPONENTS = False
EXPONENT_FACTS = ["5e-05", "0.00001", "1e-300", "1e16", "1e302"]
if DURABLE_TAKES_EXPONENTS:
    HOSTILE += EXPONENT_FACTS
ID_SUFFIXES = ["", " x", '"', ",", "\n", "\t", "=", "é"]

# what each column usually holds, so that many rows are valid and the engines really decide
ORDINARY = {
    "面积（亩）": ["10", "38.2", "1,234", "5e1", "0.001"], "面积（平方米）": ["", "6667", "1e6", "2,000.5"],
    "土地用途": ["工业", "公共服务", "商服", "工业用地"], "批准日期": ["2017-03-01", "2018/12/31", "2019年1月1日"],
    "供地日期": ["", "2018-06-01", "2020-10-02"], "约定动工日期": ["", "2019-01-01", "2020-10-01"],
    "亩均产出（万元/亩）": ["50", "350", "1e5", "0.0001", "1e15"] + (EXPONENT_FACTS if DURABLE_TAKES_EXPONENTS else []), "已开发面积占比": ["0", "0.2", "25%", "1"],
    "已认定闲置": ["是", "否", ""], "闲置原因": ["企业原因", "政府原因", ""], "坐落": ["平龙县", "a,b\nc"], "备注": [""],
}
hostile = st.one_of(st.sampled_from(HOSTILE), st.tuples(st.sampled_from(HOSTILE), st.sampled_from(HOSTILE)).map("".join))
ordinary = st.tuples(*[st.sampled_from(ORDINARY[h]) for h in HEADERS[1:]]).map(list)
# each row: ordinary cells with up to three of them replaced by hostile ones
spoils = st.lists(st.tuples(st.integers(0, len(HEADERS) - 2), hostile), max_size=3)


def _spoil(cells: list[str], changes: list[tuple[int, str]]) -> list[str]:
    for position, value in changes:
        cells[position] = value
    return cells


row = st.tuples(st.sampled_from(ID_SUFFIXES), st.builds(_spoil, ordinary, spoils))
ledgers = st.lists(row, min_size=1, max_size=8)


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for r in rows:  # XML cannot carry control characters; a leading "=" would be a formula
        cells = [ILLEGAL_CHARACTERS_RE.sub("", v) for v in r]
        sheet.append(["'" + v if v.startswith("=") else v for v in cells])
    book.save(path)


def write_parquet(path, rows):
    import pyarrow as pa

    pq.write_table(pa.table({h: [r[j] for r in rows] for j, h in enumerate(HEADERS)}), path)


WRITERS = {".csv": write_csv, ".xlsx": write_xlsx, ".parquet": write_parquet}


def output_ids(path):
    """The first input column (宗地编号) of every output row, in order."""
    suffix = path.suffix
    if suffix == ".jsonl":
        return [json.loads(line)["parcel_id"] for line in path.read_text(encoding="utf-8").splitlines()]
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            return [r[0] for r in list(csv.reader(f))[1:]]
    if suffix == ".parquet":
        return pq.read_table(path).column(0).to_pylist()
    sheet = openpyxl.load_workbook(path, read_only=True)["决策"]
    rows = list(sheet.iter_rows(values_only=True))  # title, 填报单位 line, header; 序号 first, then 宗地编号
    return [r[1] for r in rows[3:] if r and isinstance(r[0], int)]


def parsed_id(raw):
    try:
        return parse_cell("parcel_id", raw)
    except CellError:
        return None


@pytest.mark.parametrize("source", sorted(WRITERS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=ledgers)
def test_hostile_cells_lose_no_row_and_engines_agree(rulebook, tmp_path_factory, source, data):
    tmp = tmp_path_factory.mktemp("hostile")
    rows = [[f"P{i}{suffix}", *cells] for i, (suffix, cells) in enumerate(data)]
    ledger = tmp / f"ledger{source}"
    WRITERS[source](ledger, rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("os.fsync", lambda fd: None)  # durability is not the property here; time is
        check_every_format(rulebook, tmp, ledger, [r[0] for r in rows])


def check_every_format(rulebook, tmp, ledger, ids):
    decided = {}
    for fmt in (".jsonl", ".csv", ".xlsx", ".parquet"):
        written = {}
        for engine in ("durable", "vectorized"):
            out = tmp / f"{engine}{fmt}"
            result = decide_ledger(ledger, out, RunOptions(rulebook, AS_OF, engine=engine))
            assert result.summary.rows == len(ids)
            decided[engine] = result.summary.decided
            written[engine] = out.read_bytes()
            got = output_ids(out)
            if fmt == ".jsonl":
                assert got == [parsed_id(i) for i in ids]
            elif fmt == ".xlsx":  # XLSX shows a line break as LF
                assert got == [i.replace("\r\n", "\n").replace("\r", "\n") for i in ids]
            else:
                assert got == ids
        assert written["durable"] == written["vectorized"], fmt
    assert decided["durable"] == decided["vectorized"]
