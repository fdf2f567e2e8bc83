"""Issue 23 item 2: a sheet's rows and columns are bounded before any reader allocates for them
(ledger/read/limits.py): one cell at XFD1048576 in a 5 KB XLSX made calamine ask for 549 GB and
abort the process. Any cell address either reads, or is refused in one Chinese line naming the
file, the cell and the bound."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

import hostile_corpus as corpus
from conftest import ROOT
from landrules.ledger.errors import LedgerError
from landrules.ledger.read.reader import read_ledger

ROWS = [corpus.HEADER, ["A", 2, "工业"]]
pytestmark = pytest.mark.long_file  # property tests, and readers in child processes


@pytest.mark.slow  # a reader in a child process
def test_one_cell_at_the_last_excel_cell_is_refused_not_an_abort(tmp_path):
    path = corpus.xlsx(tmp_path, ROWS, far={"XFD1048576": "x"})
    assert path.stat().st_size < 16_000
    # in a child process: an abort there fails this test instead of killing the test run
    result = subprocess.run(
        [sys.executable, "-m", "landrules", "decide", str(path), "--as-of", "2021-10-01", "-o", str(tmp_path / "o.jsonl")],
        capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT / "engine"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    assert "XFD1048576" in lines[0] and "1024 列" in lines[0] and "LANDRULES_MAX_COLUMNS" in lines[0]
    assert not (tmp_path / "o.jsonl").exists()


def test_a_dimension_tag_past_the_bounds_is_no_reason_to_refuse(tmp_path):
    """calamine sizes a sheet by its <dimension>: such a file goes to openpyxl, which ignores it."""
    import zipfile

    path = corpus.xlsx(tmp_path, ROWS)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert read_ledger(path)["parcel_id"].tolist() == ["A"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(3, 80), column=st.integers(1, 45), engine_ods=st.booleans())
def test_any_cell_address_reads_or_is_refused_in_one_line(tmp_path_factory, monkeypatch, row, column, engine_ods):
    monkeypatch.setenv("LANDRULES_MAX_ROWS", "60")
    monkeypatch.setenv("LANDRULES_MAX_COLUMNS", "30")
    monkeypatch.setenv("LANDRULES_MAX_CELLS", "1000")
    folder = tmp_path_factory.mktemp("far")
    address = f"{get_column_letter(column)}{row}"
    if engine_ods:
        path = corpus.ods(folder, ROWS, tail=corpus.far_ods_row(row - 3, column - 1))
    else:
        path = corpus.xlsx(folder, ROWS, far={address: "x"})
    within = row <= 60 and column <= 30 and (not engine_ods or row * column <= 1000)
    if within:
        frame = read_ledger(path)
        assert frame["parcel_id"].tolist()[0] == "A"
        cells = [v for row_ in frame.values.tolist() for v in row_]
        errors = [e for found in frame.attrs["row_errors"].values() for e in found]
        assert "x" in cells or any(address in e for e in errors)  # read, or named as outside the header
    else:
        with pytest.raises(LedgerError) as caught:
            read_ledger(path)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message
        assert address in message or "1000 个的上限" in message


@pytest.mark.slow  # a reader in a child process
def test_one_cell_at_the_last_xls_cell_is_refused_before_calamine_reads_the_sheet(tmp_path):
    """calamine holds an .xls sheet as one rectangle: a cell at IV65536 in a 5 KB file asked for
    16.7 million cells (1 GB); it is refused, naming the sheet and the bound, before that."""
    import xls_maker

    path = xls_maker.xls(tmp_path, [("台账", ROWS, "visible", {(65535, 255): "x"})])
    assert path.stat().st_size < 16_000
    code = ("from landrules.ledger.errors import LedgerError\n"
            "from landrules.ledger.read.reader import read_ledger\n"
            "try:\n"
            f"    read_ledger({str(path)!r})\n"
            "except LedgerError as exc:\n"
            "    print(exc)\n"
            # the peak of this process's own memory (getrusage's would count the parent's before exec)
            "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n")  # KiB
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(ROOT / "engine"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    message, peak = result.stdout.strip().splitlines()
    assert int(peak) < 600 << 10  # calamine alone would take 1 GB
    assert "工作表 台账 填到第 65536 行、第 256 列" in message and "LANDRULES_MAX_CELLS" in message


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(2, 80), column=st.integers(0, 45), hidden=st.booleans())
def test_any_xls_cell_address_reads_or_is_refused_in_one_line(tmp_path_factory, monkeypatch, row, column, hidden):
    """Every sheet is bounded, a hidden one too: choosing a sheet reads the others' heads."""
    import xls_maker

    monkeypatch.setenv("LANDRULES_MAX_CELLS", "1000")
    folder = tmp_path_factory.mktemp("far")
    sheets = [("台账", ROWS), ("旧表", ROWS, "hidden" if hidden else "visible", {(row, column): "x"})]
    path = xls_maker.xls(folder, sheets)
    if (row + 1) * max(column + 1, 3) <= 1000:
        assert read_ledger(path)["parcel_id"].tolist() == ["A"]
    else:
        with pytest.raises(LedgerError) as caught:
            read_ledger(path)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message and "工作表 旧表" in message and "1000 个的上限" in message


@pytest.mark.slow  # readers in child processes
@pytest.mark.parametrize("stated, named", [
    ({"dimensions": {0: (16, 2, 0, 3)}}, "尺寸记录写着 4294967282 行 × 3 列"),  # a first row past the last: 515 GB
    ({"dimensions": {0: (0, 0xFFFFFF00, 0, 3)}}, "尺寸记录写着 4294967040 行"),
    ({"strings": 0x7FFFFFFF}, "共享字符串表写着 2147483647 个字符串"),
    ({"strings": -5}, "共享字符串表写着 -5 个字符串"),
])
def test_an_xls_stating_counts_no_xls_can_hold_is_refused_as_damaged(tmp_path, stated, named):
    """calamine reserves memory by a sheet's DIMENSIONS and the shared strings' count unchecked:
    one flipped byte there aborted the process (in a child here: an abort fails the test)."""
    import xls_maker

    path = xls_maker.xls(tmp_path, [("台账", ROWS)], **stated)
    code = ("from landrules.ledger.errors import LedgerError\n"
            "from landrules.ledger.read.reader import read_ledger\n"
            "try:\n"
            f"    read_ledger({str(path)!r})\n"
            "except LedgerError as exc:\n"
            "    print(exc)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(ROOT / "engine"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert named in result.stdout and "已损坏" in result.stdout and str(path) in result.stdout
