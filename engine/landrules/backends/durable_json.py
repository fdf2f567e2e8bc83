"""The rulebook IR as durable-rules JSON: one engine pattern per rule condition.

Values go in as `encoding.engine_value` (floats as order-preserving ints: the engine's JSON
reader misreads `5e-05` and `1e+16`); `not` is pushed down to the atoms (De Morgan), so a
condition nests in the engine as deep as its all/any groups do.
"""

from __future__ import annotations

from typing import Any

from landrules.core import fields
from landrules.core.values import encode, engine_value
from landrules.rulebook.conditions import NEGATED_OP, All, AnyOf, Atom, Condition, Not, Resolver, children


def expression(cond: Condition | None, resolver: Resolver, relaxed: bool, negate: bool = False) -> dict | None:
    if cond is None:
        return None
    if isinstance(cond, Not):
        return expression(cond.not_, resolver, relaxed, not negate)
    if isinstance(cond, (All, AnyOf)):
        parts = [expression(c, resolver, relaxed, negate) for c in children(cond)]
        return _group("$and" if isinstance(cond, All) != negate else "$or", parts)  # De Morgan
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
    elif bound.value is None:  # a parameter with no value in force: unknown whatever the field holds
        either = [{"$ex": {f: 1}}, {"$nex": {f: 1}}]
        return _group("$or" if relaxed else "$and", either)  # relaxed: always; definite: never
    else:
        operand = engine_value(encode(fields.BY_NAME[f], bound.value))
        known = []
    if op == "in":
        test = _group("$or", [{f: v} for v in operand])
    elif op == "not_in":
        test = _group("$and", [{"$neq": {f: v}} for v in operand])
    elif op == "eq" and not bound.other_field:
        test = {f: operand}
    else:
        test = {"$" + {"eq": "eq", "ne": "neq", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte"}[op]: {f: operand}}
    if not relaxed:
        return _group("$and", [*known, test])
    unknown = [{"$nex": {f: 1}}]
    if bound.other_field:
        unknown.append({"$nex": {bound.other_field: 1}})
    return _group("$or", [test, *unknown])


def _group(key: str, parts: list[dict]) -> dict:
    """`{key: parts}` nesting no deeper than it must: a member group of the same kind joins it
    (an `$and` in an `$and`, e.g. from a `not` pushed down), and a group of one is its member.
    Every group costs the engine two of a rule's 31 expression slots (see sequence_length)."""
    flat: list[dict] = []
    for part in parts:
        flat.extend(part[key] if set(part) == {key} else [part])
    return flat[0] if len(flat) == 1 else {key: flat}


def parcel_pattern(expr: dict | None, parcel: str) -> dict:
    """The engine pattern of a parcel fact under `expr` (one `$and`, never an `$and` in an `$and`)."""
    if expr is None:
        return {"t": parcel}
    return {"$and": [{"t": parcel}, *(expr["$and"] if set(expr) == {"$and"} else [expr])]}


def sequence_length(expr: Any) -> int:
    """How many entries of a beta node's expression sequence the engine spends on `expr`
    (rete.c createAlpha): two per `$and` / `$or` group, its operator and its end; comparisons
    (with a constant or with another field) are alpha nodes and cost none (measured on 2.0.28).
    rete.h holds MAX_SEQUENCE_EXPRESSIONS = 32 and refuses the ruleset (error 113) at 32."""
    if isinstance(expr, list):
        return sum(sequence_length(e) for e in expr)
    if not isinstance(expr, dict):
        return 0
    total = 0
    for key, value in expr.items():
        if key in ("$and", "$or"):
            total += 2 + sequence_length(value)
        else:
            total += sequence_length(value)
    return total


def split_pattern(expr: dict | None, parcel: str, limit: int) -> list[dict] | None:
    """Parcel patterns, each within `limit` expression slots, that all hold exactly when the
    pattern of `expr` does: a long top-level `$and` is cut into consecutive parts (each becomes
    an engine rule of its own; the backend takes the rule as fired when all its parts fired).
    None when one member alone is too large."""
    pattern = parcel_pattern(expr, parcel)
    if sequence_length(pattern) <= limit:
        return [pattern]
    parts: list[list[dict]] = [[]]
    cost = 2
    for member in pattern["$and"][1:]:
        size = sequence_length(member)
        if 2 + size > limit:
            return None
        if cost + size > limit:
            parts.append([])
            cost = 2
        parts[-1].append(member)
        cost += size
    return [parcel_pattern(_group("$and", part), parcel) for part in parts]
