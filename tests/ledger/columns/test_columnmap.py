"""The column map (`--columns`, contract §3 "Real ledgers"): good maps and bad ones."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, RUNNER as runner
from landrules.cli import app
from landrules.ledger.columns.column_map import ColumnMapError, load_column_map
from landrules.ledger.read.reader import read_ledger

EXAMPLES = ROOT / "examples"


def write(tmp_path, text, name="map.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_names_and_chinese_headers_and_null_and_values(tmp_path):
    cmap = load_column_map(write(tmp_path, "columns:\n  地块代号: parcel_id\n  现状: 土地利用现状未改变\n  电子监管号: null\n"
                                           "values:\n  land_use: {工矿仓储用地: industrial, 城镇住宅: 住宅}\n"
                                           "  是否闲置: {已认定: true, 未认定: 否}\n"))
    assert cmap.columns == {"地块代号": "parcel_id", "现状": "land_status_unchanged", "电子监管号": None}
    assert cmap.values == {"land_use": {"工矿仓储用地": "industrial", "城镇住宅": "residential"},
                           "idle_identified": {"已认定": "是", "未认定": "否"}}


def test_a_mapped_header_beats_a_synonym_and_null_keeps_a_column_out(tmp_path):
    ledger = write(tmp_path, "地块代号,电子监管号,宗地号,面积（亩）\nA,1,x,2\n", "l.csv")
    cmap = load_column_map(write(tmp_path, "columns:\n  地块代号: parcel_id\n  电子监管号: null\n"))
    df = read_ledger(ledger, resolver=cmap.resolver())
    assert list(df.columns) == ["parcel_id", "电子监管号", "宗地号", "area_mu"]
    assert df.attrs["notices"] == ['列 "宗地号" 也可对应字段 parcel_id（宗地编号），已采用列 "地块代号"；列 "宗地号" 原样保留']


def test_a_mapped_header_missing_from_the_ledger_is_said(tmp_path):
    ledger = write(tmp_path, "宗地编号,面积（亩）\nA,2\n", "l.csv")
    cmap = load_column_map(write(tmp_path, "columns:\n  现状: land_status_unchanged\n"))
    assert read_ledger(ledger, resolver=cmap.resolver()).attrs["notices"] == [
        f'列对照表（{tmp_path / "map.yaml"}）中的列 "现状" 不在台账中']


@pytest.mark.parametrize("text,line,words", [
    ("columns:\n  用途类别: lnad_use\n", 2, ['没有字段 "lnad_use"', "是否想写 land_use"]),
    ("columns:\n  a: land_use\n  b: 土地用途\n", 3, ['列 "a" 与列 "b" 都映射到字段 land_use']),
    ("column:\n  a: land_use\n", 1, ["未知的一节 'column'", "是否想写 columns"]),
    ("columns:\n  a: land_use\nvalues:\n  land_use:\n    工矿: industral\n", 5, ["没有取值 'industral'", "是否想写 industrial"]),
    ("values:\n  approved_on: {去年: x}\n", 2, ["只有取值有限的字段"]),
    ("values:\n  idle_identified: {已认定: 也许}\n", 2, ["应为 是 或 否"]),
    ("columns: [a, b]\n", 1, ["columns 应为"]),
    ("columns:\n  a: land_use\n  a: holder\n", 3, ["duplicate key"]),
    ("columns:\n  a: [x\n", 3, ["YAML"]),
    ("", 1, ["列对照表为空"]),
    ("columns:\n  x: land_use\n  批次用地面积（公顷）: area_mu\n", 3, ["单位是公顷", "应写 area_ha"]),
])
def test_bad_maps_name_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(ColumnMapError) as info:
        load_column_map(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert all(w in message for w in words), message


def test_cli_bad_map_is_one_line_exit_2(tmp_path):
    path = write(tmp_path, "columns:\n  用途类别: lnad_use\n")
    for command in (["decide", EXAMPLES / "shilong-ledger.csv"], ["explain", EXAMPLES / "shilong-ledger.csv", "--parcel", "SL-001"]):
        result = runner.invoke(app, [str(a) for a in command] + ["--columns", str(path)])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert f"{path}:2:" in result.stderr and "land_use" in result.stderr
    missing = runner.invoke(app, ["decide", str(EXAMPLES / "shilong-ledger.csv"), "--columns", str(tmp_path / "无.yaml")])
    assert missing.exit_code == 2 and "列对照表文件不存在" in missing.stderr


def test_the_shipped_example_map_and_ledger():
    result = runner.invoke(app, ["decide", str(EXAMPLES / "unsupplied-ledger.csv"), "--as-of", "2021-10-01",
                                 "--columns", str(EXAMPLES / "unsupplied-columns.yaml")])
    assert result.exit_code == 0, result.output
    decisions = {d["parcel_id"]: d for d in map(json.loads, result.stdout.splitlines())}
    codes = {pid: [o["code"] for o in d["outcomes"]] for pid, d in decisions.items()}
    assert codes == {
        "PW-2015-03-1": ["clear_approval"],  # clearing replaces digesting (contract §5 Revised, wave 3)
        "PW-2016-01-2": ["clear_approval"],
        "PW-2019-02-1": ["digest_unsupplied"],
        "PW-2017-05-4": ["needs_information", "needs_information"],  # regularise and digest both wait (contract §5 Revised)
        "PW-2018-02-2": ["allocate_directly"],
    }
    assert "合计行 1 行（未计入）: 第 8 行" in result.stderr
    assert '可能是' not in result.stderr  # every column is recognised or declared by the map
    without = runner.invoke(app, ["decide", str(EXAMPLES / "unsupplied-ledger.csv"), "--as-of", "2021-10-01"])
    assert '列 "未供面积（公顷）"' in without.stderr and '列 "现状"' in without.stderr


def test_a_map_saved_as_gbk_or_with_bom(tmp_path):
    text = "columns:\n  现状: 土地利用现状未改变\n"
    for name, data in (("gbk.yaml", text.encode("gbk")), ("bom.yaml", b"\xef\xbb\xbf" + text.encode("utf-8"))):
        path = tmp_path / name
        path.write_bytes(data)
        assert load_column_map(path).columns == {"现状": "land_status_unchanged"}
