"""Header recognition, units, placeholders, totals, ratios, content sniffing and sheets (issue 10)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from conftest import AS_OF
from landrules.core import fields
from landrules.ledger.columns.headers import NAMES, SYNONYMS, key, match
from landrules.ledger.columns.synonyms import HEADER_SYNONYMS
from landrules.ledger.read.reader import LedgerError, load_records, read_ledger
from landrules.ledger.validate.spellings import PLACEHOLDERS

SYNONYM_CASES = [(name, header) for name, headers in HEADER_SYNONYMS.items() for header in headers]


def ledger(tmp_path, header: list[str], *rows: list[str], name="l.csv"):
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_no_header_stands_for_two_fields():
    seen: dict[str, str] = {}
    for name, header in SYNONYM_CASES:
        k = key(header)
        assert NAMES.get(k, name) == name, header
        assert seen.setdefault(k, name) == name, header


@pytest.mark.parametrize("name,header", SYNONYM_CASES)
def test_every_synonym_is_read_as_its_field(tmp_path, name, header):
    if name == "parcel_id":
        path = ledger(tmp_path, [header, "面积（亩）"], ["A-1", "3"])
    else:
        path = ledger(tmp_path, ["宗地编号", "面积（亩）", header], ["A-1", "3", ""])
    assert name in read_ledger(path).columns


@pytest.mark.parametrize("header,name", [
    ("面积(亩)", "area_mu"), ("面积 （ 亩 ）", "area_mu"), ("面积【亩】", "area_mu"), ("面积亩", "area_mu"),
    ("用地面积（㎡）", "area_m2"), ("宗地面积(平方米)", "area_m2"), ("面积/m²", "area_m2"), ("土地面积（平米）", "area_m2"),
    ("面积（公顷）", "area_ha"), ("面积(ha)", "area_ha"), ("地块面积（hm²）", "area_ha"),
    ("批准日期（年月日）", "approved_on"), ("批准时间(年月日)", "approved_on"), ("已开发面积占比（%）", "developed_ratio"),
    ("亩均税收(万元/亩)", "tax_per_mu"), ("亩均税收", "tax_per_mu"), ("Parcel ID", "parcel_id"), ("宗地编号/电子监管号", "parcel_id"),
    ("*宗地编号", "parcel_id"), ("用地单位名称：", "holder"), ("面积\n（公顷）", "area_ha"),
])
def test_brackets_spaces_and_units_in_headers(header, name):
    assert match(header).field == name


@pytest.mark.parametrize("header,words", [
    ("面积（顷）", ['列 "面积（顷）"', '不认识的面积单位 "顷"']),
    ("亩均税收（元/亩）", ['列 "亩均税收（元/亩）"', "万元/亩"]),
    ("用地单位/项目名称", ["holder（用地单位）", "project（项目名称）"]),
])
def test_headers_that_cannot_be_read_name_the_column(tmp_path, header, words):
    path = ledger(tmp_path, ["宗地编号", header], ["A", "1"])
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert all(w in str(info.value) for w in words) and "\n" not in str(info.value)


def test_catalogue_name_beats_a_synonym_and_equal_claims_are_an_error(tmp_path):
    df = read_ledger(ledger(tmp_path, ["电子监管号", "宗地编号", "面积（亩）"], ["3301", "SL-1", "2"]))
    assert list(df.columns) == ["电子监管号", "parcel_id", "area_mu"] and df["parcel_id"].tolist() == ["SL-1"]
    assert df.attrs["notices"] == ['列 "电子监管号" 也可对应字段 parcel_id（宗地编号），已采用列 "宗地编号"；列 "电子监管号" 原样保留']
    # two synonyms: the earlier in header_synonyms wins (as the contract lists them), said
    df = read_ledger(ledger(tmp_path, ["宗地号", "电子监管号", "供地时间", "合同签订日期", "面积（亩）"],
                            ["SL-1", "3301", "2019.5.10", "2019.5.11", "2"]))
    assert list(df.columns) == ["宗地号", "parcel_id", "supplied_on", "合同签订日期", "area_mu"]
    assert len(df.attrs["notices"]) == 2 and '已采用列 "电子监管号"' in df.attrs["notices"][0]
    with pytest.raises(LedgerError) as info:
        read_ledger(ledger(tmp_path, ["宗地编号", "面积（公顷）", "面积(公顷)"], ["SL-1", "1", "1"]))
    assert '列 "面积（公顷）" 与列 "面积(公顷)" 都对应字段 area_ha' in str(info.value)


# --- units ----------------------------------------------------------------------------------


def test_hectares_are_converted_exactly_and_noted(tmp_path, rulebook):
    path = ledger(tmp_path, ["宗地编号", "面积（公顷）"], ["A", "1.5"], ["B", "0.2公顷"], ["C", "2"])
    from landrules.decide.find import find_parcel
    from landrules.decide.options import RunOptions

    found = find_parcel(path, "A", RunOptions(rulebook, AS_OF))
    assert found.facts["area_mu"] == 22.5 and found.notes == ["面积由公顷换算为亩（1 公顷 = 15 亩）"]
    assert find_parcel(path, "B", RunOptions(rulebook, AS_OF)).facts["area_mu"] == 3.0
    assert find_parcel(path, "C", RunOptions(rulebook, AS_OF)).facts["area_mu"] == 30.0


@pytest.mark.parametrize("header,cell,mu", [
    ("面积（亩）", "38.2亩", 38.2), ("面积（亩）", "38.2 亩", 38.2), ("面积（平方米）", "2,000㎡", 3.0),
    ("面积（平方米）", "2000平方米", 3.0), ("面积（平方米）", "2000 m2", 3.0), ("面积（公顷）", "1.5公顷", 22.5),
])
def test_a_unit_in_the_cell_matching_its_header(tmp_path, rulebook, header, cell, mu):
    from landrules.decide.find import find_parcel
    from landrules.decide.options import RunOptions

    path = tmp_path / "l.csv"
    path.write_text(f'宗地编号,{header}\nA,"{cell}"\n', encoding="utf-8")
    found = find_parcel(path, "A", RunOptions(rulebook, AS_OF))
    assert found.errors == [] and found.facts["area_mu"] == pytest.approx(mu)


def test_a_unit_in_the_cell_contradicting_its_header_is_an_invalid_row(tmp_path, rulebook):
    from landrules.decide.find import find_parcel
    from landrules.decide.options import RunOptions

    path = ledger(tmp_path, ["宗地编号", "面积（公顷）"], ["A", "38亩"])
    assert find_parcel(path, "A", RunOptions(rulebook, AS_OF)).errors == [
        '第2行 area_ha（面积（公顷））: 单元格 "38亩" 的单位（亩）与表头 "面积（公顷）" 的单位（公顷）不符'
    ]
    path = ledger(tmp_path, ["宗地编号", "面积（亩）", "面积（公顷）"], ["A", "30", "1"])
    assert find_parcel(path, "A", RunOptions(rulebook, AS_OF)).errors == ["第2行 area_mu（面积（亩））: 30 亩与 面积（公顷） 1 公顷（= 15 亩）不一致"]


# --- placeholders, ratios, totals -----------------------------------------------------------


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_placeholders_are_empty_cells(tmp_path, placeholder):
    path = ledger(tmp_path, ["宗地编号", "面积（亩）", "面积（平方米）", "批准日期", "已认定闲置", "土地用途", "已开发面积占比", "坐落"],
                  ["A", "2", placeholder, placeholder, placeholder, placeholder, placeholder, placeholder])
    (record,) = load_records(path)
    assert record.errors == [] and record.parcel.facts() == {"parcel_id": "A", "area_mu": 2.0}


@pytest.mark.parametrize("cell", ["25%", "0.25", "1/4", "25 %", "１/４"])
def test_ratio_spellings(tmp_path, cell):
    (record,) = load_records(ledger(tmp_path, ["宗地编号", "面积（亩）", "已开发面积占比"], ["A", "2", cell]))
    assert record.parcel.developed_ratio == 0.25


@pytest.mark.parametrize("row", [
    ["合计", "", "45"], ["小计", "", "45"], ["总计", "", "45"], ["合 计", "", "45"], ["合计：", "", "45"],
    ["", "合计", "45"], ["", "", "总计"], ["合计", "40宗", "45"], ["", "合计（2宗）", "45"],
])
def test_total_rows_are_not_parcels(tmp_path, row):
    from landrules.ledger.read.reader import open_ledger
    from landrules.ledger.validate.prepare import prepare_chunk

    path = ledger(tmp_path, ["序号", "宗地编号", "面积（亩）"], ["1", "A", "20"], row, ["2", "B", "25"])
    (chunk,) = list(open_ledger(path).chunks)
    prepared = prepare_chunk(chunk.frame, chunk.rows)
    assert prepared.totals == [3] and prepared.parsed.rows == [2, 4]
    assert prepared.parsed.parcel_ids.tolist() == ["A", "B"]


def test_total_word_outside_the_leading_cells_is_data(tmp_path):
    from landrules.ledger.read.reader import open_ledger
    from landrules.ledger.validate.prepare import prepare_chunk

    path = ledger(tmp_path, ["宗地编号", "面积（亩）", "坐落", "备注"], ["A", "2", "x", "合计"])
    (chunk,) = list(open_ledger(path).chunks)
    assert prepare_chunk(chunk.frame, chunk.rows).totals == []


# --- formats and sheets ---------------------------------------------------------------------


def test_content_beats_the_extension(tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text("宗地编号,面积（亩）\nA,2\n", encoding="utf-8")
    df = read_ledger(path)
    assert df["parcel_id"].tolist() == ["A"]
    assert df.attrs["notices"] == ["文件扩展名为 .xls，内容却是文本表格（CSV），已按内容读取"]
    book = openpyxl.Workbook()
    book.active.append(["宗地编号", "面积（亩）"])
    book.active.append(["B", 3])
    book.save(tmp_path / "x.xlsx")
    (tmp_path / "x.xlsx").rename(tmp_path / "x.csv")
    assert read_ledger(tmp_path / "x.csv")["parcel_id"].tolist() == ["B"]


@pytest.mark.parametrize("content,what", [
    (b"%PDF-1.4 ...", "PDF"), (b"<html><table><tr><td>x</td></tr></table></html>", "HTML"),
    (b"\x89PNG\r\n\x1a\n....", "PNG"),
])
def test_a_file_that_is_no_table_is_refused_naming_what_it_is(tmp_path, content, what):
    path = tmp_path / "台账.xls"
    path.write_bytes(content)
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert what in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)


def test_corrupt_ole2_is_refused(tmp_path):
    path = tmp_path / "坏.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(LedgerError, match="不是有效的 Excel 97-2003"):
        read_ledger(path)


def test_xls_cells_and_sheet_detection(tmp_path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("说明").write(0, 0, "说明文字")
    sheet = book.add_sheet("闲置土地")
    for j, h in enumerate(["宗地编号", "面积（亩）", "供地日期", "已认定闲置"]):
        sheet.write(0, j, h)
    sheet.write(1, 0, "X-1")
    sheet.write(1, 1, 12.5)
    sheet.write(1, 2, dt.date(2019, 5, 10), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(1, 3, "是")
    book.save(str(tmp_path / "l.xls"))
    (record,) = load_records(tmp_path / "l.xls")
    assert record.parcel.facts() == {"parcel_id": "X-1", "area_mu": 12.5, "supplied_on": dt.date(2019, 5, 10),
                                     "idle_identified": True}
    assert [r.parcel_id for r in load_records(tmp_path / "l.xls", sheet="闲置土地")] == ["X-1"]


def test_no_sheet_with_an_id_column_lists_the_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.create_sheet("数据").append(["地块", "面积"])
    book.save(tmp_path / "b.xlsx")
    with pytest.raises(LedgerError) as info:
        read_ledger(tmp_path / "b.xlsx")
    assert "现有工作表: 封面, 数据" in str(info.value) and "--sheet" in str(info.value)


def test_every_field_has_a_header_a_person_would_write():
    # areas are named by a word and a unit (AREA_BASES × AREA_UNITS), every other field by synonyms
    # the map's facts (contract §8) come from --parcels, not from a column an officer names
    assert set(HEADER_SYNONYMS) == {f.name for f in fields.FIELDS} - {"area_mu", "area_m2"} - fields.MAP_FIELDS
    assert all(SYNONYMS[key(h)] == n for n, h in SYNONYM_CASES)


def test_the_officers_guide_lists_every_header_and_placeholder():
    from conftest import ROOT

    guide = (ROOT / "docs" / "ledgers.zh.md").read_text(encoding="utf-8")
    missing = [h for _, h in SYNONYM_CASES if h not in guide] + [p for p in PLACEHOLDERS if f"`{p}`" not in guide]
    assert missing == []


@pytest.mark.parametrize("header", ["电子监管号", "地块编号", "宗地号"])
def test_short_gbk_ledger_with_a_published_id_header(tmp_path, header):
    path = tmp_path / "短.csv"
    path.write_bytes(f"{header},用地单位名称,面积（公顷）\n410402-001,平顶山市华瑞实业有限公司,1.5\n".encode("gbk"))
    (record,) = load_records(path)
    assert record.parcel_id == "410402-001" and record.parcel.holder == "平顶山市华瑞实业有限公司"


@pytest.mark.parametrize("header,values,field,why", [
    ("土地用途类别", ["工业"], "land_use", "表头与“土地用途”相近"),
    ("面积", ["3"], "area_mu", "未写明单位"),
    ("批次用地面积（公顷）", ["3"], "area_ha", "表头含“面积”"),
    ("闲置原因说明", ["x"], "idle_cause", "相近"),
    ("类型", ["工业", "住宅", "商服"], "land_use", "取值"),
    ("方式", ["出让", "划拨"], "supply_method", "取值"),
])
def test_lookalike_columns(header, values, field, why):
    import pandas as pd

    from landrules.ledger.columns.lookalike import find

    sample = pd.DataFrame({"parcel_id": ["A"] * len(values), header: values}, dtype=object)
    (found,) = find(["宗地编号", header], ["parcel_id", header], sample)
    assert found.field == field and why in found.reason and f'列 "{header}"' in found.message()


@pytest.mark.parametrize("header,values", [("备注", ["首宗", "无"]), ("序号", ["1", "2"]), ("所在乡镇", ["龙兴街道", "高庄村"])])
def test_ordinary_columns_are_not_lookalikes(header, values):
    import pandas as pd

    from landrules.ledger.columns.lookalike import find

    sample = pd.DataFrame({"parcel_id": ["A", "B"], header: values}, dtype=object)
    assert find(["宗地编号", header], ["parcel_id", header], sample) == []
