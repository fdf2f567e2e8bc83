"""The 宗数 / 面积 summary of a decided ledger (by category and by outcome)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Tally:
    count: int = 0
    area_mu: float = 0.0

    def add(self, count: int, area: float) -> None:
        self.count += count
        self.area_mu += area


@dataclass
class Summary:
    rows: int = 0
    decided: int = 0
    invalid: int = 0
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_outcome: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total_rows: list[int] = field(default_factory=list)  # file rows of 合计/小计/总计 rows, not decided
    needs: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # field -> decisions asking
    notices: list[str] = field(default_factory=list)  # what reading set aside or chose, for every output

    @property
    def totals(self) -> int:
        return len(self.total_rows)

    def merge(self, other: "Summary") -> None:
        """Add another part's summary to this one (parts of one ledger decided apart, e.g. the
        files of a Dask dataset): counts, areas and tallies add up, lists are joined."""
        for name in self.__dataclass_fields__:
            setattr(self, name, _combined(getattr(self, name), getattr(other, name)))


def _combined(mine, theirs):
    """`mine` and `theirs` added up: numbers sum, lists join, dicts and dataclasses field by
    field; a setting (None or equal on both sides, e.g. a target) is kept."""
    if theirs is None or mine is None:
        return mine if theirs is None else theirs
    if isinstance(mine, bool) or isinstance(mine, str):
        return mine
    if isinstance(mine, (int, float)):
        return mine + theirs
    if isinstance(mine, list):
        return mine + list(theirs)
    if isinstance(mine, dict):
        for key, value in theirs.items():
            mine[key] = _combined(mine[key], value) if key in mine else value
        return mine
    if hasattr(mine, "__dataclass_fields__"):
        for name in mine.__dataclass_fields__:
            setattr(mine, name, _combined(getattr(mine, name), getattr(theirs, name)))
        return mine
    return mine


def in_catalogue_order(tallies: dict[str, Tally], labels: dict[str, str]) -> list[tuple[str, Tally]]:
    """Tallies by code in the catalogue's order (`labels` order); unknown codes last, by code."""
    order = {code: i for i, code in enumerate(labels)}
    return [(code, tallies[code]) for code in sorted(tallies, key=lambda c: (order.get(c, len(order)), c))]
