"""The shipped rulebook's scenario coverage, computed once per test session and shared by every
workbench of the session: those in the test processes (web_helpers'
`coverage_of_the_shipped_rulebook_once`) and the `landrules serve` processes the browser tests
start (browser_helpers.start_server runs them through this file).

The rulebook pages show which scenario covers which rule: `landrules check` in a child process
(landrules/web/coverage.py, some 8 s of CPU), run by each workbench on its first rulebook page.
Every workbench on the shipped rules, policy and scenarios gets the same answer, so the first
one's is written to the session's folder (FOLDER_ENV) and read by the others, under a file lock;
any other folder, or an answer that is an error, is computed as served.

    python shared_coverage.py serve ARGS…

is `landrules serve ARGS…` (landrules.cli.main, in this process) with that sharing in place."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

try:
    import fcntl  # the shared answer is guarded by a file lock (not on Windows: computed each time)
except ImportError:
    fcntl = None

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = tuple(p.resolve() for p in (ROOT / "rules", ROOT / "policy", ROOT / "scenarios"))
FOLDER_ENV = "LANDRULES_TESTS_COVERAGE_FOLDER"  # where the session's answer is kept


def shipped(rules, policy, scenarios) -> bool:
    return tuple(Path(p).resolve() for p in (rules, policy, scenarios)) == SHIPPED


def shared(compute, folder: Path | None) -> dict:
    """`compute()`'s answer, or the one already in `folder` (a folder every process of the session sees)."""
    if folder is None or fcntl is None:
        return compute()
    with open(Path(folder) / "scenario-coverage.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process computes, the others wait for its answer
        answer_file = Path(folder) / "scenario-coverage.json"
        if answer_file.exists():
            return json.loads(answer_file.read_text(encoding="utf-8"))
        answer = compute()
        if not answer.get("error"):
            answer_file.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
        return answer


def serve() -> None:
    """`landrules serve`, its rulebook pages' coverage shared through $LANDRULES_TESTS_COVERAGE_FOLDER."""
    from landrules.web import coverage

    computed = coverage.scenario_coverage
    folder = os.environ.get(FOLDER_ENV)

    def once(rules, policy, scenarios) -> dict:
        if not shipped(rules, policy, scenarios):
            return computed(rules, policy, scenarios)
        return shared(lambda: computed(rules, policy, scenarios), Path(folder) if folder else None)

    coverage.scenario_coverage = once  # before the workbench's pages import it
    from landrules.cli import main

    main()


if __name__ == "__main__":
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]  # the tests' folder: nothing of it in the server, as under `python -m landrules`
    sys.argv[0] = "landrules"
    serve()
