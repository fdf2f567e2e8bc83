"""`report LEDGER --since RUN`: the bulletin's 本季进展 shows what `progress` shows."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "record"))

from record_helpers import Q1, Q4, counts, run  # noqa: E402


def test_the_bulletin_gains_this_quarter_s_progress(tmp_path):
    store = tmp_path / "store.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store).exit_code == 1
    out = tmp_path / "通报.html"
    result = run("report", Q1, "--as-of", "2022-01-01", "--since", "2021Q4", "-o", out, store=store)
    assert result.exit_code == 1, result.output
    html = out.read_text(encoding="utf-8")
    assert "<h2>本季进展</h2>" in html
    section = html[html.index("<h2>本季进展</h2>"):]
    for label, parcels in (("移出", 1), ("新增", 1), ("销号", 6), ("措施变化", 1), ("新逾期", 3), ("未变", 29)):
        assert f"<td>{label}</td><td class=\"num\">{parcels}</td>" in section, label
    assert "SL-010" in section and "处置率（按责任单位）" in section and "处置率（按批准年度）" in section
    assert "盘活" in section and "亩均税收" in section
    assert counts(store)["runs"] == [1]  # compared, not recorded


def test_report_since_with_record_keeps_the_run(tmp_path):
    store = tmp_path / "store.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store).exit_code == 1
    out = tmp_path / "通报.xlsx"
    result = run("report", Q1, "--as-of", "2022-01-01", "--since", "1", "--record", "-o", out, store=store)
    assert result.exit_code == 1, result.output
    assert counts(store)["run_rows"] == [40, 40]
    from openpyxl import load_workbook

    values = [v for row in load_workbook(out, read_only=True)["汇总"].values for v in row if v is not None]
    assert any(isinstance(v, str) and v.startswith("本季进展：2021Q4") for v in values)
    assert run("progress", store=store).exit_code == 1
