"""The pytest plugin of the policy scenarios.

Register it with `pytest_plugins = ["landrules.bdd.plugin"]` (tests/test_scenarios.py does) or
`-p landrules.bdd.plugin`. It brings the step definitions, the fixtures they use, a clearer
message for an unknown step (every step that exists, in Chinese and English), and a record of
each scenario (feature, name, tags, the failing step) that `landrules check` reports from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from pytest_bdd.exceptions import StepDefinitionNotFoundError

from landrules.bdd.context import Engine, Recorder, settings_of
from landrules.bdd.registry import KEYWORDS, available_steps
from landrules.bdd.state import ScenarioState

pytest_plugins = ["landrules.bdd.steps", "landrules.bdd.expect", "landrules.bdd.progress_steps"]


@dataclass
class ScenarioRecord:
    """What `check` prints about one scenario (one row of an outline)."""

    file: str
    line: int
    name: str
    tags: list[str]
    example: dict[str, str] | None = None  # the row of a scenario outline
    failed_step: str | None = None
    # each step run, as (step function, its arguments): `check --mutations` replays them
    steps: list[tuple[Callable, dict[str, Any]]] = field(default_factory=list, repr=False, compare=False)


SCENARIO = pytest.StashKey[ScenarioRecord]()


@pytest.fixture(scope="session")
def landrules_engine(request: pytest.FixtureRequest) -> Engine:
    return settings_of(request.config).engine()


@pytest.fixture(scope="session")
def landrules_recorder(request: pytest.FixtureRequest) -> Recorder:
    return settings_of(request.config).recorder


@pytest.fixture
def scenario_state(landrules_engine: Engine) -> ScenarioState:
    return ScenarioState(rulebook=landrules_engine.rulebook)


def _step_line(step) -> str:
    keyword = step.keyword.strip() or KEYWORDS.get(step.type, ("",))[0]
    return f"第 {step.line_number} 行：{keyword} {step.name}"


def pytest_bdd_before_scenario(request, feature, scenario) -> None:
    tags = sorted(scenario.tags or feature.tags, key=_natural)
    request.node.stash[SCENARIO] = ScenarioRecord(
        file=feature.rel_filename, line=scenario.line_number,
        name=scenario.name, tags=tags, example=_example(request.node),
    )


def _natural(tag: str) -> list:
    """2.3.2.2 before 53号令-8 before 53号令-12."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", tag) if part]


def _example(node) -> dict[str, str] | None:
    callspec = getattr(node, "callspec", None)
    return callspec.params.get("_pytest_bdd_example") if callspec is not None else None


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    record = request.node.stash.get(SCENARIO, None)
    if record is not None:
        record.steps.append((step_func, dict(step_func_args)))


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception) -> None:
    record = request.node.stash.get(SCENARIO, None)
    if record is not None:
        record.failed_step = _step_line(step)


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception) -> None:
    record = request.node.stash.get(SCENARIO, None)
    if record is not None:
        record.failed_step = _step_line(step)
    raise StepDefinitionNotFoundError(
        f"没有这样的步骤（{_step_line(step)}，{feature.rel_filename}）。\n"
        f"Unknown step {step.type} \"{step.name}\". 可用的步骤 / available steps:\n{available_steps()}"
    )
