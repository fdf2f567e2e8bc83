"""The bulletin as one self-contained HTML page: Jinja2 (autoescaped), charts as inline SVG,
styles inline, no script and no network. The PDF is this page printed (pdf.py)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

from landrules.decide.workbook.tables import Table
from landrules.ledger.write.base import Labels
from landrules.report.bulletin import Bulletin
from landrules.report.charts import bar_svg

TEMPLATE = "bulletin.html.j2"
# relative widths of the list columns (the rest get 5)
WIDTHS = {"序号": 2.5, "宗地编号": 5.5, "坐落": 9, "用地单位": 9.5, "项目名称": 9, "面积（亩）": 4.5, "土地用途": 4,
          "类别": 6, "类型": 6, "形成原因": 17, "处置措施": 12, "完成时限": 6.5, "是否逾期": 3.5, "逾期": 3,
          "责任单位": 12, "依据条款": 11}
LATE = ("是否逾期", "逾期")
FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def widths(header: list[str]) -> list[float]:
    raw = [WIDTHS.get(h, 5) for h in header]
    return [round(100 * w / sum(raw), 2) for w in raw]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_html(table: Table, number: int | None = None) -> Markup:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    rows = []
    for row in table.rows:
        cells = []
        for i, value in enumerate(row):
            kind = "num" if isinstance(value, (int, float)) and not isinstance(value, bool) else (
                "code" if i == 0 and table.header[0] in ("代码", "字段") else "")
            cells.append(f'<td class="{kind}">{escape(cell(value))}</td>' if kind else f"<td>{escape(cell(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in table.notes)
    title = f"附表{number}　{table.title}" if number else table.title
    return Markup(f"<h3>{escape(title)}</h3><table><thead><tr>{head}</tr></thead>"
                  f"<tbody>{''.join(rows)}</tbody></table>{notes}")


def render(bulletin: Bulletin, labels: Labels, needing: int, map_svg: str | None = None) -> str:
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    source = resources.files("landrules.report").joinpath(TEMPLATE).read_text(encoding="utf-8")
    template = env.from_string(source)
    from landrules.report.bulletin import PLAN, officer_table

    charts = {t.key: Markup(bar_svg(officer_table(t))) for t in bulletin.charts}
    charts.update({t.key: Markup(bar_svg(t)) for t in bulletin.progress if t.chart and t.rows})
    return template.render(
        b=bulletin, s=bulletin.summary, needing=needing, tax=bulletin.summary.tax.weighted_mean,
        target=labels.tax_target, charts=charts, table=table_html, cell=cell, widths=widths, late=late,
        plan=PLAN, footer=footer(bulletin), fonts=Markup(FONTS), map=Markup(map_svg) if map_svg else None,
    )


def late(listing, row) -> bool:
    column = next((listing.header.index(h) for h in LATE if h in listing.header), None)
    return column is not None and row[column] == "是"


def footer(bulletin: Bulletin) -> Markup:
    """The page footer's right side, the ledger and the rulebook's hash, as the body of a CSS
    string inside <style> (raw text: no HTML entities there; CSS escapes for what could end the
    string or the element)."""
    text = f"台账 {bulletin.ledger} · 规则库 {bulletin.rulebook}"
    css = {"\\": "\\5c ", '"': "\\22 ", "<": "\\3c ", ">": "\\3e ", "\n": " ", "\r": " "}
    return Markup("".join(css.get(ch, ch) for ch in text))
