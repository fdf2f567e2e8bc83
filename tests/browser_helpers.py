"""Shared by the browser tests: Debian's Chromium (never a downloaded one) and `landrules serve`
started on a free localhost port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import ROOT

CHROMIUM = next((p for p in (os.environ.get("LANDRULES_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p and Path(p).exists()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NO_CHROMIUM = ("!!! NO CHROMIUM: the workbench's browser tests are SKIPPED. Install Debian's chromium "
               "(apt-get install chromium) or set LANDRULES_CHROMIUM to run them. !!!")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(log: Path, *options: str, env: dict | None = None) -> tuple[str, subprocess.Popen]:
    """`landrules serve --port N OPTIONS…`, once it answers: (its URL, the process)."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "landrules", "serve", "--port", str(port), *options],
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(f"landrules serve exited {proc.returncode}: {log.read_text()}")
        try:
            urllib.request.urlopen(url + "/static/style.css", timeout=1).close()
            return url, proc
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.1)
    proc.terminate()
    raise AssertionError("landrules serve did not answer: " + log.read_text())


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)
