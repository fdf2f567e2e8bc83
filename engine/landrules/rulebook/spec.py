"""Rule files as written in YAML: the pydantic models that validate them (and give the JSON Schema)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from landrules.rulebook.conditions import Atom, Condition
from landrules.rulebook.model import RULE_ID
from landrules.rulebook.policy import InForce
from landrules.rulebook.yamlio import ref


class Then(BaseModel):
    """What a rule concludes: a derived category, or an outcome with its deadline and units, or
    `needs_information` with the fields to collect (`needs`)."""

    model_config = ConfigDict(extra="forbid")

    category: ref("category") | None = Field(None, description="得出类别（类别规则），如 idle")
    outcome: ref("conclusion") | None = Field(
        None,
        description="得出处置（处置规则），如 idle_fee；或 needs_information（需补充信息），此时须用 needs 写明要补充的字段",
    )
    needs: list[ref("field")] | None = Field(
        None, min_length=1,
        description="只与 outcome: needs_information 连用：要求补充的台账字段（英文名），如 [approved_on, supplied_on]",
    )
    deadline: dt.date | None = Field(
        None, description="完成时限（YYYY-MM-DD）；不写则取第一个有完成时限的引用条款的时限；写 null 则不设完成时限"
        "（引用条款的时限只是实施起始日期时）。needs_information 不设完成时限"
    )
    deadline_text: str | None = Field(None, description="完成时限的原文表述")
    responsible: list[str] | None = Field(
        None, description="责任单位；不写则取第一个有责任单位的引用条款的责任单位"
    )


class RuleSpec(BaseModel):
    """A rule as written in YAML (the `when` is parsed separately, with line numbers)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=RULE_ID, description="规则编号：英文字母、数字、下划线，以点分层，如 idle.enterprise.fee")
    title: str = Field(description="短标题（中文）")
    cites: list[ref("citation")] = Field(
        min_length=1, description="依据条款，写作“文号 条款编号”，如 平龙政办〔2021〕36号 2.3.2.2"
    )
    when: SkipValidation[Condition] = Field(description="适用条件")
    then: Then = Field(description="结论：category（类别）或 outcome（处置）")
    overrides: list[str] = Field(
        default_factory=list,
        description="例外：本规则成立时，所列规则（一般规则）的处置不再适用。写被排除规则的编号",
    )
    ask_when_unknown: bool = Field(
        True,
        description="缺少所需信息时：true（默认）结论为“需补充信息”；false 视为不适用。"
        "结论本身为 needs_information 的规则不写此项（缺少信息时一律视为不适用）",
    )
    in_force: InForce | None = Field(
        None, description="本规则的施行期间 {from, to}（条款修订、方案被下一期替代时写）；"
        "不写则随所引条款；评估日不在此期间或所引条款的施行期间内的，本规则不适用",
    )
    note: str | None = None


class RulesFile(BaseModel):
    """rules/*.yaml (a file of rules)"""

    model_config = ConfigDict(extra="forbid", title="landrules rules")

    rules: list[RuleSpec] = Field(description="规则列表")


RULE_KEYS = tuple(sorted(set(RuleSpec.model_fields) | set(Then.model_fields) | set(Atom.model_fields) | {"all", "any", "not", "category", "from", "to"}))
