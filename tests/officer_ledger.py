"""An officer's own XLSX ledger as issue 22 found it: a title row and a 填报单位 line, 序号, `/`
for the 电子监管号 of land not yet supplied, coded cells with remarks (`政府原因（规划调整）`,
`是（已下发通知书）`), dates given only to the month (`2019年7月`), areas in 公顷, a 合计 row, a
signature footer, and a column no field reads (联络员)."""

from __future__ import annotations

from pathlib import Path

TITLE = "石龙区批而未供及闲置土地处置台账（2021年三季度）"
HEADERS = ["序号", "电子监管号", "批准文号", "项目名称", "土地坐落", "土地使用权人", "面积（公顷）", "规划用途", "项目来源",
           "批准时间", "合同签订日期", "供应方式", "实际开工时间", "约定开工时间", "是否闲置", "闲置原因", "联络员"]
UNKNOWN = "联络员"
# 序号 -> cells after 序号; as of 2021-10-01
PARCELS = [
    ["/", "豫政土〔2019〕101号", "智能装备产业园一期", "石龙区龙兴路北段", "/", 2.5, "工业", "招商引资", "2019年7月",
     "/", "/", "/", "/", "/", "/", "王明"],
    ["/", "豫政土〔2020〕35号", "石龙物流园", "石龙区兴龙路东", "/", 1.2, "其他", "其他", "2020-03-15",
     None, None, None, None, None, None, "王明"],
    ["4104022018B00101", "豫政土〔2017〕12号", "年产5万吨新材料项目", "石龙区工业路8号", "平顶山新材料有限公司", 3.0, "工业",
     "招商引资", "2017-06-01", "2018-01-05", "出让", None, "2019-01-01", "是（已下发通知书）", "政府原因（规划调整）", "李华"],
    ["4104022018B00102", "豫政土〔2017〕12号", "精密铸造项目", "石龙区工业路10号", "石龙精铸有限公司", 2.0, "工业",
     "招商引资", "2017-06-01", "2018-03-01", "出让", None, "2019年7月", "是", "企业原因（资金不足）", "李华"],
    ["4104022019B00103", "豫政土〔2018〕7号", "光伏支架项目", "石龙区工业路12号", "石龙光能有限公司", 1.5, "工业",
     "招商引资", "2018-09-01", "2019-06-01", "出让", None, "2020年10月", "是", "企业原因", "李华"],
    ["/", "豫政土〔2017〕5号", "汽车零部件项目", "石龙区高庄村", "石龙汽配有限公司", 4.0, "工业", "招商引资",
     "2017-05-12", "/", "/", "2017-10-08", "/", "/", "/", "赵强"],
    ["4104022019B00200", "豫政土〔2018〕9号", "电子元件项目", "石龙区工业路20号", "石龙电子有限公司", "0.8公顷", "工业",
     "招商引资", "2018-10-01", "2019-05-10", "出让", "2020-04-01", "2020-05-10", "否", None, "赵强"],
    [None, "豫政土〔2016〕3号", "石龙区污水处理厂", "石龙区河滨路", "石龙区住建局", 1.0, "基础设施", "其他",
     "2016-08-01", None, None, "2017-03-01", None, None, None, "赵强"],
]
AS_OF = "2021-10-01"
FIRST_ROW = 4  # title row 1, 填报单位 row 2, header row 3


def expected_rows() -> dict[int, str]:
    """file row -> the parcel's id, or None."""
    return {FIRST_ROW + k: (p[0] if p[0] not in ("/", None) else None) for k, p in enumerate(PARCELS)}


def write(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(["填报单位：石龙区自然资源局", None, None, None, None, None, None, None, None, None, "填报日期：2021年10月8日"])
    sheet.append(HEADERS)
    for k, cells in enumerate(PARCELS, 1):
        sheet.append([k, *cells])
    total = sum(float(str(p[5]).replace("公顷", "")) for p in PARCELS)
    sheet.append(["合计", None, None, None, None, None, total])
    sheet.append([])
    sheet.append(["填表人：张三", None, None, "审核人：李四", None, None, None, "联系电话：0375-2345678"])
    sheet.append(["制表日期：2021年10月8日"])
    book.save(path)
    return path
