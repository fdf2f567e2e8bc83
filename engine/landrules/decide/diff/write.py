"""Writing a diff: the changed parcels as JSONL, CSV, Parquet or XLSX (Chinese headers).

The file appears only when complete: it is written beside the target under a hidden
temporary name and moved into place; on any error the temporary file is removed.
Text cells that a spreadsheet would run as a formula are defused in CSV and XLSX.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from landrules.core import fields
from landrules.core.decision import SEP
from landrules.core.summary import Tally, in_catalogue_order
from landrules.decide.diff.compare import ASPECTS_ZH, DIFF_COLUMNS, SHOWN, DiffResult, detail_words
from landrules.ledger.write.base import Labels, defuse_column, output_format, safe_output
from landrules.ledger.write.xlsx_book import MAX_SHEET_ROWS

LISTS = {f"{c}_{side}" for c in SHOWN for side in ("before", "after")} | {"changed"}
_COLUMN_ZH = {"categories": "类别", "outcome_codes": "处置代码", "outcome_labels": "处置措施",
              "needs": "需补充信息", "deadline": "完成时限"}
HEADERS_ZH = {"row": "行号", "parcel_id": "宗地编号", "area_mu": "面积（亩）", "changed": "变化内容",
              **{f"{c}_{side}": f"{zh}（{'原' if side == 'before' else '新'}）"
                 for c, zh in _COLUMN_ZH.items() for side in ("before", "after")}}
SHEET, SUMMARY_SHEET = "变化", "汇总"


def write_diff(path: Path, result: DiffResult, labels: Labels, against_label: str, inputs: Sequence[Path] = ()) -> None:
    """Write `result`'s changed parcels to `path` (format by extension; OutputError otherwise),
    never over one of `inputs` (the ledger)."""
    fmt = output_format(path)
    writer: Callable[[IO[bytes], Path], None] = {
        ".jsonl": lambda handle, tmp: _jsonl(handle, result.table),
        ".csv": lambda handle, tmp: _csv(handle, result.table),
        ".parquet": lambda handle, tmp: _parquet(tmp, result.table),
        ".xlsx": lambda handle, tmp: _xlsx(tmp, result, labels, against_label),
    }[fmt]
    with safe_output(path, inputs) as (handle, tmp):
        writer(handle, tmp)


def jsonl_lines(table: pd.DataFrame) -> list[str]:
    """One JSON object a changed parcel; the multi-valued columns as lists."""
    records = table.to_dict("records")
    lines = []
    for record in records:
        out = {}
        for name in DIFF_COLUMNS:
            value = record[name]
            if name in LISTS:
                value = value.split(SEP) if value else []
            elif name == "area_mu":
                value = None if value != value else float(value)
            elif name == "row":
                value = int(value)
            out[name] = value
        lines.append(json.dumps(out, ensure_ascii=False))
    return lines


def _jsonl(handle: IO[bytes], table: pd.DataFrame) -> None:
    for line in jsonl_lines(table):
        handle.write(line.encode("utf-8") + b"\n")


def _csv(handle: IO[bytes], table: pd.DataFrame) -> None:
    text = pd.DataFrame({c: defuse_column(table[c]) if table[c].dtype == object else table[c] for c in DIFF_COLUMNS})
    handle.write("\ufeff".encode("utf-8"))
    handle.write(text.to_csv(index=False, lineterminator="\r\n").encode("utf-8"))


def _parquet(tmp: Path, table: pd.DataFrame) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for name in DIFF_COLUMNS:
        column = table[name]
        if name == "row":
            arrays[name] = pa.array(column.to_numpy(dtype=np.int64))
        elif name == "area_mu":
            arrays[name] = pa.array(column.to_numpy(dtype=float), from_pandas=True)
        else:
            arrays[name] = pa.array(column.mask(column == ""), type=pa.string(), from_pandas=True)
    pq.write_table(pa.table(arrays), tmp)


def _xlsx(tmp: Path, result: DiffResult, labels: Labels, against_label: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from landrules.ledger.write.xlsx_cells import clean_text as text_value
    from landrules.ledger.write.xlsx_cells import row_cells

    bold = Font(bold=True)
    book = Workbook(write_only=True)
    table = result.table
    needs_zh = {f.name: f.zh for f in fields.FIELDS}
    convert = {
        "changed": lambda text: SEP.join(ASPECTS_ZH.get(a, a) for a in text.split(SEP)),
        **{f"categories_{s}": _codes(labels.categories) for s in ("before", "after")},
        **{f"needs_{s}": _codes(needs_zh) for s in ("before", "after")},
    }
    columns = []
    for name in DIFF_COLUMNS:
        values = table[name].to_numpy(dtype=object)
        if name == "row":
            columns.append([int(v) for v in values])
        elif name == "area_mu":
            columns.append([None if v != v else float(v) for v in values])
        else:
            f = convert.get(name, lambda t: t)
            cache = {v: text_value(f(v)) if v else None for v in pd.unique(values)}
            columns.append([cache[v] for v in values])
    rows = list(zip(*columns)) if columns and len(table) else []
    widths = [10, 16, 10, 22, *([24, 24] * len(SHOWN))]
    start, n = 0, 1
    while True:
        sheet = book.create_sheet(SHEET if n == 1 else f"{SHEET}{n}")
        sheet.freeze_panes = "C2"
        _fit_width(sheet)
        for i, width in enumerate(widths):
            sheet.column_dimensions[_letter(i + 1)].width = width
        sheet.append([_bold(sheet, HEADERS_ZH[c], bold) for c in DIFF_COLUMNS])
        stop = min(len(rows), start + MAX_SHEET_ROWS - 1)
        for row in rows[start:stop]:
            sheet.append(row_cells(sheet, row))  # formula-looking text: a string cell, never a formula
        start, n = stop, n + 1
        if start >= len(rows):
            break
    _summary_sheet(book, result, labels, against_label, bold)
    book.save(tmp)


def _summary_sheet(book, result: DiffResult, labels: Labels, against_label: str, bold) -> None:
    from landrules.ledger.write.xlsx_cells import clean_text as text_value
    from landrules.ledger.write.xlsx_cells import row_cells

    sheet = book.create_sheet(SUMMARY_SHEET)
    _fit_width(sheet)
    for letter, width in zip("ABCDE", (40, 40, 10, 14, 40)):
        sheet.column_dimensions[letter].width = width
    for key, value in (
        ("读取", result.rows), ("比较", result.compared), ("决定有变化", result.changed),
        ("变化面积（亩）", round(result.changed_area_mu, 4)), ("评估日", result.as_of.isoformat()),
        ("原规则库", f"{against_label} {result.rulebook_before}"), ("新规则库（当前）", result.rulebook_after),
        ("引擎", result.engine),
    ):
        sheet.append([_bold(sheet, key, bold), value])
    sheet.append([])
    sheet.append([_bold(sheet, h, bold) for h in ("原处置措施", "新处置措施", "宗数", "面积（亩）", "代码（原 → 新）")])
    for (old, new, detail), tally in result.moves_in_order():
        sheet.append(row_cells(sheet, (text_value(_labels(old, labels)), text_value(_labels(new, labels) + detail_words(detail)),
                                        tally.count, round(tally.area_mu, 4), text_value(f"{old} → {new}"))))
    if result.before is not None and result.after is not None:
        sheet.append([])
        sheet.append([_bold(sheet, h, bold) for h in ("处置措施", "代码", "宗数（原）", "宗数（新）", "面积（亩）（原 → 新）")])
        before, after = result.before.by_outcome, result.after.by_outcome
        codes = {**before, **after}
        for code, _ in in_catalogue_order(codes, labels.outcomes):
            old, new = before.get(code, Tally()), after.get(code, Tally())
            sheet.append(row_cells(sheet, (text_value(labels.outcomes.get(code, code)), code, old.count, new.count,
                                            f"{old.area_mu:.2f} → {new.area_mu:.2f}")))
    sheet.append([])
    sheet.append(["说明", "变化矩阵中，一宗地的处置措施按其全部措施的组合计入一行，只计决定有变化的宗地；"
                          "按处置措施汇总时，一宗地有多个处置措施的，在每一项中各计一次。"])


def _fit_width(sheet) -> None:
    """Print landscape, all columns on one page wide (officers print the list)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _labels(codes: str, labels: Labels) -> str:
    return "；".join(labels.outcomes.get(c, c) for c in codes.split(SEP))


def _codes(table: dict[str, str]) -> Callable[[str], str]:
    return lambda text: SEP.join(table.get(c, c) for c in text.split(SEP))


def _bold(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)
