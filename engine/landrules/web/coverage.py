"""Which scenario covers which rule and clause: `landrules check`, recorded per scenario.

Runs in a child process (`python -m landrules.web.coverage RULES POLICY SCENARIOS`, printing
JSON), so pytest's global state never mixes with the server's. `scenario_coverage` starts it
and parses the answer; the rulebook pages show it, and say so when it could not be had.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TIMEOUT = 300


def scenario_coverage(rules: Path, policy: Path, scenarios: Path) -> dict:
    """{"scenarios": [{"name", "file", "line", "tags", "passed", "rules", "clauses"}], "error"}."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTEST_ADDOPTS", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "landrules.web.coverage", str(rules), str(policy), str(scenarios)],
            capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT, env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"scenarios": [], "error": f"无法运行场景：{exc}"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["（无输出）"])[-1]
        return {"scenarios": [], "error": f"无法运行场景：{last}"}
    return json.loads(done.stdout)


def _run(rules: Path, policy: Path, scenarios: Path) -> dict:
    import pytest

    from landrules.bdd import suite_path
    from landrules.bdd.context import Recorder, Settings
    from landrules.bdd.plugin import SCENARIO
    from landrules.bdd.runner import CheckPlugin, CheckResult, _forget
    from landrules.rulebook.load import load_rulebook

    class PerScenario(Recorder):
        def __init__(self):
            super().__init__()
            self.now: Recorder | None = None

        def record(self, rulebook, decision, firing) -> None:
            super().record(rulebook, decision, firing)
            if self.now is not None:
                self.now.record(rulebook, decision, firing)

    class Track:
        def __init__(self, recorder: PerScenario):
            self.recorder, self.found = recorder, []

        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_call(self, item):
            self.recorder.now = Recorder()
            try:
                return (yield)
            finally:
                record = item.stash.get(SCENARIO, None)
                if record is not None:
                    self.found.append((record, self.recorder.now))
                self.recorder.now = None

    rulebook = load_rulebook(rules, policy)
    scenarios = scenarios.resolve()
    recorder = PerScenario()
    result = CheckResult(rulebook=rulebook, recorder=recorder)
    track = Track(recorder)
    suite = suite_path()
    args = [str(suite), "-p", "landrules.bdd.plugin", "-p", "no:cacheprovider", "-p", "no:terminal",
            "--noconftest", "-c", os.devnull, "--rootdir", str(suite.parent)]
    _forget(scenarios)
    pytest.main(args, plugins=[CheckPlugin(Settings(scenarios, rulebook, recorder), result), track])
    passed = {(r.record.file, r.record.line, r.record.name, str(r.record.example)): r.passed for r in result.results}
    out = []
    for record, seen in track.found:
        name = record.name + ("（" + "，".join(f"{k}={v}" for k, v in record.example.items()) + "）" if record.example else "")
        out.append({
            "name": name, "file": record.file, "line": record.line, "tags": record.tags,
            "passed": passed.get((record.file, record.line, record.name, str(record.example)), False),
            "rules": sorted(seen.fired), "clauses": sorted(f"{d} {c}" for d, c in seen.cited),
        })
    return {"scenarios": out, "error": "; ".join(result.errors) or None}


if __name__ == "__main__":
    rules_arg, policy_arg, scenarios_arg = (Path(a) for a in sys.argv[1:4])
    data = _run(rules_arg, policy_arg, scenarios_arg)
    sys.stdout.write(json.dumps(data, ensure_ascii=False))
