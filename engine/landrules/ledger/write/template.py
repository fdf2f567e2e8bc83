"""The empty ledger workbook an office fills in (contract §3, `landrules template`).

Sheet 台账: the plan's title, a 填报单位 / 填报日期 line, then the header row — 序号 and every
field of the catalogue under its Chinese header (units in the header where the field has one)
— and empty rows formatted for their fields: drop-down lists (data validation) of the Chinese
labels for coded fields and 是/否 for yes/no fields, date cells, percentages for ratios, text
for the 宗地编号 (so that 0012 keeps its zeros). Sheet 填表说明: one line per field saying what
to write. A template filled in decides with no column map and no warning: its headers are the
catalogue's own, and its title and 填报 lines stand above the header where the reader looks
for it (sheet_choice.HEADER_SEARCH_ROWS).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from landrules.core import fields
from landrules.core.fields import FieldType

ROWS = 500  # rows formatted and validated below the header
HEADER_ROW = 3
SHEET = "台账"
HELP_SHEET = "填表说明"
YES_NO = ("是", "否")
DATE_FORMAT = "yyyy-mm-dd"

_TYPE_HELP = {
    FieldType.TEXT: "文字",
    FieldType.NUMBER: "数字",
    FieldType.RATIO: "比例，0–1 之间的小数或百分数（如 0.25、25%）",
    FieldType.DATE: "日期（如 2021-06-22；只知年月时写 2021年6月）",
    FieldType.BOOL: "是 / 否（下拉选择）",
    FieldType.ENUM: "下拉选择",
}
NOTES = {
    "parcel_id": "电子监管号或宗地编号，不得重复；尚未供地、还没有电子监管号的地块留空或填 /，按行号识别",
    "area_mu": "面积（亩）与面积（平方米）填一项即可",
    "area_m2": "面积（亩）与面积（平方米）填一项即可",
    "approved_on": "农转用或征收批准日期",
    "supplied_on": "出让合同或划拨决定书日期；未供地的留空",
    "construction_started_on": "实际开工（或使用）日期；未供地已使用的也填",
    "agreed_start_on": "出让合同或划拨决定书约定的动工开发日期",
    "idle_identified": "已下发闲置土地认定书的填 是；未认定的留空",
    "idle_cause": "可在括号中注明具体情况，如 政府原因（规划调整）",
}
FILL_HELP = [
    "一、表头以下每行填一宗地。表头行及以上各行（标题、填报单位、填报日期）不要删改。",
    "二、不知道的内容留空或填 /，不要填 0 或 否：空白表示“不知道”，相关规定按“需补充信息”处理。",
    "三、下拉选择的单元格可在括号中加注说明，如 是（已下发通知书）；说明会保留在决策备注中。",
    "四、表格下方可写 填表人、审核人、联系电话 等，不会被当作宗地；合计行也不会计入。",
]


@dataclass(frozen=True)
class TemplateTitle:
    title: str  # e.g. 石龙产业集聚区用地提质增效行动方案 存量用地台账
    basis: str  # e.g. 依据 平龙政办〔2021〕36号


def title_of(policy) -> TemplateTitle:
    """The title from the plan (the first document the rulebook's policy holds that is printed
    verbatim): the plan's name in 《》 in its preamble, else the document's title."""
    documents = [d for d in policy.documents if not d.paraphrase] or list(policy.documents)
    if not documents:
        return TemplateTitle("存量用地台账", "")
    plan = documents[0]
    found = re.search(r"《([^》]+)》", plan.preamble or "")
    name = found.group(1) if found else plan.title
    return TemplateTitle(f"{name}存量用地台账", f"依据 {plan.doc}")


def _choices(spec: fields.FieldSpec) -> tuple[str, ...] | None:
    if spec.type is FieldType.ENUM:
        return tuple(spec.vocabulary.values())
    if spec.type is FieldType.BOOL:
        return YES_NO
    return None


def template_bytes(title: TemplateTitle, rows: int = ROWS) -> bytes:
    """The template workbook as XLSX bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    specs = list(fields.FIELDS)
    last = HEADER_ROW + rows
    sheet.cell(1, 1, title.title).font = Font(size=16, bold=True)
    sheet.cell(1, 1).alignment = Alignment(horizontal="left", vertical="center")  # seen on the first screen and page
    sheet.row_dimensions[1].height = 30
    sheet.cell(2, 1, "填报单位：")
    sheet.cell(2, 6, "填报日期：")
    sheet.cell(2, 10, title.basis).font = Font(color="666666")
    thin = Side(style="thin", color="999999")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, name in enumerate(["序号", *(s.zh for s in specs)], 1):
        cell = sheet.cell(HEADER_ROW, j, name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        sheet.column_dimensions[get_column_letter(j)].width = max(8, min(2 * len(name) + 2, 24))
    for j, spec in enumerate(specs, 2):  # the text a parcel is known by needs room
        if spec.name in ("parcel_id", "location", "holder", "project"):
            sheet.column_dimensions[get_column_letter(j)].width = 20
    sheet.row_dimensions[HEADER_ROW].height = 36
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 3)
    for j, spec in enumerate(specs, 2):
        letter = get_column_letter(j)
        area = f"{letter}{HEADER_ROW + 1}:{letter}{last}"
        choices = _choices(spec)
        if choices is not None:
            # a remark may follow the code (政府原因（规划调整）): a warning, not a refusal
            rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                  showErrorMessage=True, errorStyle="warning", errorTitle=spec.zh,
                                  error="请从下拉列表选择；如需说明，可写在括号中，如 " + f"{choices[0]}（说明）")
            rule.add(area)
            sheet.add_data_validation(rule)
        number_format = {FieldType.DATE: DATE_FORMAT, FieldType.RATIO: "0%", FieldType.TEXT: "@"}.get(spec.type)
        if spec.type is FieldType.NUMBER:
            number_format = "0.00"
        if spec.type is FieldType.DATE:
            sheet.column_dimensions[letter].width = 12
        if number_format:
            for r in range(HEADER_ROW + 1, last + 1):
                sheet.cell(r, j).number_format = number_format
    sheet.print_options.gridLines = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.append([f"{title.title} 填表说明"])
    help_sheet.cell(1, 1).font = Font(size=14, bold=True)
    for line in FILL_HELP:
        help_sheet.append([line])
    help_sheet.append([])
    help_sheet.append(["表头", "填写内容", "可选值", "说明"])
    for c in help_sheet[help_sheet.max_row]:
        c.font = Font(bold=True)
    for spec in specs:
        choices = _choices(spec)
        help_sheet.append([spec.zh, _TYPE_HELP[spec.type], "、".join(choices) if choices else "", NOTES.get(spec.name, "")])
    for letter, w in zip("ABCD", (26, 40, 44, 60)):
        help_sheet.column_dimensions[letter].width = w
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
