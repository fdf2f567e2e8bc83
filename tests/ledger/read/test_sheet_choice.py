"""Issue 23 item 3: the sheet read is the active visible one, or the visible one with a
parcel-id header; a hidden sheet only by `--sheet`; the choice is said (ledger/read/sheet_choice.py).
Checked over any sheet visibility, on both XLSX readers (calamine and openpyxl), on .xls and on ODS."""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xls_maker
from landrules.ledger.errors import LedgerError
from landrules.ledger.read.reader import read_ledger

STATES = ["visible", "hidden", "veryHidden"]
# a workbook: 1..4 sheets, each (visibility, whether its header names 宗地编号); which visible one is active
books = st.lists(st.tuples(st.sampled_from(STATES), st.booleans()), min_size=1, max_size=4).filter(
    lambda sheets: any(state == "visible" for state, _ in sheets))


def expected(sheets: list[tuple[str, bool]], active: int) -> int | None:
    """The rule, written out once more: the index read, or None for a refusal."""
    visible = [i for i, (state, _) in enumerate(sheets) if state == "visible"]
    if len(visible) == 1:
        return visible[0] if sheets[visible[0]][1] else None
    order = [active] + [i for i in visible if i != active]
    return next((i for i in order if sheets[i][1]), None)


def write(path, sheets, active):
    if path.suffix == ".xls":
        rows = [(f"表{i}", [["宗地编号" if with_id else "说明", "面积（亩）"], [f"S{i}", 2]], state)
                for i, (state, with_id) in enumerate(sheets)]
        xls_maker.xls(path.parent, rows, name=path.name, active=active)
        return
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i, (state, with_id) in enumerate(sheets):
        sheet = book.create_sheet(f"表{i}")
        sheet.append(["宗地编号" if with_id else "说明", "面积（亩）"])
        sheet.append([f"S{i}", 2])
        sheet.sheet_state = state
    book.active = active
    book.save(path)


@pytest.mark.slow  # a property test, workbooks written and read
@pytest.mark.parametrize("engine", ["calamine", "openpyxl", "xls"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheets=books, data=st.data())
def test_the_active_visible_sheet_or_a_visible_one_with_ids(tmp_path_factory, monkeypatch, engine, sheets, data):
    if engine == "openpyxl":
        monkeypatch.setattr("landrules.ledger.read.xlsx_scan.calamine_safe", lambda path, limits: False)
    visible = [i for i, (state, _) in enumerate(sheets) if state == "visible"]
    active = data.draw(st.sampled_from(visible))
    path = tmp_path_factory.mktemp("sheets") / ("book.xls" if engine == "xls" else "book.xlsx")
    write(path, sheets, active)
    want = expected(sheets, active)
    if want is None:
        with pytest.raises(LedgerError) as caught:
            read_ledger(path)
        hidden_with_id = [i for i, (state, with_id) in enumerate(sheets) if state != "visible" and with_id]
        if hidden_with_id:
            assert f'--sheet "表{hidden_with_id[0]}"' in str(caught.value)
        return
    frame = read_ledger(path)
    assert frame.iloc[0, 0] == f"S{want}"
    notices = frame.attrs["notices"]
    visible = [i for i, (state, _) in enumerate(sheets) if state == "visible"]
    with_ids = [i for i in visible if sheets[i][1]]
    hidden = len(visible) < len(sheets)
    if hidden or len(with_ids) > 1 or (len(visible) > 1 and want != active):  # there was a choice: it is said
        assert any(f'"表{want}"' in n for n in notices)
    else:
        assert not any("工作表" in n for n in notices)
    for i, (state, with_id) in enumerate(sheets):  # a hidden sheet is read only when named
        if state != "visible" and with_id:
            named = read_ledger(path, sheet=f"表{i}")
            assert named.iloc[0, 0] == f"S{i}" and any("隐藏" in n for n in named.attrs["notices"])


def test_a_hidden_first_sheet_is_not_decided(tmp_path):
    path = tmp_path / "book.xlsx"
    write(path, [("hidden", True), ("visible", True)], 1)
    frame = read_ledger(path)
    assert frame["parcel_id"].tolist() == ["S1"]
    assert frame.attrs["notices"] == ['已读取工作表 "表1"（唯一可见的工作表）；隐藏的工作表（表0）未读取，如需读取请用 --sheet 指定']


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_the_choice_is_on_stderr_and_in_the_column_report(tmp_path, suffix):
    from typer.testing import CliRunner

    from landrules.cli import app

    path = tmp_path / f"book{suffix}"
    write(path, [("visible", True), ("visible", True)], 1)
    result = CliRunner().invoke(app, ["decide", str(path), "--as-of", "2021-10-01", "-o", str(tmp_path / "o.xlsx")])
    assert '已读取活动工作表 "表1"' in result.stderr
    book = openpyxl.load_workbook(tmp_path / "o.xlsx", read_only=True)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert any('已读取活动工作表 "表1"' in c for c in cells)  # the workbook's notes


def test_an_xls_is_read_on_its_active_sheet(tmp_path):
    """An .xls says the tab it opens on in its WINDOW1 record, which calamine does not give."""
    path = tmp_path / "book.xls"
    write(path, [("visible", True), ("hidden", True), ("visible", True)], 2)
    frame = read_ledger(path)
    assert frame["parcel_id"].tolist() == ["S2"]
    assert frame.attrs["notices"][0].startswith('工作簿有 2 张可见工作表，已读取活动工作表 "表2"')
