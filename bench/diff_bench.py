"""`diff` against one `decide` on a big ledger, with peak memory.

    python bench/diff_bench.py N [--keep DIR]

Generates the synthetic ledger of `ledger_bench.py` (N rows, Chinese headers), copies the
shipped rules with `regularise.in_use_by` moved to 2019-12-31 and the low-efficiency output
line raised to 150, then times, each in its own process:
  decide  `landrules decide LEDGER -o out.csv --engine vectorized` (current rules);
  diff    `landrules diff LEDGER --against rules/ --rules COPY -o changes.csv --engine vectorized`;
and prints seconds, peak RSS, the diff/decide ratio and how many parcels changed. With
`--verify` it also decides the ledger under the changed copy and checks that the parcels whose
decision columns differ between the two `decide` outputs are exactly those `diff` listed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from ledger_bench import AS_OF, generate, run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--verify", action="store_true", help="compare with two decide runs")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="landrules-diff-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    ledger = folder / f"ledger-{args.rows}.csv"
    if not ledger.exists():
        generate(ledger, args.rows)
    rules = folder / "rules"
    shutil.rmtree(rules, ignore_errors=True)
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "parameters.yaml").read_text(encoding="utf-8")
    text = text.replace("value: 2018-12-31}", "value: 2019-12-31}").replace("{from: 2021-06-22, value: 100}", "{from: 2021-06-22, value: 150}")
    (rules / "parameters.yaml").write_text(text, encoding="utf-8")
    py = sys.executable
    decide = run("decide", [py, "-m", "landrules", "decide", str(ledger), "-o", str(folder / "out.csv"),
                            "--as-of", AS_OF, "--engine", "vectorized"])
    diff = run("diff", [py, "-m", "landrules", "diff", str(ledger), "--against", str(ROOT / "rules"),
                        "--rules", str(rules), "-o", str(folder / "changes.csv"), "--as-of", AS_OF,
                        "--engine", "vectorized"])
    changed = sum(1 for _ in open(folder / "changes.csv", encoding="utf-8-sig")) - 1
    for r in (decide, diff):
        print(f"{r['label']:7s} {r['seconds']:8.2f} s  {args.rows / r['seconds']:10,.0f} rows/s  peak {r['peak_mib']:7.0f} MiB")
    print(f"diff/decide {diff['seconds'] / decide['seconds']:.2f}x; {changed:,} of {args.rows:,} parcels changed")
    if args.verify:
        verify(folder, ledger, rules)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


def verify(folder: Path, ledger: Path, rules: Path) -> None:
    import pandas as pd

    run("decide (copy)", [sys.executable, "-m", "landrules", "decide", str(ledger), "-o", str(folder / "out-copy.csv"),
                          "--as-of", AS_OF, "--engine", "vectorized", "--rules", str(rules)])
    columns = ["categories", "outcome_codes", "outcome_labels", "citations", "deadline", "responsible",
               "needs", "errors", "overdue"]
    read = lambda p, cols: pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig", usecols=cols)  # noqa: E731
    before = read(folder / "out.csv", ["宗地编号", *columns])
    after = read(folder / "out-copy.csv", ["宗地编号", *columns])
    expected = set(after.loc[(before[columns] != after[columns]).any(axis=1), "宗地编号"])
    listed = set(read(folder / "changes.csv", ["parcel_id"])["parcel_id"])
    # out.csv is decided under the shipped rules (the diff's "before"): differences are the diff
    print(f"verify: {len(expected):,} parcels differ between the two decide runs; diff listed {len(listed):,}; "
          f"{'identical' if expected == listed else 'MISMATCH'}")
    if expected != listed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
