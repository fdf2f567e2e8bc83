"""The bundled sample ledger re-laid the way district bureaus keep theirs (issue 10): a title
row, a 序号 column, published headers, areas in 公顷, placeholders in empty cells, ratios as
percentages or fractions, dates as 2019.5.10, a 合计 row, and a column only a column map names."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
TITLE = "石龙区批而未供及闲置土地台账（2021年三季度）"
PLACEHOLDERS = ["/", "／", "-", "—", "无", "空", "不详"]

# canonical header -> the header real ledgers use
RENAME = {
    "宗地编号": "电子监管号", "坐落": "土地坐落", "用地单位": "土地使用权人", "项目名称": "项目名称",
    "土地用途": "规划用途", "批准日期": "批准时间", "供地日期": "合同签订日期", "供地方式": "供应方式",
    "开工日期": "实际开工时间", "约定动工日期": "约定开工时间", "已开发面积占比": "已开发面积占比（%）",
    "已投资额占比": "已投资比例", "已认定闲置": "是否闲置", "土地利用现状未改变": "现状",
    "确实无法征收或不再征收": "确实无法征收", "已报省厅备案": "是否报省厅备案",
    "符合国土空间规划": "是否符合国土空间规划", "符合产业准入政策": "是否符合产业政策",
    "运营良好": "是否运营良好", "亩均产出（万元/亩）": "亩均产值(万元/亩)",
}
DATES = {"批准日期", "供地日期", "开工日期", "约定动工日期", "中止开发日期"}
COLUMN_MAP = """\
# 本台账的列对照表：现状一列无法按表头识别，写明它对应的字段与取值
columns:
  现状: land_status_unchanged
values:
  land_status_unchanged: {未改变: 是, 已改变: 否}
  land_use: {工矿仓储用地: industrial}
"""


def canonical() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _date(text: str) -> str:
    m = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})日?", text)
    return f"{int(m.group(1))}.{int(m.group(2))}.{int(m.group(3))}" if m else text


def _ratio(text: str, k: int) -> str:
    value = float(text)
    if k % 2 and value in (0.25, 0.5, 0.75):
        return {0.25: "1/4", 0.5: "1/2", 0.75: "3/4"}[value]
    return f"{value * 100:g}%"


def _hectares(mu: str, m2: str, k: int) -> str:
    ha = float(mu) / 15 if mu else float(m2.replace(",", "")) / 10000
    text = f"{ha:.8f}".rstrip("0").rstrip(".")
    return text + "公顷" if k % 5 == 0 else text  # a unit in some cells, as officers write it


def real_rows() -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the re-laid ledger; the title row and the 合计 row included in rows."""
    header, rows = canonical()
    out_header = ["序号"]
    for h in header:
        if h == "面积（亩）":
            out_header.append("面积（公顷）")
        elif h != "面积（平方米）":
            out_header.append(RENAME.get(h, h))
    out_rows = []
    total = 0.0
    for k, row in enumerate(rows):
        cells = dict(zip(header, row))
        out = [str(k + 1)]
        for h in header:
            v = cells[h]
            if h == "面积（平方米）":
                continue
            if h == "面积（亩）":
                v = _hectares(cells["面积（亩）"], cells["面积（平方米）"], k)
                total += float(v.replace("公顷", ""))
            elif not v:
                v = PLACEHOLDERS[(k + len(out)) % len(PLACEHOLDERS)]
            elif h in DATES:
                v = _date(v)
            elif h in ("已开发面积占比", "已投资额占比"):
                v = _ratio(v, k)
            elif h == "土地利用现状未改变":
                v = "未改变" if v == "是" else "已改变"
            elif h == "土地用途" and v == "工业" and k % 3 == 0:
                v = "工矿仓储用地"
            out.append(v)
        out_rows.append(out)
    total_row = ["合计"] + [""] * (len(out_header) - 1)
    total_row[out_header.index("面积（公顷）")] = f"{total:.4f}"
    return out_header, out_rows + [total_row]


def write_csv_gbk(path: Path) -> Path:
    header, rows = real_rows()
    lines = [[TITLE], header, *rows]
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(lines)
    return path


def write_xlsx(path: Path) -> Path:
    import openpyxl

    header, rows = real_rows()
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["本表按季度更新，空白处填“/”"])
    sheet = book.create_sheet("台账")
    sheet.append([TITLE])
    sheet.append(header)
    for row in rows:
        sheet.append([_typed(h, v) for h, v in zip(header, row)])
    book.save(path)
    return path


def write_xls(path: Path) -> Path:
    import xlwt

    header, rows = real_rows()
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(0, 0, TITLE)
    for j, h in enumerate(header):
        sheet.write(1, j, h)
    for i, row in enumerate(rows, start=2):
        for j, (h, v) in enumerate(zip(header, row)):
            value = _typed(h, v)
            if isinstance(value, dt.date) and i % 2:
                sheet.write(i, j, value, date_style)  # a real date cell
            else:
                sheet.write(i, j, v if isinstance(value, dt.date) else value)
    book.save(str(path))
    return path


def _typed(header: str, text: str):
    """A cell as Excel would hold it: numbers as numbers, some dates as date cells."""
    if header in ("序号", "面积（公顷）", "亩均产值(万元/亩)", "亩均税收（万元/亩）", "容积率") and re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if header in ("批准时间", "合同签订日期") and re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}", text):
        return dt.date(*map(int, text.split(".")))
    return text
