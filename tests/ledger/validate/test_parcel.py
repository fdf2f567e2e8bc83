"""The parcel model and row validation (contract §3)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from landrules.core import fields
from landrules.ledger.validate.parcel import (
    CellError,
    Parcel,
    ParcelRecord,
    parse_cell,
    validate_rows,
)
from pydantic import ValidationError

D = dt.date


def base(**cells):
    """A minimal valid row, overridden by `cells`."""
    row = {"parcel_id": "SL-001", "area_mu": "10"}
    row.update(cells)
    return row


def one(**cells) -> ParcelRecord:
    (record,) = validate_rows(pd.DataFrame([base(**cells)], dtype=object), "t.csv")
    return record


def error_of(field: str, value) -> str:
    with pytest.raises(CellError) as info:
        parse_cell(field, value)
    return info.value.detail


# --- the model ------------------------------------------------------------------------------


def test_model_has_every_catalogue_field_in_order_all_optional():
    assert list(Parcel.model_fields) == [f.name for f in fields.FIELDS]
    p = Parcel(parcel_id="A", area_mu=1)
    assert all(getattr(p, f.name) is None for f in fields.FIELDS if f.name not in ("parcel_id", "area_mu"))


def test_typed_values_from_raw_spellings():
    p = Parcel(
        parcel_id=" SL-9 ", location="  石龙区产业集聚区龙兴路 ", area_m2="2,000", land_use="工业",
        project_source="investment_attraction", supplied_on="2018年1月5日", idle_identified="是",
        developed_ratio="0.25", output_per_mu=" 1,234.5 ", contract_performance="良好",
    )
    assert p.parcel_id == "SL-9"
    assert p.location == "石龙区产业集聚区龙兴路"
    assert p.area_m2 == 2000.0 and p.area_mu == pytest.approx(3.0)
    assert p.land_use == "industrial"
    assert p.project_source == "investment_attraction"
    assert p.supplied_on == D(2018, 1, 5)
    assert p.idle_identified is True
    assert p.developed_ratio == 0.25
    assert p.output_per_mu == 1234.5
    assert p.contract_performance == "good"


def test_facts_holds_only_known_fields_with_typed_values():
    p = Parcel(parcel_id="SL-1", area_mu="12.5", land_use="商服", approved_on="2019/3/1",
               standard_land="否", holder="", tax_per_mu=float("nan"), supplied_on=pd.NaT)
    assert p.facts() == {
        "parcel_id": "SL-1", "area_mu": 12.5, "land_use": "commercial",
        "approved_on": D(2019, 3, 1), "standard_land": False,
    }


def test_parcel_id_is_required():
    with pytest.raises(ValidationError) as info:
        Parcel(area_mu=1)
    assert "缺失" in str(info.value)
    with pytest.raises(ValidationError):
        Parcel(parcel_id="   ", area_mu=1)


def test_numeric_parcel_id_reads_as_text():
    assert Parcel(parcel_id=1001.0, area_mu=1).parcel_id == "1001"
    assert Parcel(parcel_id=1001, area_mu=1).parcel_id == "1001"


def test_area_mu_derived_from_m2_only_when_missing():
    assert Parcel(parcel_id="A", area_m2=6666.666667).area_mu == pytest.approx(10.0, abs=1e-6)
    assert Parcel(parcel_id="A", area_m2="10,000").area_mu == pytest.approx(15.0)
    both = Parcel(parcel_id="A", area_mu="9", area_m2="10000")
    assert both.area_mu == 9.0 and both.area_m2 == 10000.0


def test_area_required():
    with pytest.raises(ValidationError) as info:
        Parcel(parcel_id="A")
    assert "面积（亩）或面积（平方米）" in str(info.value)


def test_model_reports_bad_cells_in_chinese():
    with pytest.raises(ValidationError) as info:
        Parcel(parcel_id="A", area_mu=1, land_use="林地", supplied_on="2021-02-30", developed_ratio=1.5)
    text = str(info.value)
    assert '无法识别的值 "林地"' in text
    assert '日期无效 "2021-02-30"' in text
    assert "应在 0 到 1 之间，实为 1.5" in text


def test_unknown_field_rejected_by_model():
    with pytest.raises(ValidationError):
        Parcel(parcel_id="A", area_mu=1, colour="red")


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [
    "2018-12-31", "2018/12/31", "2018.12.31", "2018年12月31日", " 2018-12-31 ", "2018 年 12 月 31 日",
    "２０１８－１２－３１", "2018-12-31 00:00:00",
    dt.datetime(2018, 12, 31), dt.datetime(2018, 12, 31, 15, 30), D(2018, 12, 31),
    pd.Timestamp("2018-12-31"), np.datetime64("2018-12-31"),
])
def test_date_spellings(cell):
    assert parse_cell("supplied_on", cell) == D(2018, 12, 31)


@pytest.mark.parametrize("cell", ["2018/1/5", "2018-1-5", "2018.1.5", "2018年1月5日", "2018-01-05", "2018/01/5"])
def test_dates_without_zero_padding(cell):
    assert parse_cell("approved_on", cell) == D(2018, 1, 5)


@pytest.mark.parametrize("cell", ["2021-02-30", "2021/13/01", "2019年2月29日", "2021.04.31", "2021-00-10"])
def test_impossible_date_is_an_error(cell):
    assert error_of("supplied_on", cell) == f'日期无效 "{cell}"'


def test_leap_day_is_a_real_date():
    assert parse_cell("supplied_on", "2020-02-29") == D(2020, 2, 29)


@pytest.mark.parametrize("cell", ["明年", "2018-12/31", "31/12/2018", "20181231", "2018年12", 43465, True])
def test_unrecognised_date_is_an_error(cell):
    assert error_of("supplied_on", cell).startswith("无法识别的日期")


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2099, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_every_written_date_form_reads_the_same(day):
    forms = [
        day.isoformat(), day.strftime("%Y/%m/%d"), day.strftime("%Y.%m.%d"),
        f"{day.year}年{day.month}月{day.day}日", f"{day.year}/{day.month}/{day.day}",
        dt.datetime.combine(day, dt.time()), pd.Timestamp(day),
    ]
    assert {parse_cell("suspended_since", f) for f in forms} == {day}


# --- yes/no ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["是", "Y", "y", "yes", "YES", "Yes", "true", "TRUE", "True", "1", " 是 ", "1.0",
                                  True, 1, 1.0, np.bool_(True), np.int64(1)])
def test_yes_spellings(cell):
    assert parse_cell("idle_identified", cell) is True


@pytest.mark.parametrize("cell", ["否", "N", "n", "no", "NO", "false", "False", "0", "0.0",
                                  False, 0, 0.0, np.bool_(False)])
def test_no_spellings(cell):
    assert parse_cell("recovery_agreed", cell) is False


@pytest.mark.parametrize("cell", ["也许", "2", 2, 0.5, "有"])
def test_bad_yes_no(cell):
    assert error_of("operating_well", cell).startswith(f'无法识别的是/否值 "{cell}"')


# --- vocabularies ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [f for f in fields.FIELDS if f.type is fields.FieldType.ENUM], ids=lambda f: f.name)
def test_enum_accepts_label_and_code(spec):
    for code, label in spec.vocabulary.items():
        assert parse_cell(spec.name, label) == code
        assert parse_cell(spec.name, f" {label} ") == code
        assert parse_cell(spec.name, code) == code
        assert parse_cell(spec.name, code.upper()) == code


def test_land_use_with_yongdi_suffix():
    assert parse_cell("land_use", "工业用地") == "industrial"
    assert parse_cell("land_use", "住宅用地") == "residential"


def test_unknown_enum_message_lists_the_vocabulary():
    assert error_of("land_use", "林地") == '无法识别的值 "林地"，应为 工业/公共服务/基础设施/商服/住宅/其他'
    assert error_of("idle_cause", "资金不足") == (
        '无法识别的值 "资金不足"，应为 政府原因/信访稳定/企业原因/政企互有瑕疵/不可抗力')
    assert error_of("supply_method", 3).startswith('无法识别的值 "3"')


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("cell,value", [
    ("12", 12.0), (" 12.5 ", 12.5), ("1,234.5", 1234.5), ("1 234", 1234.0), ("１２", 12.0),
    (12, 12.0), (12.5, 12.5), (np.float64(3.5), 3.5), (np.int64(7), 7.0), ("0", 0.0),
])
def test_number_spellings(cell, value):
    assert parse_cell("output_per_mu", cell) == value


def test_negative_number_is_an_error():
    assert error_of("tax_per_mu", "-3") == "应不小于 0，实为 -3"
    assert error_of("plot_ratio", -0.5) == "应不小于 0，实为 -0.5"


@pytest.mark.parametrize("field", ["area_mu", "area_m2"])
@pytest.mark.parametrize("cell", ["0", -5, "-1,200"])
def test_area_must_be_positive(field, cell):
    assert error_of(field, cell).startswith("应大于 0，实为")


@pytest.mark.parametrize("cell", ["abc", "12亩", "1.2.3", "nan", "inf", True, [1]])
def test_unreadable_number(cell):
    assert error_of("investment_per_mu", cell).startswith("无法识别的数值")


@pytest.mark.parametrize("cell,value", [("0", 0.0), ("1", 1.0), (0.5, 0.5), ("0.333", 0.333), ("30%", 0.3)])
def test_ratio_inside_bounds(cell, value):
    assert parse_cell("developed_ratio", cell) == pytest.approx(value)


@pytest.mark.parametrize("cell,shown", [("1.5", "1.5"), (1.5, "1.5"), ("-0.1", "-0.1"), (2, "2"), ("150%", "150%")])
def test_ratio_outside_bounds(cell, shown):
    assert error_of("invested_ratio", cell) == f"应在 0 到 1 之间，实为 {shown}"


# --- empty cells ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [None, float("nan"), np.nan, pd.NaT, pd.NA, "", "   ", "\t", np.datetime64("NaT", "D")])
@pytest.mark.parametrize("field", ["holder", "area_m2", "developed_ratio", "supplied_on", "idle_identified", "land_use"])
def test_empty_cells_are_not_known(field, cell):
    assert parse_cell(field, cell) is None


def test_empty_is_never_false_or_zero():
    facts = Parcel(parcel_id="A", area_mu=1, idle_identified="", output_per_mu=None).facts()
    assert "idle_identified" not in facts and "output_per_mu" not in facts


# --- validate_rows --------------------------------------------------------------------------


def test_one_record_per_row_in_order_with_row_numbers():
    df = pd.DataFrame([base(parcel_id=f"SL-{i}") for i in range(1, 6)], dtype=object)
    records = validate_rows(df, "t.csv")
    assert [r.row for r in records] == [2, 3, 4, 5, 6]  # the header is row 1
    assert [r.parcel_id for r in records] == ["SL-1", "SL-2", "SL-3", "SL-4", "SL-5"]
    assert all(r.parcel is not None and r.errors == [] for r in records)


def test_error_messages_name_row_field_and_value():
    rows = [base(parcel_id=f"SL-{i:03d}") for i in range(1, 9)]
    rows[3]["land_use"] = "林地"          # row 5
    rows[5]["supplied_on"] = "2021-02-30"  # row 7
    rows[7]["developed_ratio"] = "1.5"     # row 9
    records = validate_rows(pd.DataFrame(rows, dtype=object), "t.csv")
    assert records[3].errors == ['第5行 land_use（土地用途）: 无法识别的值 "林地"，应为 工业/公共服务/基础设施/商服/住宅/其他']
    assert records[5].errors == ['第7行 supplied_on（供地日期）: 日期无效 "2021-02-30"']
    assert records[7].errors == ["第9行 developed_ratio（已开发面积占比）: 应在 0 到 1 之间，实为 1.5"]
    for i in (3, 5, 7):
        assert records[i].parcel is None
        assert records[i].parcel_id == f"SL-{i + 1:03d}"  # invalid rows keep their id
    assert all(records[i].parcel is not None for i in (0, 1, 2, 4, 6))


def test_one_error_per_bad_field():
    record = one(land_use="林地", supplied_on="2021-02-30", tax_per_mu="-1", operating_well="也许")
    assert record.parcel is None
    assert len(record.errors) == 4
    assert [e.split(" ")[1].split("（")[0] for e in record.errors] == [
        "land_use", "supplied_on", "operating_well", "tax_per_mu"]  # catalogue order
    assert all(e.startswith("第2行 ") for e in record.errors)


def test_duplicate_parcel_id():
    ids = ["SL-001", "SL-002", "SL-003", "SL-004", "SL-005", "SL-006", "SL-007", "SL-008", "SL-009", "SL-010", "SL-003", "SL-003 "]
    records = validate_rows(pd.DataFrame([base(parcel_id=i) for i in ids], dtype=object), "t.csv")
    assert records[2].parcel is not None  # the first occurrence stays valid
    assert records[10].errors == ['第12行 parcel_id（宗地编号）: 重复的宗地编号 "SL-003"（首次出现在第4行）']
    assert records[11].errors == ['第13行 parcel_id（宗地编号）: 重复的宗地编号 "SL-003"（首次出现在第4行）']
    assert records[10].parcel is None and records[10].parcel_id == "SL-003"


def test_a_row_without_id_is_valid_and_no_duplicate_of_another():
    rows = [base(parcel_id="SL-1"), base(parcel_id=None), base(parcel_id="  "), base(parcel_id="/")]
    records = validate_rows(pd.DataFrame(rows, dtype=object), "t.csv")
    assert [r.errors for r in records] == [[], [], [], []]
    assert records[1].parcel is not None and records[1].parcel_id is None
    assert records[3].parcel_id is None


def test_no_parcel_id_column_decides_every_row_by_its_row():
    records = validate_rows(pd.DataFrame([{"area_mu": "1"}], dtype=object), "t.csv")
    assert records[0].errors == [] and records[0].parcel_id is None


def test_area_from_m2_and_area_missing():
    assert one(area_mu=None, area_m2="2,000").parcel.area_mu == pytest.approx(3.0)
    record = one(area_mu=None)
    assert record.errors == ["第2行 area_mu（面积（亩））: 缺失，须填写面积（亩）或面积（平方米）"]
    # a bad area is reported once, not also as missing
    assert one(area_mu="-2").errors == ["第2行 area_mu（面积（亩））: 应大于 0，实为 -2"]
    assert one(area_mu=None, area_m2="0").errors == ["第2行 area_m2（面积（平方米））: 应大于 0，实为 0"]


def test_unknown_columns_carried_through():
    df = pd.DataFrame([base(备注="首行", 联系人="张三"), base(parcel_id="SL-2", 备注=None, 联系人="李四")], dtype=object)
    records = validate_rows(df, "t.csv")
    assert records[0].extra == {"备注": "首行", "联系人": "张三"}
    assert records[1].extra == {"备注": None, "联系人": "李四"}
    assert "备注" not in records[0].parcel.facts()
    assert records[0].raw == {"parcel_id": "SL-001", "area_mu": "10", "备注": "首行", "联系人": "张三"}


def test_raw_uses_original_headers_and_row_numbers_from_attrs():
    df = pd.DataFrame([{"parcel_id": "A", "area_mu": "1", "x": "v"}, {"parcel_id": "B", "area_mu": "2", "x": None}], dtype=object)
    df.attrs["original_headers"] = ["宗地编号", "面积(亩)", "x"]
    df.attrs["row_numbers"] = [3, 7]
    records = validate_rows(df, "t.xlsx")
    assert [r.row for r in records] == [3, 7]
    assert records[0].raw == {"宗地编号": "A", "面积(亩)": "1", "x": "v"}
    assert records[1].extra == {"x": None}


def test_invalid_row_still_carries_raw_and_extra():
    record = one(developed_ratio="1.5", 备注="看这里")
    assert record.parcel is None
    assert record.raw["developed_ratio"] == "1.5" and record.extra == {"备注": "看这里"}


def test_validate_rows_agrees_with_the_model():
    row = base(area_mu=None, area_m2="1,500", land_use="公共服务", approved_on="2017年6月1日",
               construction_started_on=pd.Timestamp("2018-02-03"), filed_with_province="Y",
               output_per_mu=310, developed_ratio="1")
    (record,) = validate_rows(pd.DataFrame([row], dtype=object), "t.csv")
    assert record.parcel == Parcel(**row)
    assert record.parcel.facts() == Parcel(**row).facts()
    assert record.parcel.facts()["area_mu"] == pytest.approx(2.25)


def test_empty_frame():
    assert validate_rows(pd.DataFrame(columns=["parcel_id", "area_mu"]), "t.csv") == []


def test_excel_like_typed_cells():
    row = base(parcel_id=1001.0, area_mu=12.0, supplied_on=dt.datetime(2019, 5, 6), idle_identified=True,
               developed_ratio=float("nan"), holder=None)
    facts = one(**row).parcel.facts()
    assert facts == {"parcel_id": "1001", "area_mu": 12.0, "supplied_on": D(2019, 5, 6), "idle_identified": True}


def test_a_large_ledger_is_validated_whole():
    """Every row of a 5 000-row ledger becomes a parcel (speed is bench/ledger_bench.py's to measure)."""
    n = 5000
    rows = [
        base(parcel_id=f"P{i}", area_mu=f"{10 + i % 97}.5", land_use="工业", supplied_on=f"2019-{i % 12 + 1}-{i % 28 + 1}",
             idle_identified=("是", "否", "")[i % 3], output_per_mu=str(i % 400), developed_ratio="0.5", holder=f"单位{i}")
        for i in range(n)
    ]
    df = pd.DataFrame(rows, dtype=object)
    records = validate_rows(df, "big.csv")
    assert len(records) == n and all(r.parcel is not None for r in records)
    assert math.isclose(records[13].parcel.area_mu, 23.5)


def test_model_errors_in_ledger_wording():
    from landrules.ledger.validate.parcel import error_messages

    with pytest.raises(ValidationError) as info:
        Parcel(parcel_id="A", area_mu="-1", land_use="林地")
    assert error_messages(info.value, 5) == [
        "第5行 area_mu（面积（亩））: 应大于 0，实为 -1",
        '第5行 land_use（土地用途）: 无法识别的值 "林地"，应为 工业/公共服务/基础设施/商服/住宅/其他',
    ]
    with pytest.raises(ValidationError) as info:
        Parcel(parcel_id="A")
    assert error_messages(info.value, 3) == ["第3行 area_mu（面积（亩））: 缺失，须填写面积（亩）或面积（平方米）"]


def test_records_from_dicts():
    from landrules.ledger.validate.parcel import records_from_dicts

    records = records_from_dicts([{"parcel_id": "A", "area_mu": 1}, {"parcel_id": "A", "area_mu": 2}])
    assert records[0].parcel.area_mu == 1.0
    assert records[1].errors == ['第3行 parcel_id（宗地编号）: 重复的宗地编号 "A"（首次出现在第2行）']
