"""Can conditions hold together? A small analysis of the IR, used by lint.

A condition is put in disjunctive normal form — categories replaced by the conditions of the
rules that derive them, negations pushed onto the atoms (`not x < 5` is `x ≥ 5`: both need x
known) — and each conjunction is satisfiable when, field by field, its atoms leave a value:

  * `present` / `absent`; every comparison also needs the field filled in;
  * enumerations and yes/no fields: the set of values left by eq / in minus ne / not_in;
  * numbers, ratios and dates: an interval (eq lt le gt ge) minus excluded points, inside the
    field's range (numbers ≥ 0, areas > 0, ratios 0–1); dates count in whole days;
  * text: value sets from eq / in minus ne / not_in.

"Satisfiable" means some parcel and some evaluation date make the condition definitely true.
Limits: a parameter is taken at its latest value; bounds relative to the evaluation date
(`as_of`) are compared with each other but not with fixed dates (the evaluation date is free);
a comparison with another field only requires both fields filled in; a condition whose normal
form has more than MAX_TERMS conjunctions is not analysed (`normal_form` returns None).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.rulebook.conditions import (
    NEGATED_OP,
    OP_SYMBOLS,
    All,
    Atom,
    children,
    CategoryAtom,
    Condition,
    Not,
    offset_date,
)
from landrules.rulebook.messages import say

MAX_TERMS = 512
_REFERENCE_DAY = dt.date(2001, 7, 15)  # any day: `as_of` offsets are compared with each other


@dataclass(frozen=True)
class Lit:
    """An atom of a conjunction: `atom` as it must hold, `origin` as written, and the
    category whose deriving rule it comes from (None for the rule's own atoms)."""

    atom: Atom
    origin: Atom
    category: str | None = None


Term = tuple[Lit, ...]


class _TooBig(Exception):
    pass


def normal_form(cond: Condition, expand: Callable[[str], Iterable[Condition]]) -> list[Term] | None:
    """The conjunctions whose disjunction is `cond`; `expand(category)` gives the conditions of
    the rules deriving a category. None when the form would be too big to analyse."""
    try:
        return _nf(cond, expand, False, None)
    except _TooBig:
        return None


def _nf(cond: Condition, expand, negate: bool, category: str | None) -> list[Term]:
    if isinstance(cond, Atom):
        atom = cond.model_copy(update={"op": NEGATED_OP[cond.op]}) if negate else cond
        return [(Lit(atom, cond, category),)]
    if isinstance(cond, CategoryAtom):
        if negate:  # "the category does not hold" cannot stand in a valid rule: no constraint
            return [()]
        return [t for when in expand(cond.category) for t in _nf(when, expand, False, cond.category)]
    if isinstance(cond, Not):
        return _nf(cond.not_, expand, not negate, category)
    parts = [_nf(c, expand, negate, category) for c in children(cond)]
    if isinstance(cond, All) != negate:  # a conjunction (De Morgan when negated)
        terms: list[Term] = [()]
        for part in parts:
            terms = [t + p for t in terms for p in part]
            if len(terms) > MAX_TERMS:
                raise _TooBig
        return terms
    terms = [t for part in parts for t in part]
    if len(terms) > MAX_TERMS:
        raise _TooBig
    return terms


# --------------------------------------------------------------------------- one field


@dataclass
class _Field:
    spec: fields.FieldSpec
    failed: bool = False
    present: bool | None = None
    allowed: set | None = None
    excluded: set = field(default_factory=set)
    lo: tuple[Any, bool] | None = None  # (bound, inclusive)
    hi: tuple[Any, bool] | None = None
    rel_lo: tuple[Any, bool] | None = None  # bounds relative to the evaluation date
    rel_hi: tuple[Any, bool] | None = None

    def __post_init__(self) -> None:
        t = self.spec.type
        if t is FieldType.ENUM:
            self.allowed = set(self.spec.vocabulary)
        elif t is FieldType.BOOL:
            self.allowed = {True, False}
        elif t is FieldType.RATIO:
            self.lo, self.hi = (0.0, True), (1.0, True)
        elif t is FieldType.NUMBER:
            self.lo = (0.0, not self.spec.positive)

    @property
    def domain(self) -> set | None:
        t = self.spec.type
        return set(self.spec.vocabulary) if t is FieldType.ENUM else {True, False} if t is FieldType.BOOL else None

    def add(self, atom: Atom, value_of: Callable[[Atom], Any]) -> None:
        if atom.op in ("present", "absent"):
            want = atom.op == "present"
            self.failed |= self.present is (not want)
            self.present = want
            return
        self.failed |= self.present is False
        self.present = True
        if atom.other_field is not None:
            return
        relative = atom.as_of is not None
        value = value_of(atom)
        values = value if isinstance(value, tuple) else (value,)
        keys = {_key(v) for v in values}
        op = atom.op
        if op in ("eq", "in"):
            self.allowed = keys if self.allowed is None else self.allowed & keys
        elif op in ("ne", "not_in"):
            self.excluded |= keys
        else:
            key, dates = _key(value), isinstance(value, dt.date)
            if dates and op in ("lt", "gt"):  # whole days: x < d is x ≤ d - 1
                key, op = key + (-1 if op == "lt" else 1), ("le" if op == "lt" else "ge")
            bound = (key, op in ("le", "ge"))
            if relative:
                if op in ("gt", "ge"):
                    self.rel_lo = _tighter(self.rel_lo, bound, upper=False)
                else:
                    self.rel_hi = _tighter(self.rel_hi, bound, upper=True)
            elif op in ("gt", "ge"):
                self.lo = _tighter(self.lo, bound, upper=False)
            else:
                self.hi = _tighter(self.hi, bound, upper=True)

    def values_left(self) -> set | None:
        """The values still possible when finitely many, else None."""
        if self.allowed is None:
            return None
        return {v for v in self.allowed if v not in self.excluded and _within(v, self.lo, self.hi)}

    def satisfiable(self) -> bool:
        if self.failed:
            return False
        if self.present is not True:
            return True
        left = self.values_left()
        if left is not None:
            return bool(left) and _interval_ok(self.rel_lo, self.rel_hi, set())
        return _interval_ok(self.lo, self.hi, self.excluded) and _interval_ok(self.rel_lo, self.rel_hi, set())


def _key(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _tighter(old, new, upper: bool):
    if old is None:
        return new
    if old[0] != new[0]:
        return min(old, new) if upper else max(old, new)
    return (old[0], old[1] and new[1])


def _within(value: Any, lo, hi) -> bool:
    if lo is None and hi is None:
        return True
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    if lo is not None and (value < lo[0] or (value == lo[0] and not lo[1])):
        return False
    return not (hi is not None and (value > hi[0] or (value == hi[0] and not hi[1])))


def _interval_ok(lo, hi, excluded: set) -> bool:
    if lo is None or hi is None:
        return True
    if lo[0] > hi[0]:
        return False
    if lo[0] == hi[0]:
        return lo[1] and hi[1] and lo[0] not in excluded
    if isinstance(lo[0], float) or isinstance(hi[0], float) or hi[0] - lo[0] > 64:
        return True
    return any(k not in excluded for k in range(int(lo[0]), int(hi[0]) + 1))


# --------------------------------------------------------------------------- conjunctions


@dataclass
class Conflict:
    """Why a conjunction cannot hold: the atoms on one field that exclude each other."""

    field: str
    lits: list[Lit]


class Checker:
    """Satisfiability of conjunctions under one set of parameter values."""

    def __init__(self, param_value: Callable[[str], Any]):
        self._param_value = param_value

    def value_of(self, atom: Atom) -> Any:
        if atom.param is not None:
            return self._param_value(atom.param)
        if atom.as_of is not None:
            return offset_date(_REFERENCE_DAY, atom.as_of)
        return atom.value

    def fields(self, term: Term) -> dict[str, tuple[_Field, list[Lit]]]:
        out: dict[str, tuple[_Field, list[Lit]]] = {}
        for lit in term:
            names = [lit.atom.field] + ([lit.atom.other_field] if lit.atom.other_field else [])
            for i, name in enumerate(names):
                state, lits = out.setdefault(name, (_Field(fields.BY_NAME[name]), []))
                lits.append(lit)
                state.add(lit.atom if i == 0 else Atom(field=name, op="present"), self.value_of)
        return out

    def conflict(self, term: Term) -> Conflict | None:
        for name, (state, lits) in self.fields(term).items():
            if not state.satisfiable():
                return Conflict(name, lits)
        return None

    def satisfiable(self, term: Term) -> bool:
        return self.conflict(term) is None

    def narrowed(self, term: Term) -> list[str]:
        """The enumerated and yes/no fields a satisfiable conjunction pins down, in words."""
        out = []
        for name, (state, _) in self.fields(term).items():
            left, domain = state.values_left(), state.domain
            if domain is None or left is None or left == domain or not left:
                continue
            spec = fields.BY_NAME[name]
            shown = [show_value(spec, v) for v in sorted(left, key=str)]
            out.append(f"{spec.label()} {'= ' + shown[0] if len(shown) == 1 else '∈ ' + ', '.join(shown)}")
        return out


def show_value(spec: fields.FieldSpec, value: Any) -> str:
    if spec.type is FieldType.ENUM and value in spec.vocabulary:
        return f"{value}（{spec.vocabulary[value]}）"
    return fields.display(spec, value)


def describe(atom: Atom) -> str:
    """An atom in words for a lint message: `idle_cause（闲置原因） = enterprise（企业原因）`."""
    spec = fields.BY_NAME[atom.field]
    if atom.op in ("present", "absent"):
        return f"{spec.label()} {OP_SYMBOLS[atom.op]}"
    if atom.param is not None:
        right = say("atom_param", param=atom.param)
    elif atom.as_of is not None:
        right = say("atom_as_of", offset=atom.as_of)
    elif atom.other_field is not None:
        right = fields.BY_NAME[atom.other_field].label()
    elif isinstance(atom.value, tuple):
        right = "{" + ", ".join(show_value(spec, v) for v in atom.value) + "}"
    else:
        right = show_value(spec, atom.value)
    return f"{spec.label()} {OP_SYMBOLS[atom.op]} {right}"

