"""The rulebook IR as durable-rules JSON: one engine pattern per rule condition.

Values go in as `encoding.engine_value` (floats as order-preserving ints: the engine's JSON
reader misreads `5e-05` and `1e+16`); `not` is pushed down to the atoms (De Morgan), so a
condition nests in the engine as deep as its all/any groups do.
"""

from __future__ import annotations

from typing import Any

from landrules import fields
from landrules.encoding import encode, engine_value
from landrules.rulebook.conditions import NEGATED_OP, All, AnyOf, Atom, Condition, Not, Resolver


def expression(cond: Condition | None, resolver: Resolver, relaxed: bool, negate: bool = False) -> dict | None:
    if cond is None:
        return None
    if isinstance(cond, Not):
        return expression(cond.not_, resolver, relaxed, not negate)
    if isinstance(cond, (All, AnyOf)):
        parts = [expression(c, resolver, relaxed, negate) for c in (cond.all if isinstance(cond, All) else cond.any)]
        key = "$and" if isinstance(cond, All) != negate else "$or"  # De Morgan
        flat: list[dict] = []
        for part in parts:  # an $and in an $and (from a `not` pushed down) nests no deeper
            flat.extend(part[key] if set(part) == {key} else [part])
        return {key: flat}
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
        operand = engine_value(encode(fields.BY_NAME[f], bound.value))
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
