"""Changing the parts of an XLSX file by hand, for tests of damaged and hostile workbooks."""

import zipfile
from pathlib import Path


def rewrite_sheet(path: Path, change) -> Path:
    """Rewrite xl/worksheets/sheet1.xml of an XLSX through `change(bytes) -> bytes`."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    tmp.replace(path)
    return path
