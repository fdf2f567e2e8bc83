"""The decision writers (ledger/write.py, ledger/xlsx.py): formats, injection, atomicity, determinism."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from conftest import ROOT, invoke
from killed_writer import KILLED_CHILD
from landrules.core.summary import Summary, Tally
from landrules.decide import outputs as W
from landrules.decide.workbook import decisions as X
from landrules.ledger.write import base as O

FORMATS = [".jsonl", ".csv", ".xlsx", ".parquet"]
HEADERS = ["宗地编号", "面积（亩）", "供地日期", "备注"]
LABELS = O.Labels(
    categories={"idle": "闲置", "low_efficiency": "低效"},
    outcomes={"idle_fee": "按出让或划拨价款的20%征缴土地闲置费", "no_action": "无需处置",
              "invalid_record": "记录无效", "regularise": "完善用地手续"},
)
RISKY = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]
ZH_DECISION_HEADERS = [X.ZH_HEADERS[c] for c in X.ZH_HEADERS if c in O.OUTPUT_COLUMNS]
# XLSX (issue 12, 22): 序号, then 宗地编号 and 面积 (identity in front), the officers' Chinese decision
# columns, the other input columns, then the contract's columns (hidden, for scripts).
# xlsx_rows() gives the header and the data rows without 序号 (tests/decide/workbook test the form).
XLSX_HEADER = [*HEADERS[:2], *ZH_DECISION_HEADERS, *HEADERS[2:], *O.OUTPUT_COLUMNS]
XLSX_SHEETS = ["决策", "一宗一策", "按责任单位", "公布清单", "汇总"]
HEAD = 3  # title, 填报单位 line, header


def chunk(start: int, n: int, note=lambda i: f"备注{i}"):
    """Rows start..start+n-1: raw input cells (text, numbers, dates, empties), flat decisions, JSON lines."""
    ids = [f"SL-{i:04d}" for i in range(start, start + n)]
    inputs = pd.DataFrame({
        0: ids,
        1: [12.5 if i % 3 else None for i in range(start, start + n)],
        2: [dt.datetime(2019, 1, 1 + i % 28) if i % 2 else "" for i in range(start, start + n)],
        3: [note(i) for i in range(start, start + n)],
    }, index=range(start, start + n))  # a chunk's index need not start at 0
    flat = pd.DataFrame({
        "categories": ["idle; low_efficiency" if i % 2 else "" for i in range(start, start + n)],
        "outcome_codes": ["idle_fee" if i % 2 else "no_action" for i in range(start, start + n)],
        "outcome_labels": [LABELS.outcomes["idle_fee"] if i % 2 else "无需处置" for i in range(start, start + n)],
        "citations": ["国土资源部令第53号 14" if i % 2 else "" for i in range(start, start + n)],
        "deadline": ["2022-12-31" if i % 2 else "" for i in range(start, start + n)],
        "responsible": ["国土资源局; 产业集聚区管委会" if i % 2 else "" for i in range(start, start + n)],
        "needs": ["idle_cause" if i % 5 == 0 else "" for i in range(start, start + n)],
        "errors": ["第2行 land_use: 林地" if i % 7 == 0 else "" for i in range(start, start + n)],
        "notes": ["面积由公顷换算为亩" if i % 11 == 0 else "" for i in range(start, start + n)],
        "overdue": ["idle_fee:否" if i % 2 else "" for i in range(start, start + n)],
        "as_of": ["2021-10-01"] * n,
        "rulebook": ["sha256:abc"] * n,
    })
    jsonl = [json.dumps({"parcel_id": pid, "outcomes": [{"code": c}]}, ensure_ascii=False)
             for pid, c in zip(ids, flat["outcome_codes"])]
    return inputs, flat, jsonl


def summary(rows: int) -> Summary:
    s = Summary(rows=rows, decided=rows - 1, invalid=1)
    s.by_category["idle"] = Tally(3, 37.5)
    s.by_outcome["idle_fee"] = Tally(3, 37.5)
    s.by_outcome["no_action"] = Tally(2, 12.5)
    return s


def write_file(path: Path, chunks=((0, 5), (5, 4)), headers=HEADERS, **kw) -> Path:
    with W.open_writer(path, headers, LABELS) as writer:
        for start, n in chunks:
            writer.write(*chunk(start, n, **kw))
        writer.commit(summary(sum(n for _, n in chunks)))
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def xlsx_rows(path: Path, sheet: str = X.SHEET) -> list[tuple]:
    """The header and the data rows of a 决策 sheet, without the 序号 column, the heading and the 合计 rows."""
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    return [rows[HEAD - 1][1:], *(r[1:] for r in rows[HEAD:] if r and isinstance(r[0], int))]


# --- formats -----------------------------------------------------------------------------------


def test_output_format():
    assert O.output_format(Path("a/b.XLSX")) == ".xlsx"
    with pytest.raises(O.OutputError, match="不支持的输出格式 'b.txt'"):
        O.output_format(Path("b.txt"))
    with pytest.raises(O.OutputError):
        W.open_writer(Path("b.ods"), HEADERS, LABELS)


def test_jsonl_round_trip(tmp_path):
    out = write_file(tmp_path / "d.jsonl")
    lines = out.read_bytes().split(b"\n")
    assert lines[-1] == b"" and b"\r" not in out.read_bytes()
    records = [json.loads(line) for line in lines[:-1]]
    assert [r["parcel_id"] for r in records] == [f"SL-{i:04d}" for i in range(9)]


def test_csv_round_trip(tmp_path):
    out = write_file(tmp_path / "d.csv")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data.count(b"\r\n") == 10 and data.replace(b"\r\n", b"").count(b"\n") == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [*HEADERS, *O.DECISION_COLUMNS, *O.EXTRA_COLUMNS]
    assert [r[0] for r in rows[1:]] == [f"SL-{i:04d}" for i in range(9)]
    one = dict(zip(rows[0], rows[2]))  # SL-0001
    assert one["面积（亩）"] == "12.5" and one["供地日期"] == "2019-01-02" and one["备注"] == "备注1"
    assert one["categories"] == "idle; low_efficiency" and one["outcome_codes"] == "idle_fee"
    assert dict(zip(rows[0], rows[1]))["面积（亩）"] == ""  # empty stays empty


def test_xlsx_round_trip(tmp_path):
    out = write_file(tmp_path / "d.xlsx")
    book = load_workbook(out)
    assert book.sheetnames == XLSX_SHEETS
    sheet = book["决策"]
    assert sheet.freeze_panes == "C4"  # below the header, right of 序号 and 宗地编号
    assert sheet["A3"].font.b and sheet["E3"].font.b
    assert sheet.column_dimensions["B"].width >= X.MIN_WIDTH
    rows = xlsx_rows(out)
    assert list(rows[0]) == XLSX_HEADER
    assert [r[0] for r in rows[1:]] == [f"SL-{i:04d}" for i in range(9)]
    one = dict(zip(rows[0], rows[2]))  # SL-0001: typed input cells, Chinese labels
    assert one["面积（亩）"] == 12.5 and one["供地日期"] == dt.datetime(2019, 1, 2)
    assert one["类别"] == "闲置; 低效" and one["是否逾期"] == "否"
    assert one["依据条款"] == "国土资源部令第53号 14" and one["as_of"] == "2021-10-01"
    zero = dict(zip(rows[0], rows[1]))
    assert zero["面积（亩）"] is None and zero["类别"] is None and zero["需补充信息"] == "闲置原因"
    assert zero["错误"] == "第2行 land_use: 林地"
    # the contract's flattened columns are there too, with codes, as in the CSV, and hidden
    assert one["categories"] == "idle; low_efficiency" and one["outcome_codes"] == "idle_fee"
    assert one["overdue"] == "idle_fee:否" and zero["needs"] == "idle_cause"
    first = len(XLSX_HEADER) - len(O.OUTPUT_COLUMNS) + 2  # 1-based, after 序号
    letters = [get_column_letter(i) for i in range(first, len(XLSX_HEADER) + 1)]
    assert all(sheet.column_dimensions[c].hidden for c in letters)
    assert not sheet.column_dimensions[get_column_letter(first - 1)].hidden
    summary_rows = list(book["汇总"].iter_rows(values_only=True))
    facts = {r[0]: r[1] for r in summary_rows if r and r[0]}
    assert facts["读取"] == 9 and facts["已决策"] == 8 and facts["无效记录"] == 1
    assert facts["评估日"] == "2021-10-01"
    assert ("代码", "类别", "宗数", "面积（亩）") in summary_rows
    assert ("idle", "闲置", 3, 37.5) in summary_rows
    assert ("代码", "处置措施", "宗数", "面积（亩）") in summary_rows
    outcomes = [r for r in summary_rows if r[0] in ("idle_fee", "no_action")]
    assert outcomes == [("idle_fee", LABELS.outcomes["idle_fee"], 3, 37.5), ("no_action", "无需处置", 2, 12.5)]


def test_xlsx_overdue_per_outcome_when_flags_differ(tmp_path):
    inputs, flat, jsonl = chunk(0, 1)
    flat.loc[0, "overdue"] = "regularise:是; idle_fee:否"
    with W.open_writer(tmp_path / "d.xlsx", HEADERS, LABELS) as writer:
        writer.write(inputs, flat, jsonl)
        writer.commit(summary(1))
    header, row = xlsx_rows(tmp_path / "d.xlsx")[:2]
    assert dict(zip(header, row))["是否逾期"] == f"完善用地手续：是; {LABELS.outcomes['idle_fee']}：否"


def test_parquet_round_trip(tmp_path):
    headers = ["宗地编号", "categories", "宗地编号", "备注"]  # clashes get .1, .2 …
    out = write_file(tmp_path / "d.parquet", headers=headers)
    table = pq.read_table(out)
    assert table.column_names == ["宗地编号", "categories.1", "宗地编号.1", "备注",
                                  *O.DECISION_COLUMNS, *O.EXTRA_COLUMNS]
    assert all(str(t) == "string" for t in table.schema.types)
    rows = table.to_pylist()
    assert [r["宗地编号"] for r in rows] == [f"SL-{i:04d}" for i in range(9)]
    assert rows[0]["categories.1"] is None and rows[0]["categories"] is None  # empty -> None
    assert rows[1]["categories.1"] == "12.5" and rows[1]["宗地编号.1"] == "2019-01-02"
    assert rows[1]["categories"] == "idle; low_efficiency"


@pytest.mark.parametrize("suffix", FORMATS)
def test_no_rows_still_gives_a_readable_file(tmp_path, suffix):
    out = write_file(tmp_path / f"d{suffix}", chunks=())
    if suffix == ".csv":
        assert out.read_bytes().count(b"\r\n") == 1 and out.read_bytes().endswith(b"idle_fee_amount\r\n")
    elif suffix == ".xlsx":
        assert xlsx_rows(out) == [tuple(XLSX_HEADER)]
    elif suffix == ".parquet":
        assert pq.read_table(out).num_rows == 0
    else:
        assert out.read_bytes() == b""


def test_input_cells_as_text():
    cells = [None, "", float("nan"), pd.NaT, 45.0, 45.6, 7, True, dt.datetime(2018, 12, 31),
             dt.datetime(2018, 12, 31, 8, 30), dt.date(2018, 1, 2), "2018年12月31日"]
    assert [O.cell_text(c) for c in cells] == [
        None, None, None, None, "45", "45.6", "7", "TRUE", "2018-12-31", "2018-12-31 08:30:00",
        "2018-01-02", "2018年12月31日"]
    dates = pd.Series(pd.to_datetime(["2019-05-01", None]), index=[7, 8])
    assert list(O.text_column(dates)) == ["2019-05-01", None]
    assert list(O.text_column(pd.Series([1.5, None]))) == ["1.5", None]


# --- injection ---------------------------------------------------------------------------------


def test_defuse():
    assert [O.defuse(v) for v in RISKY] == ["'" + v for v in RISKY]
    assert [O.defuse(v) for v in ("SL-1", "", None, -1, "a=b")] == ["SL-1", "", None, -1, "a=b"]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_defuse_column(dtype):
    plain = pd.Series(["a", None, "b=c"] * 3, dtype=dtype)
    assert O.defuse_column(plain) is plain
    series = pd.Series([*RISKY, "ok", None], index=range(10, 18), dtype=dtype)
    out = O.defuse_column(series)
    assert list(out[:6]) == ["'" + v for v in RISKY] and out.iloc[6] == "ok" and pd.isna(out.iloc[7])
    assert list(series[:6]) == RISKY  # the input is left alone
    mixed = pd.Series(["=1", 3.0, None, float("nan")], dtype=object)
    assert list(O.defuse_column(mixed)[:2]) == ["'=1", 3.0]


def risky_chunk():
    inputs, flat, jsonl = chunk(0, len(RISKY), note=lambda i: RISKY[i])
    for column in O.OUTPUT_COLUMNS:
        flat[column] = RISKY
    return inputs, flat, jsonl


def test_csv_cells_that_look_like_formulas_are_text(tmp_path):
    out = tmp_path / "d.csv"
    with W.open_writer(out, [*HEADERS[:3], "=HYPERLINK(1)"], LABELS) as writer:
        writer.write(*risky_chunk())
        writer.commit(summary(6))
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][3] == "'=HYPERLINK(1)"
    for value, row in zip(RISKY, rows[1:]):
        assert row[3] == "'" + value
        assert row[4:] == ["'" + value] * len(O.OUTPUT_COLUMNS)


def test_xlsx_has_no_formula_cells(tmp_path):
    out = tmp_path / "d.xlsx"
    with W.open_writer(out, [*HEADERS[:3], "=HYPERLINK(1)"], LABELS) as writer:
        writer.write(*risky_chunk())
        writer.commit(summary(6))
    book = load_workbook(out)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    # issue 12: the text is kept exactly as written, as a string cell with quotePrefix (no "'" added)
    sheet = book["决策"]
    header = [c.value for c in sheet[HEAD]]
    given, decided, labelled = header.index("=HYPERLINK(1)"), header.index("outcome_codes"), header.index("处置措施")
    assert sheet.cell(HEAD, given + 1).quotePrefix and sheet.cell(HEAD, given + 1).data_type == "s"
    for value, cells in zip(RISKY, sheet.iter_rows(min_row=HEAD + 1)):
        shown = value.replace("\r", "\n")  # XLSX keeps a line break in a cell as LF
        for i in (given, decided, labelled):  # input and decision cells
            assert cells[i].value == shown and cells[i].data_type == "s" and cells[i].quotePrefix
    # and in the XML itself: no <f> element anywhere
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if "worksheets" in n)


def test_xlsx_shows_characters_xml_cannot_carry_as_escapes(tmp_path):
    out = write_file(tmp_path / "d.xlsx", chunks=((0, 2),), note=lambda i: f"a\x0bb\x00c{i}")
    header, *rows = xlsx_rows(out)
    assert [r[header.index("备注")] for r in rows] == ["a\\x0bb\\x00c0", "a\\x0bb\\x00c1"]


def test_a_control_character_in_an_input_cell_reads_alike_in_the_csv_and_the_xlsx(tmp_path, rulebook):
    """Issue 23: a NUL in a ledger's id was kept raw in one output and dropped in another; the
    CSV and the XLSX now both show it as \\x00, as the row's error quotes it."""
    from landrules.decide.options import RunOptions
    from landrules.decide.pipeline import decide_ledger

    ledger = tmp_path / "l.csv"
    ledger.write_text("宗地编号,面积（亩）,土地用途\nNU\x00L-7,2,工业\nOK-1,3,工业\n", encoding="utf-8")
    shown = {}
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"o{suffix}"
        decide_ledger(ledger, out, RunOptions(rulebook, dt.date(2021, 10, 1)))
        if suffix == ".csv":
            with out.open(encoding="utf-8-sig", newline="") as f:
                shown[suffix] = [r[0] for r in list(csv.reader(f))[1:]]
        else:
            sheet = load_workbook(out, read_only=True)["决策"]
            shown[suffix] = [r[1] for r in list(sheet.iter_rows(values_only=True))[3:] if r and isinstance(r[0], int)]
    assert shown[".csv"] == shown[".xlsx"] == ["NU\\x00L-7", "OK-1"]


# --- atomic writing ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_abort_leaves_nothing(tmp_path, suffix):
    writer = W.open_writer(tmp_path / f"d{suffix}", HEADERS, LABELS)
    writer.write(*chunk(0, 3))
    assert not (tmp_path / f"d{suffix}").exists()
    assert all(name.startswith(".d") and name.endswith(".part") for name in leftovers(tmp_path))
    writer.abort()
    writer.abort()  # idempotent
    assert leftovers(tmp_path) == []
    with pytest.raises(O.OutputError):
        writer.write(*chunk(3, 1))


@pytest.mark.parametrize("suffix", FORMATS)
def test_exception_inside_with_leaves_nothing_and_keeps_an_older_file(tmp_path, suffix):
    out = tmp_path / f"d{suffix}"
    out.write_bytes(b"older")
    with pytest.raises(RuntimeError):
        with W.open_writer(out, HEADERS, LABELS) as writer:
            writer.write(*chunk(0, 3))
            raise RuntimeError("boom")
    assert leftovers(tmp_path) == [out.name] and out.read_bytes() == b"older"


def test_a_chunk_that_fails_aborts_the_writer(tmp_path):
    writer = W.open_writer(tmp_path / "d.jsonl", HEADERS, LABELS)
    writer.write(*chunk(0, 3))
    inputs, flat, jsonl = chunk(3, 3)
    with pytest.raises(ValueError):
        writer.write(inputs, flat, jsonl[:2])  # one JSON line short
    assert leftovers(tmp_path) == []
    with pytest.raises(O.OutputError):
        writer.commit(summary(6))
    assert leftovers(tmp_path) == []


def test_nothing_at_the_target_until_commit_and_usual_permissions(tmp_path):
    out = tmp_path / "d.csv"
    old = os.umask(0o027)
    try:
        with W.open_writer(out, HEADERS, LABELS) as writer:
            writer.write(*chunk(0, 3))
            assert not out.exists()
        assert not out.exists()  # leaving `with` cleanly does not commit
        writer.commit(summary(3))
    finally:
        os.umask(old)
    assert out.exists() and (out.stat().st_mode & 0o777) == 0o640
    assert leftovers(tmp_path) == ["d.csv"]
    with pytest.raises(O.OutputError):
        writer.commit(summary(3))


def test_unwritable_place_is_an_output_error_in_chinese(tmp_path):
    with pytest.raises(O.OutputError, match="无法写出"):
        W.open_writer(tmp_path / "missing" / "d.csv", HEADERS, LABELS)


@pytest.mark.slow  # runs in child processes, killed
@pytest.mark.parametrize("suffix", FORMATS)
def test_a_killed_process_leaves_no_output(tmp_path, suffix):
    out = tmp_path / f"d{suffix}"
    out.write_bytes(b"older")
    script = KILLED_CHILD.format(engine=str(ROOT / "engine"), out=str(out))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert out.read_bytes() == b"older"  # the target is untouched …
    stale = [name for name in leftovers(tmp_path) if name != out.name]
    assert stale and all(name.startswith(f".{out.name}.") and name.endswith(".part") for name in stale)


# --- determinism and the sheet split -----------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_same_data_gives_the_same_bytes(tmp_path, suffix):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_file(tmp_path / "a" / f"d{suffix}")
    os.utime(first, (0, 0))
    second = write_file(tmp_path / "b" / f"d{suffix}")
    assert first.read_bytes() == second.read_bytes()


def test_xlsx_times_are_the_evaluation_date(tmp_path):
    out = write_file(tmp_path / "d.xlsx")
    with zipfile.ZipFile(out) as z:
        assert {i.date_time for i in z.infolist()} == {(2021, 10, 1, 0, 0, 0)}
    props = load_workbook(out).properties
    assert props.created == props.modified == dt.datetime(2021, 10, 1)


def test_xlsx_continues_on_further_sheets_past_the_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(X, "MAX_SHEET_ROWS", 9)  # 3 heading rows, 3 data rows and 3 rows kept for 合计 a sheet
    out = write_file(tmp_path / "d.xlsx", chunks=((0, 5), (5, 2), (7, 3)))
    book = load_workbook(out)
    assert book.sheetnames == ["决策", "决策2", "决策3", "决策4", *XLSX_SHEETS[1:]]
    ids = []
    for name in ("决策", "决策2", "决策3", "决策4"):
        rows = xlsx_rows(out, name)
        assert rows[0] == tuple(XLSX_HEADER) and book[name].freeze_panes == "C4"
        assert len(rows) <= 4 and book[name].max_row <= 9
        ids += [r[0] for r in rows[1:]]
    assert ids == [f"SL-{i:04d}" for i in range(10)]
    note = " ".join(str(v) for r in book["汇总"].iter_rows(values_only=True) for v in r if v)
    assert "分 4 张工作表：决策、决策2、决策3、决策4" in note


# --- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_cli_decide_writes_every_format(tmp_path, suffix):
    out = tmp_path / f"决策{suffix}"
    done = invoke("decide", ROOT / "examples" / "shilong-ledger.csv", "--as-of", "2021-10-01", "-o", out)
    assert done.exit_code == 1, done.stderr  # the sample holds two invalid rows
    assert leftovers(tmp_path) == [out.name]
    if suffix == ".jsonl":
        ids = [json.loads(line)["parcel_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    elif suffix == ".csv":
        with out.open(encoding="utf-8-sig", newline="") as f:
            ids = [row["宗地编号"] for row in csv.DictReader(f)]
    elif suffix == ".xlsx":
        rows = xlsx_rows(out)
        assert rows[0][0] == "宗地编号" and "处置措施" in rows[0]  # (序号 dropped by xlsx_rows)
        ids = [r[0] for r in rows[1:]]
        assert load_workbook(out).sheetnames[-1] == "汇总"
    else:
        ids = pq.read_table(out).column("宗地编号").to_pylist()
    with (ROOT / "examples" / "shilong-ledger.csv").open(encoding="utf-8-sig", newline="") as f:
        assert ids == [row["宗地编号"] for row in csv.DictReader(f)]
