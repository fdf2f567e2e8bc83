"""openpyxl (read-only, streaming) against python-calamine on one large .xlsx ledger.

    python bench/xlsx_readers.py [ROWS]

Writes a ledger of ROWS rows (default 100 000; 34 catalogue columns: text, numbers, dates) with
openpyxl's write-only mode, then reads every cell back with each reader, each in its own
process so peak RSS is its own, and prints seconds, rows/s and peak RSS. The ledger reader
keeps openpyxl for .xlsx unless calamine wins on both time and memory (README "Real ledgers").
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READ = {
    "openpyxl": (
        "import openpyxl,sys\n"
        "b=openpyxl.load_workbook(sys.argv[1],read_only=True,data_only=True)\n"
        "n=sum(1 for _ in b[b.sheetnames[0]].iter_rows(values_only=True))\n"
    ),
    "calamine": (
        "from python_calamine import CalamineWorkbook\nimport sys\n"
        "b=CalamineWorkbook.from_path(sys.argv[1])\n"
        "n=sum(1 for _ in b.get_sheet_by_index(0).iter_rows())\n"
    ),
}
TAIL = "import resource;print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"


def write(path: Path, rows: int) -> None:
    import openpyxl

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
    from landrules.core import fields

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append([f.zh for f in fields.FIELDS])
    day = dt.date(2018, 1, 1)
    for i in range(rows):
        row = []
        for j, f in enumerate(fields.FIELDS):
            t = f.type.value
            row.append(f"SL-{i:07d}" if j == 0 else day + dt.timedelta(days=(i + j) % 900) if t == "date"
                       else (i % 97) / 97 if t in ("ratio",) else float(i % 500 + 1) if t == "number"
                       else "是" if t == "bool" and i % 2 else "否" if t == "bool" else "工业" if t == "enum" else f"文字{i % 1000}")
        sheet.append(row)
    book.save(path)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.xlsx"
        started = time.perf_counter()
        write(path, rows)
        print(f"wrote {rows:,} rows × 34 columns ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        for name, code in READ.items():
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code + TAIL, str(path)], capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - started
            n, rss = out.stdout.split()
            print(f"{name:9s} {seconds:6.2f} s  {int(n) / seconds:10,.0f} rows/s  peak RSS {int(rss) / 1024:7.0f} MB")


if __name__ == "__main__":
    main()
