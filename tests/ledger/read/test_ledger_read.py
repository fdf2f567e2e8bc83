"""Reading ledgers (contract §3): encodings, formats, headers, unreadable files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from landrules.core import fields
from landrules.ledger.read.reader import LedgerError, load_records, read_ledger

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "examples" / "shilong-ledger.csv"

# A small ledger: Chinese headers (one with ASCII parentheses, one English), an unknown column.
HEADERS = ["宗地编号", "用地单位", "面积(亩)", "面积（平方米）", "土地用途", "供地日期", "已认定闲置",
           "已开发面积占比", "亩均产出（万元/亩）", "approved_on", "备注"]
ROWS = [
    ["SL-001", "平顶山市华瑞实业有限公司", "12.5", "", "工业", "2018-12-31", "是", "0.2", "1,250", "2018/3/1", "首宗"],
    ["SL-002", "平顶山市龙腾新材料有限公司", "", "2000", "商服", "2019年1月5日", "否", "", "", "", ""],
    ["SL-003", "", "7", "", "林地", "2020.2.30", "", "1.5", "-3", "", "NA"],
]
EXPECTED_FACTS = [
    {"parcel_id": "SL-001", "holder": "平顶山市华瑞实业有限公司", "area_mu": 12.5, "land_use": "industrial",
     "supplied_on": dt.date(2018, 12, 31), "idle_identified": True, "developed_ratio": 0.2,
     "output_per_mu": 1250.0, "approved_on": dt.date(2018, 3, 1)},
    {"parcel_id": "SL-002", "holder": "平顶山市龙腾新材料有限公司", "area_mu": 3.0, "area_m2": 2000.0,
     "land_use": "commercial", "supplied_on": dt.date(2019, 1, 5), "idle_identified": False},
]
EXPECTED_ERRORS = [
    '第4行 land_use（土地用途）: 无法识别的值 "林地"，应为 工业/公共服务/基础设施/商服/住宅/其他',
    '第4行 supplied_on（供地日期）: 日期无效 "2020.2.30"',
    "第4行 developed_ratio（已开发面积占比）: 应在 0 到 1 之间，实为 1.5",
    "第4行 output_per_mu（亩均产出（万元/亩））: 应不小于 0，实为 -3",
]


def csv_text(headers=HEADERS, rows=ROWS) -> str:
    lines = [",".join(headers)] + [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def write_csv(path: Path, encoding: str) -> Path:
    path.write_bytes(csv_text().encode(encoding))
    return path


def write_xlsx(path: Path) -> Path:
    """The same ledger as Excel would hold it: numbers as numbers, a real date cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(HEADERS)
    sheet.append(["SL-001", "平顶山市华瑞实业有限公司", 12.5, None, "工业", dt.datetime(2018, 12, 31), "是", 0.2, 1250,
                  dt.date(2018, 3, 1), "首宗"])
    sheet.append(["SL-002", "平顶山市龙腾新材料有限公司", None, 2000, "商服", "2019年1月5日", False, None, None, None, None])
    sheet.append(["SL-003", None, 7, None, "林地", "2020.2.30", None, 1.5, -3, None, "NA"])
    sheet["F2"].number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def write_parquet(path: Path) -> Path:
    frame = pd.DataFrame({
        "宗地编号": ["SL-001", "SL-002", "SL-003"],
        "用地单位": ["平顶山市华瑞实业有限公司", "平顶山市龙腾新材料有限公司", None],
        "面积(亩)": [12.5, None, 7.0],
        "面积（平方米）": [None, 2000.0, None],
        "土地用途": ["工业", "商服", "林地"],
        "供地日期": ["2018-12-31", "2019年1月5日", "2020.2.30"],
        "已认定闲置": ["是", "否", None],
        "已开发面积占比": [0.2, None, 1.5],
        "亩均产出（万元/亩）": [1250.0, None, -3.0],
        "approved_on": pd.to_datetime(["2018-03-01", None, None]),
        "备注": ["首宗", None, "NA"],
    })
    frame.to_parquet(path)
    return path


WRITERS = {
    "utf-8.csv": lambda p: write_csv(p, "utf-8"),
    "utf-8-bom.csv": lambda p: write_csv(p, "utf-8-sig"),
    "gb18030.csv": lambda p: write_csv(p, "gb18030"),
    "gbk.txt": lambda p: write_csv(p, "gbk"),
    "ledger.xlsx": write_xlsx,
    "ledger.parquet": write_parquet,
}


def summary(records):
    return [(r.row, r.parcel_id, r.parcel.facts() if r.parcel else None, r.errors, r.extra) for r in records]


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_format_and_encoding_gives_the_same_records(tmp_path, name):
    path = WRITERS[name](tmp_path / name)
    records = load_records(path)
    assert [r.row for r in records] == [2, 3, 4]
    assert [r.parcel_id for r in records] == ["SL-001", "SL-002", "SL-003"]
    assert records[0].parcel.facts() == EXPECTED_FACTS[0]
    assert records[1].parcel.facts() == EXPECTED_FACTS[1]
    assert records[2].parcel is None
    assert records[2].errors == EXPECTED_ERRORS
    assert [r.extra for r in records] == [{"备注": "首宗"}, {"备注": None}, {"备注": "NA"}]  # "NA" is text
    assert list(records[0].raw) == HEADERS


def test_all_formats_agree_with_each_other(tmp_path):
    results = [summary(load_records(write(tmp_path / name))) for name, write in WRITERS.items()]
    assert all(r == results[0] for r in results[1:])


def test_csv_cells_stay_text_and_empty_cells_become_none(tmp_path):
    df = read_ledger(write_csv(tmp_path / "l.csv", "utf-8"))
    assert list(df.columns) == ["parcel_id", "holder", "area_mu", "area_m2", "land_use", "supplied_on",
                                "idle_identified", "developed_ratio", "output_per_mu", "approved_on", "备注"]
    assert df.attrs["original_headers"] == HEADERS
    assert df.attrs["header_map"]["面积(亩)"] == "area_mu"
    assert df.loc[0, "area_mu"] == "12.5" and df.loc[0, "output_per_mu"] == "1,250"
    assert df.loc[1, "area_mu"] is None
    assert df.loc[2, "备注"] == "NA"


def test_xlsx_keeps_date_cells_as_datetimes(tmp_path):
    df = read_ledger(write_xlsx(tmp_path / "l.xlsx"))
    assert isinstance(df.loc[0, "supplied_on"], dt.datetime)
    assert df.loc[0, "supplied_on"].date() == dt.date(2018, 12, 31)
    assert df.loc[1, "supplied_on"] == "2019年1月5日"
    assert df.loc[0, "area_mu"] == 12.5


def test_short_gbk_file_is_not_mistaken_for_another_encoding(tmp_path):
    # charset-normalizer alone guesses cp949 / big5 for short Chinese texts like these
    for text in ["宗地编号,面积（亩）\nA,1\n", "宗地编号,面积（亩）,土地用途\nSL-001,12.5,工业\n"]:
        path = tmp_path / "short.csv"
        path.write_bytes(text.encode("gbk"))
        records = load_records(path)
        assert records[0].parcel is not None
        assert read_ledger(path).attrs["original_headers"][:2] == ["宗地编号", "面积（亩）"]


def test_english_headers_and_header_whitespace(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text("\ufeff parcel_id , Area_MU ,面积 （平方米）,land use,Notes\nX-1,3,,industrial,n\n", encoding="utf-8")
    df = read_ledger(path)
    assert list(df.columns) == ["parcel_id", "area_mu", "area_m2", "land_use", "Notes"]
    (record,) = load_records(path)
    assert record.parcel.facts() == {"parcel_id": "X-1", "area_mu": 3.0, "land_use": "industrial"}
    assert record.extra == {"Notes": "n"}


def test_every_catalogue_header_is_recognised(tmp_path):
    path = tmp_path / "all.csv"
    path.write_text(",".join(f.zh for f in fields.FIELDS) + "\n", encoding="utf-8")
    assert list(read_ledger(path).columns) == [f.name for f in fields.FIELDS]
    path.write_text(",".join(f.zh.replace("（", "(").replace("）", ")") for f in fields.FIELDS) + "\n", encoding="utf-8")
    assert list(read_ledger(path).columns) == [f.name for f in fields.FIELDS]
    path.write_text(",".join(f.name for f in fields.FIELDS) + "\n", encoding="utf-8")
    assert list(read_ledger(path).columns) == [f.name for f in fields.FIELDS]


def test_header_only_file_is_an_empty_ledger(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("宗地编号,面积（亩）,备注\n", encoding="utf-8-sig")
    df = read_ledger(path)
    assert df.empty and list(df.columns) == ["parcel_id", "area_mu", "备注"]
    assert load_records(path) == []


def test_header_only_xlsx(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["宗地编号", "面积（亩）"])
    book.save(tmp_path / "h.xlsx")
    df = read_ledger(tmp_path / "h.xlsx")
    assert df.empty and list(df.columns) == ["parcel_id", "area_mu"]


def test_missing_parcel_id_column(tmp_path):
    path = tmp_path / "noid.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert "台账缺少 parcel_id（宗地编号）列；找到的列: a, b, c" in str(info.value)
    assert str(path) in str(info.value)


def test_two_columns_for_one_field(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("宗地编号,面积（亩）,area_mu\nA,1,1\n", encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert '"面积（亩）"' in str(info.value) and '"area_mu"' in str(info.value)
    assert "area_mu（面积（亩））" in str(info.value)


def test_duplicate_unknown_headers_are_kept_apart(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("宗地编号,面积（亩）,备注,备注\nA,1,x,y\n", encoding="utf-8")
    (record,) = load_records(path)
    assert record.extra == {"备注": "x", "备注.1": "y"}


def test_blank_rows_and_empty_columns_are_skipped_keeping_row_numbers(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("宗地编号,面积（亩）,,\nA,1,,\n\n,,,\nB,2,,\n,,,\n", encoding="utf-8")
    df = read_ledger(path)
    assert list(df.columns) == ["parcel_id", "area_mu"]
    records = load_records(path)
    assert [(r.row, r.parcel_id) for r in records] == [(2, "A"), (5, "B")]


def test_rows_of_spaces_only_are_blank_keeping_row_numbers(tmp_path):
    """A row whose cells hold nothing but spaces (a full-width one too) is blank like an empty one;
    the rows around it keep their numbers, and a row with spaces beside a real cell is kept."""
    path = tmp_path / "spaces.csv"
    path.write_text("宗地编号,面积（亩）,土地用途\nA,1,工业\n  ,\u3000,\n \t,,\nB,2, \n", encoding="utf-8")
    assert read_ledger(path).attrs["row_numbers"] == [2, 5]
    assert [(r.row, r.parcel_id) for r in load_records(path)] == [(2, "A"), (5, "B")]


def test_title_row_above_the_header(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["石龙区闲置土地台账（2021年）"])
    sheet.append(["宗地编号", "面积（亩）", "土地用途"])
    sheet.append(["SL-1", 3, "工业"])
    sheet.append(["SL-2", 4, "林地"])
    book.save(tmp_path / "title.xlsx")
    records = load_records(tmp_path / "title.xlsx")
    assert [r.row for r in records] == [3, 4]  # as the spreadsheet shows them
    assert records[1].errors[0].startswith("第4行 land_use（土地用途）")


def test_xlsx_sheet_choice(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本台账说明"])
    second = book.create_sheet("台账")
    second.append(["宗地编号", "面积（亩）"])
    second.append(["SL-9", 5])
    path = tmp_path / "two.xlsx"
    book.save(path)
    # issue 10: the first sheet has no 宗地编号 column, so the sheet whose header has one is read
    df = read_ledger(path)
    assert df["parcel_id"].tolist() == ["SL-9"]
    assert df.attrs["notices"] == ['活动工作表 "说明" 无parcel_id（宗地编号）列，已读取工作表 "台账"']
    assert [r.parcel_id for r in load_records(path, sheet="台账")] == ["SL-9"]
    assert [r.parcel_id for r in load_records(path, sheet=1)] == ["SL-9"]
    with pytest.raises(LedgerError) as info:
        read_ledger(path, sheet="第三页")
    assert '找不到工作表 "第三页"' in str(info.value) and "说明, 台账" in str(info.value)


def test_tab_separated_txt(tmp_path):
    path = tmp_path / "ledger.txt"
    path.write_text("宗地编号\t面积（亩）\t备注\nSL-1\t2\t说明, 含逗号\n", encoding="utf-8")
    (record,) = load_records(path)
    assert record.parcel.area_mu == 2.0 and record.extra == {"备注": "说明, 含逗号"}


def test_chinese_and_spaces_in_path(tmp_path):
    folder = tmp_path / "石龙区 台账" / "2021 年"
    folder.mkdir(parents=True)
    for name in ("闲置 土地.csv", "闲置 土地.xlsx", "闲置 土地.parquet"):
        writer = WRITERS["utf-8.csv" if name.endswith(".csv") else "ledger" + Path(name).suffix]
        records = load_records(writer(folder / name))
        assert [r.parcel_id for r in records] == ["SL-001", "SL-002", "SL-003"]


# --- unreadable ledgers ---------------------------------------------------------------------


def one_line(exc: LedgerError) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_missing_file(tmp_path):
    path = tmp_path / "不存在 的台账.csv"
    with pytest.raises(LedgerError) as info:
        load_records(path)
    assert one_line(info) == f'无法读取台账 "{path}": 文件不存在'


@pytest.mark.parametrize("name", ["ledger.json", "ledger"])  # issue 10: .xls/.ods are read now
def test_unsupported_extension(tmp_path, name):
    path = tmp_path / name
    path.write_text("宗地编号\nA\n", encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert "不支持的文件类型" in one_line(info)


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx", "empty.parquet", "blank.txt"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\n\n" if name == "blank.txt" else b"")
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert "文件为空" in one_line(info)


def test_bom_only_csv_is_empty(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(LedgerError, match="文件为空"):
        read_ledger(path)


@pytest.mark.parametrize("name", ["corrupt.xlsx", "corrupt.xlsm", "corrupt.parquet"])
def test_corrupt_binary_files(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 this is not really a workbook \x00\x01\x02" * 10)
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    text = one_line(info)
    assert str(path) in text and ("XLSX" in text or "Parquet" in text)


def test_ragged_csv_is_an_error(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("宗地编号,面积（亩）\nA,1\nB,2,3,4\n", encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        read_ledger(path)
    assert "CSV 格式错误" in one_line(info)


def test_directory_is_not_a_ledger(tmp_path):
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(LedgerError, match="不是文件"):
        read_ledger(folder)


# --- the bundled sample -----------------------------------------------------------------------


def test_bundled_sample_ledger():
    df = read_ledger(SAMPLE)
    # the sample has no 土地价款 (wave 3) column, and the map's facts come from --parcels
    shown = [f for f in fields.FIELDS if f.name != "land_price" and f.name not in fields.MAP_FIELDS]
    assert list(df.columns) == [f.name for f in shown] + ["备注"]
    assert df.attrs["original_headers"] == [f.zh for f in shown] + ["备注"]
    records = load_records(SAMPLE)
    assert [r.parcel_id for r in records] == [f"SL-{i:03d}" for i in range(1, 41)]
    assert [r.row for r in records] == list(range(2, 42))
    invalid = {r.parcel_id: r.errors for r in records if r.parcel is None}
    assert invalid == {
        "SL-038": ['第39行 land_use（土地用途）: 无法识别的值 "林地"，应为 工业/公共服务/基础设施/商服/住宅/其他'],
        "SL-039": ["第40行 developed_ratio（已开发面积占比）: 应在 0 到 1 之间，实为 1.5"],
    }
    assert all(r.extra["备注"] for r in records)
    by_id = {r.parcel_id: r.parcel for r in records}
    assert by_id["SL-005"].area_mu == pytest.approx(50.1)  # from 33,400 m²
    assert by_id["SL-012"].operating_well is None  # an empty condition cell stays unknown


# --- review fixes: locale date formats, late encoding changes, short title rows ---------------


def _with_builtin_number_format(path: Path, format_id: int) -> None:
    """Rewrite an openpyxl workbook so its custom date format becomes Excel built-in `format_id`
    (what Chinese Excel writes for 2018年12月31日-style cells)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    styles = parts["xl/styles.xml"].decode()
    custom = re.search(r'<numFmt numFmtId="(\d+)"[^>]*/>', styles)
    styles = styles.replace(custom.group(0), "").replace(f'numFmtId="{custom.group(1)}"', f'numFmtId="{format_id}"')
    parts["xl/styles.xml"] = styles.encode()
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


@pytest.mark.parametrize("format_id", [27, 31, 36, 57, 58])
def test_xlsx_chinese_locale_date_formats_are_dates(tmp_path, format_id):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["宗地编号", "面积（亩）", "供地日期"])
    sheet.append(["SL-1", 3, dt.datetime(2019, 6, 1)])
    sheet["C2"].number_format = 'yyyy"年"m"月"d"日"'
    path = tmp_path / "zh.xlsx"
    book.save(path)
    _with_builtin_number_format(path, format_id)
    (record,) = load_records(path)
    assert record.errors == [] and record.parcel.supplied_on == dt.date(2019, 6, 1)


@pytest.mark.slow
def test_csv_utf8_at_first_and_gb18030_later_is_read_as_gb18030(tmp_path):
    path = tmp_path / "late.csv"
    filler = "".join(f"P{i:06d},1\r\n" for i in range(120_000))  # ASCII: > 1 MiB, valid in both
    path.write_bytes(("parcel_id,area_mu,land_use\r\n" + filler.replace(",1\r\n", ",1,\r\n") + "Z,2,工业\r\n").encode("gb18030"))
    records = load_records(path)
    assert len(records) == 120_001
    assert records[-1].parcel.land_use == "industrial"


def test_csv_title_row_with_fewer_fields_than_the_header(tmp_path):
    path = tmp_path / "title.csv"
    path.write_text("石龙区闲置土地台账（2021年）\n宗地编号,面积（亩）,土地用途\nSL-1,3,工业\n", encoding="utf-8")
    (record,) = load_records(path)
    assert record.row == 3 and record.parcel.land_use == "industrial"
