"""How fast the command line answers: `landrules --help`, `lint` and `--version` against the
floor of importing typer and rich, median of 7 runs each, measured in one go.

    python bench/cli_bench.py [RUNS]

Targets (issue "the house by layers"): `--help` at most 2x the floor, `lint` at most 4x; and the
cumulative import time of `landrules.cli` (python -X importtime) under 0.25 s.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
LANDRULES = [PY, "-m", "landrules"]
ROOT = Path(__file__).resolve().parent.parent


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def import_time_of_cli() -> float:
    out = subprocess.run([PY, "-X", "importtime", "-c", "import landrules.cli"], capture_output=True, text=True, cwd=ROOT)
    last = [line for line in out.stderr.splitlines() if re.search(r"\|\s*landrules\.cli$", line)]
    return int(last[-1].split("|")[1]) / 1e6 if last else float("nan")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    floor = median_seconds([PY, "-c", "import typer, rich.console"], runs)
    rows = [("python -c 'import typer, rich.console'", floor, None)]
    for args, limit in ((["--help"], 2.0), (["--version"], 2.0), (["lint"], 4.0)):
        seconds = median_seconds(LANDRULES + args, runs)
        rows.append((f"landrules {' '.join(args)}", seconds, limit))
    print(f"{'command':45} {'median s':>9} {'x floor':>8} {'target':>7}")
    for name, seconds, limit in rows:
        ratio = seconds / floor
        target = f"<= {limit:.0f}x" if limit else ""
        flag = "" if limit is None or ratio <= limit else "  OVER"
        print(f"{name:45} {seconds:9.3f} {ratio:8.2f} {target:>7}{flag}")
    print(f"import landrules.cli (cumulative, -X importtime): {import_time_of_cli():.3f} s (target < 0.25 s)")


if __name__ == "__main__":
    main()
