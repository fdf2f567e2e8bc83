"""The workbench end to end in a real browser: Playwright driving Debian's Chromium.

The server is `landrules serve` itself, started on a free localhost port. When no Chromium is
installed (.ci/run installs Debian's), these tests are skipped with a loud message; they never
download a browser. Screenshots go to $LANDRULES_SCREENSHOTS (default: the test's tmp dir).
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from browser_helpers import require_chromium
from conftest import AS_OF, ROOT
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from web_helpers import SAMPLE

pytestmark = pytest.mark.slow  # long: see `slow` in pyproject.toml

require_chromium()



@pytest.fixture(scope="module")
def expected(rulebook, tmp_path_factory):
    out = tmp_path_factory.mktemp("expected") / "d.jsonl"
    summary = decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF)).summary
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], summary


def test_an_officer_decides_the_sample_ledger(server, browser, shots, expected, rulebook, tmp_path):
    records, summary = expected
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(server + "/")
    shots(page, "01-upload")
    page.set_input_files("input[name=ledger]", str(SAMPLE))
    page.fill("input[name=as_of]", "2021-10-01")
    page.click("button[type=submit]")
    page.wait_for_url("**/columns")
    assert "备注" in page.inner_text("body")
    shots(page, "02-columns")
    page.click("text=开始逐宗决策")
    page.wait_for_url("**/summary", timeout=30000)
    shots(page, "03-summary")
    assert page.inner_text("#rows") == str(summary.rows)
    assert page.inner_text("#decided") == str(summary.decided)
    assert page.inner_text("#invalid") == str(summary.invalid)
    for code, tally in summary.by_outcome.items():
        assert page.inner_text(f'#by-outcome tr[data-code="{code}"] td.num >> nth=0') == str(tally.count)

    # the parcels of one outcome, through the filter form
    page.goto(server + "/parcels")
    page.select_option("select[name=outcome]", "idle_fee")
    page.click("text=筛选")
    page.wait_for_url("**outcome=idle_fee**")
    idle_fee = sorted(r["parcel_id"] for r in records if "idle_fee" in {o["code"] for o in r["outcomes"]})
    assert sorted(page.locator("#parcels tbody td:nth-child(2) a").all_inner_texts()) == idle_fee
    shots(page, "04-parcels")

    # one parcel: its decision and the cited clause's own text
    page.click(f"text={idle_fee[0]}")
    page.wait_for_url("**/parcel?id=*")
    text = rulebook.policy.get("国土资源部令第53号", "14").text
    assert text.split("\n")[0][:30] in page.inner_text("body")
    assert "按出让或划拨价款的20%征缴土地闲置费" in page.inner_text(".decision")
    shots(page, "05-parcel")

    # the workbook, as decide writes it
    page.goto(server + "/summary")
    with page.expect_download() as info:
        page.click("text=下载决策工作簿（XLSX）")
    path = tmp_path / "workbook.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True)["决策"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], int)]  # numbered by 序号
    assert len(rows) == 40 and rows[0][1] == "SL-001"
    assert info.value.suggested_filename.endswith("-决策.xlsx")

    # a what-if: a stricter 亩均产出 line for 完善用地手续
    page.goto(server + "/whatif")
    shots(page, "06-whatif")
    page.select_option("#param", "regularise.min_output_per_mu")
    page.fill("#value", "1000")
    page.click("button:has-text('试算')")
    page.wait_for_url("**/whatif/result", timeout=30000)
    shots(page, "07-whatif-result")
    assert "200 → 1000" in page.inner_text("body")
    regularised = [r["parcel_id"] for r in records if "regularise" in {o["code"] for o in r["outcomes"]}]
    changed = page.locator("#diff tbody td:nth-child(2)").all_inner_texts()
    assert regularised and set(regularised) <= set(changed)
    page.close()


def test_the_rulebook_pages_and_the_docs(server, browser, shots):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/rulebook")
    assert "引用它的规则" in page.inner_text("body")
    shots(page, "08-rulebook")
    page.goto(server + "/rules")
    assert page.locator("#rule-unsupplied\\.regularise").count() == 1
    shots(page, "09-rules")
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)  # Swagger UI ran, offline
    assert "/api/decide" in page.inner_text("body")
    shots(page, "10-docs")
    page.goto(server + "/nothing-here")
    assert "页面不存在" in page.inner_text("body")
    page.close()


def test_a_ledger_with_a_column_map_and_a_look_alike_column(server, browser, shots, rulebook, tmp_path):
    """The unsupplied-land ledger of the examples, with its column map and one look-alike column
    added (规划用途类别 holding 工业/住宅): the column report names it, the report downloads."""
    import csv

    source = ROOT / "examples" / "unsupplied-ledger.csv"
    lines = list(csv.reader(source.read_text(encoding="utf-8-sig").splitlines()))
    header = lines.index(next(r for r in lines if "地块编号" in r))
    for i, row in enumerate(lines):
        row.append("土地用途类别" if i == header else ("工业" if i > header and i % 2 else ("住宅" if i > header else "")))
    ledger = tmp_path / "批而未供台账.csv"
    with open(ledger, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(lines)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(server + "/")
    page.set_input_files("input[name=ledger]", str(ledger))
    page.set_input_files("input[name=columns]", str(ROOT / "examples" / "unsupplied-columns.yaml"))
    page.fill("input[name=as_of]", "2021-10-01")
    page.click("button[type=submit]")
    page.wait_for_url("**/columns")
    assert "土地用途类别" in page.inner_text("#unknown-columns")
    assert "land_use（土地用途）" in page.inner_text("#unknown-columns")
    assert "列映射" in page.inner_text("body")
    shots(page, "11-columns-lookalike")
    page.click("text=开始逐宗决策")
    page.wait_for_url("**/summary", timeout=30000)
    shots(page, "12-summary-column-map")
    with page.expect_download() as info:
        page.click("#report-downloads >> text=PDF")
    assert info.value.suggested_filename.endswith("-季度通报.pdf")
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    page.close()
