"""The trace of one decision: every rule tried, every condition with the parcel's value and result.

Computed from the IR (three-valued evaluation), so every backend explains alike; the rule's
status comes from the backend's firing, and the two are checked against each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import fields
from .backends.base import Firing
from .conditions import OP_SYMBOLS, All, AnyOf, Atom, CategoryAtom, Not, Trace, evaluate
from .rulebook import Rulebook

RESULT_ZH = {True: "成立", False: "不成立", None: "未知"}
STATUS_ZH = {"fired": "触发", "undecided": "缺少信息", "not_fired": "未触发"}


def explain(rulebook: Rulebook, facts: dict[str, Any], firing: Firing, as_of: dt.date) -> list[dict]:
    resolver = rulebook.resolver(as_of)
    categories = {r.category for r in rulebook.rules if r.category and r.id in firing.definite}
    out = []
    for rule in rulebook.rules:
        trace = evaluate(rule.when, facts, categories, resolver)
        status = "fired" if rule.id in firing.definite else "undecided" if rule.id in firing.maybe else "not_fired"
        out.append({
            "rule": rule.id,
            "title": rule.title,
            "status": status,
            "result": trace.result,
            "concludes": {"category": rule.category} if rule.category else {"outcome": rule.outcome},
            "cites": [f"{c.doc} {c.clause}" for c in rule.cites],
            "conditions": list(_flatten(trace, 0)),
        })
    return out


def _flatten(trace: Trace, depth: int):
    cond = trace.cond
    if isinstance(cond, (All, AnyOf, Not)):
        word = "全部满足" if isinstance(cond, All) else "任一满足" if isinstance(cond, AnyOf) else "不满足"
        yield {"depth": depth, "condition": word, "actual": None, "result": trace.result}
        for child in trace.children or ():
            yield from _flatten(child, depth + 1)
        return
    actual = None
    if isinstance(cond, Atom):
        actual = fields.display(fields.BY_NAME[cond.field], trace.actual)
    yield {"depth": depth, "condition": describe(trace), "actual": actual, "result": trace.result}


def describe(trace: Trace) -> str:
    cond = trace.cond
    if isinstance(cond, CategoryAtom):
        return f"类别 = {cond.category}（已得出：{'、'.join(trace.actual) or '无'}）"
    assert isinstance(cond, Atom)
    spec = fields.BY_NAME[cond.field]
    left = spec.label()
    if cond.op in ("present", "absent"):
        return f"{left} {OP_SYMBOLS[cond.op]}"
    if cond.other_field:
        right = fields.BY_NAME[cond.other_field].label()
    else:
        right = fields.display(spec, trace.operand)
    if trace.source:
        right = f"{right}（{trace.source}）"
    return f"{left} {OP_SYMBOLS[cond.op]} {right}"

