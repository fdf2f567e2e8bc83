"""The ledger template (contract §3, `landrules template`): what an office sees in it."""

from __future__ import annotations

import io

from landrules.core import fields
from landrules.ledger.write.template import HEADER_ROW, HELP_SHEET, SHEET, template_bytes, title_of
from openpyxl import load_workbook


def book(rulebook):
    return load_workbook(io.BytesIO(template_bytes(title_of(rulebook.policy))))


def test_title_lines_and_headers(rulebook):
    sheet = book(rulebook)[SHEET]
    assert sheet["A1"].value == "石龙产业集聚区用地提质增效行动方案存量用地台账"
    assert sheet["A2"].value == "填报单位：" and sheet["F2"].value == "填报日期："
    assert any(c.value == "依据 平龙政办〔2021〕36号" for c in sheet[2])
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers == ["序号", *(f.zh for f in fields.FIELDS)]
    assert "面积（亩）" in headers and "亩均产出（万元/亩）" in headers  # units in the header


def test_drop_downs_and_cell_formats(rulebook):
    sheet = book(rulebook)[SHEET]
    headers = [c.value for c in sheet[HEADER_ROW]]
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in sheet.data_validations.dataValidation}
    from openpyxl.utils import get_column_letter

    def letter(zh):
        return get_column_letter(headers.index(zh) + 1)

    assert lists[letter("土地用途")] == '"工业,公共服务,基础设施,商服,住宅,其他"'
    assert lists[letter("闲置原因")] == '"政府原因,信访稳定,企业原因,政企互有瑕疵,不可抗力"'
    assert lists[letter("已认定闲置")] == '"是,否"'
    coded = [f for f in fields.FIELDS if f.type in (fields.FieldType.ENUM, fields.FieldType.BOOL)]
    assert len(lists) == len(coded)
    assert sheet[f"{letter('供地日期')}{HEADER_ROW + 1}"].number_format == "yyyy-mm-dd"
    assert sheet[f"{letter('宗地编号')}{HEADER_ROW + 1}"].number_format == "@"
    assert sheet[f"{letter('已开发面积占比')}{HEADER_ROW + 1}"].number_format == "0%"


def test_the_help_sheet_names_every_field(rulebook):
    rows = list(book(rulebook)[HELP_SHEET].iter_rows(values_only=True))
    named = {r[0] for r in rows}
    assert {f.zh for f in fields.FIELDS} <= named
    assert any(r[0] == "闲置原因" and "政府原因（规划调整）" in (r[3] or "") for r in rows)
