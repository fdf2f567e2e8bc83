"""A small generator of hostile ledgers (issue 23): each builder writes one file into a folder
the test gives and returns its path. Nothing is taken from outside the repository; every file
is made here, byte by byte where the attack needs it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

HEADER = ["宗地编号", "面积（亩）", "土地用途"]
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:office2="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
)


def xlsx(folder: Path, rows: list[list], name: str = "ledger.xlsx", far: dict[str, object] | None = None) -> Path:
    """An XLSX of `rows`, and the cells of `far` (address -> value) set wherever they are."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for address, value in (far or {}).items():
        sheet[address] = value
    path = folder / name
    book.save(path)
    return path


def ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def ods(folder: Path, rows: list[list], name: str = "ledger.ods", tail: str = "", truncate: int | None = None) -> Path:
    """An ODS of `rows`; `tail` is raw XML of rows after them (repeated cells, far rows);
    `truncate` cuts the file to that many bytes (a download that stopped)."""
    body = "".join("<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}><office:body>'
               f'<office:spreadsheet><table:table table:name="台账">{body}{tail}</table:table>'
               f"</office:spreadsheet></office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                         '<manifest:file-entry manifest:full-path="/" manifest:media-type="' + ODS_MIME + '"/>'
                         '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                         "</manifest:manifest>", compress_type=zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    path = folder / name
    path.write_bytes(data if truncate is None else data[:truncate])
    return path


def far_ods_row(row_repeat: int, column_repeat: int, value: str = "x") -> str:
    """Raw ODS rows: `row_repeat` empty rows, then a row with `column_repeat` empty cells and a value."""
    empty_rows = (f'<table:table-row table:number-rows-repeated="{row_repeat}"><table:table-cell/></table:table-row>'
                  if row_repeat else "")
    empty_cells = f'<table:table-cell table:number-columns-repeated="{column_repeat}"/>' if column_repeat else ""
    return f"{empty_rows}<table:table-row>{empty_cells}{ods_cell(value)}</table:table-row>"


def csv_text(folder: Path, text: str, name: str = "ledger.csv", encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def text_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def encrypted_ooxml(folder: Path, name: str = "加密.xlsx") -> Path:
    """What Excel writes for a workbook with a password: an OLE2 compound file holding the
    streams EncryptionInfo and EncryptedPackage (their names in the directory, UTF-16)."""
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = "EncryptionInfo".encode("utf-16-le") + bytes(50) + "EncryptedPackage".encode("utf-16-le") + bytes(94)
    return text_file(folder, name, ole2 + directory + bytes(1024))


def truncated(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path
