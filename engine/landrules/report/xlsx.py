"""The bulletin as a workbook: 汇总 (overview, tables, native bar charts), 逾期事项, 一宗一策 and
公布清单 — the workbook `decide` writes, without the per-parcel 决策 sheet."""

from __future__ import annotations

from pathlib import Path

from landrules.decide.workbook.actions import ActionList
from landrules.decide.workbook.sheets import write_lists, write_summary
from landrules.ledger.write.xlsx_book import Book
from landrules.report.bulletin import Bulletin


def write_xlsx(bulletin: Bulletin, actions: ActionList, book: Book, target: Path) -> None:
    write_summary(book, [bulletin.overview, *bulletin.tables, *bulletin.progress], bulletin.notes)
    write_lists(book, actions, bulletin.as_of, overdue=True)
    book.save(target, bulletin.as_of)
