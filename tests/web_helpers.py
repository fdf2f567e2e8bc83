"""Shared by the workbench's route and browser tests. A pytest plugin (tests/conftest.py
`pytest_plugins`) for its fixture `coverage_of_the_shipped_rulebook_once`."""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import POLICY, ROOT, RULES

try:
    import fcntl  # the workers' shared coverage answer is guarded by a file lock (not on Windows)
except ImportError:
    fcntl = None
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
    """The rulebook pages show which scenario covers which rule: `landrules check` in a child
    process (web/coverage.py, several seconds), run by each workbench on its first rulebook page.
    Every test workbench on the shipped rules, policy and scenarios gets the same answer, so the
    first one's is kept for the others (a copy each), and on several workers (pytest-xdist) the
    first worker's is shared with the others through the session's folder; any other folder is
    computed as served."""
    from landrules.web import pages_rules

    computed = pages_rules.scenario_coverage
    kept: dict = {}
    shipped = (RULES.resolve(), POLICY.resolve(), (ROOT / "scenarios").resolve())
    # the folder all workers of this session share (each worker's own basetemp is inside it)
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") and fcntl else None

    def once(rules: Path, policy: Path, scenarios: Path) -> dict:
        if (Path(rules).resolve(), Path(policy).resolve(), Path(scenarios).resolve()) != shipped:
            return computed(rules, policy, scenarios)
        if "answer" not in kept or kept["answer"].get("error"):
            kept["answer"] = across_workers(lambda: computed(rules, policy, scenarios))
        return copy.deepcopy(kept["answer"])

    def across_workers(compute) -> dict:
        if shared is None:
            return compute()
        with open(shared / "scenario-coverage.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one worker computes, the others wait for its answer
            answer_file = shared / "scenario-coverage.json"
            if answer_file.exists():
                return json.loads(answer_file.read_text(encoding="utf-8"))
            answer = compute()
            if not answer.get("error"):
                answer_file.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
            return answer

    patch = pytest.MonkeyPatch()
    patch.setattr(pages_rules, "scenario_coverage", once)
    yield
    patch.undo()
