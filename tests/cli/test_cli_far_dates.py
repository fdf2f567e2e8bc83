"""Issue 23 item 5: `--as-of 9999-12-31` is refused in one line (periods are counted forward from
the evaluation date, up to 200 years), and the last date accepted decides and explains on both
engines (explain used to crash naming a category rule that waits for information)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from landrules.cli import app

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
runner = CliRunner()


@pytest.mark.parametrize("command", ["decide", "explain"])
def test_an_evaluation_date_past_the_last_countable_one_is_one_line(tmp_path, command):
    extra = ["-o", tmp_path / "o.jsonl"] if command == "decide" else ["--parcel", "SL-001"]
    result = runner.invoke(app, [command, str(SAMPLE), "--as-of", "9999-12-31", *map(str, extra)])
    assert result.exit_code == 2
    assert "不晚于 9799-12-31" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("engine", ["durable", "vectorized"])
def test_the_last_countable_date_decides_and_explains(tmp_path, engine):
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["decide", str(SAMPLE), "--as-of", "9799-12-31", "--engine", engine, "-o", str(out)])
    assert result.exit_code in (0, 1) and out.exists(), result.stderr
    explained = runner.invoke(app, ["explain", str(SAMPLE), "--parcel", "SL-001", "--as-of", "9799-12-31"])
    assert explained.exit_code == 0, explained.stderr
    assert "补齐后才能判断是否：闲置" in explained.stdout  # a category rule waiting, named by its category
