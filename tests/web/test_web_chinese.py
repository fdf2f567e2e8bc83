"""The workbench in Chinese (issue 22), in a real browser: the parcels table, a parcel's page and
the rule pages show field names, operators and clause numbers as an officer reads them; field
codes, operator codes and dotted clause ids appear only in the technical parts (`.tech`: rule
ids, parameter ids, outcome codes) and in closed <details>."""

from __future__ import annotations

import re

import pytest

from browser_helpers import require_chromium
from landrules.core import fields
from web_helpers import SAMPLE

require_chromium()  # skips loudly without Chromium; server and browser: browser_helpers' fixtures
pytestmark = pytest.mark.slow  # a browser: see `slow` in pyproject.toml

# what an officer sees: the page without its technical parts, closed details and form options
VISIBLE = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('.tech, details:not([open]) > :not(summary), select, option, script, style')
      .forEach(e => e.remove());
  return copy.innerText;
}"""
FIELD_CODES = sorted((f.name for f in fields.FIELDS if "_" in f.name or f.name in ("project", "holder", "location")),
                     key=len, reverse=True)
CODE = re.compile(r"\b(?:" + "|".join(FIELD_CODES) + r")\b|\b(?:eq|ne|lt|le|gt|ge|not_in)\b|[≤≥∈∉]"
                  r"|#p\d|\b\d+\.\d+\.\d+")


def codes_in(page) -> list[str]:
    return sorted(set(CODE.findall(page.evaluate(VISIBLE))))


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.set_input_files("input[name=ledger]", str(SAMPLE))
    page.fill("input[name=as_of]", "2021-10-01")
    page.click("button[type=submit]")
    page.wait_for_url("**/columns")
    page.click("text=开始逐宗决策")
    page.wait_for_url("**/summary", timeout=30000)
    yield page
    page.close()


def test_the_parcels_table_names_fields_in_chinese(server, page):
    page.goto(server + "/parcels")
    headers = page.locator("#parcels thead th").all_inner_texts()
    assert headers == ["行", "宗地编号", "面积（亩）", "类别", "处置措施", "完成时限", "责任单位", "需补充"]
    row = page.locator("#parcels tbody tr", has_text="SL-012")
    assert row.locator("td").nth(7).inner_text() == "运营良好"  # not operating_well
    invalid = page.locator("#parcels tbody tr", has_text="SL-038").inner_text()
    assert "土地用途" in invalid and "land_use" not in invalid
    assert codes_in(page) == []
    filters = page.locator("select[name=needs] option").all_inner_texts()
    assert "闲置原因" in filters and not [f for f in filters if re.search(r"[a-z]_", f)]


def test_the_parcel_page_names_the_parcel_and_prints_clauses_as_numbered(server, page):
    page.goto(server + "/parcel?id=SL-017")
    facts = dict(zip(page.locator("#facts dt").all_inner_texts(), page.locator("#facts dd").all_inner_texts()))
    assert facts["坐落"] == "石龙区产业集聚区龙兴路与纬四路交叉口"
    assert facts["用地单位"] == "平顶山市中原新能源有限公司" and facts["项目名称"] == "光伏组件生产项目"
    decision = page.inner_text(".decision")
    assert "平龙政办〔2021〕36号 二、（三）2.（2）" in decision and "国土资源部令第53号 第九条" in decision
    body = page.evaluate(VISIBLE)
    assert "约定动工日期 不晚于 2020-10-01" in body and "闲置原因 属于 政府原因、信访稳定、不可抗力" in body
    assert "前推1年" in body
    assert codes_in(page) == []
    assert page.locator(".decision code.tech", has_text="investigate_idle").count() == 1  # still there, small


def test_the_rule_pages_speak_chinese(server, page):
    page.goto(server + "/rules", timeout=180_000)  # the first rule page computes scenario coverage
    body = page.evaluate(VISIBLE)
    assert "批准日期 已填写" in body and "已认定闲置 等于 否" in body and "约定动工日期 晚于" in body
    assert "平龙政办〔2021〕36号 二、（三）2.（1）第1段" in body
    assert codes_in(page) == []
    page.goto(server + "/rulebook")
    body = page.evaluate(VISIBLE)
    assert "二、（三）2.（1）" in body and "第十四条（一）" in body and "第2段" in body and "第二款" in body
    assert codes_in(page) == []
