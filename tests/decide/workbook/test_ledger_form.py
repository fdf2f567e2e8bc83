"""The 决策 workbook in the form of a bureau's 台账 (issue 22): title, 填报单位/日期 line, 序号 first,
合计, 填表人/审核人, page numbers, A3 print setup, Chinese visible columns, 按责任单位 — read back
with openpyxl from `decide` on the sample ledger."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from conftest import ROOT
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.decide.workbook import sheets as S

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
AS_OF = dt.date(2021, 10, 1)


@pytest.fixture(scope="module")
def book(rulebook, tmp_path_factory):
    out = tmp_path_factory.mktemp("form") / "d.xlsx"
    decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF))
    return load_workbook(out)


@pytest.fixture(scope="module")
def ledger():
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def data(sheet) -> list[dict]:
    rows = rows_of(sheet)
    return [dict(zip(rows[2], r)) for r in rows[3:] if r and isinstance(r[0], int)]


def test_the_title_names_the_cluster_and_the_date_and_the_date_is_a_date_cell(book):
    sheet = book["决策"]
    assert sheet["A1"].value == "石龙产业集聚区存量用地处置决策台账（评估日：2021年10月1日）"
    assert sheet["A1"].font.sz >= 16 and sheet["A1"].font.b
    assert any(str(r) .startswith("A1:") for r in sheet.merged_cells.ranges)  # across the printed columns
    line = [c for c in sheet[2]]
    texts = [c.value for c in line]
    assert texts[0].startswith("填报单位") and "填报日期：" in texts and "评估日期：" in texts
    day = line[texts.index("评估日期：") + 1]
    assert day.value == dt.datetime(2021, 10, 1) and day.is_date and "年" in day.number_format


def test_serial_first_and_only_chinese_in_the_visible_columns(book):
    sheet = book["决策"]
    header = [c.value for c in sheet[3]]
    assert header[:6] == ["序号", "宗地编号", "坐落", "用地单位", "项目名称", "面积（亩）"]
    visible = [h for i, h in enumerate(header, 1) if not sheet.column_dimensions[get_column_letter(i)].hidden]
    assert visible and not [h for h in visible if re.search(r"[A-Za-z]", h)]
    hidden = [h for i, h in enumerate(header, 1) if sheet.column_dimensions[get_column_letter(i)].hidden]
    assert {"outcome_codes", "as_of", "rulebook", "categories"} <= set(hidden)
    assert all(sheet.column_dimensions[get_column_letter(header.index(h) + 1)].outlineLevel == 1 for h in hidden)
    rows = data(sheet)
    assert [r["序号"] for r in rows] == list(range(1, 41))
    # no code or hash in a visible cell of a parcel row (errors name fields in Chinese too)
    assert [r["错误"] for r in rows if r["错误"]][0].startswith("第39行 土地用途")
    for r in rows:
        for h in visible:
            value = r[h]
            if isinstance(value, str) and h not in ("宗地编号", "备注"):
                assert not re.search(r"sha256|[a-z]+_[a-z]+", value), (h, value)


def test_the_total_row_counts_parcels_and_area_and_the_signature_follows(book, ledger):
    sheet = book["决策"]
    rows = rows_of(sheet)
    total = next(r for r in rows if r and r[0] == "合计")
    header = rows[2]
    assert total[1] == 40
    column = sum(float(a) for a in ledger["面积（亩）"] if a)
    converted = sum(float(m2.replace(",", "")) * 15 / 10000 for mu, m2 in zip(ledger["面积（亩）"], ledger["面积（平方米）"])
                    if not mu and m2)
    at = header.index("面积（亩）")
    assert converted > 0 and total[at] == pytest.approx(column + converted)  # every parcel's area, in 亩
    assert f"本列数字合计 {column:,.2f} 亩" in total[at + 1]  # and why it differs from the column's sum
    after = rows[rows.index(total) + 1]
    assert after[0] == "填表人：" and "审核人：" in after
    assert sheet.auto_filter.ref == f"A3:{get_column_letter(len(header))}43"  # the header and the parcels only
    assert sheet.freeze_panes == "C4"
    assert str(sheet.print_area).endswith(f"${rows.index(after) + 1}")  # 合计 and signature are printed


def test_printing_a3_landscape_fit_to_width_with_page_numbers(book):
    for name in ("决策", S.ACTIONS_SHEET, S.BY_UNIT_SHEET, S.PUBLIC_SHEET):
        sheet = book[name]
        setup = sheet.page_setup
        assert setup.paperSize == 8 and setup.orientation == "landscape", name  # 8 = A3
        assert setup.fitToWidth == 1 and setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$3:$3", name
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页", name
        assert sheet["A1"].value.startswith("石龙产业集聚区"), name
    assert book[S.SUMMARY_SHEET].oddFooter.center.text == "第 &P 页 共 &N 页"


def test_each_unit_filters_its_own_parcels(book):
    plans = data(book[S.ACTIONS_SHEET])
    pairs = data(book[S.BY_UNIT_SHEET])
    units = {u for r in plans for u in (r["责任单位"] or "").split("; ") if u}
    unnamed = [r["宗地编号"] for r in plans if not r["责任单位"]]  # 需补充信息 alone: listed, not dropped
    assert units and {r["责任单位"] for r in pairs} == units | ({"（未列责任单位）"} if unnamed else set())
    assert sorted(r["宗地编号"] for r in pairs if r["责任单位"] == "（未列责任单位）") == sorted(unnamed)
    for unit in units:
        mine = {r["宗地编号"] for r in pairs if r["责任单位"] == unit}  # the ordinary filter on one column
        assert mine == {r["宗地编号"] for r in plans if unit in (r["责任单位"] or "").split("; ")}, unit
    total = next(r for r in rows_of(book[S.BY_UNIT_SHEET]) if r and r[0] == "合计")
    assert total[1] == len(plans)  # parcels, not parcel-unit pairs


def test_the_officers_own_serial_is_kept_not_doubled_and_units_join_headers(rulebook, tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("序号,宗地编号,面积（亩）,亩均税收,批准日期\n7,A-1,10,3,2019-01-01\n9,A-2,2.5,,2019-02-01\n",
                    encoding="utf-8")
    out = tmp_path / "d.xlsx"
    decide_ledger(path, out, RunOptions(rulebook, AS_OF))
    sheet = load_workbook(out)["决策"]
    header = [c.value for c in sheet[3]]
    assert header.count("序号") == 1 and header[:3] == ["序号", "宗地编号", "面积（亩）"]
    assert "亩均税收（万元/亩）" in header  # a numeric column gets its unit
    rows = data(sheet)
    assert [(r["序号"], r["宗地编号"]) for r in rows] == [(7, "A-1"), (9, "A-2")]
    total = next(r for r in rows_of(sheet) if r and r[0] == "合计")
    assert total[1] == 2 and total[2] == pytest.approx(12.5)
