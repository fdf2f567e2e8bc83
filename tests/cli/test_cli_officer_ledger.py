"""`landrules decide` on issue 22's officer ledger: before deciding it says, in Chinese and
within 100 columns, which columns it recognised and which it leaves unused (the unknown 联络员
among them) and which rows have no id; after deciding, the first invalid rows and why."""

from __future__ import annotations

import officer_ledger as O
from conftest import invoke
from landrules.cli.layout import width


def decide(*args, columns=100):
    return invoke("decide", *args, columns=columns)


def test_the_command_line_says_what_it_understood(tmp_path):
    ledger = O.write(tmp_path / "台账.xlsx")
    done = decide(ledger, "--as-of", O.AS_OF, "-o", tmp_path / "d.xlsx")
    assert done.exit_code == 0, done.stderr
    err = done.stderr
    before = err[: err.index("读取 8 宗")]  # all said before the summary of the decisions
    assert "识别的列（14）：电子监管号→宗地编号" in before
    assert "未使用的列（3，照原样写入输出）：序号、批准文号、联络员" in before
    assert "无宗地编号的行（4，按行号标识，照常决策）：第4行、第5行、第9行、第11行" in before
    assert "台账没有规则所需的 19 个字段的列" in before
    after = err[err.index("读取 8 宗"):]
    assert "读取 8 宗，已决策 8 宗，无效 0 宗" in after
    assert "无宗地编号 4 行（按行号标识，照常决策）: 第 4、5、9、11 行" in after
    assert "合计行 1 行（未计入）: 第 12 行；表尾行 2 行（填表人、审核人等，未计入）: 第 14、15 行" in after
    assert "缺列字段 已报省厅备案: 1 宗决策需要它" in after
    assert max(width(line) for line in err.splitlines()) <= 100, err


def test_invalid_rows_are_listed_with_their_reasons(tmp_path):
    ledger = tmp_path / "l.csv"
    rows = "".join(f"A{i},3,{'林地' if i % 2 else '工业'}\n" for i in range(12))
    ledger.write_text("宗地编号,面积（亩）,土地用途\n" + rows, encoding="utf-8")
    short = decide(ledger, "--as-of", O.AS_OF, "-o", tmp_path / "d.csv")
    assert short.exit_code == 1
    assert "无效 6 宗（记录无效，未决策），原因：" in short.stderr
    assert short.stderr.count('无法识别的值 "林地"') == 5 and "另有 1 宗无效（用 --verbose 显示全部）" in short.stderr
    full = decide(ledger, "--as-of", O.AS_OF, "-o", tmp_path / "d.csv", "--verbose")
    assert full.stderr.count('无法识别的值 "林地"') == 6 and "另有" not in full.stderr
