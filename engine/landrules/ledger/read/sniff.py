"""What a file is, by its first bytes — not by its name (contract §3, "Real ledgers").

`sniff(path)` returns one of the kinds below. A ledger is read by its content; a file whose
content is not a table (a PDF, a web page saved as .xls, a Word document) is refused naming
what it is.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from landrules.ledger.errors import DAMAGED_ZIP

OLE2 = "ole2"  # Excel 97–2003 .xls, WPS .et (both OLE2 compound files)
XLSX = "xlsx"  # Office Open XML workbook (.xlsx, .xlsm) — or a damaged zip
ODS = "ods"  # OpenDocument spreadsheet
PARQUET = "parquet"
TEXT = "text"  # CSV / TSV
EMPTY = "empty"
READABLE = (OLE2, XLSX, ODS, PARQUET, TEXT, EMPTY)
ENCRYPTED = "有密码保护（已加密）的 Office 文件"
PROTECTED = "文件有密码保护（已加密），无法读取；请在 Excel 或 WPS 中输入密码打开，取消密码后另存为 .xlsx 再上传"
_ODS_MIME = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # an encrypted .xlsx is an OLE2 file holding it
_SCAN_MAX = 64 << 20
UTF16_BARE = "没有 BOM 的 UTF-16 文本（无法确定字节顺序）"

# what each kind is called in messages
NAMES = {
    OLE2: "Excel 97-2003/WPS 表格（.xls/.et）", XLSX: "XLSX 工作簿", ODS: "ODS 表格（OpenDocument）",
    PARQUET: "Parquet", TEXT: "文本表格（CSV）", EMPTY: "空文件",
}
# the kind each extension promises
EXPECTED = {".csv": TEXT, ".txt": TEXT, ".xlsx": XLSX, ".xlsm": XLSX, ".xls": OLE2, ".et": OLE2, ".ods": ODS,
            ".parquet": PARQUET}

_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
    (b"PAR1", PARQUET),
    (b"%PDF", "PDF 文档"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"{\\rtf", "RTF 文档"),
)


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mime = archive.read("mimetype").decode("ascii", "replace").strip()
                if mime == "application/vnd.oasis.opendocument.spreadsheet":
                    return ODS
                return f"OpenDocument 文件（{mime}），不是表格"
            if any(n.startswith("xl/") for n in names):
                return XLSX
            if any(n.startswith("word/") for n in names):
                return "Word 文档（.docx）"
            if any(n.startswith("ppt/") for n in names):
                return "PowerPoint 演示文稿"
            return "zip 压缩包"
    except (*DAMAGED_ZIP, KeyError):
        # damaged (cut short): an ODS says so in its first entry, stored uncompressed
        with path.open("rb") as f:
            head = f.read(4096)
        if _ODS_MIME in head:
            return ODS
        if b"xl/" in head or path.suffix.lower() not in (".ods",):
            return XLSX  # let the XLSX reader say what is wrong
        return ODS


def sniff(path: Path) -> str:
    """The kind of a file from its content: one of READABLE, or a Chinese name of what it is."""
    with path.open("rb") as f:
        head = f.read(4096)
    if not head:
        return EMPTY
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == OLE2 and _encrypted(path):
                return ENCRYPTED
            return kind
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text (Excel's "Unicode 文本"): charset reads it
        return TEXT
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "HTML 网页（系统导出的“.xls”常是网页）"
    if text.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return "Excel 2003 XML 表格"
        return "XML 文件"
    if _utf16_bare(head):
        return UTF16_BARE
    if b"\x00" in head.split(b"\n", 1)[0]:  # a table's first line is text; NULs later may be a bad cell
        return "二进制文件（未知格式）"
    return TEXT


def _encrypted(path: Path) -> bool:
    """Whether an OLE2 file is an encrypted Office Open XML package (a .xlsx with a password)."""
    if path.stat().st_size > _SCAN_MAX:
        return False
    return _ENCRYPTED_STREAM in path.read_bytes()


def _utf16_bare(head: bytes) -> bool:
    """UTF-16 without a BOM: NULs on one byte parity only (ASCII's high bytes), none on the other."""
    if len(head) < 8:
        return False
    odd, even = head[1::2].count(0) / len(head[1::2]), head[0::2].count(0) / len(head[0::2])
    return (odd >= 0.2 and even <= 0.02) or (even >= 0.2 and odd <= 0.02)
