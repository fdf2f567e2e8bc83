"""Issue 23 item 2: the server never dies from a request, and a server that died anyway (killed,
out of memory, a native crash) leaves no officer's upload behind: the next one removes it
(web/sessions.py `remove_orphans`)."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import hostile_corpus as corpus
from conftest import ROOT
from landrules.web.sessions import ROOT_PREFIX, Store
from web_helpers import Officer as TestClient  # its posts carry the page's anti-forgery token
from web_helpers import make_app, upload


def test_a_workbook_that_would_abort_a_reader_is_refused_and_the_server_goes_on(tmp_path):
    path = corpus.xlsx(tmp_path, [corpus.HEADER, ["A", 2, "工业"]], far={"XFD1048576": "x"})
    with TestClient(make_app()) as client:
        page = upload(client, path)
        assert "XFD1048576" in page.text and "超出上限" in page.text
        assert client.get("/").status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow  # servers in child processes, one killed
def test_a_killed_server_s_uploads_are_removed_by_the_next_server(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "engine"), "TMPDIR": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "landrules", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        body, boundary = _multipart("ledger", "台账.csv", (ROOT / "examples" / "shilong-ledger.csv").read_bytes())
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))  # follows to /columns
        opener.open(f"http://127.0.0.1:{port}/", timeout=10)  # the page sets the anti-forgery cookie
        token = next(c.value for c in jar if c.name == "landrules_csrf")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/upload", data=body,
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                                  "X-CSRF-Token": token, "Origin": f"http://127.0.0.1:{port}"})
        try:
            opener.open(request, timeout=30)
        except urllib.error.HTTPError as exc:
            raise AssertionError(exc.read().decode()[-1500:]) from None
        (root,) = tmp_path.glob(f"{ROOT_PREFIX}{server.pid}-*")
        assert any(p.is_file() for p in root.rglob("*"))  # the upload is there
    finally:
        server.send_signal(signal.SIGKILL)  # a crash: no shutdown runs
        server.wait(timeout=30)
    assert root.exists()
    alive = tmp_path / f"{ROOT_PREFIX}{os.getpid()}-kept"  # a running server's folder stays
    alive.mkdir()
    store = Store(root=tmp_path)
    try:
        assert not root.exists() and alive.exists()
    finally:
        store.close()


def _multipart(field: str, name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "landrulesboundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: text/csv\r\n\r\n").encode()
    tail = (f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="as_of"\r\n\r\n2021-10-01'
            f"\r\n--{boundary}--\r\n").encode()
    return head + data + tail, boundary
