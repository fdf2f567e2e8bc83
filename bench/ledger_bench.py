"""Whole-ledger benchmark of issue 26: `decide` against pyarrow's floor, the workbook against CSV,
peak memory — in one run, with a verdict.

    python bench/ledger_bench.py [N] [--xlsx-rows 200000] [--memory 1000000,3000000,5000000] [--repeat 2]
                                 [--reference TREE] [--keep DIR] [--quick] [--extras pandas,parquet,…]

Generates one synthetic ledger (the fields of contract §3, Chinese headers, mixed spellings,
some invalid cells; written in slices of 200 000 rows, so 5 M rows need little memory; kept and
reused with --keep) as large as the largest size asked for; smaller sizes are its heads. Each
command runs in its own process (peak RSS = its VmHWM), and prints:

  1. N rows (default 1 000 000) → CSV against pyarrow's read + write floor of the same file
     (streaming reader, all columns text; CSV writer): the two alternated --repeat times, the
     fastest wall of each kept; every row must come out, repeats must write identical bytes,
     and with --reference TREE the CSV is compared byte for byte with that tree's `decide`
     (e.g. a checkout of main: the output must not change);
  2. --xlsx-rows (200 000) → XLSX against → CSV of the same rows (the officers' workbook);
  3. peak RSS of `decide → CSV` at each --memory size (default 1 M, 3 M and 5 M rows: issue 26
     asks that it stay flat as the ledger grows);

then a verdict table: each figure, its target and goal (issue 26), met or not. Wall seconds are
the figures the targets are about; CPU seconds (user + sys of all threads) are printed beside
them, as the machine may be shared (the load average is printed with each figure). --quick runs
the same at 100 000 / 20 000 / 100 000 + 500 000 rows, once each, to check the bench itself.

--extras adds the older figures: `pandas` (pandas' read + write floor), `parquet` and `jsonl`
(decide → those from the N-row ledger), `scaling` (decide → CSV at 100 000, 1 M, 3 M rows) and
`durable` (durable-rules on the first 20 000 rows, compared byte for byte with the vectorised
engine). 0 rows skips a part.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


TREE = [ROOT]  # the landrules tree measured (--tree; default this checkout)


def run(label: str, argv: list[str], rows: int | None = None, tree: Path | None = None) -> dict:
    """Run `python -c …` / `python -m …` in a child (landrules from `tree`'s engine/, default
    the tree measured): wall seconds, CPU seconds, own peak RSS."""
    tree = TREE[0] if tree is None else tree
    with tempfile.NamedTemporaryFile(suffix=".rss") as report:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", PEAK, report.name, *argv[1:]], capture_output=True, text=True, cwd=tree,
            env={"PYTHONPATH": str(tree / "engine"), "PATH": "/usr/bin:/bin"},
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
    return _xlsx_rows(path, numbered=True)


_NUMBERED = re.compile(rb'<c r="A[0-9]+"[^>]*? t="n"')  # a row whose first cell (序号) is a number


def _xlsx_rows(path: Path, prefix: str = "决策", numbered: bool = False) -> int:
    """Data rows on the decision sheets of a workbook, counted in the XML: every `<row` but the
    header, or with `numbered` the rows whose first cell is a number (the workbook's 序号; its
    title, header, 合计 and signature rows are text)."""
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
                tail = b""  # the end of the last block: a match split between blocks is counted once
                while block := xml.read(1 << 22):
                    data = tail + block
                    if numbered:  # a match lying wholly in `tail` was counted with the block before
                        count += sum(1 for m in _NUMBERED.finditer(data) if m.end() > len(tail))
                        tail = data[-256:]
                    else:
                        count += data.count(b"<row ")
                        tail = data[-4:]
            total += count if numbered else count - 1  # the header row
        return total


def decide_to(repeat: int, ledger: Path, n: int, out: Path, label: str) -> dict:
    result = best_of(repeat, label, decide_argv(ledger, out), n, out)
    got = rows_out(out)
    if got != n:
        raise SystemExit(f"{label}: {got:,} rows out for {n:,} rows in")
    return result


def show(results: list[dict], floor: dict | None) -> None:
    print(f"{'':<44} {'wall s':>8} {'cpu s':>8} {'rows/s (wall)':>14} {'peak RSS':>9}" + (f" {'÷ floor':>8}" if floor else ""))
    for r in results:
        ratio = f" {r['seconds'] / floor['seconds']:8.2f}" if floor and r.get("rows") == floor.get("rows") else ""
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r.get("rows") else ""
        print(f"{r['label']:<44} {r['seconds']:8.2f} {r['cpu_s']:8.2f} {rate:>14} {r['peak_mib']:6.0f} MiB{ratio}")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def alternated(repeat: int, runs: list[tuple[str, list[str], Path | None]], rows: int) -> list[dict]:
    """Each (label, argv, output) run `repeat` times, the runs alternated (A B A B …) so that
    both see the same load; the fastest wall of each is kept, with the largest peak RSS and
    the load average. Every output must hold `rows` rows, and a repeat must write the bytes of
    the first run."""
    best: list[dict | None] = [None] * len(runs)
    for k in range(repeat):
        for j, (label, argv, out) in enumerate(runs):
            argv_k = [str(a) for a in argv]
            if out is not None and k:
                copy = out.with_name(f"{out.stem}.run{k}{out.suffix}")
                argv_k = [str(copy) if a == str(out) else a for a in argv_k]
            before = load()
            result = run(label, argv_k, rows)
            result["load"] = f"{before} → {load()}"
            if out is not None:
                got = rows_out(copy if k else out)
                if got != rows:
                    raise SystemExit(f"{label}: {got:,} rows out for {rows:,} rows in")
                if k:
                    same = filecmp.cmp(out, copy, shallow=False)
                    copy.unlink()
                    if not same:
                        raise SystemExit(f"{label}: run {k + 1} wrote a different file than run 1")
            kept = best[j]
            if kept is None or result["seconds"] < kept["seconds"]:
                if kept is not None:
                    result["peak_mib"] = max(result["peak_mib"], kept["peak_mib"])
                best[j] = result
            else:
                kept["peak_mib"] = max(result["peak_mib"], kept["peak_mib"])
    return best


def verdict(rows: list[tuple[str, str, str, str, bool | None]]) -> None:
    """The figures of issue 26's "Done when": figure, measured, target, goal, met."""
    print("\nverdict (issue 26)")
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'figure':<{width}} {'measured':>12} {'target':>12} {'goal':>8}  met")
    for figure, measured, target, goal, met in rows:
        mark = "—" if met is None else ("met" if met else "NOT MET")
        print(f"{figure:<{width}} {measured:>12} {target:>12} {goal:>8}  {mark}")


MEMORY_TARGETS = {1_000_000: 768, 5_000_000: 1024}  # MiB (issue 26); other sizes: no target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int, nargs="?", default=None, help="rows of the main ledger (default 1 000 000)")
    parser.add_argument("--xlsx-rows", type=int, default=None, help="rows decided to XLSX and to CSV (default 200 000)")
    parser.add_argument("--memory", default=None, help="sizes whose peak RSS is measured (default 1000000,3000000,5000000; 0 or '' skips)")
    parser.add_argument("--repeat", type=int, default=None, help="runs of each timed command, alternated (default 2)")
    parser.add_argument("--reference", type=Path, help="a landrules tree (e.g. a checkout of main) whose CSV must be the same")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the landrules tree to measure (default: this one)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each: a check of the bench")
    parser.add_argument("--extras", default="", help="comma-separated: pandas, parquet, jsonl, scaling, durable")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated files in this folder")
    args = parser.parse_args()
    quick = dict(rows=100_000, xlsx_rows=20_000, memory="100000,500000", repeat=1)
    full = dict(rows=1_000_000, xlsx_rows=200_000, memory="1000000,3000000,5000000", repeat=2)
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    extras = {e.strip() for e in args.extras.split(",") if e.strip()}
    TREE[0] = args.tree.resolve()
    print(f"measuring {TREE[0]} ({load()})")
    with bench_folder(args.keep, "landrules-bench-") as folder:
        measure(args, folder, extras)


@contextlib.contextmanager
def bench_folder(keep: Path | None, prefix: str) -> Iterator[Path]:
    """The folder a bench writes its ledgers and outputs in: `keep` (made if missing, left in
    place for the next run), or a temporary one removed at the end, failure or not (it holds
    gigabytes: the 5 M-row ledger and its outputs)."""
    folder = keep or Path(tempfile.mkdtemp(prefix=prefix))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def measure(args, folder: Path, extras: set[str]) -> None:
    """Every part of the bench, its files in `folder`."""
    py, rep, n = sys.executable, args.repeat, args.rows
    memory = [size for size in (int(m) for m in args.memory.split(",") if m.strip()) if size > 0]  # 0 or "" skips
    largest_rows = max([n, args.xlsx_rows, *memory])
    largest = ledger_of(folder, largest_rows)
    sized = lambda m: head_of(largest, m) if m < largest_rows else largest  # noqa: E731
    summary: dict = {"rows": n, "load_start": load()}
    figures: list[tuple[str, str, str, str, bool | None]] = []

    peaks: dict[int, float] = {}
    # 1. N rows → CSV against pyarrow's floor (0 rows: skipped)
    if n > 0:
        ledger = sized(n)
        out = folder / "decided.csv"
        floor, to_csv = alternated(rep, [("pyarrow floor (read + write as text)", [py, "-c", PYARROW_FLOOR, ledger, folder / "floor-arrow.csv"], None),
                                         ("decide → CSV", decide_argv(ledger, out), out)], n)
        print(f"\n1. {n:,} rows ({ledger.stat().st_size / 2**20:.0f} MiB CSV) → CSV, best of {rep}")
        show([floor, to_csv], floor)
        csv_ratio, csv_cpu_ratio = to_csv["seconds"] / floor["seconds"], to_csv["cpu_s"] / floor["cpu_s"]
        print(f"decide → CSV ÷ pyarrow floor: wall {csv_ratio:.2f}, cpu {csv_cpu_ratio:.2f} ({to_csv['load']})")
        figures.append((f"{n:,} rows → CSV ÷ pyarrow floor (wall)", f"{csv_ratio:.2f}×", "≤ 2.5×", "2×", csv_ratio <= 2.5))
        figures.append(("  … the same in CPU seconds", f"{csv_cpu_ratio:.2f}×", "", "", None))
        figures.append((f"  … every row out ({n:,})", "yes", "yes", "", True))  # alternated() stops otherwise
        summary.update(pyarrow_floor_s=floor["seconds"], decide_csv_s=to_csv["seconds"], csv_vs_pyarrow_floor=csv_ratio,
                       csv_cpu_vs_pyarrow_floor_cpu=csv_cpu_ratio, decide_csv_peak_mib=to_csv["peak_mib"])
        if args.reference is not None:
            ref_out = folder / "decided-reference.csv"
            reference = run(f"decide → CSV ({args.reference})", [str(a) for a in decide_argv(ledger, ref_out)], n,
                            tree=args.reference.resolve())
            same = filecmp.cmp(out, ref_out, shallow=False)
            print(f"{args.reference}: {reference['seconds']:.2f} s wall, {reference['cpu_s']:.2f} s cpu; "
                  f"CSV byte-identical: {same}")
            figures.append((f"  … CSV byte-identical to {args.reference}'s", "yes" if same else "NO", "yes", "", same))
            summary.update(reference_csv_s=reference["seconds"], identical_to_reference=same)
        if memory and n in memory:
            memory.remove(n)  # measured above
        peaks[n] = to_csv["peak_mib"]

    # 2. the workbook against CSV
    if args.xlsx_rows:
        m = args.xlsx_rows
        small = sized(m)
        head_csv, head_xlsx = folder / "decided-head.csv", folder / "decided-head.xlsx"
        csv_m, xlsx_m = alternated(rep, [(f"decide → CSV ({m:,} rows)", decide_argv(small, head_csv), head_csv),
                                         (f"decide → XLSX ({m:,} rows)", decide_argv(small, head_xlsx), head_xlsx)], m)
        print(f"\n2. {m:,} rows → XLSX against → CSV, best of {rep}")
        show([csv_m, xlsx_m], None)
        ratio, cpu_ratio = xlsx_m["seconds"] / csv_m["seconds"], xlsx_m["cpu_s"] / csv_m["cpu_s"]
        print(f"XLSX ÷ CSV: wall {ratio:.2f}, cpu {cpu_ratio:.2f} ({xlsx_m['load']})")
        figures.insert(0, (f"{m:,} rows → XLSX ÷ → CSV (wall)", f"{ratio:.2f}×", "≤ 6×", "3×", ratio <= 6))
        figures.insert(1, ("  … the same in CPU seconds", f"{cpu_ratio:.2f}×", "", "", None))
        summary.update(xlsx_rows=m, xlsx_s=xlsx_m["seconds"], xlsx_vs_csv=ratio, xlsx_cpu_vs_csv=cpu_ratio,
                       xlsx_peak_mib=xlsx_m["peak_mib"])

    # 3. peak memory as the ledger grows
    for size in memory:
        path = sized(size)
        before = load()
        result = run(f"decide → CSV ({size:,})", decide_argv(path, folder / "decided-memory.csv"), size)
        if rows_out(folder / "decided-memory.csv") != size:
            raise SystemExit(f"{size:,} rows in, {rows_out(folder / 'decided-memory.csv'):,} out")
        result["load"] = f"{before} → {load()}"
        print(f"\n3. {size:,} rows → CSV: {result['seconds']:.2f} s wall, {result['cpu_s']:.2f} s cpu, "
              f"peak RSS {result['peak_mib']:.0f} MiB ({result['load']})")
        peaks[size] = result["peak_mib"]
    for size in sorted(peaks):
        target = MEMORY_TARGETS.get(size)
        figures.append((f"peak RSS, {size:,} rows → CSV", f"{peaks[size]:.0f} MiB",
                        f"≤ {target} MiB" if target else "", "", None if target is None else peaks[size] <= target))
    summary["peak_mib"] = {str(k): v for k, v in sorted(peaks.items())}

    if n > 0:  # the extras are about the N-row ledger
        extra_figures(extras, folder, sized(n), n, rep, summary)
    summary["load_end"] = load()
    verdict(figures)
    print(json.dumps(summary))


def extra_figures(extras: set[str], folder: Path, ledger: Path, n: int, rep: int, summary: dict) -> None:
    """The older figures (--extras): pandas' floor, Parquet and JSONL, scaling, durable-rules."""
    py = sys.executable
    if "pandas" in extras:
        pandas_floor = best_of(rep, "pandas floor (read + write as text)", [py, "-c", PANDAS_FLOOR, str(ledger), str(folder / "floor-pandas.csv")], n)
        show([pandas_floor], pandas_floor)
        summary["pandas_floor_s"] = pandas_floor["seconds"]
    formats = [f for f in ("parquet", "jsonl") if f in extras]
    if formats:
        results = [decide_to(rep, ledger, n, folder / f"decided.{fmt}", f"decide → {fmt.upper()}") for fmt in formats]
        print()
        show(results, None)
        summary.update({f"decide_{r['label'].split()[-1].lower()}_s": r["seconds"] for r in results})
    if "scaling" in extras:
        scaling = []
        for size in (100_000, 1_000_000, 3_000_000):
            path = ledger_of(folder, size)
            floor = best_of(rep, f"pyarrow floor ({size:,})", [py, "-c", PYARROW_FLOOR, str(path), str(folder / "floor-scaling.csv")], size)
            decided = decide_to(rep, path, size, folder / "decided-scaling.csv", f"decide → CSV ({size:,})")
            scaling.append((size, floor, decided))
        print("\nscaling (decide → CSV)")
        print(f"{'rows':>10} {'floor s':>8} {'decide s':>9} {'cpu s':>8} {'÷ floor':>8} {'µs/row (cpu)':>13} {'peak RSS':>9}")
        for size, floor, decided in scaling:
            print(f"{size:>10,} {floor['seconds']:8.2f} {decided['seconds']:9.2f} {decided['cpu_s']:8.2f} "
                  f"{decided['seconds'] / floor['seconds']:8.2f} {decided['cpu_s'] / size * 1e6:13.2f} {decided['peak_mib']:6.0f} MiB")
        summary["scaling"] = [{"rows": s, "floor_s": f["seconds"], "decide_s": d["seconds"], "decide_cpu_s": d["cpu_s"],
                               "peak_mib": d["peak_mib"]} for s, f, d in scaling]
    if "durable" in extras:
        m = min(20_000, n)
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


if __name__ == "__main__":
    main()
