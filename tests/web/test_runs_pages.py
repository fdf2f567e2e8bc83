"""The workbench's record of runs: 记录本期台账, the runs after a restart, one run, progress."""

from __future__ import annotations

from conftest import ROOT
from landrules.record.recorder import os_user
from web_helpers import Officer as TestClient  # its posts carry the page's anti-forgery token
from web_helpers import decided, make_app

Q1 = ROOT / "examples" / "shilong-ledger-2022Q1.csv"


def test_record_two_quarters_reopen_after_restart_and_see_progress(tmp_path, monkeypatch, rulebook):
    monkeypatch.setenv("LANDRULES_STORE", str(tmp_path / "store.duckdb"))
    (tmp_path / "s1").mkdir()
    (tmp_path / "s2").mkdir()
    with TestClient(make_app(rulebook, temp_root=tmp_path / "s1")) as client:
        assert "记录库中还没有记录" in client.get("/runs").text
        summary = decided(client)
        assert "记录本期台账" in summary.text
        page = client.post("/runs/record", data={"label": ""})
        assert page.url.path == "/runs/1" and "2021Q4" in page.text and "评估日 2021-10-01" in page.text
        decided(client, Q1, "2022-01-01")
        assert client.post("/runs/record", data={"label": "2022年一季度"}).url.path == "/runs/2"
    with TestClient(make_app(rulebook, temp_root=tmp_path / "s2")) as client:  # a restarted workbench
        listed = client.get("/runs").text
        assert "2021Q4" in listed and "2022年一季度" in listed and os_user() in listed and 'id="progress-form"' in listed
        assert "<td>shilong-ledger.csv</td>" in listed and "<td>shilong-ledger-2022Q1.csv</td>" in listed  # the officer's names
        one = client.get("/runs/1", params={"parcel": "SL-025"}).text
        assert "SL-025" in one and "纳入低效工业用地盘活利用方案" in one and "SL-001" not in one.split('id="run-decisions"')[1]
        progress = client.get("/runs/progress", params={"from": "1", "to": "2"}).text
        assert 'id="removed"' in progress and "SL-010" in progress.split('id="removed"')[1].split("</section>")[0]
        for reason in ("供地", "完成手续", "开工", "认定不闲置", "收回", "盘活"):
            assert f"<td>{reason}</td>" in progress
        assert "处置率（按责任单位）" in progress
