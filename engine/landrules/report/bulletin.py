"""The content of the 季度通报, independent of its format: a heading block (issuing office, 文号
placeholder, title, date), paragraphs written from the figures (narrative.py), the tables, and the
lists (逾期事项, 一宗一策, 公布清单). The XLSX keeps every table and column; the page (HTML, PDF)
shows the officer's view: no code columns, no empty table or list, 一宗一策 in compact columns.

Reading of the plan: 四、（三） makes the 季度通报 part of the 领导小组's 督导 mechanism and 四、（一）
seats the 领导小组办公室 (in the 国土资源局) for its daily work, so the 通报 is issued in the name
of the 领导小组办公室; its 文号 is left for the office to fill in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from landrules.core.summary import Summary
from landrules.decide.workbook.actions import ActionList, ActionRow
from landrules.decide.workbook.heading import CLUSTER, as_date, date_zh
from landrules.decide.workbook.lists import (
    ACTION_HEADER,
    OVERDUE_HEADER,
    PUBLIC_HEADER,
    ParcelColumns,
    action_table,
    measure_names,
    overdue_table,
    public_table,
)
from landrules.decide.workbook.sheets import cap_note
from landrules.decide.workbook.tables import Table, overview, summary_tables
from landrules.ledger.write.base import Labels

LIST_ROWS_MAX = 500  # rows of each list in HTML/PDF (WeasyPrint: ~1.6 GiB for 2 000 a list); the XLSX has all
PLAN = "平龙政办〔2021〕36号"
OFFICE = f"{CLUSTER}提质增效行动领导小组办公室"  # 四、（一）: the 领导小组办公室 does the daily work
# documents named short in the compact lists, with a legend under them
SHORT_DOCS = {"平龙政办〔2021〕36号": "36号文", "国土资源部令第53号": "53号令"}
COMPACT_HEADER = ["序号", "宗地编号", "坐落", "用地单位", "项目名称", "面积（亩）", "类别", "形成原因", "处置措施",
                  "完成时限", "逾期", "责任单位", "依据条款"]
QUARTERS = "一二三四"


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
    office: str = OFFICE
    doc_no: str = ""  # 文号 placeholder
    date_text: str = ""  # 2021年10月1日
    paragraphs: list[str] = field(default_factory=list)
    pages: list[Listing] = field(default_factory=list)  # the lists as the page shows them (compact, none empty)
    progress: list[Table] = field(default_factory=list)  # 本季进展 (report --since RUN), contract §7

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def charts(self) -> list[Table]:
        return [t for t in self.tables if t.chart and t.rows and t.key in ("category", "responsible")]

    @property
    def shown_tables(self) -> list[Table]:
        """The tables as the page shows them: without code columns, none empty."""
        return [officer_table(t) for t in self.tables if t.rows]


def officer_table(table: Table) -> Table:
    """`table` without its code column (代码/字段), for the page; the XLSX keeps the codes."""
    if table.header and table.header[0] in ("代码", "字段"):
        chart = (table.chart[0] - 1, table.chart[1] - 1) if table.chart else None
        return Table(table.key, table.title, table.header[1:], [r[1:] for r in table.rows], chart,
                     table.chart_title, list(table.notes))
    return table


def period_of(day: dt.date) -> str:
    """The quarter a bulletin evaluated on `day` reports: the one the day before falls in
    (2021-10-01 reports 2021年第三季度)."""
    last = day - dt.timedelta(days=1)
    return f"{last.year}年第{QUARTERS[(last.month - 1) // 3]}季度"


def short(clauses: str, docs: dict[str, str] = SHORT_DOCS) -> str:
    """Printed references ("DOC 二、（三）2.（2）; DOC 第九条; …") grouped by document, the document
    named short: 36号文二、（三）2.（2）；53号令第八、九、十二条."""
    grouped: dict[str, list[str]] = {}
    for ref in clauses.split("; ") if clauses else ():
        doc, _, number = ref.rpartition(" ")
        grouped.setdefault(doc, []).append(number)
    parts = []
    for doc, numbers in grouped.items():
        articles = [re.fullmatch(r"第(.+)条", n) for n in numbers]
        if len(numbers) > 1 and all(articles):
            shown = "第" + "、".join(m.group(1) for m in articles) + "条"
        else:
            shown = "、".join(numbers)
        parts.append(docs.get(doc, f"{doc} " if doc else "") + shown)
    return "；".join(parts)


def compact_rows(actions: list[ActionRow]) -> list[list[Any]]:
    """一宗一策 for the page: each measure by its name (the words before its parenthesis; the
    full wording is in the 处置措施 table), clauses as printed without headings, documents short."""
    return [[i, r.parcel_id, r.location, r.holder, r.project, None if r.area_mu is None else round(r.area_mu, 2),
             r.categories.replace("; ", "、"), r.reason, measure_names(r.measures).replace("; ", "；"), r.deadline, "是" if r.overdue else "",
             r.responsible.replace("; ", "、"), short(r.clauses)] for i, r in enumerate(actions, 1)]


def compact_public(rows: list[list[Any]]) -> list[list[Any]]:
    """公布清单 for the page: measures by name, units joined with 、."""
    at = {h: i for i, h in enumerate(PUBLIC_HEADER)}
    out = []
    for row in rows:
        row = list(row)
        row[at["处置措施"]] = measure_names(row[at["处置措施"]] or "").replace("; ", "；")
        row[at["责任单位"]] = (row[at["责任单位"]] or "").replace("; ", "、")
        out.append(row)
    return out


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
    from landrules.report.narrative import paragraphs

    ordered = actions.rows()
    parcels = ParcelColumns.of_rows(ordered)  # coded once for the three lists
    capped = cap_note(actions)
    tables = summary_tables(summary, labels)
    extra = [["需处置（宗）", actions.total], *tax_headline(summary, labels), *fee_rows(ordered), ["台账", ledger]]
    lists = [
        _listing("逾期事项", OVERDUE_HEADER, overdue_table(parcels).rows(),
                 ["完成时限早于评估日的处置措施所在宗地，按责任单位、完成时限排序。", *capped]),
        _listing("一宗一策", ACTION_HEADER, action_table(parcels).rows(),
                 [f"按{PLAN} 二、（三）1.：地块基本信息、形成原因、处置措施、完成时限、责任单位；按责任单位、完成时限排序。",
                  *capped]),
        _listing("公布清单（批而未供、闲置、低效土地）", PUBLIC_HEADER, public_table(parcels).rows(),
                 [f"按{PLAN} 四、（四）公布；闲置土地只列经认定的（国土资源部令第53号第九条：先调查认定）。", *capped]),
    ]
    legend = "依据条款中：" + "；".join(f"{b}即{a}" for a, b in SHORT_DOCS.items()) + "。处置措施的完整表述见“处置措施”表。"
    compact = _listing("一宗一策", COMPACT_HEADER, compact_rows(ordered), [lists[1].notes[0], legend, *capped])
    public = Listing(lists[2].title, PUBLIC_HEADER, compact_public(lists[2].rows), lists[2].total, lists[2].notes)
    pages = [lists[0], compact, public]
    when = as_of or dt.date.today().isoformat()
    day = as_date(when) or dt.date.today()
    return Bulletin(
        title=f"关于{period_of(day)}{CLUSTER}存量用地处置情况的通报",
        subtitle=f"评估日 {when} · 依据{PLAN}四、（三）“季度通报” · 台账 {ledger}",
        as_of=when,
        ledger=ledger,
        rulebook=rulebook or "",
        summary=summary,
        overview=overview(summary, as_of, rulebook, extra),
        tables=tables,
        lists=lists,
        notes=["一宗地有多个类别、处置措施、责任单位或完成时限时，在每一项中各计一次。",
               *summary.notices],  # what reading set aside: look-alike columns, missing fields, 合计行
        doc_no=f"〔{day.year}〕　　号",
        date_text=date_zh(day),
        paragraphs=paragraphs(summary, labels, actions.total, actions.area_mu, date_zh(day)),
        pages=[p for p in pages if p.rows],
        progress=list(progress or []),
    )
