"""Every feature under a folder as pytest tests, one per scenario (outlines: one per row).

A feature file that cannot be read becomes one failing test naming the file, the line and the
problem, so the other features still run.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import scenario
from pytest_bdd.exceptions import GherkinParseError
from pytest_bdd.feature import get_features

from landrules.bdd.vocabulary import ScenarioFailure

_NOT_WORD = re.compile(r"\W+")


def feature_files(directory: Path | str) -> list[Path]:
    return sorted(Path(directory).resolve().rglob("*.feature"))


def bind_scenarios(directory: Path | str, namespace: dict[str, Any]) -> int:
    """Add a test function to `namespace` (a test module's globals) for each scenario found.

    Tags such as `@2.3.2.2` name clauses, not pytest markers: the warnings pytest gives for
    unknown markers are silenced here. Returns the number of scenarios bound.
    """
    directory = Path(directory).resolve()
    files = feature_files(directory)
    if not files:
        raise FileNotFoundError(f"{directory} 中没有 .feature 文件")
    count = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        for path in files:
            stem = _NOT_WORD.sub("_", path.stem)
            try:
                [feature] = get_features([str(path)])
            except GherkinParseError as exc:
                _add(namespace, f"test_{stem}_unreadable", _unreadable(path.relative_to(directory.parent), exc))
                continue
            for name in feature.scenarios:
                test = scenario(feature.filename, name, features_base_dir=str(directory))(_nothing_more)
                _add(namespace, f"test_{stem}_{_NOT_WORD.sub('_', name)}".rstrip("_"), test)
                count += 1
    return count


def _add(namespace: dict[str, Any], base: str, test: Callable) -> None:
    name, n = base, 1
    while name in namespace:
        n += 1
        name = f"{base}_{n}"
    namespace[name] = test


def _unreadable(path: Path, exc: GherkinParseError) -> Callable[[], None]:
    def test() -> None:
        raise ScenarioFailure(f"第 {exc.line} 行：{exc.line_content.strip()}\n{exc.message}（Gherkin 语法错误）")

    test.landrules_unreadable = str(path)  # type: ignore[attr-defined]
    return test


def _nothing_more() -> None:
    """The steps are the test."""
