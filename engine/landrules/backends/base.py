"""What every backend returns, and how parcel values are encoded for engines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol, Iterable


@dataclass(frozen=True)
class Firing:
    """The rules that fired for one parcel.

    definite: rules whose condition is true; maybe: rules whose condition is true or unknown
    (a superset of definite).
    """

    definite: frozenset[str]
    maybe: frozenset[str]


class Backend(Protocol):
    name: str

    def fire(self, facts: Iterable[dict[str, Any]], as_of: dt.date) -> list[Firing]: ...


def to_engine_value(value: Any) -> Any:
    """JSON-only engines compare numbers: dates become proleptic ordinals, tuples lists."""
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, tuple):
        return [to_engine_value(v) for v in value]
    return value
