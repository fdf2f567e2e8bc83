"""Issue 23 item 7: `explain` is not silent about a repeated parcel id (decide takes the later rows
as invalid) nor about a parameter applied before its first value takes effect."""

from __future__ import annotations

from typer.testing import CliRunner

from conftest import ROOT
from landrules.cli import app

runner = CliRunner()


def test_explain_names_the_rows_that_repeat_the_id(tmp_path):
    ledger = tmp_path / "dup.csv"
    ledger.write_text("宗地编号,面积（亩）,土地用途\nA,2,工业\nB,3,工业\nA,4,商服\n", encoding="utf-8")
    result = runner.invoke(app, ["explain", str(ledger), "--parcel", "A", "--as-of", "2021-10-01"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.stderr
    assert "宗地编号 A 在台账中再次出现于第4行" in result.stdout
    as_json = runner.invoke(app, ["explain", str(ledger), "--parcel", "A", "--as-of", "2021-10-01", "--json"])
    assert "再次出现于第4行" in as_json.stdout


def test_explain_says_a_parameter_is_used_before_its_first_value(tmp_path):
    sample = ROOT / "examples" / "shilong-ledger.csv"
    early = runner.invoke(app, ["explain", str(sample), "--parcel", "SL-017", "--as-of", "2020-01-01"], env={"COLUMNS": "300"})
    assert early.exit_code == 0, early.stderr
    assert "自 2021-06-22 起才有取值，评估日 2020-01-01 早于此" in early.stdout
    later = runner.invoke(app, ["explain", str(sample), "--parcel", "SL-017", "--as-of", "2021-10-01"], env={"COLUMNS": "300"})
    assert "起才有取值" not in later.stdout
