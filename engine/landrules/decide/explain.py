"""The trace of one decision: every rule tried, every condition with the parcel's value and result.

Computed from the IR (three-valued evaluation), so every backend explains alike; the rule's
status comes from the backend's firing after overrides (evaluate.apply_overrides): a rule an
exception set aside is `overridden`, with the exceptions that did it. A condition on a
parameter names the value used and the date it took effect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from landrules.backends.base import Firing
from landrules.core import fields
from landrules.decide.evaluate import apply_overrides, derived_categories, missing_facts
from landrules.rulebook.conditions import (
    All,
    AnyOf,
    Atom,
    CategoryAtom,
    Not,
    Trace,
    evaluate,
    op_words,
)
from landrules.rulebook.model import Rulebook

RESULT_ZH = {True: "成立", False: "不成立", None: "未知"}
STATUS_ZH = {"fired": "触发", "undecided": "缺少信息", "not_fired": "未触发", "overridden": "被例外排除"}


def rule_traces(rulebook: Rulebook, facts: dict[str, Any], firing: Firing, as_of: dt.date):
    """(rule, its evaluated condition, its status, the overrides applied) for every rule, in
    rulebook order: what both the full trace and the officers' explanation are made of."""
    resolver = rulebook.resolver(as_of)
    categories = set(derived_categories(rulebook, firing))
    needs = missing_facts(rulebook, facts, firing, as_of)
    effective = apply_overrides(rulebook, firing, lambda e: needs.get(e, []))
    for rule in rulebook.rules:
        trace = evaluate(rule.when, facts, categories, resolver)
        if rule.id in effective.overridden:
            status = "overridden"
        elif rule.id in effective.definite:
            status = "fired"
        else:
            status = "undecided" if rule.id in effective.maybe else "not_fired"
        yield rule, trace, status, effective


def explain(rulebook: Rulebook, facts: dict[str, Any], firing: Firing, as_of: dt.date) -> list[dict]:
    out = []
    for rule, trace, status, effective in rule_traces(rulebook, facts, firing, as_of):
        entry = {
            "rule": rule.id,
            "title": rule.title,
            "status": status,
            "result": trace.result,
            "concludes": {"category": rule.category} if rule.category else {"outcome": rule.outcome},
            "cites": [f"{c.doc} {c.clause}" for c in rule.cites],
            "conditions": list(_flatten(rulebook, trace, 0, as_of)),
        }
        if rule.overrides:
            entry["overrides"] = list(rule.overrides)
        if rule.id in effective.overridden:
            entry["overridden_by"] = list(effective.overridden[rule.id])
        if rule.id in effective.pending:
            entry["pending_exceptions"] = list(effective.pending[rule.id])
        out.append(entry)
    return out


def _flatten(rulebook: Rulebook, trace: Trace, depth: int, as_of: dt.date):
    cond = trace.cond
    if isinstance(cond, (All, AnyOf, Not)):
        word = "全部满足" if isinstance(cond, All) else "任一满足" if isinstance(cond, AnyOf) else "不满足"
        yield {"depth": depth, "condition": word, "actual": None, "result": trace.result}
        for child in trace.children or ():
            yield from _flatten(rulebook, child, depth + 1, as_of)
        return
    actual = None
    if isinstance(cond, Atom):
        actual = fields.display(fields.BY_NAME[cond.field], trace.actual)
    row = {"depth": depth, "condition": describe(trace, rulebook), "actual": actual, "result": trace.result}
    if isinstance(cond, Atom) and cond.param is not None:
        param = rulebook.parameters[cond.param]
        dated = param.in_force(as_of)
        row["parameter"] = {
            "id": cond.param, "unit": param.unit,
            "value": dated.value.isoformat() if isinstance(dated.value, dt.date) else dated.value,
            "from": dated.since.isoformat(), "provisional": param.is_provisional(dated),
            "before_first_value": dated.since > as_of,
        }
    yield row


def describe(trace: Trace, rulebook: Rulebook | None = None) -> str:
    """One condition in an officer's words: 供地日期 不晚于 2020-10-01（评估日 2021-10-01 前推1年…）,
    闲置原因 属于 政府原因、信访稳定; with `rulebook`, categories by their Chinese names and a
    parameter by its description."""
    cond = trace.cond
    names = rulebook.categories if rulebook is not None else {}
    if isinstance(cond, CategoryAtom):
        have = "、".join(names.get(c, c) for c in trace.actual or ()) or "无"
        return f"类别为 {names.get(cond.category, cond.category)}（已得出：{have}）"
    assert isinstance(cond, Atom)
    spec = fields.BY_NAME[cond.field]
    left = spec.zh
    word = op_words(cond.op, spec.type is fields.FieldType.DATE)
    if cond.op in ("present", "absent"):
        return f"{left} {word}"
    if cond.other_field:
        right = fields.BY_NAME[cond.other_field].zh
    else:
        right = fields.display(spec, trace.operand)
    source = trace.source
    if source and cond.param is not None and rulebook is not None and cond.param in rulebook.parameters:
        source = source.replace(f"参数 {cond.param} =", f"参数“{rulebook.parameters[cond.param].description}”取")
    if source:
        right = f"{right}（{source}）"
    return f"{left} {word} {right}"
