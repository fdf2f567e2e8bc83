"""rules/outcomes.yaml: the catalogue of disposal kinds, derived categories and outcome codes.

    kinds:       kind code -> 中文         what sort of disposal an outcome is; lint reports two
                                            rules that can give one parcel two different
                                            outcomes of the same kind (conflicting disposals)
    categories:  code -> 中文, or {label, unhandled, note, published, published_unless, reason}
                                            `unhandled` lists values of an enumerated field that
                                            no disposal rule of the category handles on purpose
                                            (the plan is silent); lint reports any other value
                                            no rule handles as a gap
                                            `published` names the 公布清单 kind the category is
                                            listed under (四、(四)), unless the parcel is also in
                                            a `published_unless` category; `reason` is its
                                            wording in 一宗一策's 形成原因
    outcomes:    code -> {label, kind, note, reason, published}, or code -> 中文 for the built-in
                 codes; `published: false`: the outcome alone puts no parcel on the 公布清单
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from landrules.rulebook.messages import hint, say
from landrules.rulebook.problems import Problem, closest
from landrules.rulebook.yamlio import line_of, ref, unknown_top_keys, validation_problems

BUILTIN_OUTCOMES = ("no_action", "needs_information", "invalid_record")
_BUILTIN_LABELS = {"no_action": "无需处置", "needs_information": "需补充信息", "invalid_record": "记录无效"}
_CJK = re.compile(r"[\u3400-\u9fff]")


class CategorySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(description="中文名称，如 已批未供即用")
    unhandled: dict[ref("field"), list[str]] = Field(
        default_factory=dict,
        description="方案未作规定、有意不设处置规则的取值：字段 → 取值列表（代码或中文均可）",
    )
    note: str | None = Field(None, description="说明，如为何这些取值不设处置规则")
    published: str | None = Field(
        None, description="列入公布清单（四、（四））时所属的类别名称，如 批而未供；不写则不列入公布清单"
    )
    published_unless: list[ref("category")] = Field(
        default_factory=list, description="宗地同时属于这些类别时不列入公布清单，如疑似闲置（尚未认定）"
    )
    reason: str | None = Field(None, description="一宗一策“形成原因”中的说法；不写则用 label")


class OutcomeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(description="中文名称，决定书和台账中显示")
    kind: ref("kind") | None = Field(
        None, description="处置类别（见 kinds）：同一宗地不应同时得到同类别的两种不同处置"
    )
    note: str | None = None
    published: bool = Field(
        True, description="列入公布清单（方案四、(四)）：为 false 的处置（如 需补充信息）不单独使宗地列入公布清单",
    )
    reason: str | None = Field(None, description="一宗一策“形成原因”中的说法（该处置不来自某一类别时），如 未按“标准地”出让")


class Catalogue(BaseModel):
    """rules/outcomes.yaml"""

    model_config = ConfigDict(extra="forbid", title="landrules catalogue of categories and outcomes")

    kinds: dict[str, str] = Field(default_factory=dict, description="处置类别代码 → 中文名称")
    categories: dict[str, Union[str, CategorySpec]] = Field(description="类别代码 → 中文名称（或 {label, unhandled, note}）")
    outcomes: dict[str, Union[str, OutcomeSpec]] = Field(description="处置代码 → {label: 中文名称, kind: 处置类别}")

    _path: str = PrivateAttr("")
    _raw: Any = PrivateAttr(None)

    def where(self, *loc: Any) -> tuple[str, int]:
        """(file, line) of the entry at `loc`, e.g. where("categories", "idle")."""
        return self._path, line_of(self._raw, loc)

    @property
    def category_labels(self) -> dict[str, str]:
        return {code: _label(entry) for code, entry in self.categories.items()}

    @property
    def outcome_labels(self) -> dict[str, str]:
        return {code: _label(entry) for code, entry in self.outcomes.items()}

    @property
    def published(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """category -> (the 公布清单 kind it is listed under, categories that keep it off the list)."""
        return {code: (entry.published, tuple(entry.published_unless)) for code, entry in self.categories.items()
                if isinstance(entry, CategorySpec) and entry.published}

    @property
    def reasons(self) -> dict[str, str]:
        """category or outcome code -> its wording in 形成原因, where outcomes.yaml gives one."""
        return {code: entry.reason for table in (self.categories, self.outcomes) for code, entry in table.items()
                if not isinstance(entry, str) and entry.reason}

    def outcome_published(self, outcome: str) -> bool:
        """Whether a parcel with this outcome goes on the 公布清单 (四、(四)); a built-in code
        written as a bare label (no_action, invalid_record) never does."""
        entry = self.outcomes.get(outcome)
        if isinstance(entry, OutcomeSpec):
            return entry.published
        return outcome not in BUILTIN_OUTCOMES

    def kind(self, outcome: str) -> str | None:
        entry = self.outcomes.get(outcome)
        return entry.kind if isinstance(entry, OutcomeSpec) else None

    def unhandled(self, category: str) -> dict[str, list[str]]:
        entry = self.categories.get(category)
        return entry.unhandled if isinstance(entry, CategorySpec) else {}


CATALOGUE_KEYS = tuple(sorted(set(Catalogue.model_fields) | set(CategorySpec.model_fields) | set(OutcomeSpec.model_fields)))


def _label(entry: str | CategorySpec | OutcomeSpec) -> str:
    return entry if isinstance(entry, str) else entry.label


def load_catalogue(path: Path, raw: Any, problems: list[Problem]) -> Catalogue:
    """The catalogue in `raw` (outcomes.yaml as loaded); problems are appended, not raised."""
    known = tuple(Catalogue.model_fields)
    if isinstance(raw, dict):
        problems += unknown_top_keys(path, raw, known, "outcomes.yaml ", "outcomes.yaml")
    try:
        catalogue = Catalogue.model_validate({k: v for k, v in raw.items() if k in known} if isinstance(raw, dict) else {})
    except ValidationError as exc:
        problems += validation_problems(path, raw, exc, keys=CATALOGUE_KEYS)
        catalogue = Catalogue(categories={}, outcomes={})
    catalogue._path, catalogue._raw = str(path), raw
    for table, what, what_zh, labels in (
        ("categories", "category", "类别", catalogue.category_labels),
        ("outcomes", "outcome", "处置代码", catalogue.outcome_labels),
    ):
        for code, label in labels.items():
            where = line_of(raw, (table, code))
            if not label.strip():
                problems.append(Problem(str(path), where, say("label_empty", what=what, what_zh=what_zh, code=code)))
            elif not _CJK.search(label):
                problems.append(Problem(str(path), where, say("label_no_chinese", what=what, what_zh=what_zh, code=code, label=label)))
    for code, label in catalogue.kinds.items():
        if not _CJK.search(str(label)):
            problems.append(Problem(str(path), line_of(raw, ("kinds", code)), say("kind_no_chinese", code=code, label=label)))
    for code, entry in catalogue.outcomes.items():
        kind = entry.kind if isinstance(entry, OutcomeSpec) else None
        if kind is not None and kind not in catalogue.kinds:
            problems.append(Problem(str(path), line_of(raw, ("outcomes", code, "kind")), say(
                "unknown_kind", code=code, kind=kind, kinds=", ".join(catalogue.kinds), **hint(closest(kind, catalogue.kinds)))))
    for code in BUILTIN_OUTCOMES:
        if code not in catalogue.outcomes:
            problems.append(Problem(str(path), line_of(raw, ("outcomes",)), say("builtin_label", code=code, label=_BUILTIN_LABELS[code])))
    return catalogue
