"""The bulletin as one self-contained HTML page: Jinja2 (autoescaped), charts as inline SVG,
styles inline, no script and no network. The PDF is this page printed (pdf.py)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

from landrules.ledger.write.base import Labels
from landrules.decide.workbook.tables import Table
from landrules.report.bulletin import Bulletin
from landrules.report.charts import bar_svg

TEMPLATE = "bulletin.html.j2"
# relative widths of the list columns (the rest get 5)
WIDTHS = {"序号": 3, "宗地编号": 6, "坐落": 11, "用地单位": 11, "项目名称": 9, "面积（亩）": 5, "土地用途": 4,
          "类别": 6, "类型": 6, "形成原因": 15, "处置措施": 14, "完成时限": 7, "是否逾期": 4, "责任单位": 11, "依据条款": 11}


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


def table_html(table: Table) -> Markup:
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
    return Markup(f"<h3>{escape(table.title)}</h3><table><thead><tr>{head}</tr></thead>"
                  f"<tbody>{''.join(rows)}</tbody></table>{notes}")


def render(bulletin: Bulletin, labels: Labels, needing: int, map_svg: str | None = None) -> str:
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    source = resources.files("landrules.report").joinpath(TEMPLATE).read_text(encoding="utf-8")
    template = env.from_string(source)
    charts = {t.key: Markup(bar_svg(t)) for t in [*bulletin.charts, *(p for p in bulletin.progress if p.chart and p.rows)]}
    return template.render(
        b=bulletin, s=bulletin.summary, needing=needing, tax=bulletin.summary.tax.weighted_mean,
        target=labels.tax_target, charts=charts, table=table_html, cell=cell, widths=widths,
        map=Markup(map_svg) if map_svg else None,
    )
