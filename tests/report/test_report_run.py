"""`report --run RUN [--since RUN]`: the 季度通报 of a recorded run, from the store alone — the
same bulletin `report LEDGER` makes of that quarter's ledger, without the ledger file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "record"))

from record_helpers import Q1, Q4, counts, run  # noqa: E402


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Two quarters recorded from copies of the sample ledgers, the copies then deleted."""
    folder = tmp_path_factory.mktemp("run-report")
    store = folder / "store.duckdb"
    for ledger, as_of in ((Q4, "2021-10-01"), (Q1, "2022-01-01")):
        copy = folder / ledger.name
        shutil.copy(ledger, copy)
        assert run("decide", copy, "--as-of", as_of, "--record", store=store).exit_code == 1
        copy.unlink()
    return store


def _cells(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.values] for sheet in book.worksheets}


def _without_ledger_name(sheets: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Every cell but the one naming the ledger (the run's adds which record it is)."""
    def clean(value):
        if isinstance(value, str) and Q1.name in value:
            return Q1.name
        return value

    return {name: [tuple(clean(v) for v in row) for row in rows] for name, rows in sheets.items()}


def test_the_run_s_bulletin_is_the_ledger_s(recorded, tmp_path):
    from_run, from_ledger = tmp_path / "按记录.xlsx", tmp_path / "按台账.xlsx"
    result = run("report", "--run", "2022Q1", "--since", "2021Q4", "-o", from_run, store=recorded)
    assert result.exit_code == 1, result.output  # as decide: the quarter has 2 invalid rows
    assert "按记录 #2 2022Q1" in result.stderr and "无效 2 宗" in result.stderr
    made = run("report", Q1, "--as-of", "2022-01-01", "--since", "1", "-o", from_ledger, store=recorded)
    assert made.exit_code == 1, made.output
    a, b = _cells(from_run), _cells(from_ledger)
    assert list(a) == list(b)
    assert _without_ledger_name(a) == _without_ledger_name(b)
    values = [v for row in a["汇总"] for v in row if isinstance(v, str)]
    assert any(v.startswith("本季进展：2021Q4") for v in values)
    assert any("记录 #2 2022Q1" in v for v in values)
    assert counts(recorded)["runs"] == [1, 2]  # read, nothing recorded


def test_a_past_quarter_alone_in_html(recorded, tmp_path):
    out = tmp_path / "通报.html"
    result = run("report", "--run", "1", "-o", out, store=recorded)
    assert result.exit_code == 1, result.output
    html = out.read_text(encoding="utf-8")
    assert "本季进展" not in html  # no --since: no comparison
    assert "2021年10月1日" in html or "2021-10-01" in html  # the run's own evaluation date
    assert "SL-010" in html  # a parcel of the 2021Q4 ledger, gone from 2022Q1's


@pytest.mark.parametrize("extra, named", [
    ([str(Q1)], "LEDGER"), (["--as-of", "2022-01-01"], "--as-of"), (["--record"], "--record"),
    (["--rules", "rules"], "--rules"),
])
def test_run_refuses_what_the_record_already_fixes(recorded, tmp_path, extra, named):
    out = tmp_path / "通报.html"
    result = run("report", *extra, "--run", "2", "-o", out, store=recorded)
    assert result.exit_code == 2
    assert named in result.stderr and "--run" in result.stderr
    assert not out.exists()


def test_a_run_or_a_ledger_is_needed(recorded, tmp_path):
    result = run("report", "-o", tmp_path / "通报.html", store=recorded)
    assert result.exit_code == 2 and "--run" in result.stderr


@pytest.mark.parametrize("args, says", [
    (["--run", "2030Q1"], "2030Q1"),
    (["--run", "2", "--since", "2022Q1"], "同一期"),
    (["--run", "2", "--since", "9"], "9"),
])
def test_unknown_or_same_runs_are_one_line(recorded, tmp_path, args, says):
    out = tmp_path / "通报.xlsx"
    result = run("report", *args, "-o", out, store=recorded)
    assert result.exit_code == 2
    assert says in result.stderr
    assert not out.exists()


def test_no_store_is_one_line(tmp_path):
    out = tmp_path / "通报.xlsx"
    result = run("report", "--run", "1", "-o", out, store=tmp_path / "none.duckdb")
    assert result.exit_code == 2 and "还不存在" in result.stderr
    assert not out.exists() and not (tmp_path / "none.duckdb").exists()
