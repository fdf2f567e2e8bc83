"""What an officer's trial run found: a county ledger (公顷, 合计 row, two id columns) through
diff, the workbook's lists and report; a full-width colon in a rules file."""

from __future__ import annotations

import shutil

import openpyxl
from conftest import POLICY, RULES, invoke

LEDGER = (
    "石龙区批而未供土地台账（2021年）\n"
    "序号,电子监管号,宗地号,土地使用权人,规划用途,批准时间,供地时间,面积（公顷）\n"
    "1,E-1,Z-1,/,工业,2016.3.1,/,1.5\n"
    "2,E-2,Z-2,某公司,工业,2017.5.10,/,2\n"
    "合计,,,,,,,3.5\n"
)


def run(*args):
    return invoke(*args, env={"LANDRULES_LANG": "zh"})


def county(tmp_path):
    path = tmp_path / "county.csv"
    path.write_text(LEDGER, encoding="gb18030")
    return path


def test_diff_reads_hectares_as_decide_does(tmp_path):
    same = tmp_path / "same"
    shutil.copytree(RULES, same)
    result = run("diff", county(tmp_path), "--against", same, "--as-of", "2021-10-01")
    assert result.exit_code == 0, result.stderr  # compared (not "nothing to compare"), nothing changed
    assert "比较 2 宗" in result.stderr


def test_the_lists_carry_the_area_in_mu_from_hectares(tmp_path):
    out = tmp_path / "d.xlsx"
    assert run("decide", county(tmp_path), "--as-of", "2021-10-01", "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    for name in ("一宗一策", "公布清单"):
        rows = list(book[name].values)
        column = rows[0].index("面积（亩）")
        parcels = [r for r in rows[1:] if r[1] in ("E-1", "E-2")]  # the notes below the list aside
        assert [r[column] for r in parcels] == [22.5, 30], name  # 1.5 and 2 公顷 × 15
    decided = list(book["决策"].values)
    assert all(isinstance(r[decided[0].index("面积（公顷）")], (int, float)) for r in decided[1:])  # numbers, not text


def test_a_known_header_that_lost_its_field_is_not_also_a_look_alike(tmp_path):
    result = run("decide", county(tmp_path), "--as-of", "2021-10-01", "-o", tmp_path / "d.csv")
    lines = [line for line in result.stderr.splitlines() if "宗地号" in line and "注意" in line]
    assert len(lines) == 1 and "已采用列" in lines[0]  # one notice, not a contradicting look-alike warning
    # and the column listing before deciding names it among the columns left unused
    assert any(line.startswith("未使用的列") and "宗地号" in line for line in result.stderr.splitlines())


def test_report_says_what_reading_set_aside(tmp_path):
    out = tmp_path / "r.html"
    result = run("report", county(tmp_path), "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "合计行 1 行（未计入）" in out.read_text(encoding="utf-8")
    assert result.stderr.splitlines()[0] == "评估日 2021-10-01"


def test_a_full_width_colon_is_one_chinese_message_naming_it(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    text = (rules / "parameters.yaml").read_text(encoding="utf-8")
    (rules / "parameters.yaml").write_text(text.replace("unit: ", "unit： ", 1), encoding="utf-8")
    result = run("lint", "--rules", rules, "--policy", POLICY)
    assert result.exit_code == 1
    problems = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(problems) == 1 and "全角冒号" in problems[0] and problems[0].startswith(f"{rules / 'parameters.yaml'}:")
