"""What every backend returns, and what a backend must offer the batch decider.

A backend is one module that only translates the rulebook's IR for one engine, plus one entry
in `registry.ENGINES`. It offers:

- `fire(facts, as_of)`: the rules that fire for each parcel (explain, the BDD steps, the API);
- `pattern_keys(parsed, positions, as_of, missing)`: for the valid rows of a validated chunk,
  the distinct decision patterns and each row's index into them (the batch decider turns
  each pattern into a decision once). `missing(facts, firing, as_of)` names the facts each
  undecided rule lacks, for backends that fire parcel by parcel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

import numpy as np


@dataclass(frozen=True)
class Firing:
    """The rules that fired for one parcel.

    definite: rules whose condition is true; maybe: rules whose condition is true or unknown
    (a superset of definite).
    """

    definite: frozenset[str]
    maybe: frozenset[str]


# (definite rule ids, ((rule id, (missing fields…)), …)): what a decision depends on
PatternKey = tuple[frozenset, tuple]
MissingFacts = Callable[[dict[str, Any], Firing, dt.date], dict[str, list[str]]]


class Backend(Protocol):
    name: str

    def fire(self, facts: Iterable[dict[str, Any]], as_of: dt.date) -> list[Firing]: ...

    def pattern_keys(self, parsed: Any, positions: np.ndarray, as_of: dt.date,
                     missing: MissingFacts) -> tuple[list[PatternKey], np.ndarray]: ...


def distinct(keys: list[PatternKey]) -> tuple[list[PatternKey], np.ndarray]:
    """The distinct keys in first-seen order, and each key's index into them."""
    seen: dict[PatternKey, int] = {}
    inverse = np.fromiter((seen.setdefault(k, len(seen)) for k in keys), dtype=np.int64, count=len(keys))
    return list(seen), inverse
