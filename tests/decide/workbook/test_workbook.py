"""The officers' workbook (issue 12): the decision sheet as an officer opens and prints it,
一宗一策, 公布清单 and 汇总, read back with openpyxl from `decide` on the sample ledger."""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from conftest import ROOT
from landrules.core.summary import in_catalogue_order
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.decide.workbook import lists as L
from landrules.decide.workbook import sheets as S
from landrules.decide.workbook.reasons import span

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
AS_OF = dt.date(2022, 6, 1)  # after the 2021-12-31 deadlines: some outcomes are overdue


@pytest.fixture(scope="module")
def decided(rulebook, tmp_path_factory):
    out = tmp_path_factory.mktemp("wb") / "decisions.xlsx"
    result = decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF))
    return out, result.summary, load_workbook(out)


@pytest.fixture(scope="module")
def ledger():
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def header(sheet) -> list:
    return [c.value for c in sheet[3]]  # below the title and the 填报单位 line


def records(sheet) -> list[dict]:
    """The data rows (numbered by 序号), without the heading, 合计, signature and notes."""
    rows = list(sheet.iter_rows(values_only=True))
    names = list(rows[2])
    return [dict(zip(names, r)) for r in rows[3:] if isinstance(r[0], int)]


def test_the_first_screen_shows_the_parcel_beside_its_decision(decided):
    _, _, book = decided
    sheet = book["决策"]
    assert header(sheet)[:16] == ["序号", "宗地编号", "坐落", "用地单位", "项目名称", "面积（亩）", "类别", "处置措施",
                                  "闲置费（万元）", "依据条款", "完成时限", "是否逾期", "责任单位", "需补充信息", "错误", "决策备注"]
    assert sheet.freeze_panes == "C4"  # below the header, right of 序号 and 宗地编号
    assert sheet.auto_filter.ref == f"A3:{get_column_letter(len(header(sheet)))}43"
    # the officer's input columns follow, then the contract's columns, grouped and hidden
    names = header(sheet)
    assert names.index("决策备注") < names.index("备注") < names.index("categories")
    assert all(sheet.column_dimensions[get_column_letter(names.index(c) + 1)].hidden
               for c in ("categories", "outcome_codes", "as_of", "rulebook"))
    assert "处置代码" not in names and "规则库" not in names  # codes and the hash: hidden only
    assert not sheet.column_dimensions[get_column_letter(names.index("备注") + 1)].hidden


def test_numbers_and_dates_are_typed(decided, ledger):
    _, _, book = decided
    rows = {r["宗地编号"]: r for r in records(book["决策"])}
    # 完成时限 is a date cell wherever a decision has a deadline; the earliest one when several
    for pid, row in rows.items():
        if row["deadline"]:
            assert isinstance(row["完成时限"], dt.datetime), pid
            assert row["完成时限"].date() == min(dt.date.fromisoformat(d) for d in row["deadline"].split("; "))
        else:
            assert row["完成时限"] is None
    # SUM over 面积 works: every non-empty area is a number
    areas = [r["面积（亩）"] for r in rows.values() if r["面积（亩）"] is not None]
    assert all(isinstance(a, (int, float)) for a in areas)
    assert sum(areas) == pytest.approx(sum(float(a) for a in ledger["面积（亩）"] if a))
    assert rows["SL-005"]["面积（平方米）"] == 33400  # "33,400" in the CSV
    assert rows["SL-002"]["批准日期"] == dt.datetime(2015, 8, 10)  # 2015年8月10日
    assert rows["SL-039"]["已开发面积占比"] == 1.5  # an invalid value stays as written, a number
    assert rows["SL-038"]["土地用途"] == "林地"  # text fields as written


def test_citations_carry_the_clause_heading(decided):
    rows = {r["宗地编号"]: r for r in records(decided[2]["决策"])}
    assert rows["SL-004"]["依据条款"] == "平龙政办〔2021〕36号 二、（三）2.（1）第1段（批而未供土地处置）"
    assert "（企业原因闲置土地的处置）" in rows["SL-020"]["依据条款"]


def test_overdue_and_invalid_rows_are_highlighted(decided):
    sheet = decided[2]["决策"]
    names = header(sheet)
    overdue, errors = (get_column_letter(names.index(c) + 1) for c in ("是否逾期", "错误"))
    rules = {rule.formula[0]: (cf.sqref, rule) for cf in sheet.conditional_formatting for rule in cf.rules}
    assert set(rules) == {f"LEN(${errors}4)>0", f'OR(${overdue}4="是",ISNUMBER(SEARCH("：是",${overdue}4)))'}
    for sqref, rule in rules.values():
        assert str(sqref) == f"A4:{get_column_letter(len(names))}43" and rule.dxf.fill is not None
    rows = records(sheet)
    assert [r["宗地编号"] for r in rows if r["错误"]] == ["SL-038", "SL-039"]
    assert {r["宗地编号"] for r in rows if r["是否逾期"] == "是"} >= {"SL-005", "SL-006", "SL-007"}


def test_printing_is_landscape_one_page_wide_with_the_header_on_every_page(decided):
    for name in ("决策", S.ACTIONS_SHEET, S.PUBLIC_SHEET):
        sheet = decided[2][name]
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and setup.fitToWidth == 1 and setup.fitToHeight == 0, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.print_title_rows == "$3:$3", name  # the header row, below the title


def test_no_cell_is_a_formula(decided):
    out, _, book = decided
    assert not [(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if "worksheets" in n)


def test_one_parcel_one_plan(decided):
    _, summary, book = decided
    sheet = book[S.ACTIONS_SHEET]
    assert header(sheet) == L.ACTION_HEADER
    rows = records(sheet)
    needing = summary.rows - summary.by_outcome["no_action"].count - summary.by_outcome["invalid_record"].count
    assert len(rows) == needing and "SL-033" not in {r["宗地编号"] for r in rows}  # 无需处置 is not listed
    keys = [((r["责任单位"] or "\uffff").split("; ")[0], r["完成时限"] or dt.datetime.max) for r in rows]  # none last
    assert keys == sorted(keys)  # by 责任单位, then 完成时限
    by_id = {r["宗地编号"]: r for r in rows}
    # SL-019: enterprise cause, agreed start 2020-08-01, not started
    # SL-019 carries the official finding in the revised sample (contract §5 Revised: finding before sanctions)
    assert by_id["SL-019"]["形成原因"].startswith(f"经认定，因企业原因闲置，超过约定动工日期{span(dt.date(2020, 8, 1), AS_OF)}未动工")
    assert span(dt.date(2020, 8, 1), AS_OF) == "1年10个月"
    assert by_id["SL-025"]["形成原因"].startswith("低效工业用地：亩均产出42.5万元/亩、亩均税收2.1万元/亩")
    assert by_id["SL-005"]["形成原因"].startswith("批而未供：2017-05-12批准")
    for row in rows:
        assert row["形成原因"] and row["处置措施"] and row["坐落"], row


def test_the_public_list_holds_what_a_notice_carries(decided):
    sheet = decided[2][S.PUBLIC_SHEET]
    assert header(sheet) == L.PUBLIC_HEADER and "备注" not in header(sheet)
    rows = records(sheet)
    kinds = {r["宗地编号"]: r["类型"] for r in rows}
    assert kinds["SL-004"] == "批而未供" and kinds["SL-005"] == "批而未供" and kinds["SL-025"] == "低效"
    assert kinds["SL-016"] == "闲置"  # found idle (已认定闲置 = 是)
    assert "SL-017" not in kinds and "SL-018" not in kinds  # idle by dates alone: investigate first
    assert kinds["SL-019"] == "闲置"  # found idle in the revised sample
    order = [L.PUBLIC_ORDER.index(k.split("、")[0]) for k in kinds.values()]
    assert order == sorted(order)


def test_the_summary_sheet(decided, ledger):
    out, summary, book = decided
    rows = list(book[S.SUMMARY_SHEET].iter_rows(values_only=True))
    for code, tally in in_catalogue_order(summary.by_category, {}):
        assert any(r[0] == code and r[2] == tally.count for r in rows), code
    assert ("责任单位", "宗数", "面积（亩）", None) in rows and ("责任单位", "逾期宗数", "逾期面积（亩）", None) in rows
    units = {r[0]: r[1] for r in rows[rows.index(("责任单位", "逾期宗数", "逾期面积（亩）", None)) + 1:] if r[0]}
    assert units["国土资源局"] == summary.overdue_by_responsible["国土资源局"].count > 0
    months = {r[0]: r[1] for r in rows if r[0] and str(r[0])[:2] == "20" and len(str(r[0])) == 7}
    assert months == {m: t.count for m, t in summary.by_deadline_month.items()}
    # 亩均税收: supplied industrial land (by the evaluation date, valid rows), weighted by area
    valid = ~ledger["备注"].str.startswith("无效记录")
    supplied = ledger[valid & (ledger["土地用途"] == "工业") & (ledger["供地日期"] != "")]
    known = supplied[supplied["亩均税收（万元/亩）"] != ""]
    area = pd.to_numeric(known["面积（亩）"].replace("", None))
    area = area.fillna(pd.to_numeric(known["面积（平方米）"].str.replace(",", "")) * 15 / 10000)
    expected = (pd.to_numeric(known["亩均税收（万元/亩）"]) * area).sum() / area.sum()
    facts = {r[0]: r[1] for r in rows if r[0]}
    assert facts["面积加权亩均税收（万元/亩）"] == round(expected, 2) == round(summary.tax.weighted_mean, 2)
    assert facts["目标（万元/亩）"] == 6
    # codes are never cut: column A is as wide as the longest code
    assert book[S.SUMMARY_SHEET].column_dimensions["A"].width >= len("recover_without_compensation")
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) >= 2 and all(b"barChart>" in z.read(n) for n in charts)


def test_the_workbook_is_the_same_bytes_every_run(rulebook, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    decide_ledger(SAMPLE, first, RunOptions(rulebook, AS_OF))
    decide_ledger(SAMPLE, second, RunOptions(rulebook, AS_OF))
    assert first.read_bytes() == second.read_bytes()


def test_the_action_list_is_capped(rulebook, tmp_path, monkeypatch):
    from landrules.decide.workbook import actions

    monkeypatch.setattr(actions, "ACTION_ROWS_MAX", 5)
    monkeypatch.setattr(actions.ActionList.__init__, "__defaults__", (None, 5))
    out = tmp_path / "d.xlsx"
    decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF))
    sheet = load_workbook(out)[S.ACTIONS_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert len([r for r in rows[3:] if isinstance(r[0], int)]) == 5
    assert any(r[0] == "说明" and "本表只列出台账中前 5 宗" in (r[1] or "") for r in rows)


def test_a_list_longer_than_a_sheet_keeps_its_first_rows_and_says_so(rulebook, tmp_path, monkeypatch):
    """按责任单位 repeats a parcel per unit: 200 000 parcels with several units each pass Excel's
    1 048 576 rows a sheet; the list keeps what fits and says how many rows are left out."""
    monkeypatch.setattr(S, "MAX_SHEET_ROWS", 20)
    out = tmp_path / "d.xlsx"
    decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF))
    rows = list(load_workbook(out)[S.BY_UNIT_SHEET].iter_rows(values_only=True))
    listed = [r for r in rows[3:] if isinstance(r[0], int)]
    notes = [r[1] for r in rows if r[0] == "说明"]
    assert len(rows) <= 20 and listed and listed[-1][0] == len(listed)
    assert any("超过 Excel 每张工作表 20 行的上限，只列出前" in n and f"前 {len(listed)} 行" in n for n in notes), notes


def test_new_decision_columns_and_codes_appear_without_code_changes(tmp_path, monkeypatch):
    """A `notes` column (and any other the record gains) and a new outcome code show up by
    themselves: columns come from DECISION_COLUMNS, labels from the catalogue."""
    from landrules.decide.workbook import decisions as X
    from landrules.ledger.write import base as O

    columns = (*O.OUTPUT_COLUMNS, "notes", "future_column")
    monkeypatch.setattr(O, "OUTPUT_COLUMNS", columns)
    monkeypatch.setattr(X, "OUTPUT_COLUMNS", columns)
    labels = O.Labels(categories={"idle_suspected": "疑似闲置"}, outcomes={"investigate_idle": "开展闲置土地调查认定"})
    flat = pd.DataFrame({c: [""] for c in columns})
    flat.loc[0, ["categories", "outcome_codes", "outcome_labels", "notes", "future_column", "as_of"]] = [
        "idle; idle_suspected", "investigate_idle", "开展闲置土地调查认定", "开工日期晚于评估日，按未开工计", "x", "2022-06-01"]
    out = tmp_path / "d.xlsx"
    with X.XlsxWriter(out, ["宗地编号", "备注"], labels) as writer:
        writer.write(pd.DataFrame({0: ["T-1"], 1: ["台账备注"]}), flat, ["{}"])
        writer.commit(None)
    book = load_workbook(out)
    row = records(book["决策"])[0]
    assert row["决策备注"] == "开工日期晚于评估日，按未开工计" and row["备注"] == "台账备注"
    assert row["future_column"] == "x" and row["notes"] == "开工日期晚于评估日，按未开工计"
    assert row["类别"] == "idle; 疑似闲置"
    assert records(book[S.ACTIONS_SHEET])[0]["处置措施"] == "开展闲置土地调查认定"
