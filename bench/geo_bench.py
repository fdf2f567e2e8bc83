"""Parcels on the map at scale (contract §8).

    python bench/geo_bench.py [N]      (default N = 100000)

1. `decide` on an N-parcel ledger (CSV → Parquet, vectorised engine) without shapes, then with
   `--parcels` (a GeoPackage of N parcels in CGCS2000 3° zone 38, some overlapping),
   `--boundary` and `--plan`; prints both times and their ratio (target ≤ 2×).
2. Overlap detection alone (`geo.facts.overlaps`, an STRtree) on N/8 … 2N parcels: time and
   time per parcel, which stays flat when the cost grows near-linearly.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

from landrules.core import fields  # noqa: E402
from landrules.decide.options import RunOptions  # noqa: E402
from landrules.decide.pipeline import decide_ledger  # noqa: E402
from landrules.geo.facts import PlanClasses, overlaps, parcel_facts  # noqa: E402
from landrules.geo.join import MapInputs  # noqa: E402
from landrules.rulebook import locate  # noqa: E402
from landrules.rulebook.load import load_rulebook  # noqa: E402
from synthetic import ledger_frame  # noqa: E402

AS_OF = dt.date(2021, 10, 1)
E0, N0 = 38_380_000.0, 3_700_000.0  # zone 38, near Shilong
CELL = 120.0  # m between parcel centres: 100 000 parcels cover about 38 km × 38 km


def grid_parcels(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """`n` rectangles on a grid, ids SYN-…; about one in fifty pushed into its neighbour."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    k = np.arange(n)
    cx = E0 + (k % side) * CELL
    cy = N0 + (k // side) * CELL
    w = rng.uniform(40, 100, n)
    h = rng.uniform(40, 100, n)
    shift = np.where(rng.random(n) < 0.02, CELL - w / 2, 0.0)
    boxes = shapely.box(cx - w / 2 + shift, cy - h / 2, cx + w / 2 + shift, cy + h / 2)
    ids = np.array([f"SYN-{i:07d}" for i in range(n)], dtype=object)
    return ids, boxes


def write_gpkg(path: Path, geometries, columns: dict) -> None:
    pyogrio.raw.write(str(path), shapely.to_wkb(geometries), [np.asarray(v, dtype=object) for v in columns.values()],
                      list(columns), driver="GPKG", geometry_type="Polygon", crs="EPSG:4526", encoding="UTF-8")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _list(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times) + " s"


def timed(run) -> float:
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rulebook = load_rulebook(locate.rules_dir(), locate.policy_dir())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        frame = ledger_frame(n)
        frame = frame.drop(columns=[f.zh for f in fields.FIELDS if f.name in fields.MAP_FIELDS])  # the map gives them
        ledger = tmp / "ledger.csv"
        frame.to_csv(ledger, index=False, encoding="utf-8")
        ids, boxes = grid_parcels(n)
        write_gpkg(tmp / "parcels.gpkg", boxes, {"宗地编号": ids})
        xmin, ymin, xmax, ymax = shapely.total_bounds(boxes)
        write_gpkg(tmp / "boundary.gpkg", np.array([shapely.box(xmin, ymin, xmax - 500, ymax)]), {"名称": ["集聚区"]})
        half = (xmin + xmax) / 2
        write_gpkg(tmp / "plan.gpkg", np.array([shapely.box(xmin - 10, ymin - 10, half, ymax + 10), shapely.box(half, ymin - 10, xmax + 10, ymax + 10)]),
                   {"YDYHFLDM": ["1001", "0701"]})
        inputs = MapInputs(tmp / "parcels.gpkg", tmp / "boundary.gpkg", tmp / "plan.gpkg")
        run = lambda out, m=None: decide_ledger(ledger, tmp / out, RunOptions(rulebook, AS_OF, engine="vectorized", map_inputs=m))  # noqa: E731
        run("warm.parquet")
        print(f"load average before: {_load()}")
        plain, mapped = [], []
        for _ in range(3):  # interleaved, so that a burst of load on a shared machine hits both alike
            plain.append(timed(lambda: run("plain.parquet")))
            mapped.append(timed(lambda: run("mapped.parquet", inputs)))
        print(f"decide {n} parcels (CSV → Parquet, vectorised), best of 3: without shapes {min(plain):.2f} s, "
              f"with --parcels/--boundary/--plan {min(mapped):.2f} s, ratio {min(mapped) / min(plain):.2f}× (target ≤ 2×)")
        print(f"  every run: without {_list(plain)}; with {_list(mapped)}; load average after: {_load()}")
        facts = min(timed(lambda: parcel_facts(inputs.parcels, None, inputs.boundary, inputs.plan,
                                                PlanClasses(("YDYHFLDM",), ("1001",)), 1.0)) for _ in range(3))
        print(f"  of which reading and checking the shapes and computing their facts (geo.facts.parcel_facts): {facts:.2f} s")
        gpkg = min(timed(lambda: run("mapped.gpkg", inputs)) for _ in range(1))
        print(f"  the same to .gpkg (every decision with its shape): {gpkg:.2f} s")

    print(f"overlap detection (STRtree), load average {_load()}: parcels, seconds, microseconds per parcel, overlapping parcels")
    for size in (n // 8, n // 4, n // 2, n, 2 * n):
        ids, boxes = grid_parcels(size)
        seconds = min(timed(lambda ids=ids, boxes=boxes: overlaps(ids, boxes, 1.0)) for _ in range(3))
        found = sum(v is not None for v in overlaps(ids, boxes, 1.0))
        print(f"  {size:>8}  {seconds:7.3f}  {seconds / size * 1e6:6.2f}  {found}")


if __name__ == "__main__":
    main()
