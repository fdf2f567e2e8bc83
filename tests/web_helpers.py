"""Shared by the workbench's route and browser tests. A pytest plugin (tests/conftest.py
`pytest_plugins`) for its fixture `coverage_of_the_shipped_rulebook_once`."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import shared_coverage
from conftest import POLICY, ROOT, RULES
from landrules.web.app import create_app
from landrules.web.common import Settings

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
SAFE = ("GET", "HEAD", "OPTIONS")


class Officer(TestClient):
    """A browser at the workbench: its state-changing requests carry the anti-forgery token that
    its pages' forms carry (the session's, or before a session the csrf cookie's), as a header.
    The tests of the token itself use a plain TestClient."""

    def request(self, method, url, *args, **kwargs):
        if method.upper() not in SAFE:
            headers = dict(kwargs.pop("headers", None) or {})
            if not any(k.lower() == "x-csrf-token" for k in headers):
                headers["X-CSRF-Token"] = self.csrf_token()
            kwargs["headers"] = headers
        return super().request(method, url, *args, **kwargs)

    def csrf_token(self) -> str:
        session = self.app.state.store.sessions.get(self.cookies.get("landrules_session") or "")
        if session is not None:
            return session.csrf
        if "landrules_csrf" not in self.cookies:
            super().request("GET", "/login" if self.app.state.directory.accounts_on() else "/")  # a page sets it
        return self.cookies.get("landrules_csrf") or ""


def make_app(rulebook=None, **options):
    """The workbench; TestClient's requests name the host `testserver`, which it allows."""
    options.setdefault("allowed_hosts", ("127.0.0.1", "localhost", "::1", "testserver"))
    return create_app(Settings(RULES, POLICY, **options), rulebook)


def upload(client: TestClient, path=SAMPLE, as_of="2021-10-01", name=None, **data):
    with open(path, "rb") as handle:
        return client.post("/upload", files={"ledger": (name or path.name, handle)}, data={"as_of": as_of, **data})


def wait_for(client: TestClient, url: str, done: str, tries: int = 200):
    """Follow a progress page until it redirects to `done` (the job finished)."""
    for _ in range(tries):
        response = client.get(url)
        if response.url.path == done:
            return response
        assert response.status_code == 200, response.text
        assert "未完成" not in response.text, response.text
        time.sleep(0.05)
    raise AssertionError(f"{url} never reached {done}")


def decided(client: TestClient, path=SAMPLE, as_of="2021-10-01"):
    assert upload(client, path, as_of).url.path == "/columns"
    client.post("/decide")
    return wait_for(client, "/progress", "/summary")


@pytest.fixture(autouse=True, scope="session")
def coverage_of_the_shipped_rulebook_once(tmp_path_factory):
    """The rulebook pages' scenario coverage of the shipped rulebook, computed once per session
    (tests/shared_coverage.py): in this process the first answer is kept (a copy each), and it is
    shared with the other xdist workers and the `landrules serve` processes of the session through
    the session's folder ($LANDRULES_TESTS_COVERAGE_FOLDER); any other folder is computed as served."""
    from landrules.web import pages_rules

    computed = pages_rules.scenario_coverage
    kept: dict = {}
    # the folder all processes of this session share (each xdist worker's own basetemp is inside it)
    base = tmp_path_factory.getbasetemp()
    folder = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    os.environ[shared_coverage.FOLDER_ENV] = str(folder)  # for the servers the tests start

    def once(rules: Path, policy: Path, scenarios: Path) -> dict:
        if not shared_coverage.shipped(rules, policy, scenarios):
            return computed(rules, policy, scenarios)
        if "answer" not in kept or kept["answer"].get("error"):
            kept["answer"] = shared_coverage.shared(lambda: computed(rules, policy, scenarios), folder)
        return copy.deepcopy(kept["answer"])

    patch = pytest.MonkeyPatch()
    patch.setattr(pages_rules, "scenario_coverage", once)
    yield
    patch.undo()
