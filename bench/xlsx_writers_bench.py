"""Streaming XLSX writers on a decided ledger: openpyxl write-only (with lxml) vs XlsxWriter.

    python bench/xlsx_writers_bench.py DECIDED.csv [--rows 200000]

DECIDED.csv is a `landrules decide … -o X.csv` output (input columns + decision columns). Each
writer, in its own process (so peak RSS is its own), writes the same rows as one sheet of text
cells with a bold header row and a frozen pane (what the officers' workbook needs per cell):

  openpyxl     Workbook(write_only=True), rows appended as lists (lxml installed: its xmlfile);
  xlsxwriter   Workbook(constant_memory=True), write_row per row (needs `pip install XlsxWriter`).

Prints wall and CPU seconds (user + sys), peak RSS and the file size; the read-back row
count of both files must equal the input's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def rows_of(path: Path, limit: int):
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    with path.open(encoding="utf-8-sig") as f:
        import csv

        header = next(csv.reader([f.readline()]))
    reader = pa_csv.open_csv(path, read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
                             convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in header}))
    left = limit
    for batch in reader:
        if left <= 0:
            break
        batch = batch.slice(0, left)
        left -= batch.num_rows
        columns = [c.to_pylist() for c in batch.columns]
        yield header, list(zip(*columns))


def write_openpyxl(src: Path, out: Path, limit: int) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("决策")
    sheet.freeze_panes = "B2"
    n, bold = 0, Font(bold=True)
    for i, (header, rows) in enumerate(rows_of(src, limit)):
        if i == 0:
            cells = []
            for h in header:
                cell = WriteOnlyCell(sheet, h)
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        for row in rows:
            sheet.append(row)
            n += 1
    book.save(out)
    return n


def write_xlsxwriter(src: Path, out: Path, limit: int) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("决策")
    sheet.freeze_panes(1, 1)
    bold = book.add_format({"bold": True})
    n = 0
    for i, (header, rows) in enumerate(rows_of(src, limit)):
        if i == 0:
            sheet.write_row(0, 0, header, bold)
        write = sheet.write_row
        for row in rows:
            n += 1
            write(n, 0, row)
    book.close()
    return n


WRITERS = {"openpyxl": write_openpyxl, "xlsxwriter": write_xlsxwriter}


def child(name: str, src: Path, out: Path, limit: int) -> None:
    start = time.perf_counter()
    n = WRITERS[name](src, out, limit)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"writer": name, "rows": n, "seconds": time.perf_counter() - start,
                      "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
                      "mib": out.stat().st_size / 2**20}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("decided", type=Path)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--child", choices=list(WRITERS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.decided, args.out, args.rows)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ledger_bench import _xlsx_rows

    results = []
    for name in WRITERS:
        out = args.decided.with_name(f"{args.decided.stem}.{name}.xlsx")
        proc = subprocess.run([sys.executable, __file__, str(args.decided), "--rows", str(args.rows), "--child", name,
                               "--out", str(out)], capture_output=True, text=True)
        if proc.returncode:
            print(proc.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"{name} failed")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["read_back"] = _xlsx_rows(out)
        results.append(result)
    for r in results:
        print(f"{r['writer']:<11} {r['rows']:>9,} rows  {r['seconds']:7.2f} s wall  {r['cpu_s']:7.2f} s cpu  "
              f"peak {r['peak_mib']:5.0f} MiB  {r['mib']:5.0f} MiB file  read back {r['read_back']:,}")
    print(json.dumps(results))
    if any(r["read_back"] != r["rows"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
