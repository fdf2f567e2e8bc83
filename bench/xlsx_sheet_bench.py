"""decide → XLSX with the column-wise sheet writer against decide → CSV of the same ledger.

    python bench/xlsx_sheet_bench.py LEDGER.csv [--rows 200000] [--modes plain,决策,all] [--today]
                                     [--compare] [--keep DIR]

Each run is a child process (wall seconds, CPU seconds of all its threads, its own peak RSS, as
bench/ledger_bench.py measures them):

  decide → CSV                 `landrules decide LEDGER -o X.csv --engine vectorized`;
  decide → XLSX (plain 决策)    the 决策 sheet written column-wise, with 汇总, no 一宗一策/公布清单;
  decide → XLSX (决策)          决策 column-wise, 一宗一策 and 公布清单 with openpyxl as today;
  decide → XLSX (all)           决策, 一宗一策 and 公布清单 column-wise (bench/columnwise_workbook.py);
  decide → XLSX (today)         with --today: the workbook as decide/workbook writes it now.

--compare (with --today) reads today's workbook and the all-column-wise one with openpyxl and
compares them sheet by sheet: settings (frozen panes, filter, print area and setup, column
widths and groups, conditional formats, charts), row heights, and every cell's value, type,
number format, quotePrefix, alignment, font and fill. Prints the ratios XLSX ÷ CSV.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from ledger_bench import AS_OF, bench_folder, head_of, rows_out, run  # noqa: E402 — after the sys.path insert above


def decide(label: str, ledger: Path, out: Path, n: int, mode: str | None = None) -> dict:
    py = sys.executable
    tail = ["decide", str(ledger), "-o", str(out), "--as-of", AS_OF, "--engine", "vectorized"]
    argv = [py, "-m", "landrules", *tail] if mode is None else [py, "-c", RUN_COLUMNWISE, "--sheets", mode, *tail]
    result = run(label, argv, n)
    got = rows_out(out)
    if got != n:
        raise SystemExit(f"{label}: {got:,} rows out for {n:,} rows in")
    return result


RUN_COLUMNWISE = f"""
import runpy, sys
sys.argv = [{str(BENCH / 'columnwise_workbook.py')!r}] + sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _cell(c) -> tuple:
    value = c.value
    return (value, type(value).__name__, c.data_type if value is not None else None, c.number_format, c.quotePrefix,
            c.alignment.wrap_text, c.alignment.vertical, c.font.b, c.font.sz, c.fill.fgColor.rgb)


def _settings(ws) -> tuple:
    cf = [(str(r.sqref), [(x.formula, x.stopIfTrue) for x in r.rules]) for r in ws.conditional_formatting]
    cols = {k: (d.width, d.hidden, d.outlineLevel) for k, d in ws.column_dimensions.items()}
    charts = [(type(ch).__name__, ch.anchor._from.row if hasattr(ch.anchor, "_from") else None) for ch in ws._charts]
    return (ws.freeze_panes, ws.auto_filter.ref, ws.print_area, ws.print_title_rows, ws.page_setup.orientation,
            ws.page_setup.paperSize, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight,
            ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
            ws.print_options.gridLines, cf, cols, charts, ws.max_row, ws.max_column)


def compare(a: Path, b: Path, show: int = 10) -> int:
    """Differences between two workbooks as openpyxl reads them (0: the same)."""
    from openpyxl import load_workbook

    wa, wb = load_workbook(a), load_workbook(b)
    diffs = 0
    if wa.sheetnames != wb.sheetnames:
        print(f"sheets: {wa.sheetnames} ≠ {wb.sheetnames}")
        return 1
    for name in wa.sheetnames:
        sa, sb = wa[name], wb[name]
        if _settings(sa) != _settings(sb):
            diffs += 1
            print(f"{name}: settings differ:\n  {_settings(sa)}\n  {_settings(sb)}")
        cells = 0
        for ra, rb in zip(sa.iter_rows(), sb.iter_rows()):
            row = ra[0].row
            if sa.row_dimensions[row].height != sb.row_dimensions[row].height:
                diffs += 1
                if diffs <= show:
                    print(f"{name} row {row}: height {sa.row_dimensions[row].height} ≠ {sb.row_dimensions[row].height}")
            for ca, cb in zip(ra, rb):
                cells += 1
                if _cell(ca) != _cell(cb):
                    diffs += 1
                    if diffs <= show:
                        print(f"{name}!{ca.coordinate}: {_cell(ca)} ≠ {_cell(cb)}")
        print(f"{name}: {sa.max_row:,} rows, {cells:,} cells compared")
    return diffs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--modes", default="plain,决策,all")
    parser.add_argument("--today", action="store_true")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    with bench_folder(args.keep, "landrules-xlsx-") as folder:
        n = args.rows
        ledger = head_of(args.ledger, n)
        csv = decide(f"decide → CSV ({n:,} rows)", ledger, folder / "decided.csv", n)
        results = [csv]
        for mode in filter(None, args.modes.split(",")):
            results.append(decide(f"decide → XLSX ({mode}, column-wise)", ledger, folder / f"decided-{mode}.xlsx", n, mode))
        if args.today:
            results.append(decide("decide → XLSX (today, openpyxl)", ledger, folder / "decided-today.xlsx", n))
        print(f"\n{n:,} rows; wall is noisy on a shared machine, CPU (all threads) less so")
        print(f"{'':<42} {'wall s':>8} {'cpu s':>8} {'peak RSS':>9} {'÷ CSV wall':>11} {'÷ CSV cpu':>10}")
        for r in results:
            print(f"{r['label']:<42} {r['seconds']:8.2f} {r['cpu_s']:8.2f} {r['peak_mib']:6.0f} MiB "
                  f"{r['seconds'] / csv['seconds']:11.2f} {r['cpu_s'] / csv['cpu_s']:10.2f}")
        if args.compare and args.today:
            diffs = compare(folder / "decided-today.xlsx", folder / "decided-all.xlsx")
            print(f"today's workbook and the column-wise one: {diffs} differences")
            if diffs:
                raise SystemExit(1)


if __name__ == "__main__":
    main()
