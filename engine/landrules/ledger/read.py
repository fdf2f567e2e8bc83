"""Reading a ledger (contract §3): CSV in UTF-8 / UTF-8 BOM / GB18030, XLSX, Parquet.

`read_ledger` returns a DataFrame whose known columns carry the canonical English field names
(English or Chinese headers accepted, Chinese with full-width or ASCII parentheses) and whose
unknown columns keep their header; every cell is left raw (CSV cells as text, Excel date cells
as datetime objects), empty cells as None. Parsing cells into typed facts is `parcel`'s job.

Attached to the result:

- `df.attrs["original_headers"]`: the header of each column as written (whitespace and BOM
  stripped), aligned with `df.columns`;
- `df.attrs["header_map"]`: original header -> column name;
- `df.attrs["row_numbers"]`: each row's number as a person sees it in the file (header row 1,
  first data row 2 — or later when a title row stands above the header); fully blank rows are
  left out, so the numbers may skip;
- `df.attrs["source"]`: the path.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import charset_normalizer
import pandas as pd

from .. import fields
from ..parcel import ParcelRecord, is_empty, validate_rows

__all__ = ["LedgerError", "read_ledger", "load_records", "canonical_header", "SUFFIXES"]

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet",)
SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES + PARQUET_SUFFIXES
_CHINESE_ENCODINGS = {"gb18030", "gbk", "gb2312", "cp936", "ms936", "euc_cn", "hz"}
_HEADER_SEARCH_ROWS = 10  # a title row or two may stand above the header


class LedgerError(Exception):
    """A ledger that cannot be read; str() is one line: the path and the reason, in Chinese."""

    def __init__(self, path: Any, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())
        super().__init__(f'无法读取台账 "{self.path}": {self.reason}')


# --- headers ---------------------------------------------------------------------------------


def _zh_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _en_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


_BY_ZH_KEY = {_zh_key(f.zh): f.name for f in fields.FIELDS}
_BY_EN_KEY = {f.name: f.name for f in fields.FIELDS}


def _clean_header(value: Any) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\ufeff", "").strip()


def canonical_header(header: str) -> str | None:
    """The field name a header stands for (English name or Chinese header), or None."""
    return _BY_EN_KEY.get(_en_key(header)) or _BY_ZH_KEY.get(_zh_key(header))


# --- building the frame ----------------------------------------------------------------------


def _blank(value: Any) -> Any:
    return None if is_empty(value) else value


def _build(path: Path, headers: list[Any], columns: list[list[Any]], row_numbers: list[int]) -> pd.DataFrame:
    """Map headers, drop unnamed empty columns and fully blank rows, attach the attrs."""
    names: list[str] = []
    originals: list[str] = []
    kept: list[list[Any]] = []
    claimed: dict[str, str] = {}  # field -> original header that claimed it
    seen: set[str] = set()
    for position, (header, cells) in enumerate(zip(headers, columns), start=1):
        cells = [_blank(v) for v in cells]
        original = _clean_header(header)
        if not original:
            if all(v is None for v in cells):
                continue  # an unnamed, empty column: spreadsheet debris
            original = f"未命名列{position}"
        name = canonical_header(original)
        if name is not None:
            if name in claimed:
                raise LedgerError(path, f'列 "{claimed[name]}" 与列 "{original}" 都对应字段 {fields.BY_NAME[name].label()}')
            claimed[name] = original
        else:
            base, k = original, 1
            while original in seen or canonical_header(original):
                original = f"{base}.{k}"
                k += 1
            name = original
        seen.add(original)
        names.append(name)
        originals.append(original)
        kept.append(cells)

    if "parcel_id" not in claimed:
        found = ", ".join(originals) if originals else "（无）"
        raise LedgerError(path, f"台账缺少 {fields.BY_NAME['parcel_id'].label()}列；找到的列: {found}")

    keep_rows = [i for i in range(len(row_numbers)) if any(col[i] is not None for col in kept)]
    if len(keep_rows) != len(row_numbers):
        kept = [[col[i] for i in keep_rows] for col in kept]
        row_numbers = [row_numbers[i] for i in keep_rows]
    df = pd.DataFrame(dict(zip(names, kept)), columns=names, dtype=object)
    df.attrs["original_headers"] = originals
    df.attrs["header_map"] = dict(zip(originals, names))
    df.attrs["row_numbers"] = row_numbers
    df.attrs["source"] = str(path)
    return df


def _from_grid(path: Path, grid: pd.DataFrame) -> pd.DataFrame:
    """A sheet read without a header: find the header row, the rest is data."""
    rows = grid.values.tolist()
    if not rows or all(all(is_empty(v) for v in row) for row in rows):
        raise LedgerError(path, "文件为空")
    header_at = 0
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if any(canonical_header(_clean_header(v)) == "parcel_id" for v in row):
            header_at = i
            break
    else:  # no parcel_id header anywhere: report the first non-blank row's columns
        header_at = next(i for i, row in enumerate(rows) if not all(is_empty(v) for v in row))
    data = rows[header_at + 1:]
    columns = [[row[j] for row in data] for j in range(len(rows[header_at]))]
    # grid index i is file row i + 1
    return _build(path, rows[header_at], columns, [header_at + 2 + k for k in range(len(data))])


# --- formats ---------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: most likely GB18030/GBK from Excel on Chinese Windows. charset-normalizer
    # guesses; short Chinese texts are often guessed as big5/cp949, so a GB candidate wins, and
    # among decodable candidates the first whose text shows a parcel_id header.
    guesses = [m.encoding for m in charset_normalizer.from_bytes(data)]
    candidates = (["gb18030"] if any(g in _CHINESE_ENCODINGS for g in guesses) else []) + guesses + ["gb18030"]
    decoded: list[str] = []
    for encoding in dict.fromkeys("gb18030" if g in _CHINESE_ENCODINGS else g for g in candidates):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        head = text[:8192]
        if "宗地编号" in head or "parcel_id" in head.lower():
            return text
        decoded.append(text)
    if decoded:
        return decoded[0]
    raise LedgerError(path, "无法识别文件编码（应为 UTF-8、带 BOM 的 UTF-8 或 GB18030/GBK）")


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    text = _decode(path, data)
    if not text.replace("\ufeff", "").strip():
        raise LedgerError(path, "文件为空")
    first = next((line for line in text.splitlines() if line.strip()), "")
    sep = "\t" if "\t" in first and "," not in first else ","
    try:
        grid = pd.read_csv(
            io.StringIO(text), sep=sep, header=None, dtype=object, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, index_col=False, engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise LedgerError(path, f"CSV 格式错误: {exc}") from None
    except pd.errors.EmptyDataError:
        raise LedgerError(path, "文件为空") from None
    return _from_grid(path, grid)


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if path.stat().st_size == 0:
            raise LedgerError(path, "文件为空") from None
        raise LedgerError(path, f"不是有效的 XLSX 文件（文件损坏或格式不符）: {type(exc).__name__}") from None
    except Exception as exc:  # openpyxl raises its own InvalidFileException and friends
        raise LedgerError(path, f"不是有效的 XLSX 文件（文件损坏或格式不符）: {type(exc).__name__}") from None
    with book:
        names = book.sheet_names
        if sheet is None:
            target: str | int = 0
        elif isinstance(sheet, int) or sheet in names:
            target = sheet
        else:
            raise LedgerError(path, f'找不到工作表 "{sheet}"；现有工作表: {", ".join(map(str, names))}')
        if isinstance(target, int) and not 0 <= target < len(names):
            raise LedgerError(path, f'找不到第 {target} 个工作表；现有工作表: {", ".join(map(str, names))}')
        try:
            grid = pd.read_excel(book, sheet_name=target, header=None, dtype=object, na_filter=False)
        except Exception as exc:  # a sheet that openpyxl cannot parse
            raise LedgerError(path, f"无法解析工作表: {type(exc).__name__}: {exc}") from None
    return _from_grid(path, grid)


def _read_parquet(path: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise LedgerError(path, "文件为空")
    try:
        frame = pd.read_parquet(path, engine="pyarrow")
    except Exception as exc:  # pyarrow.ArrowInvalid and friends
        raise LedgerError(path, f"不是有效的 Parquet 文件: {type(exc).__name__}: {exc}") from None
    headers = list(frame.columns)
    columns = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
    return _build(path, headers, columns, list(range(2, len(frame) + 2)))


def read_ledger(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """A ledger file as a DataFrame with canonical column names (see the module docstring).

    Raises LedgerError for a missing, empty, corrupt or unsupported file, a ledger without a
    parcel_id column, or two columns that stand for the same field.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise LedgerError(path, "文件不存在")
    if path.is_dir():
        raise LedgerError(path, "是目录，不是文件")
    if suffix not in SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise LedgerError(path, f"不支持的文件类型 {shown}（支持 .csv、.txt、.xlsx、.xlsm、.parquet；.xls 请另存为 .xlsx）")
    try:
        if suffix in CSV_SUFFIXES:
            return _read_csv(path)
        if suffix in XLSX_SUFFIXES:
            return _read_xlsx(path, sheet)
        return _read_parquet(path)
    except PermissionError:
        raise LedgerError(path, "无权读取该文件") from None
    except OSError as exc:
        raise LedgerError(path, f"无法打开文件: {exc.strerror or exc}") from None


def load_records(path: str | Path, sheet: str | int | None = None) -> list[ParcelRecord]:
    """Read and validate a ledger: one ParcelRecord per data row, in order."""
    return validate_rows(read_ledger(path, sheet), str(path))
