from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landrules.backends.durable import DurableBackend
from landrules.decide.evaluate import Evaluator
from landrules.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
POLICY = ROOT / "policy"
AS_OF = dt.date(2021, 10, 1)
RUNNER = CliRunner()
pytest_plugins = ["browser_helpers"]  # the browser tests' fixtures: server, browser, shots


def invoke(*args, columns: int = 200, env: dict | None = None):
    """Run `landrules ARGS…` in-process (Typer's runner) in a terminal `columns` wide."""
    from landrules.cli import app

    return RUNNER.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns), **(env or {})})


@pytest.fixture(autouse=True)
def english_lint_messages(monkeypatch):
    """lint speaks Chinese by default; the existing tests assert its English wording
    (LANDRULES_LANG=en). Tests of the Chinese messages set LANDRULES_LANG=zh themselves."""
    monkeypatch.setenv("LANDRULES_LANG", "en")


@pytest.fixture(autouse=True)
def store_setting_restored():
    """`serve --store` sets LANDRULES_STORE for its own process (so that its workers find the
    store); a test that runs it in-process must not leave it set for the next test's servers,
    which would then find that store's accounts and ask for a login."""
    before = os.environ.get("LANDRULES_STORE")
    yield
    if before is None:
        os.environ.pop("LANDRULES_STORE", None)
    else:
        os.environ["LANDRULES_STORE"] = before


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook(RULES, POLICY)


@pytest.fixture(scope="session")
def evaluator(rulebook):
    return Evaluator(rulebook, DurableBackend(rulebook))


@pytest.fixture
def decide(evaluator):
    """decide(as_of=..., **facts) -> Decision under the shipped rulebook."""

    def run(as_of: dt.date = AS_OF, **facts):
        return evaluator.decide("T-1", facts, as_of)

    return run


@pytest.fixture(params=["durable", "vectorized"])
def decide_both(request, rulebook, evaluator):
    """One parcel's decision (as of 2021-10-01 unless told), on each engine in turn."""
    from landrules.backends.vectorized import VectorizedBackend

    chosen = evaluator if request.param == "durable" else Evaluator(rulebook, VectorizedBackend(rulebook))

    def run(as_of: dt.date = dt.date(2021, 10, 1), **facts):
        return chosen.decide("T-1", facts, as_of)

    return run


@pytest.fixture
def rulebook_copy(tmp_path):
    """A writable copy of the shipped rulebook: returns (rules_dir, policy_dir)."""
    rules, policy = tmp_path / "rules", tmp_path / "policy"
    shutil.copytree(RULES, rules)
    shutil.copytree(POLICY, policy)
    return rules, policy


@pytest.fixture(scope="module")
def app(rulebook):
    """The workbench on the shipped rulebook, one per test module (the web tests)."""
    from web_helpers import make_app

    return make_app(rulebook)


@pytest.fixture
def client(app):
    """A test client of `app` with its own session cookie jar."""
    from web_helpers import Officer

    with Officer(app) as c:
        yield c
