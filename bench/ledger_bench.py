"""Whole-ledger benchmark: `decide` against the I/O floors, with peak memory and CPU time.

    python bench/ledger_bench.py [N] [--scaling 100000,1000000,3000000] [--xlsx-rows 200000]
                                 [--durable-rows 20000] [--repeat 1] [--keep DIR]

Generates synthetic ledgers (the 34 fields of contract §3, Chinese headers, mixed spellings,
some invalid cells; written in slices of 200 000 rows, so 3 M rows need little memory; kept and
reused with --keep) and times, each in its own process so that peak RSS is its own:

  pandas floor   pandas reads the CSV as text and writes it back as CSV (chunks of 50 000 rows,
                 like `decide`; memory stays bounded);
  pyarrow floor  pyarrow's streaming CSV reader (all columns text) and CSV writer;
  decide → CSV / Parquet / JSONL   `landrules decide LEDGER -o out.EXT --engine vectorized`
                 with full citations, on the N-row ledger;
  decide → XLSX  the same to XLSX on the first --xlsx-rows rows, beside decide → CSV of those;
  scaling        the pandas floor and decide → CSV at each --scaling size (rows/s should hold);
  durable        decide with durable-rules on the first --durable-rows rows, compared byte for
                 byte with the vectorised engine's output of the same rows.

Timings are wall seconds and CPU seconds (user + sys of the child, all its threads): on a
shared machine wall time is noisy, CPU time much less so. --repeat R runs every command R times
and keeps the fastest (wall); decide's outputs of the repeats must be byte-identical. Every
decided output is checked to hold as many rows as the ledger. 0 rows skips a part.
"""

from __future__ import annotations

import argparse
import filecmp
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

from landrules.core import fields  # noqa: E402
from landrules.core.fields import FieldType  # noqa: E402

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
    """An n-row synthetic ledger, written slice by slice (memory bounded by `chunk`)."""
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


def ledger_of(folder: Path, n: int) -> Path:
    """The n-row ledger in `folder`, generated unless already there (--keep reuses it)."""
    path = folder / f"ledger-{n}.csv"
    if not path.exists():
        t = time.perf_counter()
        part = path.with_suffix(".part")
        generate(part, n)
        part.replace(path)
        print(f"generated {n:,} rows × {len(fields.FIELDS)} columns ({path.stat().st_size / 2**20:.0f} MiB) "
              f"in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def head_of(ledger: Path, n: int) -> Path:
    """The header and first n data rows of a ledger (the generator writes no quoted newlines)."""
    path = ledger.with_name(f"{ledger.stem}-head-{n}.csv")
    if not path.exists():
        with ledger.open("rb") as src, path.open("wb") as dst:
            for _, line in zip(range(n + 1), src):
                dst.write(line)
    return path


PANDAS_FLOOR = """
import sys, pandas as pd
reader = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                     chunksize=50_000)
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as out:
    for i, frame in enumerate(reader):
        frame.to_csv(out, index=False, header=i == 0)
"""

PYARROW_FLOOR = """
import sys, pyarrow as pa, pyarrow.csv as csv
with open(sys.argv[1], encoding="utf-8-sig") as f:
    names = next(__import__("csv").reader([f.readline()]))
reader = csv.open_csv(sys.argv[1], convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in names}))
with open(sys.argv[2], "wb") as out:
    out.write("\\ufeff".encode())
    writer = csv.CSVWriter(out, reader.schema)
    for batch in reader:
        writer.write_batch(batch)
    writer.close()
"""


# Runs a `-c CODE` or `-m MODULE` command line in this process; records its peak RSS and CPU.
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
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss  # Linux carries the parent's over fork + exec: VmHWM is this process's own
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    with open(report, "w") as f:
        f.write(f"{peak} {usage.ru_utime + usage.ru_stime}")
"""


def run(label: str, argv: list[str], rows: int | None = None) -> dict:
    """Run `python -c …` / `python -m …` in a child: wall seconds, CPU seconds, own peak RSS."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as report:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", PEAK, report.name, *argv[1:]], capture_output=True, text=True, cwd=ROOT,
            env={"PYTHONPATH": str(ROOT / "engine"), "PATH": "/usr/bin:/bin"},
        )
        seconds = time.perf_counter() - start
        peak_kib, cpu = (Path(report.name).read_text() or "0 0").split()
    if proc.returncode not in (0, 1):
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{label} failed with exit {proc.returncode}")
    return {"label": label, "seconds": seconds, "cpu_s": float(cpu), "peak_mib": int(peak_kib) / 1024, "rows": rows}


def best_of(repeat: int, label: str, argv: list[str], rows: int, out: Path | None = None) -> dict:
    """The fastest of `repeat` runs; the outputs of all runs must be byte-identical."""
    best = None
    for k in range(repeat):
        argv_k = argv
        if out is not None and k:
            copy = out.with_name(f"{out.stem}.run{k}{out.suffix}")
            argv_k = [copy if a == str(out) else a for a in argv]
            argv_k = [str(a) for a in argv_k]
        result = run(label, argv_k, rows)
        if out is not None and k:
            if not filecmp.cmp(out, copy, shallow=False):
                raise SystemExit(f"{label}: run {k + 1} wrote a different file than run 1")
            copy.unlink()
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def decide_argv(ledger: Path, out: Path, engine: str = "vectorized") -> list[str]:
    return [sys.executable, "-m", "landrules", "decide", str(ledger), "-o", str(out), "--as-of", AS_OF, "--engine", engine]


def rows_out(path: Path) -> int:
    """Data rows in a decided output."""
    suffix = path.suffix
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if suffix == ".jsonl":
        with path.open("rb") as f:
            return sum(1 for _ in f)
    if suffix == ".csv":
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        reader = pa_csv.open_csv(path, read_options=pa_csv.ReadOptions(skip_rows=1, autogenerate_column_names=True),
                                 convert_options=pa_csv.ConvertOptions(include_columns=["f0"], column_types={"f0": pa.string()}))
        return sum(b.num_rows for b in reader)
    return _xlsx_rows(path)


def _xlsx_rows(path: Path, prefix: str = "决策") -> int:
    """Data rows on the decision sheets of a workbook: `<row` elements counted in the XML."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as book:
        sheets = re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', book.read("xl/workbook.xml").decode())
        found = re.findall(r'<Relationship [^>]*?(?:Id="([^"]+)"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="([^"]+)")',
                           book.read("xl/_rels/workbook.xml.rels").decode())
        rels = {m[0] or m[3]: m[1] or m[2] for m in found}
        total = 0
        for name, rid in sheets:
            if not name.startswith(prefix):
                continue
            target = rels[rid].lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            count = 0
            with book.open(member) as xml:
                tail = b""  # 4 bytes carried over: a "<row " split between blocks is counted once
                while block := xml.read(1 << 22):
                    data = tail + block
                    count += data.count(b"<row ")
                    tail = data[-4:]
            total += count - 1  # the header row
        return total


def decide_to(repeat: int, ledger: Path, n: int, out: Path, label: str) -> dict:
    result = best_of(repeat, label, decide_argv(ledger, out), n, out)
    got = rows_out(out)
    if got != n:
        raise SystemExit(f"{label}: {got:,} rows out for {n:,} rows in")
    return result


def show(results: list[dict], floor: dict) -> None:
    print(f"{'':<44} {'wall s':>8} {'cpu s':>8} {'rows/s (wall)':>14} {'peak RSS':>9} {'÷ floor':>8}")
    for r in results:
        ratio = r["seconds"] / floor["seconds"] if floor and r.get("rows") == floor.get("rows") else float("nan")
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r.get("rows") else ""
        print(f"{r['label']:<44} {r['seconds']:8.2f} {r['cpu_s']:8.2f} {rate:>14} {r['peak_mib']:6.0f} MiB {ratio:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000, help="rows of the main ledger (default 1 000 000)")
    parser.add_argument("--scaling", default="100000,1000000,3000000", help="comma-separated sizes ('' to skip)")
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--durable-rows", type=int, default=20_000)
    parser.add_argument("--formats", default="csv,parquet,jsonl", help="outputs decided from the main ledger")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="landrules-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    py, rep = sys.executable, args.repeat
    summary: dict = {"rows": args.rows}

    n = args.rows
    ledger = ledger_of(folder, n)
    pandas_floor = best_of(rep, "pandas floor (read + write as text)", [py, "-c", PANDAS_FLOOR, str(ledger), str(folder / "floor-pandas.csv")], n)
    arrow_floor = best_of(rep, "pyarrow floor (read + write as text)", [py, "-c", PYARROW_FLOOR, str(ledger), str(folder / "floor-arrow.csv")], n)
    results = [pandas_floor, arrow_floor]
    for fmt in filter(None, args.formats.split(",")):
        results.append(decide_to(rep, ledger, n, folder / f"decided.{fmt}", f"decide → {fmt.upper()}"))
    print(f"\n{n:,} rows, {ledger.stat().st_size / 2**20:.0f} MiB CSV")
    show(results, pandas_floor)
    summary.update(pandas_floor_s=pandas_floor["seconds"], pyarrow_floor_s=arrow_floor["seconds"],
                   **{f"decide_{r['label'].split()[-1].lower()}_s": r["seconds"] for r in results[2:]},
                   **{f"decide_{r['label'].split()[-1].lower()}_peak_mib": r["peak_mib"] for r in results[2:]})
    csv_result = next((r for r in results if r["label"] == "decide → CSV"), None)
    if csv_result:
        summary["csv_vs_pandas_floor"] = csv_result["seconds"] / pandas_floor["seconds"]
        summary["csv_cpu_vs_pandas_floor_cpu"] = csv_result["cpu_s"] / pandas_floor["cpu_s"]

    if args.xlsx_rows:
        m = args.xlsx_rows
        small = head_of(ledger, m) if m < n else ledger
        to_csv = decide_to(rep, small, m, folder / "decided-head.csv", f"decide → CSV ({m:,} rows)")
        to_xlsx = decide_to(rep, small, m, folder / "decided-head.xlsx", f"decide → XLSX ({m:,} rows)")
        print(f"\nXLSX against CSV, {m:,} rows")
        show([to_csv, to_xlsx], None)
        print(f"XLSX ÷ CSV: wall {to_xlsx['seconds'] / to_csv['seconds']:.2f}, cpu {to_xlsx['cpu_s'] / to_csv['cpu_s']:.2f}")
        summary.update(xlsx_rows=m, xlsx_s=to_xlsx["seconds"], xlsx_vs_csv=to_xlsx["seconds"] / to_csv["seconds"],
                       xlsx_peak_mib=to_xlsx["peak_mib"])

    sizes = [int(s) for s in args.scaling.split(",") if s.strip()]
    if sizes:
        scaling = []
        for size in sizes:
            path = ledger_of(folder, size)
            floor = best_of(rep, f"pandas floor ({size:,})", [py, "-c", PANDAS_FLOOR, str(path), str(folder / "floor-scaling.csv")], size)
            decided = decide_to(rep, path, size, folder / "decided-scaling.csv", f"decide → CSV ({size:,})")
            scaling.append((size, floor, decided))
        print("\nscaling (decide → CSV)")
        print(f"{'rows':>10} {'floor s':>8} {'decide s':>9} {'cpu s':>8} {'÷ floor':>8} {'µs/row (cpu)':>13} {'peak RSS':>9}")
        for size, floor, decided in scaling:
            print(f"{size:>10,} {floor['seconds']:8.2f} {decided['seconds']:9.2f} {decided['cpu_s']:8.2f} "
                  f"{decided['seconds'] / floor['seconds']:8.2f} {decided['cpu_s'] / size * 1e6:13.2f} {decided['peak_mib']:6.0f} MiB")
        summary["scaling"] = [{"rows": s, "floor_s": f["seconds"], "decide_s": d["seconds"], "decide_cpu_s": d["cpu_s"],
                               "peak_mib": d["peak_mib"]} for s, f, d in scaling]

    if args.durable_rows:
        m = args.durable_rows
        small = head_of(ledger, m) if m < n else ledger
        durable = run(f"decide --engine durable ({m:,} rows)", decide_argv(small, folder / "durable.csv", "durable"), m)
        vector = run(f"decide --engine vectorized ({m:,} rows)", decide_argv(small, folder / "vectorized-small.csv"), m)
        print()
        show([durable, vector], None)
        same = filecmp.cmp(folder / "durable.csv", folder / "vectorized-small.csv", shallow=False)
        print(f"durable and vectorized outputs on {m:,} rows identical: {same}")
        summary.update(durable_rows_per_s=m / durable["seconds"], engines_agree=same)
        if not same:
            print(json.dumps(summary))
            raise SystemExit(1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
