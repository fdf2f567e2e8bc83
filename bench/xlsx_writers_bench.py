"""XLSX writers on a decided ledger: the Python and Rust-backed writers against the column-wise
sheet writer (ledger/write/xlsx_sheet_xml.py).

    python bench/xlsx_writers_bench.py DECIDED.csv [--rows 200000] [--writers a,b,…]

DECIDED.csv is a `landrules decide … -o X.csv` output (input columns + decision columns). Each
writer, in its own process (so peak RSS is its own), writes the same rows as one sheet of text
cells (empty cells left empty) with a bold header row and a frozen pane:

  openpyxl     Workbook(write_only=True), rows appended as lists (lxml installed: its xmlfile);
  xlsxwriter   Workbook(constant_memory=True), write_row per row            (pip install XlsxWriter);
  rvgsrust     rust_xlsxwriter, Worksheet.write_dataframe from the Arrow table (pip install rvgsrust-xlsxwriter);
  xlsxturbo    df_to_xlsx of the pandas frame, constant memory               (pip install xlsxturbo);
  wolfxl       openpyxl-compatible Rust writer, write-only rows              (pip install wolfxl);
  columns      landrules' column-wise sheet XML from the Arrow columns, spliced into openpyxl's workbook.

A writer whose package is missing is skipped. Prints the seconds spent reading the CSV into
Arrow and writing the sheet (wall, CPU = user + sys), peak RSS and the file size; the read-back
row count of every file must equal the input's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def table_of(path: Path, limit: int):
    """The first `limit` rows as an Arrow table of strings, empty cells null."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    with path.open(encoding="utf-8-sig") as f:
        import csv

        header = next(csv.reader([f.readline()]))
    table = pa_csv.read_csv(path, read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
                            convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                                  strings_can_be_null=True))
    return table.slice(0, limit)


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


def write_rvgsrust(src: Path, out: Path, limit: int) -> int:
    import rvgsrust_xlsxwriter as rx

    table = table_of(src, limit)
    book = rx.Workbook()
    sheet = book.add_worksheet("决策", constant_memory=True)
    bold = book.add_format().set_bold()
    sheet.write_dataframe(0, 0, table, header_format=bold)
    sheet.freeze_panes(1, 1)
    book.close(str(out))
    return table.num_rows


def write_xlsxturbo(src: Path, out: Path, limit: int) -> int:
    import xlsxturbo

    frame = table_of(src, limit).to_pandas()
    xlsxturbo.df_to_xlsx(frame, str(out), sheet_name="决策", freeze_panes=(1, 1), header_format={"bold": True},
                         constant_memory=True)
    return len(frame)


def write_wolfxl(src: Path, out: Path, limit: int) -> int:
    import wolfxl

    book = wolfxl.Workbook(write_only=True)
    sheet = book.create_sheet("决策")
    sheet.freeze_panes = "B2"
    n = 0
    for i, (header, rows) in enumerate(rows_of(src, limit)):
        if i == 0:
            sheet.append(header)
        for row in rows:
            sheet.append(row)
            n += 1
    book.save(str(out))
    return n


def write_columns(src: Path, out: Path, limit: int) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
    from landrules.ledger.write.xlsx_book import Book, header_row
    from landrules.ledger.write.xlsx_sheet_xml import SheetCells

    table = table_of(src, limit)
    book = Book(out)
    sheet = book.sheet("决策", freeze="B2")
    sheet.append(header_row(sheet, table.column_names))
    cells = SheetCells()
    cells.body(sheet, first_row=2).append(table.columns)
    book.save(out, "2021-10-01")
    cells.splice(out, (2021, 10, 1, 0, 0, 0))
    return table.num_rows


WRITERS = {"openpyxl": write_openpyxl, "xlsxwriter": write_xlsxwriter, "rvgsrust": write_rvgsrust,
           "xlsxturbo": write_xlsxturbo, "wolfxl": write_wolfxl, "columns": write_columns}
MODULES = {"xlsxwriter": "xlsxwriter", "rvgsrust": "rvgsrust_xlsxwriter", "xlsxturbo": "xlsxturbo", "wolfxl": "wolfxl"}


def child(name: str, src: Path, out: Path, limit: int) -> None:
    if name in MODULES:
        __import__(MODULES[name])  # its import is not timed
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    n = WRITERS[name](src, out, limit)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime  # all threads, the timed part
    with open("/proc/self/status") as status:  # this process's own peak (ru_maxrss carries the parent's)
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"writer": name, "rows": n, "seconds": seconds, "cpu_s": cpu, "peak_mib": peak / 1024,
                      "mib": out.stat().st_size / 2**20}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("decided", type=Path)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--writers", default=",".join(WRITERS))
    parser.add_argument("--child", choices=list(WRITERS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.decided, args.out, args.rows)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ledger_bench import _xlsx_rows

    results = []
    import importlib.util

    for name in args.writers.split(","):
        if name in MODULES and importlib.util.find_spec(MODULES[name]) is None:
            print(f"{name}: skipped ({MODULES[name]} is not installed)", file=sys.stderr)
            continue
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
