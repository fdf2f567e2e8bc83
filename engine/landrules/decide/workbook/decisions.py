"""The XLSX writer: the workbook officers open. openpyxl's write-only mode writes every part but
the rows of 决策, which are written column-wise (Book.body, ledger/write/xlsx_sheet_xml.py).

Sheet 决策, a bureau's 台账 (heading.py): a title row naming the cluster and the evaluation date,
the 填报单位/评估日期/填报日期 line, the header, one row per parcel, a 合计 row (宗数, 面积) and a
填表人/审核人 line. The columns:

1. 序号 (the ledger's own 序号 column when it has one, else counted);
2. 宗地编号, 坐落, 用地单位, 项目名称, 面积 (the ledger's own columns for those fields, moved to the
   front; a numeric column whose header names no unit gets the field's unit);
3. the decision under Chinese headers (ZH_HEADERS): 类别, 处置措施, 依据条款 (each clause as printed,
   二、（三）2.（2）, with its heading), 完成时限 (a date cell: the earliest deadline), 是否逾期,
   责任单位, 需补充信息, 错误, 决策备注 (when the records carry `notes`);
4. the rest of the officer's input columns, in their order, under their headers; numeric and date
   fields typed as numbers and dates (xlsx_cells.py);
5. the contract's flattened columns (`categories`, `outcome_codes`, …, `as_of`, `rulebook`, as in
   the CSV, for scripts): codes and the rulebook hash, grouped and hidden: one click shows them.

Panes frozen below the header and right of 宗地编号; autofilter on the header row; overdue rows red
and invalid rows yellow (conditional formatting); A3 landscape, one page wide, the header
repeated on every page, 第 X 页 共 Y 页 in the footer, the print area the identity and decision
columns. Past Excel's 1 048 576 rows a sheet, rows continue on 决策2, 决策3, … each with its
heading. Then 一宗一策, 按责任单位, 公布清单 and 汇总 (sheets.py). No cell is a formula; the file is
byte-for-byte reproducible (xlsx_book.py).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter

from landrules.core import fields
from landrules.core.decision import SEP
from landrules.decide.workbook.actions import ActionList, amount, earliest
from landrules.decide.workbook.heading import FIRST, HEAD_ROWS, TAIL_ROWS, title_of, write_heading, write_tail
from landrules.decide.workbook.sheets import (
    INVALID_STYLE,
    OVERDUE_STYLE,
    SUMMARY_SHEET,
    write_lists,
    write_summary,
)
from landrules.decide.workbook.tables import overview, summary_tables
from landrules.ledger.read.reader import canonical_header
from landrules.ledger.write.base import OUTPUT_COLUMNS, DecisionWriter, Labels, unique_names
from landrules.ledger.write.xlsx_book import (
    LINE_HEIGHT,
    MAX_SHEET_ROWS,
    MAX_WIDTH,
    MIN_WIDTH,
    TOP,
    WRAP,
    Book,
    header_row,
    line_counts,
    widths_for,
)
from landrules.ledger.write.xlsx_cells import MAX_TEXT, clean_text, input_column, map_unique

if TYPE_CHECKING:
    from landrules.core.summary import Summary

__all__ = ["XlsxWriter", "SHEET", "MIN_WIDTH", "MAX_WIDTH", "SUMMARY_SHEET", "MAX_SHEET_ROWS", "MAX_TEXT", "ZH_HEADERS"]

SHEET = "决策"
FRONT = ("parcel_id", "location", "holder", "project", "area_mu", "area_ha", "area_m2")
AREAS = ("area_mu", "area_ha", "area_m2")  # the 合计 row sums the first of these the ledger has
SERIAL = "序号"
TITLE = "存量用地处置决策台账"
# units the header of a numeric input column gets when it names none (面积 -> 面积（亩）)
UNITS = {"area_mu": "亩", "area_ha": "公顷", "area_m2": "平方米", "output_per_mu": "万元/亩", "tax_per_mu": "万元/亩",
         "investment_per_mu": "万元/亩", "committed_investment_per_mu": "万元/亩", "committed_tax_per_mu": "万元/亩"}
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
}
HIDDEN_ONLY = ("outcome_codes", "as_of", "rulebook")  # codes and the hash: only in the hidden group
WIDTH_SAMPLE = 200  # rows of the first chunk looked at for column widths
# decision columns whose text wraps in a narrower column (so that a printed page stays readable)
WRAPPED = {"categories": 12, "outcome_labels": 32, "citations": 30, "responsible": 22, "needs": 16,
           "errors": 30, "notes": 24}
FRONT_WIDTHS = {"location": 24, "holder": 22, "project": 20}
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
        headers = [h.replace(" ", "").replace("\u3000", "") for h in self.input_headers]
        serial = headers.index(SERIAL) if SERIAL in headers else None  # the officer's own 序号: kept, not doubled
        self._serial = serial
        area = next((f for f in AREAS if f in names), None)  # one area in front: the one 合计 sums
        self._front = [names.index(f) for f in FRONT if f in names and (f not in AREAS or f == area)]
        self._rest = [i for i in range(len(self.input_headers)) if i not in self._front and i != serial]
        self._zh = [c for c in ZH_HEADERS if c in OUTPUT_COLUMNS] + [
            c for c in OUTPUT_COLUMNS if c not in ZH_HEADERS and c not in HIDDEN_ONLY]
        zh_names = [ZH_HEADERS.get(c, c) for c in self._zh]
        inputs = [self._with_unit(h, names[i]) for i, h in enumerate(unique_names(self.input_headers, [*OUTPUT_COLUMNS, *zh_names, SERIAL]))]
        lead = [self.input_headers[serial] if serial is not None else SERIAL]
        self._header = [*lead, *(inputs[i] for i in self._front), *zh_names, *(inputs[i] for i in self._rest), *OUTPUT_COLUMNS]
        shown = 1 + len(self._front) + len(self._zh) + len(self._rest)
        self._hidden = range(shown + 1, shown + len(OUTPUT_COLUMNS) + 1)  # 1-based
        self._printed = 1 + len(self._front) + len(self._zh)  # 序号, identity and decision
        self._area_col = None if area is None else 1 + self._front.index(names.index(area))
        self._area_sum = 0.0
        self._title = title_of(TITLE, None, self.labels.ledger_title)
        needs_zh = {f.name: f.zh for f in fields.FIELDS}
        self._convert: dict[str, Callable[[str], Any]] = {
            "categories": self._codes(self.labels.categories),
            "needs": self._codes(needs_zh),
            "overdue": self._overdue,
            "deadline": lambda text: earliest(text) or clean_text(text),
            "citations": self._citations,
            "errors": lambda text: clean_text(fields.plain_words(text)),  # 土地用途, not land_use（土地用途）
            "idle_fee_amount": lambda text: (amount(text) if amount(text) is not None else clean_text(text)) if text else None,  # 万元: a number cell
        }

    def _translate(self, exc: BaseException):
        # lxml streams the sheets and reports a full disk as SerialisationError("IO_ENOSPC")
        text = str(exc)
        if type(exc).__name__ == "SerialisationError" and text.startswith("IO_"):
            code = {"IO_ENOSPC": errno.ENOSPC, "IO_EDQUOT": errno.EDQUOT, "IO_EACCES": errno.EACCES}.get(text, errno.EIO)
            return self._error(OSError(code, os.strerror(code)))
        return super()._translate(exc)

    @staticmethod
    def _with_unit(header: str, name: str | None) -> str:
        unit = UNITS.get(name or "")
        if not unit or unit in header or any(b in header for b in ("（", "(", "[", "【")):
            return header
        return f"{header}（{unit}）"

    # --- cells -----------------------------------------------------------------------------

    @staticmethod
    def _codes(labels: dict[str, str]) -> Callable[[str], str | None]:
        return lambda text: clean_text(SEP.join(labels.get(c, c) for c in text.split(SEP))) if text else None

    def _citations(self, text: str) -> str | None:
        """`DOC CLAUSE; …` as printed with each clause's heading: 平龙政办〔2021〕36号 二、（三）2.（2）（…）."""
        if not text:
            return None
        return clean_text(SEP.join(self.labels.cite(ref) for ref in text.split(SEP)))

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

        if self._serial is not None:  # the officer's numbers, as numbers when they are
            columns = [[int(v) if isinstance(v, str) and v.strip().isdigit() else v for v in given(self._serial)]]
        else:
            columns = [list(range(self.rows + 1, self.rows + len(flat) + 1))]
        columns += [given(i) for i in self._front]
        if self._area_col is not None:
            self._area_sum += sum(v for v in columns[self._area_col] if isinstance(v, (int, float)) and not isinstance(v, bool))
        columns += [map_unique(flat[c], self._convert.get(c, clean_text)) for c in self._zh]
        columns += [given(i) for i in self._rest]
        columns += [map_unique(flat[c], clean_text) for c in OUTPUT_COLUMNS]
        return columns

    # --- sheets ----------------------------------------------------------------------------

    def _new_sheet(self) -> None:
        n = len(self._sheets) + 1
        frozen = f"C{FIRST}" if self._front else f"B{FIRST}"  # below the header, right of 序号 and 宗地编号
        sheet = self._book.sheet(SHEET if n == 1 else f"{SHEET}{n}", self._widths or [], freeze=frozen, hidden=self._hidden)
        title = title_of(TITLE, self._as_of, self.labels.ledger_title)
        write_heading(sheet, title if n == 1 else f"{title}（续{n - 1}）", self._as_of, self._printed)
        sheet.append(header_row(sheet, [clean_text(h) or "" for h in self._header]))
        # the rows, column-wise; multi-line rows: wrapped text, and 序号/宗地编号 at the top beside it
        self._body = self._book.body(sheet, FIRST, tall={
            i: {"alignment": WRAP if i in self._wrapped else TOP} for i in self._top})
        self._sheets.append(sheet)
        self._sheet_rows = HEAD_ROWS

    def _write(self, inputs, flat, jsonl) -> None:
        if not len(flat):
            return
        self.actions.add(inputs, self.input_names, flat, self.parsed)
        if self._widths is None:
            self._as_of = next((v for v in flat["as_of"] if v), None)
            self._rulebook = next((v for v in flat["rulebook"] if v), None)
        columns = self._columns(inputs, flat)
        if self._widths is None:
            self._set_widths(columns)
        n = len(flat)
        lines = np.asarray(line_counts(columns, self._widths, self._wrapped, n))
        heights = np.where(lines > 1, lines * LINE_HEIGHT, 0.0)
        room = max(MAX_SHEET_ROWS - TAIL_ROWS, HEAD_ROWS + 1)  # rows a sheet takes, the 合计 rows kept free
        start = 0
        while start < n:
            if not self._sheets or self._sheet_rows >= room:
                self._new_sheet()
            stop = min(n, start + room - self._sheet_rows)
            part = columns if (start, stop) == (0, n) else [c[start:stop] for c in columns]
            self._body.append(part, heights[start:stop])
            self._sheet_rows += stop - start
            start = stop

    def _set_widths(self, columns: list[list[Any]]) -> None:
        self._widths = widths_for(self._header, [c[:WIDTH_SAMPLE] for c in columns])
        self._widths[0] = min(self._widths[0], 8)
        for k, i in enumerate(self._front, 1):
            cap = FRONT_WIDTHS.get(self.input_names[i])
            if cap:
                self._widths[k] = min(self._widths[k], cap)
        self._wrapped = []
        for k, name in enumerate(self._zh, 1 + len(self._front)):
            if name in WRAPPED:
                self._widths[k] = min(self._widths[k], WRAPPED[name])
                self._wrapped.append(k)
        self._wrapped += [k for k, i in enumerate(self._front, 1) if self.input_names[i] in FRONT_WIDTHS]
        # every printed cell of a multi-line row at the top, so that a row reads across
        self._top = sorted({*range(self._printed), *self._wrapped})

    # --- finishing -------------------------------------------------------------------------

    def _finish_sheets(self) -> None:
        """The 合计 and signature rows, autofilter, print area and the overdue/invalid highlighting,
        now that each sheet's length is known."""
        last_col = get_column_letter(len(self._header))
        printed = get_column_letter(max(self._printed, 1))
        overdue = get_column_letter(self._header.index(ZH_HEADERS["overdue"]) + 1)
        errors = get_column_letter(self._header.index(ZH_HEADERS["errors"]) + 1)
        for k, sheet in enumerate(self._sheets):
            rows = self._sheet_rows if k == len(self._sheets) - 1 else max(MAX_SHEET_ROWS - TAIL_ROWS, HEAD_ROWS + 1)
            end = rows
            if k == len(self._sheets) - 1:
                area, note = self._area_sum, None
                if self._area_col is not None and self.input_names[self._front[self._area_col - 1]] == "area_mu" \
                        and abs(self.actions.area_mu - self._area_sum) > 0.005:
                    area = self.actions.area_mu  # parcels given in 平方米 or 公顷 count too, converted
                    note = f"面积含按平方米、公顷换算为亩的宗地（本列数字合计 {self._area_sum:,.2f} 亩）"
                end = write_tail(sheet, rows + 1, self.rows, 1 if self._front else 0, area,
                                 self._area_col, self._printed, note)
            sheet.auto_filter.ref = f"A{HEAD_ROWS}:{last_col}{rows}"
            sheet.print_area = f"A1:{printed}{end}"
            if rows < FIRST:
                continue
            area = f"A{FIRST}:{last_col}{rows}"
            sheet.conditional_formatting.add(area, FormulaRule(formula=[f'LEN(${errors}{FIRST})>0'], stopIfTrue=True, **INVALID_STYLE))
            sheet.conditional_formatting.add(area, FormulaRule(
                formula=[f'OR(${overdue}{FIRST}="是",ISNUMBER(SEARCH("：是",${overdue}{FIRST})))'], **OVERDUE_STYLE))

    def _finish(self, summary: Summary | None) -> None:
        if not self._sheets:
            if self._widths is None:
                self._set_widths([])
            self._new_sheet()
        self._finish_sheets()
        write_lists(self._book, self.actions, self._as_of)
        self._write_summary(summary)
        self._book.save(self.tmp, self._as_of)

    def _write_summary(self, summary: Summary | None) -> None:
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
                         f"分 {len(self._sheets)} 张工作表：{names}（每张第 {HEAD_ROWS} 行为表头）。")
        write_summary(self._book, tables, notes)

    def _discard(self) -> None:
        if hasattr(self, "_book"):
            self._book.discard()
