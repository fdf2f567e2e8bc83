"""`landrules template` round trip: the template, filled in (with openpyxl as a person types,
and saved again by LibreOffice), decides with no column map and no warning."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from conftest import invoke


def landrules(*args, cwd=None):
    """`landrules ARGS…` in-process, in the folder `cwd` if given."""
    here = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return invoke(*args, columns=100)
    finally:
        os.chdir(here)


ROWS = [
    {"序号": 1, "宗地编号": "4104022018B00101", "坐落": "工业路8号", "面积（亩）": 45, "土地用途": "工业",
     "批准日期": dt.date(2017, 6, 1), "供地日期": dt.date(2018, 1, 5), "供地方式": "出让",
     "约定动工日期": dt.date(2019, 1, 1), "已认定闲置": "是（已下发通知书）", "闲置原因": "企业原因"},
    {"序号": 2, "坐落": "龙兴路北段", "项目名称": "产业园一期", "面积（亩）": 30, "土地用途": "工业", "批准日期": "2019年7月"},
    {"序号": 3, "宗地编号": "0012", "面积（平方米）": 6000, "土地用途": "基础设施", "批准日期": "2016-08-01",
     "开工日期": dt.date(2017, 3, 1), "已开发面积占比": 0.5},
]
EXPECTED = {
    # two full years past the agreed start: 第十四条 graded, recovery without the fee beside it
    "4104022018B00101": {"urge_start_within_deadline", "recover_without_compensation"},
    None: {"digest_unsupplied", "needs_information"},
    "0012": {"allocate_directly"},
}



def warnings(stderr: str) -> list[str]:
    """The 注意 lines, but the one that says which sheet was read (the template's 填表说明 sheet
    is a second visible sheet, and saying which sheet is the ledger is information, not a warning)."""
    return [line for line in stderr.splitlines() if "注意" in line and "可见工作表" not in line]

def fill(template, out):
    book = load_workbook(template)
    sheet = book["台账"]
    columns = {c.value: c.column for c in sheet[3]}
    for k, row in enumerate(ROWS):
        for header, value in row.items():
            sheet.cell(4 + k, columns[header], value)
    sheet.cell(9, 1, "填表人：张三")
    book.save(out)
    return out


def decided(ledger, tmp_path):
    out = tmp_path / f"{ledger.stem}.jsonl"
    done = landrules("decide", ledger, "--as-of", "2021-10-01", "-o", out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return done, {r["parcel_id"]: {o["code"] for o in r["outcomes"]} for r in rows}


def test_the_filled_template_decides_without_warning(tmp_path):
    made = landrules("template", cwd=tmp_path)
    assert made.exit_code == 0, made.stderr
    template = tmp_path / "台账模板.xlsx"
    assert template.exists()
    done, codes = decided(fill(template, tmp_path / "filled.xlsx"), tmp_path)
    assert done.exit_code == 0, done.stderr
    assert not warnings(done.stderr) and "读取 3 宗，已决策 3 宗，无效 0 宗" in done.stderr
    assert codes == EXPECTED
    assert "表尾行 1 行" in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("form", ["ods", "xlsx"])
def test_the_template_saved_by_libreoffice_decides_alike(tmp_path, form):
    assert landrules("template", "-o", tmp_path / "模板.xlsx").exit_code == 0
    (tmp_path / "in").mkdir()
    filled = fill(tmp_path / "模板.xlsx", tmp_path / "in" / "filled.xlsx")
    saved = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", form, "--outdir", str(saved), str(filled)], check=True, timeout=180,
                   capture_output=True)
    done, codes = decided(saved / f"filled.{form}", tmp_path)
    assert done.exit_code == 0, done.stderr
    assert not warnings(done.stderr)
    assert codes == EXPECTED


def test_template_refuses_other_formats(tmp_path):
    done = landrules("template", "-o", tmp_path / "t.csv")
    assert done.exit_code == 2 and "xlsx" in done.stderr
