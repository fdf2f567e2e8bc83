"""The workbench's 一张图 in a real browser (Playwright driving Debian's Chromium): the sample
ledger uploaded with its boundary files, the map drawn, a parcel opened from the map, its shape
and map facts on its page. Screenshots go to $LANDRULES_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import pytest

from browser_helpers import require_chromium
from conftest import ROOT
from web_helpers import SAMPLE

pytestmark = pytest.mark.slow  # long: see `slow` in pyproject.toml

require_chromium()

EXAMPLES = ROOT / "examples"


def test_an_officer_sees_the_parcels_on_the_map(server, browser, shots):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.set_input_files("input[name=ledger]", str(SAMPLE))
    page.fill("input[name=as_of]", "2021-10-01")
    page.set_input_files("input[name=parcels]", str(EXAMPLES / "shilong-parcels.txt"))
    page.set_input_files("input[name=boundary]", str(EXAMPLES / "shilong-boundary.gpkg"))
    page.set_input_files("input[name=plan]", str(EXAMPLES / "shilong-plan.gpkg"))
    shots(page, "map-01-upload")
    page.click("button[type=submit]")
    page.wait_for_url("**/columns")
    page.click("text=开始逐宗决策")
    page.wait_for_url("**/summary", timeout=60000)
    assert page.is_visible("#map-links")

    page.click("#map-links >> text=一张图")
    page.wait_for_url("**/map")
    svg = page.locator("#map svg")
    assert svg.locator("a[href^='/parcel']").count() == 40  # every sample parcel drawn, each a link
    legend = svg.text_content()
    for words in ("图例", "闲置", "批而未供", "产业集聚区边界", "北"):
        assert words in legend
    box = svg.bounding_box()
    assert box["width"] > 600 and box["height"] > 400  # drawn at size, not collapsed
    shots(page, "map-02-by-category")

    page.click("#map-modes >> text=按处置措施")
    page.wait_for_url("**/map?by=outcome")
    assert "核实宗地界址与面积" in page.locator("#map svg").text_content()
    shots(page, "map-03-by-outcome")
    page.click('#map svg a[href="/map?by=outcome&only=verify_boundary"]')  # the legend row: that measure alone
    page.wait_for_url("**only=verify_boundary")
    coloured = page.locator("#map svg a[href^='/parcel']:has(path:not([fill='#d9d9d9']):not([fill='#7f8c8d']))")  # the others grey; invalid rows dark grey
    assert sorted(a.get_attribute("href") for a in coloured.all()) == [
        f"/parcel?id={pid}" for pid in ("SL-018", "SL-019", "SL-026", "SL-040")]
    shots(page, "map-03b-verify-boundary")
    page.click("#map-modes >> text=按是否逾期")
    assert "已逾期" in page.locator("#map svg").text_content()
    shots(page, "map-04-by-overdue")

    page.click('#map svg a[href="/parcel?id=SL-018"]')  # a click on the parcel opens its page
    page.wait_for_url("**/parcel?id=SL-018")
    facts = page.inner_text("#geo-facts")
    assert "图形面积（亩）" in facts and "SL-019" in facts  # SL-018 overlaps SL-019
    own = page.locator("#geo svg")
    assert own.locator('a[href="/parcel?id=SL-019"]').count() == 1  # its neighbour drawn, and a link
    assert "与本宗重叠的宗地" in own.text_content()
    assert "核实宗地界址与面积" in page.inner_text(".decision")
    shots(page, "map-05-parcel")
    page.close()
