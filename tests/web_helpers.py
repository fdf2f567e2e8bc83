"""Shared by the workbench's route and browser tests."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from landrules.web.app import create_app
from landrules.web.common import Settings

from conftest import POLICY, ROOT, RULES

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"


def make_app(rulebook=None, **options):
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
