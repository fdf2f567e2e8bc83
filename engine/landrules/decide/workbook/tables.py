"""The summary of a decided ledger as tables, the same for the workbook's 汇总 sheet and for the
季度通报 in XLSX, HTML and PDF: each a title, a header, rows of plain values, and which column
a bar chart draws (if any). Codes are shown whole beside their Chinese labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from landrules.core import fields
from landrules.core.summary import Summary, by_size, in_catalogue_order
from landrules.ledger.write.base import Labels

AREA = "面积（亩）"


@dataclass
class Table:
    key: str  # a stable name: overview, category, outcome, responsible, month, needs, tax
    title: str
    header: list[str]
    rows: list[list[Any]]
    chart: tuple[int, int] | None = None  # (label column, value column) of a bar chart
    chart_title: str = ""
    notes: list[str] = field(default_factory=list)


def _r(value: float) -> float:
    return round(value, 2)


def overview(summary: Summary, as_of: str | None, rulebook: str | None, extra: list[list[Any]] = ()) -> Table:
    rows = [
        ["读取", summary.rows],
        ["已决策", summary.decided],
        ["无效记录", summary.invalid],
        ["逾期（宗）", summary.overdue.count],
        ["逾期面积（亩）", _r(summary.overdue.area_mu)],
        ["评估日", as_of or ""],
        ["规则库", rulebook or ""],
        *extra,
    ]
    return Table("overview", "概况", ["项目", "数值"], rows)


def summary_tables(summary: Summary, labels: Labels) -> list[Table]:
    """Every tally of `summary` as a table (the overview is separate: `overview`)."""
    tables = []
    for key, title, tallies, names in (
        ("category", "类别", summary.by_category, labels.categories),
        ("outcome", "处置措施", summary.by_outcome, labels.outcomes),
    ):
        rows = [[code, names.get(code, code), t.count, _r(t.area_mu)] for code, t in in_catalogue_order(tallies, names)]
        tables.append(Table(key, f"按{title}", ["代码", title, "宗数", AREA], rows, chart=(1, 2),
                            chart_title=f"按{title}：宗数"))
    rows = [[unit, t.count, _r(t.area_mu)] for unit, t in by_size(summary.by_responsible)]
    tables.append(Table("responsible", "按责任单位", ["责任单位", "宗数", AREA], rows, chart=(0, 1),
                        chart_title="按责任单位：宗数",
                        notes=["一宗地的处置措施涉及几个责任单位，就在每个单位各计一次。"]))
    rows = [[unit, t.count, _r(t.area_mu)] for unit, t in by_size(summary.overdue_by_responsible)]
    tables.append(Table("overdue", "逾期（按责任单位）", ["责任单位", "逾期宗数", "逾期面积（亩）"], rows,
                        chart=(0, 1), chart_title="逾期宗数：按责任单位"))
    months = sorted(summary.by_deadline_month.items())
    tables.append(Table("month", "按完成时限（月）", ["完成时限（月）", "宗数", AREA],
                        [[m, t.count, _r(t.area_mu)] for m, t in months], chart=(0, 1),
                        chart_title="按完成时限（月）：宗数"))
    needs = [[f, fields.BY_NAME[f].zh if f in fields.BY_NAME else f, t.count, _r(t.area_mu)]
             for f, t in by_size(summary.needs_by_field)]
    tables.append(Table("needs", "需补充信息（按字段）", ["字段", "中文", "宗数", AREA], needs))
    tables.append(tax_table(summary, labels))
    return tables


def tax_table(summary: Summary, labels: Labels) -> Table:
    t = summary.tax
    target = labels.tax_target
    mean = t.weighted_mean
    rows: list[list[Any]] = [
        ["已供工业用地（宗）", t.count],
        ["已供工业用地面积（亩）", _r(t.area_mu)],
        ["其中填报亩均税收的（宗）", t.known_count],
        ["其中填报亩均税收的面积（亩）", _r(t.known_area_mu)],
        ["面积加权亩均税收（万元/亩）", round(mean, 2) if mean is not None else "无数据"],
    ]
    notes = ["面积加权亩均税收 = Σ(亩均税收 × 面积) ÷ Σ面积，只计填报了亩均税收的已供工业用地（供地日期不晚于评估日）。"]
    if target is not None:
        rows.append([f"目标（{target.unit}）", target.value])
        if mean is not None:
            rows.append(["与目标之差（万元/亩）", round(mean - target.value, 2)])
            rows.append(["是否达到目标", "是" if mean >= target.value else "否"])
        rows.append(["低于目标的（宗）", t.below_target_count])
        rows.append(["低于目标的面积（亩）", _r(t.below_target_area_mu)])
        notes.append(f"目标依据：{'、'.join(target.cites)}（{target.description}）。")
    return Table("tax", "亩均税收（已供工业用地）", ["项目", "数值"], rows, notes=notes)
