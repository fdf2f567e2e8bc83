"""One scenario's state: the evaluation date, named examples, the parcel and its decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from landrules.core import fields
from landrules.backends.base import Firing
from landrules.bdd import vocabulary as vocab
from landrules.bdd.vocabulary import ScenarioFailure, VocabularyError
from landrules.core.decision import Decision, Outcome
from landrules.rulebook.model import Rulebook

DEFAULT_PARCEL_ID = "场景地块"
DEFAULT_AREA_MU = "10"


@dataclass
class ScenarioState:
    rulebook: Rulebook
    as_of: dt.date | None = None
    examples: dict[str, dict[str, str]] = field(default_factory=dict)
    cells: dict[str, str] | None = None  # field name -> cell as written
    decision: Decision | None = None
    firing: Firing | None = None
    # progress between two quarters (bdd/progress_steps.py): side -> (evaluation date, cells or None)
    quarters: dict[str, tuple[dt.date, dict[str, str] | None]] = field(default_factory=dict)
    progress: list[dict] | None = None  # the compared parcels: class, label, reason, note

    # --- the parcel ---------------------------------------------------------------------------

    def parcel_cells(self) -> dict[str, str]:
        if self.cells is None:
            raise VocabularyError("还没有给出地块：请先写“假如 一宗地块：”并附 字段 | 值 表")
        return self.cells

    def row(self) -> dict[str, str]:
        """The parcel as one ledger row; 宗地编号 and 面积 get defaults when not given."""
        row = dict(self.parcel_cells())
        row.setdefault("parcel_id", DEFAULT_PARCEL_ID)
        if not row.get("area_mu", "").strip() and not row.get("area_m2", "").strip():
            row["area_mu"] = DEFAULT_AREA_MU
        return row

    # --- the decision -------------------------------------------------------------------------

    def decided(self) -> Decision:
        if self.decision is None:
            raise VocabularyError("还没有作出决定：请在“那么”之前写“当 按规则库作出决定”")
        return self.decision

    def outcomes(self, code: str) -> list[Outcome]:
        found = [o for o in self.decided().outcomes if o.code == code]
        if not found:
            label = self.rulebook.outcomes[code]
            raise ScenarioFailure(f"结论中没有“{label}”（{code}）。{self.describe()}")
        return found

    def describe(self) -> str:
        """The decision in one line, the way an officer reads it."""
        d = self.decided()
        cats = "、".join(self.rulebook.categories.get(c, c) for c in d.categories) or "无"
        outs = "；".join(dict.fromkeys(f"{o.label}（{o.code}）" for o in d.outcomes))
        text = f"实际决定：类别 {cats}；结论 {outs}"
        if d.needs:
            text += f"；需补充 {'、'.join(fields.BY_NAME[n].zh for n in d.needs)}"
        if d.errors:
            text += f"；记录错误 {'；'.join(d.errors)}"
        return text


def table_cells(datatable: list[list[str]] | None) -> dict[str, str]:
    """A two-column table (字段 | 值, or field | value) as field name -> cell text."""
    if not datatable:
        raise VocabularyError("这一步需要附一张两列的表：字段 | 值")
    rows = [[c.strip() for c in row] for row in datatable]
    if [vocab.normalise(c).lower() for c in rows[0]] in (["字段", "值"], ["field", "value"]):
        rows = rows[1:]
    cells: dict[str, str] = {}
    for row in rows:
        if len(row) != 2:
            shown = " | ".join(row)
            raise VocabularyError(f"表的每一行应有两格（字段 | 值），这一行有 {len(row)} 格：{shown}")
        cells[vocab.field_name(row[0])] = row[1]
    return cells
