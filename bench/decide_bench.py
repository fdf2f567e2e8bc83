"""Median per-parcel decision time on the durable-rules backend.

    python bench/decide_bench.py [N]      (default N = 10000)

Each parcel is decided on its own (engine firing + decision assembly), timed with
perf_counter; prints the median, p90 and p99 in milliseconds and the throughput.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from landrules.backends.durable import DurableBackend  # noqa: E402
from landrules.decide.evaluate import Evaluator  # noqa: E402
from landrules.rulebook import locate  # noqa: E402
from landrules.rulebook.load import load_rulebook  # noqa: E402
from synthetic import parcels  # noqa: E402

AS_OF = dt.date(2021, 10, 1)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rulebook = load_rulebook(locate.rules_dir(), locate.policy_dir())
    evaluator = Evaluator(rulebook, DurableBackend(rulebook))
    data = parcels(n)
    evaluator.decide("warm-up", data[0], AS_OF)  # compile the rulebook for AS_OF
    times = []
    started = time.perf_counter()
    for facts in data:
        t0 = time.perf_counter()
        evaluator.decide(facts["parcel_id"], facts, AS_OF)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    times.sort()
    ms = lambda s: f"{s * 1000:.3f} ms"  # noqa: E731
    print(f"parcels: {n}  rules: {len(rulebook.rules)}  backend: durable-rules (one parcel at a time)")
    print(f"median per parcel: {ms(statistics.median(times))}")
    print(f"p90: {ms(times[int(n * 0.9)])}  p99: {ms(times[int(n * 0.99)])}")
    print(f"throughput: {n / total:,.0f} parcels/s  total: {total:.2f} s")


if __name__ == "__main__":
    main()
