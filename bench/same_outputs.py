"""Are the tool's outputs the same before and after a change? Snapshot a source tree, compare two.

    python bench/same_outputs.py snapshot TREE OUT [--rows 200000] [--durable-rows 20000] [--ledgers DIR] [--only RE]
    python bench/same_outputs.py compare OUT_A OUT_B

`snapshot` runs the command line of the landrules tree TREE (its engine/, rules/, policy/ and
examples/; e.g. `git archive main | tar -x -C /tmp/base` for the code before a change) and keeps
every output in OUT: `decide` on every examples/ ledger in every format decide writes, both
engines, JSONL on stdout; .gpkg/.geojson with --parcels; `diff` against a rulebook with two
thresholds moved (every format); `explain` (text, --json, --full, by row, a missing id);
`report` (.xlsx, .html, .pdf as text); the workbench's table (`web.table.decide_table`), the
Dask partition, a recorded run and its replay; and `decide`/`diff`/`explain` on a --rows
synthetic ledger (bench/ledger_bench.py's generator; durable on its first --durable-rows rows).
stderr is kept with its timings blanked (and compared without white space: Rich wraps lines). `compare` says which outputs differ: files byte for
byte, except XLSX (every sheet's cell values, openpyxl: the file holds its creation time),
GeoPackage (the layer's rows and geometries: the file holds timestamps) and PDF (its text).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2021-10-01"
FORMATS = (".csv", ".jsonl", ".parquet", ".xlsx")


class Snap:
    def __init__(self, tree: Path, out: Path, only: str | None = None):
        self.tree, self.out = tree.resolve(), out.resolve()
        self.only = re.compile(only) if only else None
        self.out.mkdir(parents=True, exist_ok=True)
        self.env = {"PYTHONPATH": str(self.tree / "engine"), "PATH": "/usr/bin:/bin", "HOME": str(self.out),
                    "LANDRULES_STORE": str(self.out / "store.duckdb"), "TZ": "UTC", "COLUMNS": "200"}

    def run(self, name: str, *args: str, stdout: bool = True) -> None:
        """`python -m landrules ARGS` in the tree; stdout kept as NAME.out, stderr as NAME.err."""
        if self.only and not self.only.search(name):
            return
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "landrules", *args], cwd=self.tree, env=self.env,
                              capture_output=True)
        if stdout:
            (self.out / f"{name}.out").write_bytes(self._clean(proc.stdout))
        (self.out / f"{name}.err").write_bytes(self._clean(proc.stderr) + f"\nexit {proc.returncode}\n".encode())
        print(f"{name}: exit {proc.returncode} ({time.perf_counter() - started:.1f} s)", flush=True)

    def python(self, name: str, code: str) -> None:
        if self.only and not self.only.search(name):
            return
        proc = subprocess.run([sys.executable, "-c", code], cwd=self.tree, env=self.env, capture_output=True)
        (self.out / f"{name}.err").write_bytes(self._clean(proc.stderr) + f"\nexit {proc.returncode}\n".encode())
        (self.out / f"{name}.out").write_bytes(self._clean(proc.stdout))
        print(f"{name}: exit {proc.returncode}", flush=True)

    def _clean(self, data: bytes) -> bytes:
        text = data.decode("utf-8", errors="replace").replace(str(self.out), "<OUT>").replace(str(self.tree), "<TREE>")
        text = re.sub(r"\d+(\.\d+)? ?(秒|s\b)", "<T>", text)
        text = re.sub(r"[\d,]+ ?(宗|行)/秒", "<RATE>", text)
        return text.encode("utf-8")

    def o(self, name: str) -> str:
        return str(self.out / name)


def snapshot(tree: Path, out: Path, rows: int, durable_rows: int, ledgers: Path, only: str | None = None) -> None:
    s = Snap(tree, out, only)
    rules, policy = str(s.tree / "rules"), str(s.tree / "policy")
    book = ["--rules", rules, "--policy", policy]
    sample = "examples/shilong-ledger.csv"
    cases = {"shilong": [sample], "q1": ["examples/shilong-ledger-2022Q1.csv"],
             "unsupplied": ["examples/unsupplied-ledger.csv"],
             "unsupplied-map": ["examples/unsupplied-ledger.csv", "--columns", "examples/unsupplied-columns.yaml"]}
    for case, ledger in cases.items():
        for engine in ("durable", "vectorized"):
            s.run(f"decide-{case}-{engine}-stdout", "decide", *ledger, "--as-of", AS_OF, "--engine", engine, *book)
            for ext in FORMATS:
                s.run(f"decide-{case}-{engine}{ext}", "decide", *ledger, "--as-of", AS_OF, "--engine", engine,
                      "-o", s.o(f"decide-{case}-{engine}{ext}"), *book, stdout=False)
    geo = ["--parcels", "examples/shilong-parcels.gpkg"]
    full_geo = [*geo, "--boundary", "examples/shilong-boundary.gpkg", "--plan", "examples/shilong-plan.gpkg"]
    for label, extra in (("geo", geo), ("geofull", full_geo)):
        for ext in (".gpkg", ".geojson", ".csv", ".jsonl"):
            s.run(f"decide-{label}{ext}", "decide", sample, "--as-of", AS_OF, *extra, "-o", s.o(f"decide-{label}{ext}"),
                  *book, stdout=False)
        s.run(f"explain-{label}", "explain", sample, "--parcel", "SL-005", "--as-of", AS_OF, "--json", *extra, *book)
    s.run("decide-2022", "decide", sample, "--as-of", "2022-06-30", "-o", s.o("decide-2022.jsonl"), *book, stdout=False)
    s.run("decide-2019", "decide", sample, "--as-of", "2019-06-30", "-o", s.o("decide-2019.jsonl"), *book, stdout=False)
    s.run("decide-chunked", "decide", sample, "--as-of", AS_OF, "-o", s.o("decide-chunked.csv"), *book, stdout=False)

    # diff: the rulebook with two thresholds moved
    against = s.out / "against"
    shutil.rmtree(against, ignore_errors=True)
    shutil.copytree(s.tree / "rules", against / "rules")
    shutil.copytree(s.tree / "policy", against / "policy")
    params = against / "rules" / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    text = text.replace("{from: 2021-06-22, value: 2018-12-31}", "{from: 2021-06-22, value: 2019-12-31}", 1)
    text = text.replace("{from: 2021-06-22, value: 100}", "{from: 2021-06-22, value: 150}", 1)
    params.write_text(text, encoding="utf-8")
    for engine in ("durable", "vectorized"):
        s.run(f"diff-{engine}-stdout", "diff", sample, "--against", str(against), "--as-of", AS_OF, "--engine", engine, *book)
    for ext in FORMATS:
        s.run(f"diff{ext}", "diff", sample, "--against", str(against), "--as-of", AS_OF, "-o", s.o(f"diff{ext}"), *book,
              stdout=False)

    for pid in ("SL-001", "SL-005", "SL-012", "SL-019", "SL-023", "SL-039", "第12行"):
        for mode, flags in (("text", []), ("json", ["--json"]), ("full", ["--full"])):
            s.run(f"explain-{pid}-{mode}", "explain", sample, "--parcel", pid, "--as-of", AS_OF, *flags, *book)
    s.run("explain-missing", "explain", sample, "--parcel", "SL-5", "--as-of", AS_OF, *book)
    s.run("explain-map", "explain", "examples/unsupplied-ledger.csv", "--columns", "examples/unsupplied-columns.yaml",
          "--parcel", "PW-2017-05-4", "--as-of", AS_OF, "--json", *book)
    s.run("explain-2019", "explain", sample, "--parcel", "SL-001", "--as-of", "2019-06-30", "--json", *book)

    for ext in (".xlsx", ".html", ".pdf"):
        s.run(f"report{ext}", "report", sample, "--as-of", AS_OF, "-o", s.o(f"report{ext}"), *book, stdout=False)

    # the recorded run: decide --record, then replay (and replay --rules)
    s.run("record-decide", "decide", sample, "--as-of", AS_OF, "--record", "--label", "2021Q4", "-o",
          s.o("record-decide.csv"), *book, stdout=False)
    s.run("replay", "replay", "2021Q4")
    s.run("replay-rules", "replay", "2021Q4", "--rules", str(against / "rules"), "--policy", policy, "-o",
          s.o("replay-rules.csv"))
    s.run("report-since", "report", "examples/shilong-ledger-2022Q1.csv", "--as-of", "2022-03-31", "--since", "2021Q4",
          "-o", s.o("report-since.xlsx"), *book, stdout=False)

    # the workbench's table and the Dask partition, through the library
    s.python("web-table", f"""
import datetime as dt, pathlib, json
from landrules.rulebook.load import load_rulebook
from landrules.web import table
rb = load_rulebook(pathlib.Path({rules!r}), pathlib.Path({policy!r}))
ledger, day = pathlib.Path("examples/shilong-ledger.csv"), dt.date(2021, 10, 1)
try:  # the run's options as one object (issue 20), else as parameters
    from landrules.decide.options import RunOptions
    run = lambda folder, chunk, progress: table.decide_table(ledger, folder, RunOptions(rb, day, chunk_rows=chunk), progress)
except ImportError:
    run = lambda folder, chunk, progress: table.decide_table(ledger, folder, rb, day, chunk_rows=chunk, progress=progress)
for name, chunk in (("web-table", 50000), ("web-table-15", 15)):
    folder = pathlib.Path({str(s.out)!r}) / name
    folder.mkdir(exist_ok=True)
    seen = []
    f = run(folder, chunk, lambda phase, n: seen.append(n))
    print(name, f.rows, f.decided, f.invalid, f.engine, f.by_category, f.by_outcome, f.overdue, f.totals, seen[-1:])
""")
    s.python("dask-frame", f"""
import datetime as dt, pathlib
import pandas as pd, dask.dataframe as dd
from landrules.rulebook.load import load_rulebook
from landrules.dask.frame import decide_frame
rb = load_rulebook(pathlib.Path({rules!r}), pathlib.Path({policy!r}))
frame = pd.read_csv("examples/shilong-ledger.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
out = decide_frame(dd.from_pandas(frame, npartitions=3), rb, dt.date(2021, 10, 1)).compute(scheduler="sync")
out.to_csv(pathlib.Path({str(s.out)!r}) / "dask-frame.csv")
""")

    if rows:
        sys.path.insert(0, str(s.tree / "bench"))
        from ledger_bench import head_of, ledger_of

        ledgers.mkdir(parents=True, exist_ok=True)
        big = ledger_of(ledgers, rows)
        for ext in FORMATS:
            s.run(f"big-vectorized{ext}", "decide", str(big), "--as-of", AS_OF, "--engine", "vectorized",
                  "-o", s.o(f"big-vectorized{ext}"), *book, stdout=False)
        s.run("big-auto.csv", "decide", str(big), "--as-of", AS_OF, "-o", s.o("big-auto.csv"), *book, stdout=False)
        s.run("big-diff.csv", "diff", str(big), "--against", str(against), "--as-of", AS_OF, "-o", s.o("big-diff.csv"),
              *book, stdout=False)
        s.run("big-explain", "explain", str(big), "--parcel", f"SL-{rows - 7:07d}", "--as-of", AS_OF, "--json", *book)
        if durable_rows:
            head = head_of(big, durable_rows)
            for engine in ("durable", "vectorized"):
                s.run(f"head-{engine}.csv", "decide", str(head), "--as-of", AS_OF, "--engine", engine,
                      "-o", s.o(f"head-{engine}.csv"), *book, stdout=False)
            s.run("head-durable.jsonl", "decide", str(head), "--as-of", AS_OF, "--engine", "durable",
                  "-o", s.o("head-durable.jsonl"), *book, stdout=False)


# -- compare ----------------------------------------------------------------------------------


def _xlsx_values(path: Path, root: Path):
    """Every sheet's cell values; the snapshot's own folder in a text (a path) as <OUT>."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    out = str(root.resolve())
    return {ws.title: [tuple(c.replace(out, "<OUT>") if isinstance(c, str) else c for c in row)
                       for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _gpkg_values(path: Path):
    from pyogrio.raw import read

    meta, _, geometry, columns = read(path)
    values = [["nan" if isinstance(v, float) and v != v else v for v in c.tolist()] for c in columns]  # NaN == NaN here
    return meta["fields"].tolist(), [bytes(g) if g is not None else None for g in geometry], values


def _pdf_text(path: Path) -> bytes:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout


def same(a: Path, b: Path, roots: tuple[Path, Path]) -> bool:
    suffix = a.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_values(a, roots[0]) == _xlsx_values(b, roots[1])
    if suffix == ".gpkg":
        return _gpkg_values(a) == _gpkg_values(b)
    if suffix == ".pdf":
        return _pdf_text(a) == _pdf_text(b)
    if suffix == ".err":  # stderr: Rich wraps its lines by their length (paths, timings), also inside a path
        def flat(path: Path, root: Path) -> bytes:
            return re.sub(rb"\s+", b"", path.read_bytes()).replace(str(root.resolve()).encode(), b"<OUT>")

        return flat(a, roots[0]) == flat(b, roots[1])
    return a.read_bytes() == b.read_bytes()


def compare(a: Path, b: Path) -> int:
    skip = {"store.duckdb", "store.duckdb.wal"}
    names = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file() and "against" not in p.parts}
                   | {p.relative_to(b) for p in b.rglob("*") if p.is_file() and "against" not in p.parts})
    names = [n for n in names if n.name not in skip and not any(part.startswith(".") for part in n.parts)]
    bad = 0
    for name in names:
        pa, pb = a / name, b / name
        if not pa.exists() or not pb.exists():
            print(f"ONLY IN {'B' if not pa.exists() else 'A'}: {name}")
            bad += 1
        elif not same(pa, pb, (a, b)):
            print(f"DIFFERS: {name}")
            bad += 1
    print(f"{len(names) - bad} of {len(names)} outputs identical" + ("" if not bad else f", {bad} differ"))
    return 1 if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("tree", type=Path)
    snap.add_argument("out", type=Path)
    snap.add_argument("--rows", type=int, default=200_000)
    snap.add_argument("--durable-rows", type=int, default=20_000)
    snap.add_argument("--ledgers", type=Path, default=Path("/tmp/landrules-same-outputs"))
    snap.add_argument("--only", help="the outputs whose name matches this regular expression (default: all)")
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        started = time.perf_counter()
        snapshot(args.tree, args.out, args.rows, args.durable_rows, args.ledgers, args.only)
        print(f"snapshot in {time.perf_counter() - started:.0f} s")
    else:
        raise SystemExit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
