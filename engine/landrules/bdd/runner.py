"""`landrules check`: run the scenarios of a folder against a rulebook, then measure coverage.

pytest runs in-process on `suite` with the scenario plugin; a `CheckPlugin` hands it the
settings (scenarios folder, rulebook, recorder) and collects each scenario's result. Coverage:
a rule is covered when some scenario's decision made it fire; a clause when some scenario's
decision cites it - as the ground of an outcome (needs_information included) or of a category
the decision derived. M for clauses is every clause the rulebook's rules cite.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import feature as bdd_feature

from landrules.bdd import suite_path
from landrules.bdd.context import ACTIVE, SETTINGS, Clause, Recorder, Settings
from landrules.bdd.plugin import SCENARIO, ScenarioRecord
from landrules.rulebook.model import Rulebook

SUITE_MODULE = "landrules.bdd.suite"


@dataclass
class ScenarioResult:
    record: ScenarioRecord
    passed: bool
    message: str = ""


@dataclass
class CheckResult:
    rulebook: Rulebook
    results: list[ScenarioResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what kept scenarios from running at all
    recorder: Recorder = field(default_factory=Recorder)
    pinning: Any = None  # a pinning.PinningResult after `check --mutations`

    @property
    def passed(self) -> bool:
        return bool(self.results) and not self.errors and all(r.passed for r in self.results)

    @property
    def rules(self) -> list[str]:
        return [r.id for r in self.rulebook.rules]

    @property
    def uncovered_rules(self) -> list[str]:
        return [r for r in self.rules if r not in self.recorder.fired]

    @property
    def clauses(self) -> list[Clause]:
        seen: dict[Clause, None] = {}
        for rule in self.rulebook.rules:
            for c in rule.cites:
                seen.setdefault((c.doc, c.clause), None)
        return list(seen)

    @property
    def uncovered_clauses(self) -> list[Clause]:
        return [c for c in self.clauses if c not in self.recorder.cited]


class CheckPlugin:
    """Hands the run its settings and keeps every scenario's result."""

    def __init__(self, settings: Settings, result: CheckResult):
        self.settings = settings
        self.result = result

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[SETTINGS] = self.settings
        config.option.tbstyle = "value"  # the report shows the message only: skip tracebacks
        ACTIVE.append(self.settings)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if ACTIVE and ACTIVE[-1] is self.settings:
            ACTIVE.pop()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.result.errors.append(_error_text(report.longrepr))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "call" or (report.when == "setup" and not report.passed):
            record = item.stash.get(SCENARIO, None) or _fallback_record(item)
            message = ""
            if call.excinfo is not None:
                message = str(call.excinfo.value) or call.excinfo.typename
            self.result.results.append(ScenarioResult(record, report.passed, message))
        return report


def _fallback_record(item: pytest.Item) -> ScenarioRecord:
    """A test that failed before its scenario started: an unreadable feature, a setup error."""
    unreadable = getattr(getattr(item, "obj", None), "landrules_unreadable", None)
    if unreadable:
        return ScenarioRecord(file=unreadable, line=0, name="场景文件无法读取", tags=[])
    return ScenarioRecord(file=item.nodeid, line=0, name=item.name, tags=[])


def _error_text(longrepr: object) -> str:
    """The exception lines of a pytest failure report (those pytest marks with `E`)."""
    lines = str(longrepr).splitlines()
    marked = [line[1:].strip() for line in lines if line.startswith("E ")]
    return "\n".join(marked or [line for line in lines if line.strip()][-12:])


def run_check(scenarios_dir: Path, rulebook: Rulebook, mutations: bool = False) -> CheckResult:
    """Run every scenario under `scenarios_dir` against `rulebook`; with `mutations`, also
    replay the passing ones against every mutant of the rulebook (see `pinning`)."""
    scenarios_dir = Path(scenarios_dir).resolve()
    result = CheckResult(rulebook=rulebook)
    settings = Settings(scenarios_dir=scenarios_dir, rulebook=rulebook, recorder=result.recorder)
    _forget(scenarios_dir)
    suite = suite_path()
    args = [
        str(suite), "-p", "landrules.bdd.plugin", "-p", "no:cacheprovider", "-p", "no:terminal",
        "--noconftest", "-c", os.devnull, "--rootdir", str(suite.parent),
    ]
    addopts = os.environ.pop("PYTEST_ADDOPTS", None)  # the user's pytest options are not ours
    try:
        code = pytest.main(args, plugins=[CheckPlugin(settings, result)])
    finally:
        if addopts is not None:
            os.environ["PYTEST_ADDOPTS"] = addopts
        _forget(scenarios_dir)
    if code in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        result.errors.append(f"pytest 未能运行场景（退出码 {int(code)}）")
    if mutations:
        from landrules.bdd.pinning import pin

        result.pinning = pin(rulebook, [r.record for r in result.results if r.passed])
    return result


def _forget(scenarios_dir: Path) -> None:
    """Drop what an earlier run in this process cached: the suite module and parsed features."""
    sys.modules.pop(SUITE_MODULE, None)
    prefix = str(scenarios_dir) + os.sep
    for path in [p for p in bdd_feature.features if p.startswith(prefix)]:
        del bdd_feature.features[path]
