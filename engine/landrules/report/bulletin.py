"""The content of the 季度通报, independent of its format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from landrules.decide.workbook.actions import ActionList
from landrules.ledger.write.base import Labels
from landrules.decide.workbook.tables import Table, overview, summary_tables
from landrules.decide.workbook.sheets import (
    ACTION_HEADER,
    OVERDUE_HEADER,
    PUBLIC_HEADER,
    action_rows,
    cap_note,
    overdue_rows,
    public_rows,
)
from landrules.core.summary import Summary

LIST_ROWS_MAX = 500  # rows of each list in HTML/PDF (WeasyPrint: ~1.6 GiB for 2 000 a list); the XLSX has all
PLAN = "平龙政办〔2021〕36号"


@dataclass
class Listing:
    title: str
    header: list[str]
    rows: list[list[Any]]
    total: int
    notes: list[str] = field(default_factory=list)

    @property
    def shown(self) -> list[list[Any]]:
        return self.rows[:LIST_ROWS_MAX]


@dataclass
class Bulletin:
    title: str
    subtitle: str
    as_of: str
    ledger: str
    rulebook: str
    summary: Summary
    overview: Table
    tables: list[Table]
    lists: list[Listing]
    notes: list[str]
    progress: list[Table] = field(default_factory=list)  # 本季进展 (report --since RUN), contract §7

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def charts(self) -> list[Table]:
        return [t for t in self.tables if t.chart and t.rows]


def _listing(title: str, header: list[str], rows: list[list[Any]], notes: list[str]) -> Listing:
    notes = list(notes)
    if len(rows) > LIST_ROWS_MAX:
        notes.append(f"共 {len(rows):,} 宗，此处列出前 {LIST_ROWS_MAX:,} 宗；完整清单见 XLSX 格式的通报。")
    return Listing(title, header, rows, len(rows), notes)


def tax_headline(summary: Summary, labels: Labels) -> list[list[Any]]:
    """The HTML's headline figure as overview rows (so that the XLSX carries it too): the
    area-weighted 亩均税收 of supplied industrial land against the plan's target (一、(二)2.)."""
    mean, target = summary.tax.weighted_mean, labels.tax_target
    figure = "无数据" if mean is None else round(mean, 2)
    if target is None:
        return [["已供工业用地亩均税收（万元/亩）", figure]]
    verdict = "" if mean is None else ("已达到" if mean >= target.value else "未达到")
    return [["已供工业用地亩均税收（万元/亩）", figure],
            [f"亩均税收目标（{target.unit}，{'、'.join(target.cites)}）", f"{target.value:g}" + (f"（{verdict}）" if verdict else "")]]


def fee_rows(rows: list) -> list[list[Any]]:
    """The idle fees of 第十四条（一）: their total (万元) and the parcels waiting for a land price."""
    fees = [r.fee for r in rows if r.fee is not None]
    pending = sum(r.fee_pending for r in rows)
    if not fees and not pending:
        return []
    out = [["征缴土地闲置费（宗 / 万元）", f"{len(fees)} 宗 / {sum(fees):.2f} 万元"]]
    if pending:
        out.append(["闲置费待补充土地价款（宗）", pending])
    return out


def build(summary: Summary, actions: ActionList, labels: Labels, as_of: str | None, rulebook: str | None,
          ledger: str, progress: list[Table] | None = None) -> Bulletin:
    ordered = actions.rows()
    capped = cap_note(actions)
    tables = summary_tables(summary, labels)
    extra = [["需处置（宗）", actions.total], *tax_headline(summary, labels), *fee_rows(ordered), ["台账", ledger]]
    lists = [
        _listing("逾期事项", OVERDUE_HEADER, overdue_rows(ordered),
                 ["完成时限早于评估日的处置措施所在宗地，按责任单位、完成时限排序。", *capped]),
        _listing("一宗一策", ACTION_HEADER, action_rows(ordered),
                 [f"按{PLAN} 二、(三)1.：地块基本信息、形成原因、处置措施、完成时限、责任单位；按责任单位、完成时限排序。",
                  *capped]),
        _listing("公布清单（批而未供、闲置、低效土地）", PUBLIC_HEADER, public_rows(ordered),
                 [f"按{PLAN} 四、(四)公布；闲置土地只列经认定的（国土资源部令第53号第九条：先调查认定）。", *capped]),
    ]
    when = as_of or dt.date.today().isoformat()
    return Bulletin(
        title="石龙产业集聚区用地提质增效季度通报",
        subtitle=f"评估日 {when} · 依据{PLAN}四、(三)“季度通报” · 台账 {ledger}",
        as_of=when,
        ledger=ledger,
        rulebook=rulebook or "",
        summary=summary,
        overview=overview(summary, as_of, rulebook, extra),
        tables=tables,
        lists=lists,
        notes=["一宗地有多个类别、处置措施、责任单位或完成时限时，在每一项中各计一次。",
               *summary.notices],  # what reading set aside: look-alike columns, missing fields, 合计行
        progress=list(progress or []),
    )
