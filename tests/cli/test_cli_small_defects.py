"""Issue 22's small defects of the command line: help texts, the suggestion of `explain`, and
a parcel without id explained by its row."""

from __future__ import annotations

import officer_ledger as O
from conftest import ROOT
from landrules.cli import app
from typer.testing import CliRunner

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_dask_help_keeps_its_extra():
    assert "landrules[dask]" in run("decide", "--help").output


def test_top_level_help_lists_exit_codes():
    out = run("--help").output
    assert "退出码" in out and "0 成功" in out and "2 未完成" in out


def test_explain_suggests_the_id_meant():
    for asked in ("SL-12", "sl-012", "SL-0012"):
        result = run("explain", SAMPLE, "--parcel", asked, "--as-of", "2021-10-01")
        assert result.exit_code == 2
        assert "是否要找 SL-012？" in result.stderr, result.stderr
    far = run("explain", SAMPLE, "--parcel", "XYZ-999", "--as-of", "2021-10-01")
    assert far.exit_code == 2 and "是否要找" not in far.stderr


def test_explain_a_row_without_id_by_its_row(tmp_path):
    ledger = O.write(tmp_path / "l.xlsx")
    result = run("explain", ledger, "--parcel", "第4行", "--as-of", O.AS_OF)
    assert result.exit_code == 0, result.output
    assert "智能装备产业园一期" in result.stdout and "有序消化批而未供土地" in result.stdout


def test_explain_decides_a_month_date_as_decide_does(tmp_path):
    import json

    ledger = O.write(tmp_path / "l.xlsx")
    result = run("explain", ledger, "--parcel", "4104022019B00103", "--as-of", O.AS_OF, "--json")
    decision = json.loads(result.stdout)["decision"]
    assert "idle_fee" not in [o["code"] for o in decision["outcomes"]] and decision["needs"] == ["agreed_start_on"]
