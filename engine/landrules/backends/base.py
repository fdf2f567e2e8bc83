"""What every backend returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Protocol


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

