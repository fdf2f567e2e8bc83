"""How deep a condition nests, and the same condition nested less (before any engine sees it)."""

from __future__ import annotations

from landrules.rulebook.conditions import All, AnyOf, Condition, Not, children


def flatten(cond: Condition) -> Condition:
    """The same condition with no group nested in a group of its own kind: an `all` inside an
    `all` (or `any` inside `any`) joins its parent, a one-member group is its member, `not not
    X` is X. Kleene's all/any are associative, so the result decides exactly as `cond` does; it
    only nests less (durable-rules refuses conditions nested about 15 levels deep)."""
    if isinstance(cond, Not):
        inner = flatten(cond.not_)
        return inner.not_ if isinstance(inner, Not) else Not(not_=inner)
    if isinstance(cond, (All, AnyOf)):
        kind = type(cond)
        members: list[Condition] = []
        for part in children(cond):
            part = flatten(part)
            if isinstance(part, kind):
                members.extend(children(part))
            else:
                members.append(part)
        if len(members) == 1:
            return members[0]
        return All(all=tuple(members)) if kind is All else AnyOf(any=tuple(members))
    return cond


def depth(cond: Condition) -> int:
    """How many all/any groups nest on the longest path (`not` adds none: engines push it down)."""
    if isinstance(cond, Not):
        return depth(cond.not_)
    if isinstance(cond, (All, AnyOf)):
        return 1 + max(depth(c) for c in children(cond))
    return 0
