"""The reference backend: the rulebook IR compiled to durable_rules rulesets.

Each IR rule becomes up to two engine rules:
  * `ID`        fires when the rule's condition is definitely true;
  * `ID|maybe`  fires when it is true *or unknown* (every atom relaxed to "holds, or its field
                is missing"), so `maybe − definite` is exactly the set of rules that could not be
                decided for lack of data.
Category rules assert a category fact when they fire; disposal rules join on those facts, so
derived categories chain into disposals inside the engine (forward chaining on a Rete network).

One context (sid) per parcel, deleted when done, so memory stays flat over a ledger. Each
compiled rulebook lives on its own synchronous Host, so rulebooks never collide by name.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Iterable

from durable import engine

from landrules import fields
from landrules.backends.base import Firing
from landrules.encoding import encode, encode_facts
from landrules.rulebook.conditions import (
    NEGATED_OP,
    All,
    AnyOf,
    Atom,
    Condition,
    Not,
    Resolver,
    atoms,
)
from landrules.rulebook.model import Rule, Rulebook

MAYBE = "|maybe"
_PARCEL = "parcel"
_CATEGORY = "category"
_SEEN = "landrules.seen"


def _ignore(c) -> None:
    return None


class _SyncHost(engine.Host):
    """A Host without the background dispatch timers: every action runs inside our own call."""

    def _run(self) -> None:  # noqa: D401 - overriding the timer start-up
        return None


class DurableBackend:
    name = "durable"

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self._compiled: dict[dt.date, _Compiled] = {}

    def compiled(self, as_of: dt.date) -> _Compiled:
        compiled = self._compiled.get(as_of)
        if compiled is None:
            compiled = self._compiled[as_of] = _Compiled(self.rulebook, as_of)
        return compiled

    def fire(self, facts: Iterable[dict[str, Any]], as_of: dt.date) -> list[Firing]:
        compiled = self.compiled(as_of)
        return [compiled.fire(f) for f in facts]


class _Compiled:
    _serial = itertools.count()

    def __init__(self, rulebook: Rulebook, as_of: dt.date):
        resolver = rulebook.resolver(as_of)
        self.name = f"landrules_{rulebook.hash[7:19]}_{as_of.isoformat()}_{next(self._serial)}"
        self._fired: list[str] = []
        # only the fields some rule looks at travel into the engine (not 100 000-character notes)
        self.fields_used = frozenset(
            name for rule in rulebook.rules for atom in atoms(rule.when)
            for name in (getattr(atom, "field", None), getattr(atom, "other_field", None)) if name
        )
        self._sids = itertools.count()
        definitions: dict[str, dict] = {}
        for rule in rulebook.rules:
            definite = _expression(rule.condition, resolver, relaxed=False)
            definitions[rule.id] = self._definition(rule, definite, assert_category=True)
            relaxed = _expression(rule.condition, resolver, relaxed=True)
            if rule.asks and relaxed != definite:
                definitions[rule.id + MAYBE] = self._definition(rule, relaxed, assert_category=False)
        # A rule every parcel matches. Without it a parcel that matches nothing raises
        # MessageNotHandledException, and deleting that context afterwards crashes the C
        # engine (double free, seen on 2.0.28). The match is on our own `t`, never on `id`.
        definitions[_SEEN] = {"all": [{"p": {"t": _PARCEL}}], "run": _ignore}
        self.definition = {k: {kk: vv for kk, vv in v.items() if kk != "run"} for k, v in definitions.items()}
        self.host = _SyncHost({self.name: definitions})

    def _definition(self, rule: Rule, expression: dict | None, assert_category: bool) -> dict:
        patterns = [
            {f"c{i}": {"$and": [{"t": _CATEGORY}, {"code": code}]}}
            for i, code in enumerate(rule.joins)
        ]
        parcel = {"t": _PARCEL} if expression is None else {"$and": [{"t": _PARCEL}, expression]}
        patterns.append({"p": parcel})
        fired = self._fired
        name = rule.id if assert_category else rule.id + MAYBE
        if rule.category and assert_category:
            code, rule_id = rule.category, rule.id

            def action(c):
                fired.append(name)
                c.assert_fact({"t": _CATEGORY, "code": code, "by": rule_id})
        else:

            def action(c):
                fired.append(name)

        return {"all": patterns, "run": action}

    def fire(self, facts: dict[str, Any]) -> Firing:
        sid = str(next(self._sids))
        fact = encode_facts({k: v for k, v in facts.items() if k in self.fields_used})
        fact["t"] = _PARCEL
        fact["sid"] = sid
        self._fired.clear()
        try:
            self.host.assert_fact(self.name, fact)
        finally:
            self.host.delete_state(self.name, sid)
        definite = frozenset(n for n in self._fired if not n.endswith(MAYBE))
        maybe = frozenset(n[: -len(MAYBE)] for n in self._fired if n.endswith(MAYBE)) | definite
        return Firing(definite=definite, maybe=maybe)


# --------------------------------------------------------------------------- IR -> durable JSON


def _expression(cond: Condition | None, resolver: Resolver, relaxed: bool, negate: bool = False) -> dict | None:
    if cond is None:
        return None
    if isinstance(cond, Not):
        return _expression(cond.not_, resolver, relaxed, not negate)
    if isinstance(cond, (All, AnyOf)):
        parts = [_expression(c, resolver, relaxed, negate) for c in (cond.all if isinstance(cond, All) else cond.any)]
        conjunctive = isinstance(cond, All) != negate  # De Morgan
        return {"$and" if conjunctive else "$or": parts}
    if isinstance(cond, Atom):
        return _atom(cond, resolver, relaxed, negate)
    raise TypeError(f"cannot compile {cond!r} inside a field condition")


def _atom(atom: Atom, resolver: Resolver, relaxed: bool, negate: bool) -> dict:
    op = NEGATED_OP[atom.op] if negate else atom.op
    f = atom.field
    if op == "present":
        return {"$ex": {f: 1}}
    if op == "absent":
        return {"$nex": {f: 1}}
    bound = resolver.bind(atom)
    if bound.other_field:
        operand: Any = {"$m": bound.other_field}
        # durable compares a missing right-hand field as if it were there: guard both sides.
        known = [{"$ex": {f: 1}}, {"$ex": {bound.other_field: 1}}]
    else:
        operand = encode(fields.BY_NAME[f], bound.value)
        known = []
    if op == "in":
        test = {"$or": [{f: v} for v in operand]}
    elif op == "not_in":
        test = {"$and": [{"$neq": {f: v}} for v in operand]}
    elif op == "eq" and not bound.other_field:
        test = {f: operand}
    else:
        test = {"$" + {"eq": "eq", "ne": "neq", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte"}[op]: {f: operand}}
    if not relaxed:
        return {"$and": [*known, test]} if known else test
    unknown = [{"$nex": {f: 1}}]
    if bound.other_field:
        unknown.append({"$nex": {bound.other_field: 1}})
    return {"$or": [test, *unknown]}
