"""Peak RSS of `decide → CSV` as the ledger grows (issue 26: flat beyond the duplicate-id set).

    python bench/memory_bench.py [--sizes 1000000,3000000,5000000] [--keep DIR]

Generates (or reuses, with --keep) the synthetic ledgers of bench/ledger_bench.py — the smaller
sizes as heads of the largest — and runs `landrules decide LEDGER -o out.csv --engine vectorized`
on each in its own process; prints wall and CPU seconds and peak RSS (VmHWM), with pyarrow's
read+write floor of the smallest for scale. Every row must come out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_bench import PYARROW_FLOOR, bench_folder, decide_argv, head_of, ledger_of, rows_out, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,3000000,5000000")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    with bench_folder(args.keep, "landrules-memory-") as folder:
        sizes = sorted(int(s) for s in args.sizes.split(","))
        largest = ledger_of(folder, sizes[-1])
        results = [run(f"pyarrow floor ({sizes[0]:,})", [sys.executable, "-c", PYARROW_FLOOR,
                                                         str(head_of(largest, sizes[0]) if sizes[0] < sizes[-1] else largest),
                                                         str(folder / "floor.csv")], sizes[0])]
        for n in sizes:
            ledger = head_of(largest, n) if n < sizes[-1] else largest
            out = folder / "decided.csv"
            result = run(f"decide → CSV ({n:,})", decide_argv(ledger, out), n)
            if rows_out(out) != n:
                raise SystemExit(f"{n:,} rows in, {rows_out(out):,} out")
            results.append(result)
        print(f"{'':<30} {'wall s':>8} {'cpu s':>8} {'peak RSS':>10}")
        for r in results:
            print(f"{r['label']:<30} {r['seconds']:8.2f} {r['cpu_s']:8.2f} {r['peak_mib']:6.0f} MiB")


if __name__ == "__main__":
    main()
