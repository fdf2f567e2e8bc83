"""GET /api/runs, /api/runs/{id}/decisions, /api/progress over a store of the two sample quarters."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "record"))

from record_helpers import record_two_quarters  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory, rulebook):
    from conftest import POLICY, RULES
    from landrules.web.app import create_app
    from landrules.web.common import Settings

    store = tmp_path_factory.mktemp("store") / "store.duckdb"
    record_two_quarters(store)
    patch = pytest.MonkeyPatch()
    patch.setenv("LANDRULES_STORE", str(store))
    yield TestClient(create_app(Settings(rules_dir=RULES, policy_dir=POLICY, allowed_hosts=("testserver",)), rulebook))
    patch.undo()


def test_runs_are_listed(client):
    runs = client.get("/api/runs").json()
    assert [(r["id"], r["label"], r["rows"]) for r in runs] == [(1, "2021Q4", 40), (2, "2022Q1", 40)]


def test_a_run_s_decisions_and_one_parcel(client):
    answer = client.get("/api/runs/2021Q4/decisions").json()
    assert answer["total"] == 40 and len(answer["decisions"]) == 40
    assert answer["decisions"][0]["parcel_id"] == "SL-001" and answer["decisions"][0]["as_of"] == "2021-10-01"
    one = client.get("/api/runs/1/decisions", params={"parcel": "SL-025"}).json()
    assert [d["outcomes"][0]["code"] for d in one["decisions"]] == ["low_efficiency_redevelopment"]
    assert client.get("/api/runs/1/decisions", params={"parcel": "NOPE"}).status_code == 404
    assert client.get("/api/runs/9/decisions").status_code == 404


def test_progress_between_the_two_runs(client):
    answer = client.get("/api/progress", params={"from": "2021Q4", "to": "2022Q1"}).json()
    classes = {c["class"]: c["parcels"] for c in answer["classes"]}
    assert classes == {"removed": 1, "new": 1, "resolved": 6, "changed": 1, "newly_overdue": 3, "unchanged": 29}
    assert answer["parcels"][0] == {"parcel_id": "SL-010", "class": "removed", "class_label": "移出", "reason": None,
                                    "area_mu": 52.3, "note": None, "deadline": None}
    assert client.get("/api/progress").json()["classes"] == answer["classes"]  # default: the last two
