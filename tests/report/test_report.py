"""`landrules report`: the 季度通报 in XLSX, HTML and PDF, with the same figures as `decide`."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import ROOT, invoke
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
AS_OF = "2022-06-01"


run = invoke


@pytest.fixture(scope="module")
def summary(rulebook, tmp_path_factory):
    """decide's own summary of the sample ledger."""
    out = tmp_path_factory.mktemp("decide") / "d.jsonl"
    return decide_ledger(SAMPLE, out, RunOptions(rulebook, dt.date.fromisoformat(AS_OF))).summary


class Reports(dict):
    """{suffix: (the report, its run)}, all in one folder, each written when a test first asks
    for it (the PDF, some 2 s, only by the slow tests that read it)."""

    def __init__(self, folder):
        super().__init__()
        self.folder = folder

    def __missing__(self, suffix):
        out = self.folder / f"通报{suffix}"
        self[suffix] = (out, run("report", SAMPLE, "--as-of", AS_OF, "-o", out))
        return self[suffix]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return Reports(tmp_path_factory.mktemp("report"))


@pytest.mark.parametrize("suffix", [".xlsx", ".html", pytest.param(".pdf", marks=pytest.mark.slow)])  # a PDF: slow
def test_report_exits_as_decide_and_leaves_only_its_file(reports, suffix):
    out, result = reports[suffix]
    assert result.exit_code == 1, result.output  # the sample holds two invalid rows
    assert out.exists() and out.stat().st_size > 0
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def test_xlsx_report_has_decides_figures(reports, summary, rulebook):
    book = load_workbook(reports[".xlsx"][0])
    assert book.sheetnames == ["汇总", "逾期事项", "一宗一策", "按责任单位", "公布清单"]
    rows = list(book["汇总"].iter_rows(values_only=True))
    facts = {r[0]: r[1] for r in rows if r[0]}
    assert (facts["读取"], facts["已决策"], facts["无效记录"]) == (summary.rows, summary.decided, summary.invalid)
    assert facts["逾期（宗）"] == summary.overdue.count > 0
    for code, tally in summary.by_outcome.items():
        assert (code, rulebook.outcomes[code], tally.count, round(tally.area_mu, 2)) in rows
    late = [r for r in book["逾期事项"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(late) == summary.overdue.count


def html_tables(path):
    return pd.read_html(io.StringIO(path.read_text(encoding="utf-8")))


def test_html_report_is_self_contained_with_inline_charts(reports, summary, rulebook):
    page = reports[".html"][0].read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and "<script" not in page  # 按类别 and 按责任单位
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched from a network
    tables = html_tables(reports[".html"][0])
    # the page names categories and outcomes in Chinese only (the XLSX keeps the codes)
    by_category = next(t for t in tables if list(t.columns) == ["类别", "宗数", "面积（亩）"])
    assert dict(zip(by_category["类别"], by_category["宗数"])) == {
        rulebook.categories[c]: t.count for c, t in summary.by_category.items()}
    by_outcome = next(t for t in tables if list(t.columns) == ["处置措施", "宗数", "面积（亩）"])
    assert dict(zip(by_outcome["处置措施"], by_outcome["宗数"])) == {
        rulebook.outcomes[c]: t.count for c, t in summary.by_outcome.items()}
    plan = next(t for t in tables if "形成原因" in t.columns)
    needing = summary.rows - summary.by_outcome["no_action"].count - summary.by_outcome["invalid_record"].count
    assert len(plan) == needing
    assert "关于2022年第二季度石龙产业集聚区存量用地处置情况的通报" in page and "一宗一策" in page


@pytest.mark.slow  # a PDF rendered (WeasyPrint) and read back
def test_pdf_report_renders_the_chinese(reports, summary):
    from pypdf import PdfReader

    reader = PdfReader(reports[".pdf"][0])
    text = "".join(page.extract_text() for page in reader.pages)
    text = text.replace("\n", "")
    for phrase in ("存量用地处置情况的通报", "一宗一策", "逾期事项", "形成原因", "批而未供", "国土资源局"):
        assert phrase in text, phrase
    assert f"共排查存量用地 {summary.rows} 宗" in text and f"已逾期 {summary.overdue.count} 宗" in text
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in f or "Han" in f or "Hei" in f for f in fonts), fonts  # a CJK font is embedded


def test_report_refuses_another_format_and_writes_nothing(tmp_path):
    result = run("report", SAMPLE, "-o", tmp_path / "通报.docx")
    assert result.exit_code == 2 and "不支持的通报格式" in result.output
    assert list(tmp_path.iterdir()) == []


def test_report_of_a_missing_ledger_is_exit_2(tmp_path):
    result = run("report", tmp_path / "none.csv", "-o", tmp_path / "r.html")
    assert result.exit_code == 2 and list(tmp_path.iterdir()) == []
