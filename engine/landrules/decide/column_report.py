"""What a ledger's columns leave out (contract §3, "Nothing silently ignored"): look-alike
columns, and fields that some rule needs and no column provides — reported before deciding,
with how many decisions asked for each once decided. The lines go to stderr and to the
summary of every output that has one (XLSX 汇总)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from landrules.core import fields
from landrules.ledger.columns.headers import key, label
from landrules.ledger.columns.lookalike import Lookalike, find
from landrules.rulebook.model import Rulebook
from landrules.core.summary import Summary

# a column of either provides area_mu (converted when read)
_PROVIDES = {"area_m2": ("area_mu",), "area_ha": ("area_mu",)}


def needed_fields(rulebook: Rulebook) -> list[str]:
    """Fields some rule's condition reads, in catalogue order."""
    used = {name for rule in rulebook.rules for name in rule.fields_needed}
    return [f.name for f in fields.FIELDS if f.name in used]


@dataclass
class ColumnReport:
    lookalikes: list[Lookalike] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # needed fields no column provides
    notices: list[str] = field(default_factory=list)  # from reading (sheet chosen, column set aside, …)

    @property
    def problems(self) -> int:
        return len(self.lookalikes) + len(self.missing)

    def lines(self) -> list[str]:
        """Before deciding: every notice, look-alike and missing field, one line each."""
        out = list(self.notices)
        out += [item.message() for item in self.lookalikes]
        if self.missing:
            out.append(f"台账没有规则所需的 {len(self.missing)} 个字段的列（涉及的宗地将按“需补充信息”处理）: "
                       + "、".join(label(n) for n in self.missing))
        return out

    def counted(self, summary: Summary) -> list[str]:
        """After deciding: the missing fields with how many decisions asked for each."""
        asked = [(n, (summary.needs_by_field[n].count if n in summary.needs_by_field else 0)) for n in self.missing]
        return [f"缺列字段 {label(n)}: {count} 宗决策需要它" for n, count in asked if count]


def column_report(rulebook: Rulebook, headers: list[str], names: list[str], sample: pd.DataFrame | None,
                  notices: list[str] = (), not_fields: set[str] = frozenset()) -> ColumnReport:
    """`not_fields`: headers (as `headers.key`) the column map declares no field (`null`)."""
    present = set(names)
    for name, provides in _PROVIDES.items():
        if name in present:
            present.update(provides)
    missing = [n for n in needed_fields(rulebook) if n not in present]
    lookalikes = [item for item in find(headers, names, sample) if key(item.header) not in not_fields]
    return ColumnReport(lookalikes, missing, list(notices))
