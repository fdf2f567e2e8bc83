"""The workbench on a large ledger: upload, decide, page through, open a parcel, export.

    python bench/web_bench.py N [--xlsx]

Generates a synthetic ledger of N rows (as bench/ledger_bench.py does), starts `landrules
serve` on a free localhost port and, as one browser session would: uploads the ledger, starts
deciding and polls the progress page until the summary shows, then fetches the summary, the
first and the last page of the parcels table, a filtered page, one parcel, and the CSV export
(the XLSX too with --xlsx: expect minutes). Prints the seconds of each step, the bytes of each
page, and the server's peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger_bench import AS_OF, ROOT, generate  # noqa: E402


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int)
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Path(tmp) / "ledger.csv"
        generate(ledger, args.rows)
        print(f"ledger: {args.rows:,} rows, {ledger.stat().st_size / 2**20:.0f} MiB")
        port = _port()
        server = subprocess.Popen([sys.executable, "-m", "landrules", "serve", "--port", str(port), "--max-upload-mb", "2000"],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=3600, follow_redirects=True) as client:
                for _ in range(100):
                    try:
                        client.get("/openapi.json")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)

                def step(label, call):
                    start = time.perf_counter()
                    response = call()
                    seconds = time.perf_counter() - start
                    assert response.status_code == 200, (label, response.status_code, response.text[:500])
                    print(f"{label:<28} {seconds:8.2f} s  {len(response.content) / 1024:9.1f} KiB")
                    return response

                with open(ledger, "rb") as handle:
                    step("upload + column report", lambda: client.post("/upload", files={"ledger": ("ledger.csv", handle)},
                                                                       data={"as_of": AS_OF}))
                start = time.perf_counter()
                client.post("/decide", follow_redirects=False)
                polls = 0
                while True:
                    page = client.get("/progress", follow_redirects=False)
                    polls += 1
                    if page.status_code == 303:
                        break
                    assert "未完成" not in page.text, page.text
                    time.sleep(1)
                print(f"{'decide (until summary)':<28} {time.perf_counter() - start:8.2f} s  ({polls} progress polls)")
                summary = step("summary", lambda: client.get("/summary"))
                print("  shown: rows", re.search(r'id="rows">(\d+)', summary.text).group(1),
                      "invalid", re.search(r'id="invalid">(\d+)', summary.text).group(1))
                first = step("parcels page 1", lambda: client.get("/parcels"))
                last = int(re.search(r"第 1 / (\d+) 页", first.text).group(1))
                step(f"parcels page {last}", lambda: client.get("/parcels", params={"page": last}))
                step("parcels filtered", lambda: client.get("/parcels", params={"outcome": "idle_fee", "overdue": "no"}))
                pid = re.search(r'/parcel\?id=([^"]+)"', first.text).group(1)
                step(f"parcel {pid}", lambda: client.get("/parcel", params={"id": pid}))
                for kind in ("csv", "xlsx") if args.xlsx else ("csv",):
                    start = time.perf_counter()
                    client.get(f"/download/{kind}", follow_redirects=False)
                    while client.get(f"/progress?job=export-{kind}", follow_redirects=False).status_code != 303:
                        time.sleep(1)
                    got = client.get(f"/download/{kind}")
                    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
                    print(f"{'export ' + kind.upper() + ' (background)':<28} {time.perf_counter() - start:8.2f} s  "
                          f"{len(got.content) / 2**20:9.1f} MiB")
            print(f"server peak RSS: {_peak_mib(server.pid):.0f} MiB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
