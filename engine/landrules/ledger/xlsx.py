"""The XLSX writer: the workbook officers open, streamed with openpyxl's write-only mode.

Sheet 决策 holds the input columns under their original headers, then the decision columns
of contract §4 under their contract names (`categories`, `outcome_codes`, …, as in the CSV, for
scripts; grouped and hidden, one click shows them), then the decision again for officers under
Chinese headers with Chinese labels (frozen, bold header row; widths from the first rows).
Past Excel's 1 048 576 rows a sheet, rows continue on 决策2, 决策3, … with the header repeated.
Sheet 汇总 (last) gives 宗数 and 面积（亩） by category and by outcome, and the row counts.

No cell is a formula: text beginning with = + - @ TAB CR gets a leading "'" (openpyxl would
store "=…" as a formula). Characters XML cannot carry are dropped, CR becomes LF (XML would
read it so anyway), text is cut at Excel's 32 767 characters. The file is byte-for-byte reproducible: the document properties and the
zip entries carry a fixed time (the evaluation date), not the time of writing.

openpyxl's write-only sheets stream each sheet's XML into a temporary file; here that file is a
hidden `.NAME.landrules-PID-XXXX.sheet.part` beside the output rather than in the system temp folder (which
may be memory-backed), and it is packed into the zip with `ExcelWriter` at commit.
"""

from __future__ import annotations

import datetime as dt
import errno
import math
import os
import shutil
import unicodedata
import zipfile
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as sheet_writer
from openpyxl.writer.excel import ExcelWriter

from landrules import fields
from landrules.decision import SEP
from landrules.ledger.output import (
    OUTPUT_COLUMNS,
    DecisionWriter,
    defuse,
    is_missing,
    temp_file,
    unique_names,
)
from landrules.summary import in_catalogue_order

if TYPE_CHECKING:
    from landrules.summary import Summary

MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included
MAX_TEXT = 32_767  # Excel's limit per cell
SHEET = "决策"
SUMMARY_SHEET = "汇总"
# flat column -> Chinese header, in the order shown after the input columns
HEADERS_ZH = {
    "categories": "类别",
    "outcome_codes": "处置代码",
    "outcome_labels": "处置措施",
    "citations": "依据条款",
    "deadline": "完成时限",
    "overdue": "是否逾期",
    "responsible": "责任单位",
    "needs": "需补充信息",
    "errors": "错误",
    "notes": "决策备注",
    "as_of": "评估日",
    "rulebook": "规则库",
}
WIDTH_SAMPLE = 200  # rows of the first chunk looked at for column widths
MIN_WIDTH, MAX_WIDTH = 6, 50
DEFAULT_TIME = dt.datetime(2000, 1, 1)
_YES_NO = {"是": "是", "否": "否", "true": "是", "false": "否", "yes": "是", "no": "否", "1": "是", "0": "否"}
_BOLD = Font(bold=True)


def text_value(text: str) -> str | None:
    """A text cell as written: defused, without XML-illegal characters, at most MAX_TEXT long."""
    if not text:
        return None
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    text = defuse(text)
    if "\r" in text:  # XML reads a bare CR as LF; Excel's line break in a cell is LF
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:MAX_TEXT] if len(text) > MAX_TEXT else text


def cell_value(value: Any) -> Any:
    """A raw input cell as an XLSX value: numbers, booleans and dates stay typed, text is defused."""
    if isinstance(value, str):
        return text_value(value)
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**15 else text_value(str(value))  # Excel keeps 15 digits
    if isinstance(value, float):
        return value if math.isfinite(value) else text_value(str(value))
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return text_value(value.isoformat(sep=" "))
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.time)):
        return value
    return text_value(str(value))


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _map_unique(series: pd.Series, convert: Callable[[str], Any]) -> list[Any]:
    """`convert` applied once per distinct value of a text column."""
    values = series.fillna("").to_numpy(dtype=object)
    table = {v: convert(v) for v in pd.unique(values)}
    return [table[v] for v in values]


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time and mode, so that equal content gives equal bytes."""

    def __init__(self, path, date_time: tuple[int, ...]):
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = date_time

    def _info(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = getattr(zinfo_or_arcname, "filename", zinfo_or_arcname)
        super().writestr(self._info(name), data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = self._info(arcname or os.path.basename(filename), os.path.getsize(filename))
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


class XlsxWriter(DecisionWriter):
    def _open(self, fd: int) -> None:
        os.close(fd)
        self._book = Workbook(write_only=True)
        self._sheets: list = []
        self._parts: list[str] = []
        self._sheet_rows = 0
        self._widths: list[float] | None = None
        self._as_of: str | None = None
        self._rulebook: str | None = None
        inputs = unique_names(self.input_headers, [*OUTPUT_COLUMNS, *HEADERS_ZH.values()])
        self._header = [*inputs, *OUTPUT_COLUMNS, *HEADERS_ZH.values()]
        self._hidden = range(len(inputs) + 1, len(inputs) + len(OUTPUT_COLUMNS) + 1)  # 1-based
        needs_zh = {f.name: f.zh for f in fields.FIELDS}
        self._convert = {
            "categories": self._codes(self.labels.categories),
            "needs": self._codes(needs_zh),
            "overdue": self._overdue,
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
        return lambda text: text_value(SEP.join(labels.get(c, c) for c in text.split(SEP))) if text else None

    def _overdue(self, text: str) -> str | None:
        """`code:是; code:否` -> 是 / 否 when all agree, else each outcome's label with its flag."""
        if not text:
            return None
        pairs = [item.rpartition(":") for item in text.split(SEP)]
        flags = [_YES_NO.get(flag.strip().lower(), flag) for _, _, flag in pairs]
        if len(set(flags)) == 1:
            return text_value(flags[0])
        return text_value(SEP.join(
            f"{self.labels.outcomes.get(code, code)}：{flag}" if code else flag
            for (code, _, _), flag in zip(pairs, flags)
        ))

    def _columns(self, inputs: pd.DataFrame, flat: pd.DataFrame) -> list[list[Any]]:
        columns = [[cell_value(v) for v in inputs.iloc[:, i].to_numpy(dtype=object)] for i in range(inputs.shape[1])]
        for name in OUTPUT_COLUMNS:
            columns.append(_map_unique(flat[name], text_value))
        for name in HEADERS_ZH:
            columns.append(_map_unique(flat[name], self._convert.get(name, text_value)))
        return columns

    # --- sheets ----------------------------------------------------------------------------

    def _attach(self, sheet) -> None:
        """Stream `sheet`'s XML into a hidden part file beside the output (see the module docstring)."""
        fd, path = temp_file(self.path, ".sheet.part")
        os.close(fd)
        part = str(path)
        self._parts.append(part)
        sheet_writer.ALL_TEMP_FILES.append(part)  # openpyxl's cleanup() removes it after packing
        sheet._writer = sheet_writer.WorksheetWriter(sheet, out=part)
        sheet._writer.write_top()

    def _new_sheet(self) -> None:
        n = len(self._sheets) + 1
        sheet = self._book.create_sheet(SHEET if n == 1 else f"{SHEET}{n}")
        sheet.freeze_panes = "A2"
        for i, width in enumerate(self._widths or [], 1):
            dimension = sheet.column_dimensions[get_column_letter(i)]
            dimension.width = width
            if i in self._hidden:
                dimension.hidden, dimension.outlineLevel = True, 1
        self._attach(sheet)
        sheet.append([self._bold(sheet, h) for h in self._header])
        self._sheets.append(sheet)
        self._sheet_rows = 1

    @staticmethod
    def _bold(sheet, value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text_value(value) if isinstance(value, str) else value)
        cell.font = _BOLD
        return cell

    def _set_widths(self, columns: list[list[Any]]) -> None:
        self._widths = []
        for header, values in zip(self._header, columns or [[]] * len(self._header)):
            sample = [display_width(str(v)) for v in values[:WIDTH_SAMPLE] if v is not None]
            widest = max([display_width(header), *sample])
            self._widths.append(float(min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)))

    def _write(self, inputs, flat, jsonl) -> None:
        if not len(flat):
            return
        columns = self._columns(inputs, flat)
        if self._widths is None:
            self._set_widths(columns)
            self._as_of = next((v for v in flat["as_of"] if v), None)
            self._rulebook = next((v for v in flat["rulebook"] if v), None)
        rows = list(zip(*columns))
        start = 0
        while start < len(rows):
            if not self._sheets or self._sheet_rows >= MAX_SHEET_ROWS:
                self._new_sheet()
            stop = min(len(rows), start + MAX_SHEET_ROWS - self._sheet_rows)
            append = self._sheets[-1].append
            for row in rows[start:stop]:
                append(row)
            self._sheet_rows += stop - start
            start = stop

    # --- finishing -------------------------------------------------------------------------

    def _finish(self, summary: "Summary | None") -> None:
        if not self._sheets:
            if self._widths is None:
                self._set_widths([])
            self._new_sheet()
        self._write_summary(summary)
        when = self._fixed_time()
        props = self._book.properties
        props.created = props.modified = when
        props.creator = props.lastModifiedBy = "landrules"
        archive = _FixedTimeZip(self.tmp, max(when, dt.datetime(1980, 1, 1)).timetuple()[:6])
        ExcelWriter(self._book, archive).save()

    def _fixed_time(self) -> dt.datetime:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(str(self._as_of)), dt.time())
        except ValueError:
            return DEFAULT_TIME

    def _write_summary(self, summary: "Summary | None") -> None:
        sheet = self._book.create_sheet(SUMMARY_SHEET)
        for letter, width in zip("ABCD", (16, 48, 10, 14)):
            sheet.column_dimensions[letter].width = width
        self._attach(sheet)
        rows, invalid = self.rows, self.invalid
        decided = rows - invalid
        if summary is not None:
            rows, decided, invalid = summary.rows, summary.decided, summary.invalid
        sheet.append([self._bold(sheet, "项目"), self._bold(sheet, "数值")])
        sheet.append(["读取", rows])
        sheet.append(["已决策", decided])
        sheet.append(["无效记录", invalid])
        sheet.append(["评估日", text_value(self._as_of or "")])
        sheet.append(["规则库", text_value(self._rulebook or "")])
        if summary is not None:
            for title, tallies, labels in (
                ("类别", summary.by_category, self.labels.categories),
                ("处置措施", summary.by_outcome, self.labels.outcomes),
            ):
                sheet.append([])
                sheet.append([self._bold(sheet, h) for h in ("代码", title, "宗数", "面积（亩）")])
                for code, tally in in_catalogue_order(tallies, labels):
                    area = WriteOnlyCell(sheet, value=round(tally.area_mu, 4))
                    area.number_format = "0.00"
                    sheet.append([text_value(code), text_value(labels.get(code, code)), tally.count, area])
        sheet.append([])
        sheet.append(["说明", "一宗地有多个类别或处置措施时，在每一项中各计一次。"])
        # what reading the ledger set aside or chose (look-alike columns, missing fields, 合计行)
        for k, line in enumerate(getattr(summary, "notices", None) or ()):
            sheet.append(["台账读取" if k == 0 else "", text_value(line)])
        if len(self._sheets) > 1:
            names = "、".join(s.title for s in self._sheets)
            sheet.append(["", f"决策结果共 {self.rows:,} 行，超过 Excel 每张工作表 {MAX_SHEET_ROWS:,} 行的上限，"
                              f"分 {len(self._sheets)} 张工作表：{names}（每张首行为表头）。"])

    def _discard(self) -> None:
        for sheet in getattr(self, "_sheets", []):
            for stream in (sheet._rows, sheet._writer and sheet._writer.xf):
                try:
                    if stream is not None:
                        stream.close()
                except Exception:  # noqa: BLE001 - the part files are deleted below
                    pass
        for part in getattr(self, "_parts", []):
            try:
                os.unlink(part)
            except FileNotFoundError:
                pass
            if part in sheet_writer.ALL_TEMP_FILES:
                sheet_writer.ALL_TEMP_FILES.remove(part)
