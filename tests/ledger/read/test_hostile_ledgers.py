"""Issue 9: ledgers that lost rows, misread values or crashed — each now read whole or refused
in one Chinese line naming the row, the field and the value."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, invoke
from landrules.decide.outputs import open_writer
from landrules.ledger.read.reader import LedgerError, read_ledger
from landrules.ledger.validate.cells import CellError, parse_cell
from landrules.ledger.write import base as O
from xlsx_surgery import rewrite_sheet

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"


run = invoke


# what `decide` says it understood before deciding (recognised and unused columns, rows without
# id; continuation lines indented): not a reason
COLUMN_REPORT = ("识别的列", "未使用的列", "无宗地编号的行", "    ")


def one_line(text: str) -> str:
    """The one line of reason (after the evaluation date, which `decide` states first once the
    ledger is open: contract §3 / issue "Officers' own ledgers")."""
    lines = [line for line in text.strip().splitlines()
             if line.strip() and not line.startswith(("评估日 ", *COLUMN_REPORT))]
    assert len(lines) == 1, text
    assert "Traceback" not in text and "Usage" not in text and "内部错误" not in text, text
    return lines[0]


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def save_book(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


WIDE = ["宗地编号", "面积（亩）", "土地用途", "坐落", "用地单位", "项目名称", "x7", "x8", "x9", "亩均产出（万元/亩）"]


# --- 1. the <dimension> tag ----------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["A1", "A1:I41"])
def test_xlsx_dimension_tag_that_understates_the_sheet_is_ignored(tmp_path, ref):
    path = save_book(tmp_path / "dim.xlsx", [WIDE] + [[f"P{i}", 10, "工业", "a", "b", "c", 1, 2, 3, i] for i in range(40)])
    rewrite_sheet(path, lambda d: re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), d))
    frame = read_ledger(path)
    assert len(frame) == 40
    assert frame["output_per_mu"].tolist() == list(range(40))  # column J, past the tag's I


# --- 2. -o naming the input ----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "dot", "symlink", "hardlink"])
def test_output_naming_the_input_is_refused_and_writes_nothing(tmp_path, monkeypatch, how):
    ledger = tmp_path / "ledger.csv"
    shutil.copy(SAMPLE, ledger)
    before = ledger.read_bytes()
    monkeypatch.chdir(tmp_path)
    out = {"same": ledger, "dot": Path("./ledger.csv"), "symlink": tmp_path / "link.jsonl", "hardlink": tmp_path / "hard.csv"}[how]
    if how == "symlink":
        out.symlink_to(ledger)
    if how == "hardlink":
        os.link(ledger, out)
    names = sorted(p.name for p in tmp_path.iterdir())
    result = run("decide", ledger, "-o", out, "--as-of", "2021-10-01")
    assert result.exit_code == 2
    assert "就是输入台账" in one_line(result.stderr)
    assert ledger.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names


# --- 3. an unclosed quote ------------------------------------------------------------------------


def _rows(n: int = 19) -> list[str]:
    return ["宗地编号,坐落,面积（亩）"] + [f"P{i},路{i},{i + 1}" for i in range(1, n + 1)]


def test_unclosed_quote_swallowing_rows_is_refused_naming_the_row(tmp_path):
    rows = _rows()
    rows[7] = 'P7,"路7,8'  # file row 8 opens a quote …
    rows[14] = 'P14,路14",15'  # … that a stray quote on row 15 closes: rows 9-14 would vanish
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("decide", path, "--as-of", "2021-10-01", "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 2
    line = one_line(result.stderr)
    # the quote opened on row 8 was closed — by the stray one 7 lines down: both are named
    assert "第8行 坐落: 第8行的引号" in line and '往下第 7 行的 "P14,路14" 处才闭合' in line
    assert not (tmp_path / "out.jsonl").exists()


def test_unclosed_quote_reaching_the_end_of_the_file_names_the_row(tmp_path):
    rows = _rows()
    rows[7] = 'P7,"路7,8'
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="第8行 坐落: 引号未闭合：从第8行的引号"):
        read_ledger(path)


def test_a_real_line_break_inside_a_quoted_cell_is_kept(tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_text('宗地编号,坐落,面积（亩）\nA,"平龙县\n迎宾路 12 号",1\nB,x,2\n', encoding="utf-8")
    frame = read_ledger(path)
    assert frame["parcel_id"].tolist() == ["A", "B"]
    assert frame["location"][0] == "平龙县\n迎宾路 12 号"


# --- 4. formulas without saved values ------------------------------------------------------------


def test_formula_cells_without_saved_values_keep_their_row_with_an_error(tmp_path):
    path = save_book(tmp_path / "f.xlsx", [
        ["宗地编号", "面积（亩）", "亩均产出（万元/亩）"], ["A", 1, 5], ["B", 2, "=B3*2"], ["C", 3, 7],
        ['="D"', "=1+1", "=2"], ["E", 4, 8],
    ])  # openpyxl saves formulas without a computed value, as a program writing XLSX does
    out = tmp_path / "out.jsonl"
    result = run("decide", path, "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 1, result.stderr
    records = jsonl(out)
    assert len(records) == 5  # 5 rows in, 5 out
    assert [r["parcel_id"] for r in records] == ["A", "B", "C", None, "E"]
    assert records[1]["errors"] == ["第3行 亩均产出（万元/亩）（单元格 C3）: 公式无计算结果，请在 Excel 中打开并保存"]
    assert any("单元格 A5" in e for e in records[3]["errors"])
    assert not records[0]["errors"] and not records[2]["errors"] and not records[4]["errors"]


def test_a_formula_with_an_empty_text_result_is_an_empty_cell(tmp_path):
    path = save_book(tmp_path / "f.xlsx", [["宗地编号", "面积（亩）", "坐落"], ["A", 1, "x"]])
    rewrite_sheet(path, lambda d: d.replace(b'<c r="C2" t="inlineStr"><is><t>x</t></is></c>',
                                            b'<c r="C2" t="str"><f>""</f><v></v></c>'))
    frame = read_ledger(path)
    assert frame["location"].tolist() == [None] and frame.attrs["row_errors"] == {}


def test_cells_beyond_the_header_are_a_row_error_not_dropped(tmp_path):
    # within the first rows such a cell makes an unnamed column (未命名列3); further down the
    # columns are fixed, and the cell is named on its row
    rows = [["宗地编号", "面积（亩）"]] + [[f"P{i}", 1] for i in range(12)] + [["B", 2, "备注"]]
    frame = read_ledger(save_book(tmp_path / "wide.xlsx", rows))
    assert len(frame) == 13 and frame["parcel_id"].tolist()[-1] == "B"
    (error,) = frame.attrs["row_errors"][14]
    assert "单元格 C14" in error and "备注" in error


# --- 5. a closed pipe ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_closed_stdout_pipe_is_not_reported_as_success(tmp_path):
    ledger = tmp_path / "big.csv"
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8-sig"))))
    with ledger.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(rows[0])
        for i in range(6000):
            writer.writerow([f"B{i}", *rows[1 + i % 40][1:]])
    for unbuffered in ("1", ""):
        proc = subprocess.Popen(
            [sys.executable, "-m", "landrules", "decide", str(ledger), "--as-of", "2021-10-01", "--engine", "vectorized"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "engine"), "PYTHONUNBUFFERED": unbuffered},
        )
        assert proc.stdout.readline().startswith('{"parcel_id":"B0"')
        proc.stdout.close()  # what `| head -1` does
        stderr = proc.stderr.read()
        assert proc.wait(timeout=120) == 141, stderr
        assert "已决策" not in stderr and "None" not in stderr
        assert one_line(stderr).startswith("landrules: 标准输出已关闭")


# --- 6. temp files of killed runs ----------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temp_files_name_their_process_and_stale_ones_are_removed(tmp_path):
    fd, tmp = O.temp_file(tmp_path / "d.csv")
    os.close(fd)
    assert tmp.name.startswith(f".d.csv.landrules-{os.getpid()}-") and tmp.name.endswith(".part")
    dead = _dead_pid()
    stale = [tmp_path / f".d.csv.landrules-{dead}-abc123.part", tmp_path / f".x.xlsx.landrules-{dead}-q_9.sheet.part"]
    alive = tmp_path / f".d.csv.landrules-{os.getppid()}-zzz.part"  # a run still going
    other = tmp_path / ".d.csv.tmp123.part"  # not ours
    for p in (*stale, alive, other):
        p.write_bytes(b"x")
    with open_writer(tmp_path / "e.jsonl", ["宗地编号"]) as writer:
        writer.abort()
    assert not any(p.exists() for p in stale)
    assert alive.exists() and other.exists() and tmp.exists()


@pytest.mark.slow  # a run in a child process, killed
def test_a_killed_run_s_temp_file_is_removed_by_the_next_run(tmp_path):
    from killed_writer import KILLED_CHILD

    out = tmp_path / "d.xlsx"
    script = KILLED_CHILD.format(engine=str(ROOT / "engine"), out=str(out))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    result = run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.xlsx"]


# --- 7. numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2,50", "1,5", "1,2,3", "12,34.5", "1,2345", ",123", "1 5", "1_000", "nan", "1e400"])
def test_a_comma_that_does_not_group_three_digits_is_not_a_number(text):
    with pytest.raises(CellError, match="无法识别的数值"):
        parse_cell("output_per_mu", text)


@pytest.mark.parametrize("text, value", [("1,234,567.5", 1234567.5), ("250", 250.0), ("2.50", 2.5), ("1,234", 1234.0),
                                          ("１，２３４", 1234.0), ("1 234", 1234.0), ("5e-05", 5e-05), (" 3 ", 3.0)])
def test_numbers_with_thousands_separators(text, value):
    assert parse_cell("output_per_mu", text) == value


def test_2_50_in_a_ledger_is_a_row_error_naming_field_and_value(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text('宗地编号,面积（亩）,亩均产出（万元/亩）\nA,1,"2,50"\nB,1,"1,250"\n' + "".join(f"C{i},1,{i}\n" for i in range(80)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run("decide", path, "--as-of", "2021-10-01", "-o", out, "--engine", "vectorized").exit_code == 1
    records = jsonl(out)
    assert len(records) == 82
    assert records[0]["errors"] == ['第2行 output_per_mu（亩均产出（万元/亩））: 无法识别的数值 "2,50"'
                                    '（千位分隔符须每三位一组，如 1,234,567.5；小数点须用 "."）']
    assert records[1]["errors"] == []


# --- 15. zip bombs and huge cells ----------------------------------------------------------------


def _padded_book(tmp_path: Path, pad: bytes, where: str = "sheetData") -> Path:
    path = save_book(tmp_path / "bomb.xlsx", [["宗地编号", "面积（亩）"], ["A", 1]])
    if where == "sheetData":
        return rewrite_sheet(path, lambda d: d.replace(b"<sheetData>", b"<sheetData>" + pad))
    if where == "head":  # before <dimension>, which openpyxl reads when the sheet is first taken
        return rewrite_sheet(path, lambda d: d.replace(b"<dimension", pad + b"<dimension"))
    return rewrite_sheet(path, lambda d: d.replace(b"<t>A</t>", b"<t>A" + pad + b"</t>"))


def test_whitespace_zip_bomb_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = _padded_book(tmp_path, b" " * (3 << 20))
    assert path.stat().st_size < 100_000  # 3 MiB of spaces pack into a few KB
    monkeypatch.setenv("LANDRULES_XLSX_MAX_SHEET_MB", "2")
    with pytest.raises(LedgerError, match=r"xl/worksheets/sheet1.xml 解压后为 3 MiB，超过 2 MiB 的上限.*LANDRULES_XLSX_MAX_SHEET_MB"):
        read_ledger(path)


@pytest.mark.parametrize("where", ["sheetData", "head", "cell"])
def test_a_run_of_text_past_the_cell_bound_is_refused_while_streaming(tmp_path, monkeypatch, where):
    path = _padded_book(tmp_path, (b"A" if where == "cell" else b" ") * (3 << 20), where)
    monkeypatch.setenv("LANDRULES_MAX_CELL_KB", "1024")
    with pytest.raises(LedgerError, match=r"连续文本.*超过 1 MiB 的上限.*LANDRULES_MAX_CELL_KB"):
        read_ledger(path)
    monkeypatch.setenv("LANDRULES_MAX_CELL_KB", "8192")  # the bound moves
    assert len(read_ledger(path)) == 1


SHARED = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _with_shared_string(path: Path, text: bytes) -> Path:
    """Make cell C2 of a one-row book a shared string (as Excel writes text; openpyxl writes it inline)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="C2" t="inlineStr">.*?</c>', b'<c r="C2" t="s"><v>0</v></c>', data)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED}"/></Types>'.encode())
            dst.writestr(info.filename, data)
        dst.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                             b'count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>")
    tmp.replace(path)
    return path


def test_shared_strings_are_bounded_too(tmp_path, monkeypatch):
    path = save_book(tmp_path / "shared.xlsx", [["宗地编号", "面积（亩）", "坐落"], ["A", 1, "x"]])
    _with_shared_string(path, b"y" * (2 << 20))
    assert read_ledger(path)["location"][0] == "y" * (2 << 20)  # under the default bound
    monkeypatch.setenv("LANDRULES_MAX_CELL_KB", "1024")
    with pytest.raises(LedgerError, match="xl/sharedStrings.xml 中有一段连续文本"):
        read_ledger(path)
    monkeypatch.setenv("LANDRULES_XLSX_MAX_PART_MB", "1")
    with pytest.raises(LedgerError, match="xl/sharedStrings.xml 解压后为 2 MiB"):
        read_ledger(path)


def test_a_zip_that_understates_a_part_s_size_is_refused(tmp_path):
    path = _padded_book(tmp_path, b" " * 100_000)
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")  # the central directory: declare the sheet 1000 bytes long
    while entry >= 0:
        name_len = int.from_bytes(data[entry + 28: entry + 30], "little")
        if data[entry + 46: entry + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            data[entry + 24: entry + 28] = (1000).to_bytes(4, "little")
        entry = data.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(data))
    result = run("decide", path, "-o", tmp_path / "o.jsonl")
    assert result.exit_code == 2
    assert "无法读取台账" in one_line(result.stderr)


# --- 16. messages --------------------------------------------------------------------------------


def test_cr_only_line_endings_are_read(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes("宗地编号,面积（亩）\rA,1\rB,2\r".encode())
    assert read_ledger(path)["parcel_id"].tolist() == ["A", "B"]


def test_a_tab_in_the_title_row_does_not_make_the_file_tab_separated(tmp_path):
    path = tmp_path / "tab.csv"
    path.write_text("2021年\t闲置土地台账\n宗地编号,面积（亩）,坐落\nA,1,x\nB,2,y\n", encoding="utf-8")
    frame = read_ledger(path)
    assert frame["parcel_id"].tolist() == ["A", "B"] and frame.attrs["row_numbers"] == [3, 4]


def test_a_real_tab_separated_file_is_still_tab_separated(tmp_path):
    path = tmp_path / "tab.txt"
    path.write_text("标题, 有逗号\n宗地编号\t面积（亩）\nA\t1\n", encoding="utf-8")
    assert read_ledger(path)["area_mu"].tolist() == ["1"]


def test_extra_fields_are_named_in_our_row_numbers(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("台账\n宗地编号,面积（亩）\nA,1\nB,2\nC,3,4,5\n", encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert "第5行的字段多于表头（表头 2 列，该行 4 个字段）" in str(info.value)
    assert "Expected" not in str(info.value)


def test_parquet_corrupt_in_the_middle_is_blamed_on_the_input(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 40_000
    table = pa.table({"宗地编号": [f"P{i}" for i in range(n)], "坐落": [f"路{i * 7919 % 100_003}" for i in range(n)]})
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path, row_group_size=5_000)
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 2000] = bytes(2000)
    path.write_bytes(bytes(data))
    out = tmp_path / "out.jsonl"
    result = run("decide", path, "-o", out)
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert "无法读取台账" in line and "Parquet 文件已损坏" in line and "无法写出" not in line
    assert not out.exists()


def test_damaged_sheet_xml_is_one_line(tmp_path):
    path = save_book(tmp_path / "x.xlsx", [["宗地编号", "面积（亩）"]] + [[f"P{i}", 1] for i in range(30)])
    rewrite_sheet(path, lambda d: d.replace(b'<row r="20"', b'<row r="20"><c r="A20"<<', 1))
    result = run("decide", path, "-o", tmp_path / "o.jsonl")
    assert result.exit_code == 2
    assert "XML 已损坏（第 19 行之后）" in one_line(result.stderr)


def test_disk_full_while_writing_xlsx_is_one_line(tmp_path, monkeypatch):
    from lxml.etree import SerialisationError
    from openpyxl.worksheet import _writer

    def full(self, *args, **kwargs):
        raise SerialisationError("IO_ENOSPC")

    monkeypatch.setattr(_writer.WorksheetWriter, "write_row", full)
    out = tmp_path / "o.xlsx"
    result = run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 2
    assert "磁盘空间不足" in one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_as_of_before_1900_is_one_line():
    result = run("decide", SAMPLE, "--as-of", "0001-01-01")
    assert result.exit_code == 2
    assert "评估日应不早于 1900-01-01" in one_line(result.stderr)


def test_an_unreadable_ledger_is_one_chinese_line(tmp_path, monkeypatch):
    ledger = tmp_path / "l.csv"
    shutil.copy(SAMPLE, ledger)
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == "l.csv":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # what click checks for a readable path
    monkeypatch.setattr(Path, "open", refuse)
    result = run("decide", ledger, "--as-of", "2021-10-01")
    assert result.exit_code == 2
    assert "无权读取该文件" in one_line(result.stderr)


def test_mixed_encodings_name_the_row(tmp_path):
    path = tmp_path / "mixed.csv"
    head = "宗地编号,面积（亩）,坐落\n" + "".join(f"P{i},1,平龙县某路{i}号\n" for i in range(60_000))
    path.write_bytes(head.encode("utf-8") + "Q1,1,平龙县\n".encode("gb18030") + b"Q3,1,\x80\xff\n")
    with pytest.raises(LedgerError, match="从第 60002 行起不是"):
        read_ledger(path)


@pytest.mark.parametrize("cell", ["\x00" * 5000, "9" * 50 + "x" * 100_000])
def test_huge_cells_are_cut_in_messages(tmp_path, cell):
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["宗地编号", "面积（亩）"], ["A", cell]])
    out = tmp_path / "o.jsonl"
    result = run("decide", path, "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 1
    (error,) = jsonl(out)[0]["errors"]
    assert len(error) < 300 and "…（共" in error and "\x00" not in error


def test_an_absurd_area_is_a_row_error_and_the_summary_stays_finite(tmp_path):
    path = tmp_path / "area.csv"
    path.write_text("宗地编号,面积（平方米）\nA,1e302\nB,1000\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    result = run("decide", path, "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 1
    assert not re.search(r"\binf\b", result.stderr)
    sheet = openpyxl.load_workbook(out, read_only=True)["汇总"]
    areas = [row[3] for row in sheet.iter_rows(values_only=True) if len(row) > 3 and isinstance(row[3], float)]
    assert areas and all(a < 1e6 for a in areas)
    rows = list(openpyxl.load_workbook(out, read_only=True)["决策"].iter_rows(values_only=True))
    header = rows[2]  # below the title and the 填报单位 line
    assert "超出合理范围" in rows[3][header.index("errors")]


def test_a_gb18030_ledger_with_a_broken_row_further_down_names_the_row(tmp_path):
    path = tmp_path / "gbk.csv"
    head = "宗地编号,面积（亩）,坐落\n" + "".join(f"P{i},1,平龙县某路{i}号\n" for i in range(60_000))
    path.write_bytes(head.encode("gb18030") + b"Q3,1,\x80\xff\x80\n")
    with pytest.raises(LedgerError, match="第 60002 行起无法解码"):
        read_ledger(path)


def test_a_quote_left_open_below_a_title_row_is_named_on_its_own_row_and_field(tmp_path):
    """pandas counts records from the file's first line: with a title row above the header the
    message named the row below the quote, whose quotes were fine."""
    rows = ["某区批而未供土地台账"] + _rows()
    rows[8] = 'P7,"路7,8'  # file row 9
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="第9行 坐落: 引号未闭合：从第9行的引号"):
        read_ledger(path)


def test_a_closing_quote_written_doubled_is_named_not_called_unclosed(tmp_path):
    rows = _rows()
    rows[4] = 'P4,"路4"",5'  # the officer closed it, doubled: CSV reads "" as a quote character
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    assert '第5行 坐落: 单元格 "路4"" 末尾的两个连续引号' in str(caught.value)


def test_a_stray_quote_that_swallows_one_short_line_is_refused_not_lost(tmp_path):
    """A line holding fewer separators than a row, but beginning with an id shaped as the row's
    own (P5 beside P4), was swallowed silently: row P5 vanished and P4 took its cells."""
    rows = _rows()
    rows[4] = 'P4,"路4,5'
    rows[5] = 'P5,路5",6'
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    assert '第5行 坐落: 第5行的引号（"）到往下第 1 行的 "P5,路5" 处才闭合' in str(caught.value)


def test_a_cell_on_two_lines_with_commas_but_no_id_is_kept(tmp_path):
    path = tmp_path / "note.csv"
    path.write_text('宗地编号,坐落,面积（亩）\nP1,"东至河\n西至路, 北至山",2\nP2,x,3\n', encoding="utf-8")
    assert read_ledger(path)["location"][0] == "东至河\n西至路, 北至山"
