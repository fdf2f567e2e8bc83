"""What a ledger's columns leave out (contract §3, "Nothing silently ignored"): look-alike
columns, and fields that some rule needs and no column provides — reported before deciding,
with how many decisions asked for each once decided. The lines go to stderr and to the
summary of every output that has one (XLSX 汇总)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from landrules.core import fields
from landrules.ledger.columns.headers import AREA_HA_HEADER, EXTRA_FIELDS, key
from landrules.ledger.columns.lookalike import Lookalike, find
from landrules.ledger.columns.units import HA_ALL
from landrules.rulebook.model import Rulebook
from landrules.core.summary import Summary

# a column of either provides area_mu (converted when read)
_PROVIDES = {"area_m2": ("area_mu",), "area_ha": ("area_mu",)}


def needed_fields(rulebook: Rulebook) -> list[str]:
    """Fields some rule's condition reads, in catalogue order."""
    used = {name for rule in rulebook.rules for name in rule.fields_needed}
    return [f.name for f in fields.FIELDS if f.name in used]


def zh(name: str) -> str:
    """A field's Chinese name (面积（公顷） for area_ha), as an officer reads it."""
    spec = fields.BY_NAME.get(name)
    return spec.zh if spec is not None else (AREA_HA_HEADER if name == "area_ha" else name)


@dataclass
class ColumnReport:
    lookalikes: list[Lookalike] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # needed fields no column provides
    notices: list[str] = field(default_factory=list)  # from reading (sheet chosen, column set aside, …)
    recognised: list[tuple[str, str]] = field(default_factory=list)  # (header as written, field)
    ignored: list[str] = field(default_factory=list)  # headers no field reads (carried to the output as they are)
    no_id: list[int] = field(default_factory=list)  # rows without 宗地编号 in the first chunk read
    no_id_partial: bool = False  # True when more rows were still to be read

    def understood(self) -> list[tuple[str, list[str]]]:
        """What the ledger's columns and rows were understood as, before deciding, in Chinese:
        (heading, items) for the command line to lay out. Look-alike columns and missing
        fields are `lines()`, which every output's summary also carries."""
        out = [(f"识别的列（{len(self.recognised)}）", [h if key(h) == key(zh(n)) else f"{h}→{zh(n)}" for h, n in self.recognised])]
        if self.ignored:
            out.append((f"未使用的列（{len(self.ignored)}，照原样写入输出）", list(self.ignored)))
        if self.no_id:
            more = "（前若干行，其余见决策后汇总）" if self.no_id_partial else ""
            out.append((f"无宗地编号的行（{len(self.no_id)}{more}，按行号标识，照常决策）", [f"第{r}行" for r in self.no_id]))
        return out

    @property
    def problems(self) -> int:
        return len(self.lookalikes) + len(self.missing)

    def lines(self) -> list[str]:
        """Before deciding: every notice, look-alike and missing field, one line each."""
        out = list(self.notices)
        out += [item.message() for item in self.lookalikes]
        if self.missing:
            out.append(f"台账没有规则所需的 {len(self.missing)} 个字段的列（涉及的宗地将按“需补充信息”处理）: "
                       + "、".join(zh(n) for n in self.missing))
        return out

    def counted(self, summary: Summary) -> list[str]:
        """After deciding: the missing fields with how many decisions asked for each."""
        asked = [(n, (summary.needs_by_field[n].count if n in summary.needs_by_field else 0)) for n in self.missing]
        return [f"缺列字段 {zh(n)}: {count} 宗决策需要它" for n, count in asked if count]


def column_report(rulebook: Rulebook, headers: list[str], names: list[str], sample: pd.DataFrame | None,
                  notices: list[str] = (), not_fields: set[str] = frozenset()) -> ColumnReport:
    """`not_fields`: headers (as `headers.key`) the column map declares no field (`null`)."""
    present = set(names)
    for name, provides in _PROVIDES.items():
        if name in present:
            present.update(provides)
    missing = [n for n in needed_fields(rulebook) if n not in present and n not in fields.MAP_FIELDS]
    lookalikes = [item for item in find(headers, names, sample) if key(item.header) not in not_fields]
    alike = {item.header for item in lookalikes}
    recognised = [(h, n) for h, n in zip(headers, names) if n in fields.BY_NAME or n in EXTRA_FIELDS]
    ignored = [h for h, n in zip(headers, names)
               if n not in fields.BY_NAME and n not in EXTRA_FIELDS and h not in alike and key(h) not in not_fields]
    notices = list(notices)
    if "area_ha" in names and "area_mu" not in names:
        notices.append(HA_ALL)
    return ColumnReport(lookalikes, missing, notices, recognised, ignored)
