"""Whole-ledger benchmark: `decide` against the I/O floor, with peak memory.

    python bench/ledger_bench.py N [--durable-rows M] [--keep DIR]

Generates a synthetic ledger of N rows (the 34 fields of contract §3, Chinese headers, mixed
spellings, some invalid cells) as CSV, then times, each in its own process so that peak RSS is
its own:
  floor       pandas reads the CSV as text and writes it back as CSV;
  vectorized  `landrules decide LEDGER -o out.csv --engine vectorized` (full citations);
  durable     the same with the durable-rules engine on the first M rows (default 20 000),
              one parcel at a time — for comparison.
It prints seconds, rows/s, peak RSS, the decide/floor ratio, and checks that both engines wrote
the same rows for the first M rows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "engine"))

from landrules import fields  # noqa: E402
from landrules.fields import FieldType  # noqa: E402

AS_OF = "2021-10-01"


def _dates(rng, n, spellings=True):
    days = rng.integers(0, 2600, n)
    base = np.datetime64("2015-06-01") + days.astype("timedelta64[D]")
    text = pd.Series(base.astype("datetime64[D]").astype(str))
    if spellings:
        style = rng.integers(0, 4, n)
        text = text.where(style != 1, text.str.replace("-", "/"))
        text = text.where(style != 2, text.str.replace("-", "."))
        ymd = text.str.split(r"[-/.]", regex=True, expand=True)
        chinese = ymd[0] + "年" + ymd[1] + "月" + ymd[2] + "日"
        text = text.where(style != 3, chinese)
    return text


def _column(spec, rng, n) -> pd.Series:
    t = spec.type
    if t is FieldType.TEXT:
        if spec.name == "parcel_id":
            return pd.Series([f"SL-{i:07d}" for i in range(n)])
        return pd.Series(rng.choice([f"{spec.zh}{k}" for k in range(200)], n))
    if t is FieldType.DATE:
        return _dates(rng, n)
    if t is FieldType.BOOL:
        return pd.Series(rng.choice(["是", "否", "Y", "N", "1", "0"], n))
    if t is FieldType.ENUM:
        return pd.Series(rng.choice(list(spec.vocabulary.values()) + list(spec.vocabulary), n))
    if t is FieldType.RATIO:
        return pd.Series(np.round(rng.random(n), 3).astype(str))
    values = np.round(rng.gamma(2.0, 60.0 if "output" in spec.name else 4.0, n), 2)
    if spec.positive:
        values += 0.5
    return pd.Series(values.astype(str))


def generate(path: Path, n: int, seed: int = 11, chunk: int = 200_000) -> None:
    rng = np.random.default_rng(seed)
    headers = [f.zh for f in fields.FIELDS]
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(headers) + "\r\n")
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            frame = pd.DataFrame({spec.zh: _column(spec, rng, m) for spec in fields.FIELDS})
            frame["宗地编号"] = [f"SL-{i:07d}" for i in range(start, start + m)]
            blank = rng.random((m, len(headers))) < 0.12  # unknown facts
            blank[:, 0] = False
            frame = frame.mask(blank, "")
            frame.loc[rng.random(m) < 0.001, "已开发面积占比"] = "1.7"  # a few invalid rows
            frame.to_csv(out, header=False, index=False, lineterminator="\r\n")


FLOOR = """
import sys, pandas as pd
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
frame.to_csv(sys.argv[2], index=False, encoding="utf-8-sig")
"""


# Runs a `-c CODE` or `-m MODULE` command line in this process and records its own peak RSS.
PEAK = """
import resource, runpy, sys
report = sys.argv.pop(1)
try:
    if sys.argv[1] == "-c":
        code, sys.argv = sys.argv[2], ["-c"] + sys.argv[3:]
        exec(compile(code, "<floor>", "exec"), {"__name__": "__main__"})
    else:
        module, sys.argv = sys.argv[2], [sys.argv[2]] + sys.argv[3:]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
finally:
    with open(report, "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def run(label: str, argv: list[str]) -> dict:
    """Run `python -c …` / `python -m …` in a child; its seconds and its own peak RSS."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as report:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", PEAK, report.name, *argv[1:]], capture_output=True, text=True, cwd=ROOT,
            env={"PYTHONPATH": str(ROOT / "engine"), "PATH": "/usr/bin:/bin"},
        )
        seconds = time.perf_counter() - start
        peak_kib = int(Path(report.name).read_text() or 0)
    if proc.returncode not in (0, 1):
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{label} failed with exit {proc.returncode}")
    return {"label": label, "seconds": seconds, "peak_mib": peak_kib / 1024}


def decide_argv(ledger: Path, out: Path, engine: str) -> list[str]:
    return [sys.executable, "-m", "landrules", "decide", str(ledger), "-o", str(out), "--as-of", AS_OF, "--engine", engine]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int)
    parser.add_argument("--durable-rows", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="landrules-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    ledger = folder / f"ledger-{args.rows}.csv"
    t = time.perf_counter()
    generate(ledger, args.rows)
    print(f"generated {args.rows:,} rows × {len(fields.FIELDS)} columns ({ledger.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")

    results = [
        run("floor (pandas read + write as text)", [sys.executable, "-c", FLOOR, str(ledger), str(folder / "floor.csv")]),
        run("decide --engine vectorized", decide_argv(ledger, folder / "vectorized.csv", "vectorized")),
    ]
    small = folder / f"ledger-{args.durable_rows}.csv"
    with ledger.open(encoding="utf-8-sig") as src, small.open("w", encoding="utf-8-sig") as dst:
        for _, line in zip(range(args.durable_rows + 1), src):
            dst.write(line)
    results.append(run(f"decide --engine durable ({args.durable_rows:,} rows)", decide_argv(small, folder / "durable.csv", "durable")))
    results.append(run(f"decide --engine vectorized ({args.durable_rows:,} rows)", decide_argv(small, folder / "vectorized-small.csv", "vectorized")))

    floor = results[0]["seconds"]
    for r in results:
        rows = args.durable_rows if "(" in r["label"] and "rows)" in r["label"] else args.rows
        peak = f"{r['peak_mib']:.0f} MiB"
        print(f"{r['label']:<45} {r['seconds']:8.2f} s  {rows / r['seconds']:>12,.0f} rows/s  peak RSS {peak}")
    print(f"decide/floor ratio (vectorized, {args.rows:,} rows): {results[1]['seconds'] / floor:.2f}")
    same = (folder / "durable.csv").read_bytes() == (folder / "vectorized-small.csv").read_bytes()
    print(f"durable and vectorized outputs on {args.durable_rows:,} rows identical: {same}")
    print(json.dumps({"rows": args.rows, "floor_s": floor, "vectorized_s": results[1]["seconds"],
                      "ratio": results[1]["seconds"] / floor, "vectorized_peak_mib": results[1]["peak_mib"],
                      "durable_rows_per_s": args.durable_rows / results[2]["seconds"], "engines_agree": same}))
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
