"""Problems found in a rulebook, each pinned to a file and line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A problem at a file and line. A warning (`warning=True`) does not stop the rulebook from
    loading: it marks something to look at that decides nothing wrongly (a gap, an override
    without effect); `landrules lint` shows it, `lint --strict` fails on it."""

    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


class RulebookError(Exception):
    """A rulebook that cannot be loaded; carries every problem found (warnings included), not
    just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def closest(name: object, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(str(name), list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None
