"""The XLSX writer: the workbook officers open, streamed with openpyxl's write-only mode.

Sheet 决策, one row per parcel:

1. 宗地编号, 坐落, 用地单位 (the ledger's own columns for those fields, moved to the front);
2. the decision under Chinese headers (ZH_HEADERS): 类别, 处置措施, 依据条款 (with each clause's
   heading), 完成时限 (a date cell: the earliest deadline), 是否逾期, 责任单位, 需补充信息, 错误,
   决策备注 (when the records carry `notes`), 处置代码, 评估日, 规则库; a decision column without a
   Chinese header appears under its own name;
3. the rest of the officer's input columns, in their order, under their headers; numeric and date
   fields typed as numbers and dates (xlsx_cells.py);
4. the contract's flattened columns (`categories`, `outcome_codes`, …, as in the CSV, for
   scripts), grouped and hidden: one click shows them.

Panes frozen below the header and right of 宗地编号; autofilter; overdue rows red and invalid
rows yellow (conditional formatting); landscape, one page wide, the header repeated on every
page, the print area the identity and decision columns. Past Excel's 1 048 576 rows a sheet,
rows continue on 决策2, 决策3, … with the header repeated. Then 一宗一策, 公布清单 and 汇总
(xlsx_sheets.py). No cell is a formula; the file is byte-for-byte reproducible (xlsx_book.py).
"""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

import pandas as pd
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter

from landrules.core import fields
from landrules.core.decision import SEP
from landrules.decide.workbook.actions import ActionList, amount, earliest
from landrules.ledger.write.base import OUTPUT_COLUMNS, DecisionWriter, Labels, unique_names
from landrules.ledger.read.reader import canonical_header
from landrules.decide.workbook.tables import overview, summary_tables
from landrules.ledger.write.xlsx_book import (
    MAX_WIDTH, MIN_WIDTH, TOP, WRAP, Book, append_sized, header_row, line_counts, repeat_header, widths_for,
)
from landrules.ledger.write.xlsx_cells import MAX_TEXT, clean_text, input_column, map_unique, row_cells, styled
from landrules.decide.workbook.sheets import INVALID_STYLE, OVERDUE_STYLE, SUMMARY_SHEET, write_actions, write_public, write_summary

if TYPE_CHECKING:
    from landrules.core.summary import Summary

__all__ = ["XlsxWriter", "SHEET", "MIN_WIDTH", "MAX_WIDTH", "SUMMARY_SHEET", "MAX_SHEET_ROWS", "MAX_TEXT", "ZH_HEADERS"]

MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included
SHEET = "决策"
FRONT = ("parcel_id", "location", "holder")
# flat column -> Chinese header, in the order shown after 宗地编号/坐落/用地单位
ZH_HEADERS = {
    "categories": "类别",
    "outcome_labels": "处置措施",
    "idle_fee_amount": "闲置费（万元）",
    "citations": "依据条款",
    "deadline": "完成时限",
    "overdue": "是否逾期",
    "responsible": "责任单位",
    "needs": "需补充信息",
    "errors": "错误",
    "notes": "决策备注",  # not 备注: ledgers often have their own 备注 column
    "outcome_codes": "处置代码",
    "as_of": "评估日",
    "rulebook": "规则库",
}
WIDTH_SAMPLE = 200  # rows of the first chunk looked at for column widths
# decision columns whose text wraps in a narrower column (so that a printed page stays readable)
WRAPPED = {"categories": 12, "outcome_labels": 32, "citations": 30, "responsible": 22, "needs": 16,
           "errors": 30, "notes": 24}
FRONT_WIDTHS = {"location": 24, "holder": 22}
_YES_NO = {"是": "是", "否": "否", "true": "是", "false": "否", "yes": "是", "no": "否", "1": "是", "0": "否"}


class XlsxWriter(DecisionWriter):
    def __init__(self, path, input_headers: Sequence[Any], labels: Labels | None = None,
                 input_names: Sequence[str | None] | None = None):
        headers = ["" if h is None else str(h) for h in input_headers]
        self.input_names = list(input_names) if input_names is not None else [canonical_header(h) for h in headers]
        super().__init__(path, input_headers, labels)

    def _open(self, fd: int) -> None:
        import os

        os.close(fd)
        self._book = Book(self.path)
        self._sheets: list = []
        self._sheet_rows = 0
        self._widths: list[float] | None = None
        self._as_of: str | None = None
        self._rulebook: str | None = None
        self.actions = ActionList(self.labels)
        names = self.input_names
        self._front = [names.index(f) for f in FRONT if f in names]
        self._rest = [i for i in range(len(self.input_headers)) if i not in self._front]
        self._zh = [c for c in ZH_HEADERS if c in OUTPUT_COLUMNS] + [c for c in OUTPUT_COLUMNS if c not in ZH_HEADERS]
        zh_names = [ZH_HEADERS.get(c, c) for c in self._zh]
        inputs = unique_names(self.input_headers, [*OUTPUT_COLUMNS, *zh_names])
        self._header = [*(inputs[i] for i in self._front), *zh_names, *(inputs[i] for i in self._rest), *OUTPUT_COLUMNS]
        english = len(self._front) + len(self._zh) + len(self._rest)
        self._hidden = range(english + 1, english + len(OUTPUT_COLUMNS) + 1)  # 1-based
        self._printed = len(self._front) + len(self._zh) - 3  # identity and decision, without 处置代码/评估日/规则库
        needs_zh = {f.name: f.zh for f in fields.FIELDS}
        self._convert: dict[str, Callable[[str], Any]] = {
            "categories": self._codes(self.labels.categories),
            "needs": self._codes(needs_zh),
            "overdue": self._overdue,
            "deadline": lambda text: earliest(text) or clean_text(text),
            "citations": self._citations,
            "idle_fee_amount": lambda text: (amount(text) if amount(text) is not None else clean_text(text)) if text else None,  # 万元: a number cell
        }

    def _translate(self, exc: BaseException):
        # lxml streams the sheets and reports a full disk as SerialisationError("IO_ENOSPC")
        text = str(exc)
        if type(exc).__name__ == "SerialisationError" and text.startswith("IO_"):
            code = {"IO_ENOSPC": errno.ENOSPC, "IO_EDQUOT": errno.EDQUOT, "IO_EACCES": errno.EACCES}.get(text, errno.EIO)
            return self._error(OSError(code, os.strerror(code)))
        return super()._translate(exc)

    # --- cells -----------------------------------------------------------------------------

    @staticmethod
    def _codes(labels: dict[str, str]) -> Callable[[str], str | None]:
        return lambda text: clean_text(SEP.join(labels.get(c, c) for c in text.split(SEP))) if text else None

    def _citations(self, text: str) -> str | None:
        """`DOC CLAUSE; …` with each clause's heading: 平龙政办〔2021〕36号 2.3.2.2（供而未用闲置土地处置）."""
        if not text:
            return None
        headings = self.labels.clauses
        return clean_text(SEP.join(f"{ref}（{headings[ref]}）" if ref in headings else ref for ref in text.split(SEP)))

    def _overdue(self, text: str) -> str | None:
        """`code:是; code:否` -> 是 / 否 when all agree, else each outcome's label with its flag."""
        if not text:
            return None
        pairs = [item.rpartition(":") for item in text.split(SEP)]
        flags = [_YES_NO.get(flag.strip().lower(), flag) for _, _, flag in pairs]
        if len(set(flags)) == 1:
            return clean_text(flags[0])
        return clean_text(SEP.join(
            f"{self.labels.outcomes.get(code, code)}：{flag}" if code else flag
            for (code, _, _), flag in zip(pairs, flags)
        ))

    def _columns(self, inputs: pd.DataFrame, flat: pd.DataFrame) -> list[list[Any]]:
        def given(i: int) -> list[Any]:
            return input_column(self.input_names[i], inputs.iloc[:, i])

        columns = [given(i) for i in self._front]
        columns += [map_unique(flat[c], self._convert.get(c, clean_text)) for c in self._zh]
        columns += [given(i) for i in self._rest]
        columns += [map_unique(flat[c], clean_text) for c in OUTPUT_COLUMNS]
        return columns

    # --- sheets ----------------------------------------------------------------------------

    def _new_sheet(self) -> None:
        n = len(self._sheets) + 1
        frozen = "B2" if self._front else "A2"
        sheet = self._book.sheet(SHEET if n == 1 else f"{SHEET}{n}", self._widths or [], freeze=frozen, hidden=self._hidden)
        sheet.append(header_row(sheet, [clean_text(h) or "" for h in self._header]))
        repeat_header(sheet)
        self._sheets.append(sheet)
        self._sheet_rows = 1

    def _write(self, inputs, flat, jsonl) -> None:
        if not len(flat):
            return
        self.actions.add(inputs, self.input_names, flat, self.parsed)
        columns = self._columns(inputs, flat)
        if self._widths is None:
            self._set_widths(columns)
            self._as_of = next((v for v in flat["as_of"] if v), None)
            self._rulebook = next((v for v in flat["rulebook"] if v), None)
        rows = list(zip(*columns))
        lines = line_counts(columns, self._widths, self._wrapped, len(rows))
        start = 0
        while start < len(rows):
            if not self._sheets or self._sheet_rows >= MAX_SHEET_ROWS:
                self._new_sheet()
            stop = min(len(rows), start + MAX_SHEET_ROWS - self._sheet_rows)
            sheet = self._sheets[-1]
            # multi-line rows: wrapped text, and 宗地编号 at the top beside it; one-line rows plain
            templates = {i: styled(sheet, "", alignment=WRAP if i in self._wrapped else TOP) for i in self._top}
            index = self._sheet_rows
            for row, count in zip(rows[start:stop], lines[start:stop]):
                index += 1
                append_sized(sheet, index, row_cells(sheet, row, templates if count > 1 else None), count)
            self._sheet_rows += stop - start
            start = stop

    def _set_widths(self, columns: list[list[Any]]) -> None:
        self._widths = widths_for(self._header, [c[:WIDTH_SAMPLE] for c in columns])
        for k, i in enumerate(self._front):
            cap = FRONT_WIDTHS.get(self.input_names[i])
            if cap:
                self._widths[k] = min(self._widths[k], cap)
        self._wrapped = []
        for k, name in enumerate(self._zh, len(self._front)):
            if name in WRAPPED:
                self._widths[k] = min(self._widths[k], WRAPPED[name])
                self._wrapped.append(k)
        self._wrapped += [k for k, i in enumerate(self._front) if self.input_names[i] in FRONT_WIDTHS]
        at = {c: len(self._front) + k for k, c in enumerate(self._zh)}
        self._top = [*([0] if self._front else []), *self._wrapped, *(at[c] for c in ("deadline", "overdue") if c in at)]

    # --- finishing -------------------------------------------------------------------------

    def _finish_sheets(self) -> None:
        """Autofilter and the overdue/invalid highlighting, now that each sheet's length is known."""
        last_col = get_column_letter(len(self._header))
        overdue = get_column_letter(self._header.index(ZH_HEADERS["overdue"]) + 1)
        errors = get_column_letter(self._header.index(ZH_HEADERS["errors"]) + 1)
        for k, sheet in enumerate(self._sheets):
            rows = MAX_SHEET_ROWS if k < len(self._sheets) - 1 else self._sheet_rows
            sheet.auto_filter.ref = f"A1:{last_col}{max(rows, 1)}"
            sheet.print_area = f"A1:{get_column_letter(max(self._printed, 1))}{max(rows, 1)}"
            if rows < 2:
                continue
            area = f"A2:{last_col}{rows}"
            sheet.conditional_formatting.add(area, FormulaRule(formula=[f'LEN(${errors}2)>0'], stopIfTrue=True, **INVALID_STYLE))
            sheet.conditional_formatting.add(
                area, FormulaRule(formula=[f'OR(${overdue}2="是",ISNUMBER(SEARCH("：是",${overdue}2)))'], **OVERDUE_STYLE))

    def _finish(self, summary: "Summary | None") -> None:
        if not self._sheets:
            if self._widths is None:
                self._set_widths([])
            self._new_sheet()
        self._finish_sheets()
        write_actions(self._book, self.actions, self._as_of)
        write_public(self._book, self.actions)
        self._write_summary(summary)
        self._book.save(self.tmp, self._as_of)

    def _write_summary(self, summary: "Summary | None") -> None:
        from landrules.core.summary import Summary

        counted = summary if summary is not None else Summary(rows=self.rows, decided=self.rows - self.invalid,
                                                              invalid=self.invalid)
        tables = [overview(counted, self._as_of, self._rulebook)]
        if summary is not None:
            tables += summary_tables(summary, self.labels)
        notes = ["一宗地有多个类别、处置措施、责任单位或完成时限时，在每一项中各计一次。"]
        notes += list(getattr(summary, "notices", None) or ())  # what reading set aside: look-alike columns, missing fields, 合计行
        if len(self._sheets) > 1:
            names = "、".join(s.title for s in self._sheets)
            notes.append(f"决策结果共 {self.rows:,} 行，超过 Excel 每张工作表 {MAX_SHEET_ROWS:,} 行的上限，"
                         f"分 {len(self._sheets)} 张工作表：{names}（每张首行为表头）。")
        write_summary(self._book, tables, notes)

    def _discard(self) -> None:
        if hasattr(self, "_book"):
            self._book.discard()
