from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from landrules.backends.durable import DurableBackend
from landrules.decide.evaluate import Evaluator
from landrules.record import accounts
from landrules.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
POLICY = ROOT / "policy"
AS_OF = dt.date(2021, 10, 1)
RUNNER = CliRunner()
pytest_plugins = ["browser_helpers", "web_helpers"]  # the browser tests' server, browser, shots; the rulebook pages' coverage


@pytest.hookimpl(trylast=True)  # after `-m` has deselected: what runs is what is sorted
def pytest_collection_modifyitems(items):
    """The file marked `long_file(first=True)` first (the suite's longest), then the files that
    hold `slow` tests, then the `long_file` ones, each file whole and in its order: on several
    workers (`-n auto --dist loadfile`, where a file is one unit of work) the longest files start
    at once, and no worker is left running one alone at the end."""
    long = {item.path: item.get_closest_marker("long_file") for item in items if item.get_closest_marker("long_file")}
    first = {path for path, marker in long.items() if marker.kwargs.get("first")}
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (item.path not in first, item.path not in slow, item.path not in long))


def pytest_collection_finish(session):
    """The test process holds far more live objects than a command does (every test module, the
    libraries, the session's fixtures), and CPython's cycle collector walks them all again and
    again: at its default thresholds about a sixth of the suite's time went to it. It runs less
    often here; garbage is still freed (reference counting first, cycles later). Nothing is
    frozen (gc.freeze) by the suite: `decide` freezes what exists while it runs
    (cli/decide.py `_old_objects_left_alone`), unless the process froze objects of its own, which
    it learns from gc.get_freeze_count, a walk of every frozen object (some 50 ms a run in a test
    process that froze its collection: 6 CPU s over the quick set, and the collector then walked
    the run's own objects as well)."""
    gc.set_threshold(10_000, 50, 50)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """The session is over and the process ends: what it holds is frozen, so that the
    interpreter's exit does not walk and collect it all (about 2 s a process, and the xdist
    controller waits for its workers to exit)."""
    gc.freeze()


def invoke(*args, columns: int = 200, env: dict | None = None):
    """Run `landrules ARGS…` in-process (Typer's runner) in a terminal `columns` wide."""
    from landrules.cli import app

    return RUNNER.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns), **(env or {})})


@pytest.fixture(autouse=True)
def environment_as_it_was():
    """Commands run in-process may set variables for the rest of their process (`serve --store`
    sets LANDRULES_STORE, `lint --lang` LANDRULES_LANG): each test leaves the environment as it
    found it, so that no later test (or server it starts) depends on which ran before it."""
    before = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    yield
    after = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    if after != before:
        for name in after.keys() - before.keys():
            del os.environ[name]
        os.environ.update(before)


@pytest.fixture(autouse=True)
def english_lint_messages(monkeypatch):
    """lint speaks Chinese by default; the existing tests assert its English wording
    (LANDRULES_LANG=en). Tests of the Chinese messages set LANDRULES_LANG=zh themselves."""
    monkeypatch.setenv("LANDRULES_LANG", "en")


SHIPPED_HASHER = accounts._HASHER  # argon2id at argon2-cffi's costs (about 0.2 s of CPU a hash, on purpose)


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashes():
    """In this process, accounts hash and verify passwords with argon2id at its smallest costs: the
    tests sign in hundreds of times, and what they test is who may do what, not the hash's cost.
    The shipped costs are tested with `shipped_password_hashes` (tests/record/test_accounts.py);
    servers and commands started as processes keep them."""
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    patch.setattr(accounts, "_DUMMY", [])
    yield
    patch.undo()


@pytest.fixture
def shipped_password_hashes(monkeypatch):
    """The shipped argon2id costs back, for one test."""
    monkeypatch.setattr(accounts, "_HASHER", SHIPPED_HASHER)
    monkeypatch.setattr(accounts, "_DUMMY", [])


@pytest.fixture(autouse=True, scope="session")
def shipped_rulebook_read_once():
    """Commands run in-process (`invoke`), workbenches and diffs each load the rulebook, most of
    them the shipped one, unchanged: hundreds of loads of the same files (YAML, cross-checks,
    lint) in one test process. In this process, a load of the shipped rules and policy folders is
    kept and given again while the call is the same (the folders as written, `analyse`, the
    message language, the YAML node bound) and no file of theirs has changed (name, size, time);
    any other folder, or a load that fails, is done as called. A Rulebook is not changed once
    loaded (only `load_rulebook` sets its warnings)."""
    from landrules.rulebook import load as load_module
    from landrules.rulebook.messages import LANG_ENV
    from landrules.rulebook.yamlio import MAX_NODES_ENV

    real = load_module.load_rulebook
    shipped = (RULES.resolve(), POLICY.resolve())
    kept: dict = {}

    def files() -> tuple:
        return tuple((entry.path, entry.stat().st_size, entry.stat().st_mtime_ns)
                     for folder in shipped for entry in sorted(os.scandir(folder), key=lambda e: e.name))

    def once(rules_dir, policy_dir, *, analyse: bool = True):
        if (Path(rules_dir).resolve(), Path(policy_dir).resolve()) != shipped:
            return real(rules_dir, policy_dir, analyse=analyse)
        key = (str(rules_dir), str(policy_dir), analyse, os.environ.get(LANG_ENV), os.environ.get(MAX_NODES_ENV), files())
        if key not in kept:
            kept[key] = real(rules_dir, policy_dir, analyse=analyse)
        return kept[key]

    patch = pytest.MonkeyPatch()
    for name, module in list(sys.modules.items()):  # those that imported it by name, as well as its own module
        if name.startswith("landrules") and getattr(module, "load_rulebook", None) is real:
            patch.setattr(module, "load_rulebook", once)
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="session")
def commands_built_once():
    """Typer's test runner builds the Click command tree of the app again for every `invoke`,
    reading the signature and type hints of every command each time (hundreds of runs in one
    process). The tree is built from the app's functions alone, so here it is built once per app
    and the same tree is run each time, as `landrules` itself runs its one tree."""
    import typer.testing

    built = typer.testing._get_command
    trees: dict = {}

    def once(app):
        key = id(app)
        if key not in trees:
            trees[key] = (app, built(app))  # the app is kept, so that its id is not reused
        return trees[key][1]

    patch = pytest.MonkeyPatch()
    patch.setattr(typer.testing, "_get_command", once)
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="session")
def scenario_runs_in_process_as_pytester_runs_them():
    """`landrules check` run in-process starts a pytest session inside this one; at its end pytest
    collects garbage across the whole test process (a fifth of a second, twice, each run) to report
    unraisable exceptions. pytest's own in-process runner (pytester) turns that collection off
    "because it slows down inline runs too much"; so do these."""
    from _pytest.unraisableexception import gc_collect_iterations_key

    class NoWholeProcessCollection:
        @staticmethod
        def pytest_configure(config):
            config.stash[gc_collect_iterations_key] = 0

    real = pytest.main

    def main(args=None, plugins=None):
        return real(args, plugins=[*(plugins or ()), NoWholeProcessCollection()])

    patch = pytest.MonkeyPatch()
    patch.setattr(pytest, "main", main)
    yield
    patch.undo()


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
