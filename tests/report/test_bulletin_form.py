"""The 季度通报 in the form of a 通报 (issue 22): heading block, paragraphs from the figures, no
empty section, the rulebook hash in the footer only, 一宗一策 compact, and no PDF without a
Chinese font (exit 2, one line naming the font package)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from landrules.cli import app
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.report import pdf as P

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp("bulletin") / "通报.html"
    assert run("report", SAMPLE, "--as-of", "2021-10-01", "-o", out).exit_code == 1  # two invalid rows
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def summary(rulebook, tmp_path_factory):
    out = tmp_path_factory.mktemp("decide") / "d.jsonl"
    return decide_ledger(SAMPLE, out, RunOptions(rulebook, dt.date(2021, 10, 1))).summary


def body_text(page: str) -> str:
    body = page[page.index("<body>"):]
    return re.sub(r"<[^>]+>", "", body)


def test_the_heading_block(html):
    text = body_text(html)
    assert re.search(r'<p class="office">石龙产业集聚区提质增效行动领导小组办公室</p>', html)
    assert '<p class="docno">〔2021〕　　号</p>' in html  # the 文号, for the office to fill in
    assert "<h1>关于2021年第三季度石龙产业集聚区存量用地处置情况的通报</h1>" in html
    assert text.count("2021年10月1日") >= 2  # in the text and under the signature


def test_the_paragraphs_are_written_from_the_figures(html, summary):
    text = body_text(html)
    assert f"本期共排查存量用地 {summary.rows} 宗 1,220.6 亩" in text
    approved = summary.by_category["approved_unsupplied"]
    assert f"批而未供 {approved.count} 宗 {approved.area_mu:g} 亩" in text
    assert "无逾期事项" in text and summary.overdue.count == 0
    info = summary.by_outcome["needs_information"].count
    assert f"另有 {info} 宗因台账缺少" in text and f"{summary.invalid} 宗台账记录有误" in text
    assert "面积加权亩均税收" in text and "一、（二）2." in text  # the target's clause as printed


def test_no_empty_section_and_the_hash_only_in_the_footer(html):
    text = body_text(html)
    assert "逾期事项（" not in text  # nothing overdue on 2021-10-01: no list, a sentence says so
    assert "sha256:" not in text and "sha256:" in html[:html.index("<body>")]  # in the page footer
    for table in re.findall(r"<table.*?</table>", html, re.S):
        assert "<tbody></tbody>" not in table and "<tbody>\n</tbody>" not in table
    assert "<th>代码</th>" not in html and "<th>字段</th>" not in html  # the page shows no codes


def test_the_compact_plan_cites_clauses_as_printed(html):
    plan = html[html.index("附件1　一宗一策"):]
    assert "36号文二、（三）2.（1）第1段" in plan and "53号令第" in plan
    assert "2.3.2.1" not in plan


@pytest.mark.slow  # a PDF rendered (WeasyPrint) and read back
def test_the_pdf_is_short(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "r.pdf"
    assert run("report", SAMPLE, "--as-of", "2021-10-01", "-o", out).exit_code == 1
    reader = PdfReader(out)
    assert len(reader.pages) <= 9  # 19 before issue 22
    plan_pages = [p.extract_text() for p in reader.pages if re.search(r"SL-0\d\d", p.extract_text() or "")]
    rows = [len(set(re.findall(r"SL-0\d\d", t))) for t in plan_pages]
    assert max(rows) >= 12  # about 15 parcels a page (2 before)


def test_no_chinese_font_no_pdf(tmp_path):
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n',
                     encoding="utf-8")
    out = tmp_path / "r.pdf"
    result = run("report", SAMPLE, "--as-of", "2021-10-01", "-o", out, env={"FONTCONFIG_FILE": str(empty)})
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "fonts-noto-cjk" in result.stderr and "方框" in result.stderr
    assert list(tmp_path.iterdir()) == [empty]  # nothing written


def test_no_fontconfig_is_no_font(monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError("fc-list")

    monkeypatch.setattr(P.subprocess, "run", missing)
    assert P.chinese_fonts() == []
    with pytest.raises(Exception, match="fonts-noto-cjk"):
        P.require_chinese_font()
