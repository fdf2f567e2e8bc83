"""Shared by the browser tests: Debian's Chromium (never a downloaded one) and `landrules serve`
started on a free localhost port. A pytest plugin (tests/conftest.py `pytest_plugins`): its
fixtures `server`, `browser` and `shots` serve every browser test module, which may define its
own (a server with accounts, a browser with other switches) in their place."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest

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
    """`landrules serve --port N OPTIONS…`, once it answers: (its URL, the process). The scenario
    coverage its rulebook pages show is the session's (tests/shared_coverage.py)."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log, "w") as out:
        # `landrules serve` through tests/shared_coverage.py: its rulebook pages take the session's
        # scenario coverage instead of running every scenario again (some 8 s of CPU a server)
        proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("shared_coverage.py")), "serve",
                                 "--port", str(port), *options],
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


def require_chromium():
    """Skip the calling test module, loudly, without Debian's Chromium; Playwright's sync API."""
    if CHROMIUM is None:
        print("\n" + NO_CHROMIUM, file=sys.stderr)
        warnings.warn(NO_CHROMIUM, stacklevel=2)
        pytest.skip(NO_CHROMIUM, allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


@contextmanager
def launched(*switches: str):
    """Chromium headless with ARGS and `switches`."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *switches], headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`landrules serve` without accounts, on a store of its own: its URL."""
    folder = tmp_path_factory.mktemp("server")
    url, proc = start_server(folder / "serve.log", env={"LANDRULES_STORE": str(folder / "store.duckdb")})
    try:
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser():
    with launched() as chromium:
        yield chromium


@pytest.fixture
def shots(tmp_path):
    """Take a full-page screenshot: shots(page, name) into $LANDRULES_SCREENSHOTS (default: tmp_path)."""
    folder = Path(os.environ.get("LANDRULES_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
