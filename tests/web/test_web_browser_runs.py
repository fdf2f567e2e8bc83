"""The record of runs in a real browser (contract §7, issue 24): an officer signs in, decides two
quarters of the sample and records each (记录本期台账); the workbench is then stopped and a new
one started on the same store, which still lists both runs and opens them (summary, table, one
parcel, the decisions' download) and shows the progress between them.

Playwright drives Debian's Chromium (never a downloaded one); screenshots go to
$LANDRULES_SCREENSHOTS (default: the test's tmp dir).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from browser_helpers import require_chromium, start_server, stop
from conftest import ROOT
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.record import accounts
from landrules.record.store import Store

require_chromium()

pytestmark = pytest.mark.slow  # long: see `slow` in pyproject.toml

Q4 = ROOT / "examples" / "shilong-ledger.csv"
Q1 = ROOT / "examples" / "shilong-ledger-2022Q1.csv"
OFFICER, PASSWORD = "审核员", "correct horse battery"
SLOW = 120_000  # ms: signing in checks an argon2 hash (slow on purpose), deciding on a busy machine
# what `progress` finds between the two sample quarters (tests/record/test_progress.py)
CLASSES = {"移出": 1, "新增": 1, "销号": 6, "措施变化": 1, "新逾期": 3, "未变": 29}
RESOLVED = {"SL-003": "供地", "SL-015": "完成手续", "SL-017": "开工", "SL-018": "认定不闲置", "SL-022": "收回", "SL-025": "盘活"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    with Store.open(path) as opened:
        accounts.add(opened.con, OFFICER, "审核", PASSWORD)
    return path


def signed_in(browser, server: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(SLOW)
    context.set_default_navigation_timeout(SLOW)
    page = context.new_page()
    page.goto(server + "/runs")
    page.wait_for_url("**/login?next=*")
    page.fill("input[name=name]", OFFICER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/runs")
    return context, page


def decide_and_record(page, server: str, ledger: Path, as_of: str, label: str = "") -> str:
    page.goto(server + "/")
    page.set_input_files("input[name=ledger]", str(ledger))
    page.fill("input[name=as_of]", as_of)
    page.click("form[action='/upload'] button[type=submit]")  # (the header has the sign-out button)
    page.wait_for_url("**/columns")
    page.click("text=开始逐宗决策")
    page.wait_for_url("**/summary")
    if label:
        page.fill("#record-form input[name=label]", label)
    page.click("#record-form button:has-text('记录本期台账')")
    page.wait_for_url("**/runs/*")
    return page.url


def listed_runs(page) -> list[list[str]]:
    return [page.locator("#runs tbody tr").nth(i).locator("td").all_inner_texts()
            for i in range(page.locator("#runs tbody tr").count())]


def test_record_two_quarters_restart_open_and_compare(store, browser, shots, rulebook, tmp_path):
    # the first workbench: record the two sample quarters
    url, proc = start_server(tmp_path / "serve-1.log", "--store", str(store))
    try:
        context, page = signed_in(browser, url)
        assert "记录库中还没有记录" in page.inner_text("#no-runs")
        assert decide_and_record(page, url, Q4, "2021-10-01").endswith("/runs/1")
        assert "第 1 期记录：2021Q4" in page.inner_text("h1")
        shots(page, "30-run-recorded")
        page.goto(url + "/summary")
        shots(page, "31-summary-with-record-button")
        assert decide_and_record(page, url, Q1, "2022-01-01", label="2022年一季度").endswith("/runs/2")
        context.close()
    finally:
        stop(proc)

    # a new workbench process on the same store: the runs are still there
    url, proc = start_server(tmp_path / "serve-2.log", "--store", str(store))
    try:
        context, page = signed_in(browser, url)
        shots(page, "32-runs-after-restart")
        rows = listed_runs(page)
        assert [(r[0], r[1], r[2], r[3], r[4], r[6]) for r in rows] == [
            ("1", "2021Q4", "2021-10-01", Q4.name, "40", OFFICER),
            ("2", "2022年一季度", "2022-01-01", Q1.name, "40", OFFICER)]

        # one run: its outcomes, its table, one parcel, its decisions downloaded
        page.click("#runs a:text-is('2021Q4')")
        page.wait_for_url("**/runs/1")
        expected_out = tmp_path / "q4.jsonl"
        summary = decide_ledger(Q4, expected_out, RunOptions(rulebook, dt.date(2021, 10, 1))).summary
        outcomes = dict(tuple(r.locator("td").all_inner_texts()) for r in page.locator("#run-outcomes tbody tr").all())
        labels = rulebook.outcomes
        for code, tally in summary.by_outcome.items():
            assert outcomes[labels.get(code, code)] == str(tally.count), code
        assert page.locator("#run-decisions tbody tr").count() == 40
        shots(page, "33-run-opened")
        page.fill("input[name=parcel]", "SL-025")
        page.click("button:has-text('查找')")
        page.wait_for_url("**parcel=SL-025")
        cells = page.locator("#run-decisions tbody tr").all_inner_texts()
        assert len(cells) == 1 and "SL-025" in cells[0] and "纳入低效工业用地盘活利用方案" in cells[0]
        shots(page, "34-run-parcel")
        answer = page.goto(url + "/api/runs/1/decisions?limit=100000")
        recorded = answer.json()["decisions"]
        expected = [json.loads(line) for line in expected_out.read_text(encoding="utf-8").splitlines()]
        assert recorded == expected  # the decisions as decide wrote them, byte for byte once parsed

        # progress between the two runs
        page.goto(url + "/runs")
        page.select_option("select[name=from]", "1")
        page.select_option("select[name=to]", "2")
        page.click("button:has-text('查看本季进展')")
        page.wait_for_url("**/runs/progress?*")
        assert "本季进展：2021Q4 → 2022年一季度" in page.inner_text("h1")
        classes = {r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text()
                   for r in page.locator("#classes tbody tr").all()}
        assert classes == {k: str(v) for k, v in CLASSES.items()}
        assert page.locator("#removed li").all_inner_texts()[0].startswith("SL-010")
        color = page.locator("#removed li").first.evaluate("e => getComputedStyle(e).color")
        assert color not in ("rgb(0, 0, 0)", ""), color  # 移出 stands out (class "bad")
        reasons = {r.locator("td").nth(0).inner_text(): r.locator("td").nth(2).inner_text()
                   for r in page.locator("#list-resolved tbody tr").all()}
        assert reasons == RESOLVED
        shots(page, "35-progress")
        # a parcel of the list opens in the later run
        page.click("#list-resolved a:text-is('SL-017')")
        page.wait_for_url("**/runs/2?parcel=SL-017")
        assert "SL-017" in page.locator("#run-decisions tbody tr").first.inner_text()
        context.close()
    finally:
        stop(proc)
    log = (tmp_path / "serve-2.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log
