"""Mutants of a rulebook, one small change to one rule each, for `check --mutations`.

A rule is *pinned* when every mutant of it makes some scenario fail. The mutations:

  removed   the rule is taken out: its outcome (or category) is never concluded;
  flipped   one comparison is negated (≤ becomes >, = becomes ≠, 已填写 becomes 未填写, …);
  shifted   one threshold moves by one step either way: a date (a literal, a parameter, or an
            offset from the evaluation date such as -1y) by one day, a number by 1 (0.1 below
            10, 0.01 below 1 and for ratios) — a scenario on the boundary notices;
  dropped   one condition is left out (a member of all/any, a `not`, a category the rule joins).

Mutants are built in memory from the loaded rulebook: the rule is replaced by its mutated copy
and nothing else changes. A shifted threshold is a `ShiftedAtom` in the mutated rule only (the
same comparison in another rule is untouched), which the mutant's `Resolver` moves once bound:
that is how parameters and evaluation-date offsets, which are resolved per evaluation date,
move by one day without editing `parameters.yaml`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Iterator

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.rulebook.conditions import (
    NEGATED_OP,
    OP_SYMBOLS,
    All,
    AnyOf,
    Atom,
    Bound,
    CategoryAtom,
    Condition,
    Not,
    Resolver,
    atoms,
)
from landrules.rulebook.model import Rule, Rulebook



class ShiftedAtom(Atom):
    """An atom whose bound operand is moved by `shift` (days for dates, else the number itself)."""

    shift: float = 0.0


class ShiftingResolver(Resolver):
    def _bind(self, atom: Atom) -> Bound:
        bound = super()._bind(atom)
        if not isinstance(atom, ShiftedAtom) or bound.value is None:
            return bound
        value = bound.value
        if isinstance(value, dt.date):
            value = value + dt.timedelta(days=int(atom.shift))
        else:
            value = value + atom.shift
        return Bound(value, bound.other_field, f"{bound.source or ''}（变异：{atom.shift:+g}）")


class MutantRulebook(Rulebook):
    """A rulebook with one rule changed; shares the original's files, so also its hash."""

    def resolver(self, as_of: dt.date) -> Resolver:
        return ShiftingResolver(as_of, self.param_value, self.param_note)


@dataclass(frozen=True)
class Mutant:
    rule_id: str
    kind: str  # removed / flipped / shifted / dropped
    description: str  # in Chinese, for the report
    line: str  # FILE:LINE of what was changed
    rules: tuple[Rule, ...]

    def rulebook(self, original: Rulebook) -> MutantRulebook:
        names = {f.name: getattr(original, f.name) for f in dataclasses.fields(Rulebook)}
        mutant = MutantRulebook(**{**names, "rules": self.rules})
        mutant.__dict__["hash"] = original.hash
        return mutant


def describe(atom: Atom | CategoryAtom, rulebook: Rulebook) -> str:
    """「开工日期 ≤ 参数 regularise.in_use_by」, the way the report names a condition."""
    if isinstance(atom, CategoryAtom):
        return f"「类别为{rulebook.categories.get(atom.category, atom.category)}」"
    spec = fields.BY_NAME[atom.field]
    if atom.op in ("present", "absent"):
        return f"「{spec.zh}{OP_SYMBOLS[atom.op]}」"
    if atom.param is not None:
        operand = f"参数 {atom.param}"
    elif atom.as_of is not None:
        operand = f"评估日{atom.as_of}"
    elif atom.other_field is not None:
        operand = fields.BY_NAME[atom.other_field].zh
    else:
        operand = fields.display(spec, atom.value)
    return f"「{spec.zh} {OP_SYMBOLS[atom.op]} {operand}」"


def _steps(atom: Atom, rulebook: Rulebook) -> list[float]:
    """The shifts of an atom's threshold (empty when it has none to move)."""
    if atom.op in ("present", "absent", "in", "not_in") or atom.other_field is not None:
        return []
    spec = fields.BY_NAME[atom.field]
    if spec.type is FieldType.DATE:
        return [1.0, -1.0]
    if spec.type not in (FieldType.NUMBER, FieldType.RATIO):
        return []
    if atom.param is not None:
        value = rulebook.parameters[atom.param].values[-1].value
    else:
        value = atom.value
    size = abs(float(value)) if isinstance(value, (int, float)) else 0.0
    step = 0.01 if spec.type is FieldType.RATIO or size < 1 else 0.1 if size < 10 else 1.0
    return [step, -step]


def _shift_words(atom: Atom, shift: float) -> str:
    if fields.BY_NAME[atom.field].type is FieldType.DATE:
        return "推后 1 天" if shift > 0 else "提前 1 天"
    return f"{'加' if shift > 0 else '减'} {abs(shift):g}"


def _variants(cond: Condition, rule: Rule, rulebook: Rulebook) -> Iterator[tuple[str, str, str, Condition | None]]:
    """(kind, description, line, replacement) for every mutation inside `cond`; a replacement
    of None removes the node from its parent."""
    if isinstance(cond, Atom):
        line = f"{rule.path}:{rule.atom_lines.get(cond, rule.line)}"
        words = describe(cond, rulebook)
        flipped = cond.model_copy(update={"op": NEGATED_OP[cond.op]})
        yield "flipped", f"条件{words}反转为{describe(flipped, rulebook)}", line, flipped
        for shift in _steps(cond, rulebook):
            moved = ShiftedAtom(**{k: getattr(cond, k) for k in Atom.model_fields}, shift=shift)
            yield "shifted", f"条件{words}的比较值{_shift_words(cond, shift)}", line, moved
        yield "dropped", f"去掉条件{words}", line, None
        return
    if isinstance(cond, Not):
        for kind, text, line, inner in _variants(cond.not_, rule, rulebook):
            yield kind, text, line, (None if inner is None else Not(not_=inner))
        if not isinstance(cond.not_, Atom):  # a negated atom is dropped with the atom itself
            yield "dropped", f"去掉“不满足”一组条件（{_first(cond, rulebook)}等）", _line(cond, rule), None
        return
    children = cond.all if isinstance(cond, All) else cond.any
    for i, child in enumerate(children):
        for kind, text, line, replacement in _variants(child, rule, rulebook):
            rest = children[:i] + (() if replacement is None else (replacement,)) + children[i + 1:]
            if not rest:
                yield kind, text, line, None
            elif len(rest) == 1 and replacement is None:
                yield kind, text, line, rest[0]
            else:
                yield kind, text, line, All(all=rest) if isinstance(cond, All) else AnyOf(any=rest)
        if isinstance(child, (All, AnyOf)):
            rest = children[:i] + children[i + 1:]
            replacement = rest[0] if len(rest) == 1 else (All(all=rest) if isinstance(cond, All) else AnyOf(any=rest))
            yield "dropped", f"去掉一组条件（{_first(child, rulebook)}等）", _line(child, rule), replacement


def _first(cond: Condition, rulebook: Rulebook) -> str:
    first = next(atoms(cond), None)
    return describe(first, rulebook) if first is not None else ""


def _line(cond: Condition, rule: Rule) -> str:
    first = next(atoms(cond), None)
    return f"{rule.path}:{rule.atom_lines.get(first, rule.line) if first is not None else rule.line}"


def _with(rule: Rule, joins: tuple[str, ...], condition: Condition | None) -> Rule:
    parts = tuple(CategoryAtom(category=c) for c in joins) + (() if condition is None else (condition,))
    when: Condition = parts[0] if len(parts) == 1 else All.model_construct(all=parts)  # () is always true
    return dataclasses.replace(rule, joins=joins, condition=condition, when=when)


def rule_mutants(rulebook: Rulebook, rule: Rule) -> Iterator[Mutant]:
    """Every mutant of one rule, in the order of its YAML."""
    rules = rulebook.rules
    at = rules.index(rule)

    def swap(new: Rule | None) -> tuple[Rule, ...]:
        return rules[:at] + (() if new is None else (new,)) + rules[at + 1:]

    what = "类别" if rule.category else "结论"
    yield Mutant(rule.id, "removed", f"删除规则（不再得出{what} {rule.category or rule.outcome}）", rule.source, swap(None))
    for i, code in enumerate(rule.joins):
        joins = rule.joins[:i] + rule.joins[i + 1:]
        yield Mutant(rule.id, "dropped", f"去掉条件{describe(CategoryAtom(category=code), rulebook)}", rule.source,
                     swap(_with(rule, joins, rule.condition)))
    if rule.condition is not None:
        for kind, text, line, replacement in _variants(rule.condition, rule, rulebook):
            yield Mutant(rule.id, kind, text, line, swap(_with(rule, rule.joins, replacement)))


def all_mutants(rulebook: Rulebook) -> Iterator[Mutant]:
    for rule in rulebook.rules:
        yield from rule_mutants(rulebook, rule)
