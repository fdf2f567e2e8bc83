"""The workbench on the commands' own code: decide's column report, column maps, the report
(季度通报) downloads and diff's move summary — through FastAPI's TestClient."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest

from conftest import AS_OF, ROOT
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.ledger.columns.column_map import load_column_map
from web_helpers import SAMPLE, decided, wait_for

UNSUPPLIED = ROOT / "examples" / "unsupplied-ledger.csv"
UNSUPPLIED_MAP = ROOT / "examples" / "unsupplied-columns.yaml"


def upload_with_map(client, ledger, column_map: bytes, map_name="映射.yaml"):
    with open(ledger, "rb") as handle:
        return client.post("/upload", files={"ledger": (ledger.name, handle), "columns": (map_name, column_map)},
                           data={"as_of": "2021-10-01"})


def test_a_column_map_is_used_for_the_report_the_decisions_and_one_parcel(client, rulebook, tmp_path):
    page = upload_with_map(client, UNSUPPLIED, UNSUPPLIED_MAP.read_bytes())
    assert page.status_code == 200 and page.url.path == "/columns"
    assert "已按列映射文件 映射.yaml 读取台账" in page.text
    assert re.search(r"未供面积（公顷）</td><td>area_ha（[^<]*）\s*<span class=\"tag\">列映射</span>", page.text)
    assert "列映射声明不是任何字段的列：批次用地面积（公顷）" in page.text
    client.post("/decide")
    summary = wait_for(client, "/progress", "/summary")
    out = tmp_path / "d.jsonl"
    expected = decide_ledger(UNSUPPLIED, out, RunOptions(rulebook, AS_OF, columns=load_column_map(UNSUPPLIED_MAP))).summary
    assert re.search(r'id="decided">(\d+)<', summary.text).group(1) == str(expected.decided)
    assert expected.decided > 0
    shown = dict(re.findall(r'<tr data-code="([a-z_]+)">.*?<td class="num">(\d+)</td>', summary.text))
    assert shown == {code: str(t.count) for code, t in expected.by_outcome.items()}
    records = {r["parcel_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert "clear_approval" in {o["code"] for o in records["PW-2015-03-1"]["outcomes"]}
    parcel = client.get("/parcel", params={"id": "PW-2015-03-1"})
    assert parcel.status_code == 200 and "规范有序开展用地批准文件清理" in parcel.text
    # without the map the same ledger decides otherwise (the map is not ignored)
    plain = decide_ledger(UNSUPPLIED, tmp_path / "p.jsonl", RunOptions(rulebook, AS_OF)).summary
    assert {c: t.count for c, t in plain.by_outcome.items()} != {c: t.count for c, t in expected.by_outcome.items()}


def test_a_bad_column_map_is_a_chinese_page_naming_its_line(client):
    bad = "columns:\n  现状: land_status_unchanged\nvalus:\n  land_use: {工矿仓储用地: industrial}\n".encode()
    page = upload_with_map(client, UNSUPPLIED, bad, "我的映射.yaml")
    assert page.status_code == 400 and "列映射文件有误" in page.text
    assert "我的映射.yaml:3:" in page.text and "values" in page.text
    assert "Traceback" not in page.text and "columns.yaml" not in page.text
    unknown_field = "columns:\n  现状: no_such_field\n".encode()
    page = upload_with_map(client, UNSUPPLIED, unknown_field, "m.yaml")
    assert page.status_code == 400 and "m.yaml:2:" in page.text
    assert client.get("/columns").status_code == 400  # nothing half-uploaded is kept


def test_the_column_report_names_look_alikes_by_header_and_by_values(client, tmp_path):
    ledger = tmp_path / "alike.csv"
    ledger.write_text("宗地编号,面积（亩）,土地用途类别,状态\nA-1,3,工业,\nA-2,4,住宅,\n合计,7,,\n", encoding="utf-8")
    with open(ledger, "rb") as handle:
        page = client.post("/upload", files={"ledger": ("alike.csv", handle)}, data={"as_of": "2021-10-01"})
    assert page.status_code == 200
    unknown = page.text[page.text.index('id="unknown-columns"'):]
    assert re.search(r"<td>土地用途类别</td><td><span class=\"warn-inline\">land_use（土地用途）？请核对表头", unknown)
    assert "决策前的提示" in page.text and "列 &#34;土地用途类别&#34; 未对应任何字段" in page.text
    assert "supplied_on（供地日期）" in page.text  # needed by rules, no column
    client.post("/decide")
    summary = wait_for(client, "/progress", "/summary")
    assert re.search(r'id="rows">(\d+)<', summary.text).group(1) == "2"
    assert "合计行 1 行（未计入）: 第 4 行" in summary.text


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["report-xlsx", "report-html", "report-pdf"])
def test_the_report_downloads_are_reports(client, rulebook, kind, tmp_path):
    decided(client)
    response = client.get(f"/download/{kind}")
    assert response.status_code == 200, response.text
    assert "季度通报" in response.headers["content-disposition"] or "%E5%AD%A3" in response.headers["content-disposition"]
    if kind == "report-xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        assert "一宗一策" in book.sheetnames
        cli = tmp_path / "r.xlsx"
        from landrules.report.writer import report_writer

        decide_ledger(SAMPLE, cli, RunOptions(rulebook, AS_OF), open_output=report_writer(SAMPLE.name))
        assert book.sheetnames == openpyxl.load_workbook(cli, read_only=True).sheetnames
    elif kind == "report-html":
        assert "一宗一策" in response.text and "<svg" in response.text
    else:
        assert response.content.startswith(b"%PDF")


def test_unknown_download_lists_the_downloads(client):
    decided(client)
    page = client.get("/download/docx")
    assert page.status_code == 404 and "report-pdf" in page.text


def test_whatif_says_diffs_move_summary(client, rulebook):
    decided(client)
    client.post("/whatif", data={"param": "regularise.min_output_per_mu", "value": "1000"})
    page = wait_for(client, "/progress?job=whatif", "/whatif/result")
    line = re.search(r'<p id="diff-line">([^<]*)</p>', page.text).group(1)
    assert re.match(r"比较 \d+ 宗，\d+ 宗决定有变化（[\d.]+ 亩）：\d+ 宗 regularise → ", line), line
    moves = page.text[page.text.index('id="moves"'):page.text.index("逐宗变化")]
    assert rulebook.outcomes["regularise"] in moves and "<td class=\"num\">" in moves


def test_whatif_on_a_column_mapped_ledger_compares_what_was_decided(client, rulebook):
    upload_with_map(client, UNSUPPLIED, UNSUPPLIED_MAP.read_bytes())
    client.post("/decide")
    wait_for(client, "/progress", "/summary")
    expected = decide_ledger(UNSUPPLIED, None, RunOptions(rulebook, AS_OF, columns=load_column_map(UNSUPPLIED_MAP)), stdout=io.StringIO()).summary
    client.post("/whatif", data={"param": "regularise.min_output_per_mu", "value": "1000"})
    page = wait_for(client, "/progress?job=whatif", "/whatif/result")
    line = re.search(r'<p id="diff-line">([^<]*)</p>', page.text).group(1)
    assert line.startswith(f"比较 {expected.decided} 宗，"), line
    # decided again with the map: no 合计 row taken for a parcel, no area lost to an unmapped column
    session = client.app.state.store.sessions[client.cookies["landrules_session"]]
    again = session.whatif["figures"]
    assert (again.rows, again.decided, again.invalid) == (expected.rows, expected.decided, expected.invalid)
    assert again.by_category == session.figures.by_category


@pytest.mark.parametrize("ledger, column_map", [(SAMPLE, None), (UNSUPPLIED, UNSUPPLIED_MAP)])
def test_every_parcel_page_gives_decides_outcomes(client, rulebook, tmp_path, ledger, column_map):
    if column_map is None:
        decided(client, ledger)
    else:
        upload_with_map(client, ledger, column_map.read_bytes())
        client.post("/decide")
        wait_for(client, "/progress", "/summary")
    out = tmp_path / "d.jsonl"
    decide_ledger(ledger, out, RunOptions(rulebook, AS_OF, columns=load_column_map(column_map) if column_map else None))
    seen = set()
    for record in map(json.loads, out.read_text(encoding="utf-8").splitlines()):
        pid = record["parcel_id"]
        if pid is None or pid in seen:
            continue
        seen.add(pid)
        page = client.get("/parcel", params={"id": pid})
        assert page.status_code == 200, (pid, page.text[-400:])
        decision = page.text[page.text.index('class="card decision"'):page.text.index("</section>", page.text.index('class="card decision"'))]
        assert re.findall(r"</b> <code class=\"tech\">([a-z_]+)</code>", decision) == [o["code"] for o in record["outcomes"]], pid
    assert len(seen) >= 5
