"""The bulletin carries the cluster's map (一张图) when given the parcels' boundaries (contract §8)."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from conftest import ROOT
from landrules.cli import app

EXAMPLES = ROOT / "examples"


def test_html_bulletin_with_the_map(tmp_path):
    out = tmp_path / "通报.html"
    result = CliRunner().invoke(app, ["report", str(EXAMPLES / "shilong-ledger.csv"), "--as-of", "2021-10-01", "-o", str(out),
                                      "--parcels", str(EXAMPLES / "shilong-parcels.gpkg"),
                                      "--boundary", str(EXAMPLES / "shilong-boundary.gpkg")])
    assert result.exit_code == 1, result.output  # two invalid rows in the sample
    html = out.read_text(encoding="utf-8")
    section = html[html.index("存量用地一张图"):html.index("三、分类汇总")]
    assert len(re.findall(r"<title>SL-\d{3}：", section)) == 40
    assert "<title>SL-018：闲置</title>" in section and "产业集聚区边界" in section and "北" in section


def test_html_bulletin_without_the_map_has_none(tmp_path):
    out = tmp_path / "通报.html"
    CliRunner().invoke(app, ["report", str(EXAMPLES / "shilong-ledger.csv"), "--as-of", "2021-10-01", "-o", str(out)])
    assert "一张图" not in out.read_text(encoding="utf-8")
