"""The condition language: its typed IR, parsing from YAML, binding, three-valued evaluation.

A condition is one of
    {field: F, op: OP [, value: V | param: P | as_of: OFFSET | other_field: G]}
    {category: C}              - a derived category holds (chains category rules into others)
    {all: [...]}, {any: [...]}, {not: ...}

Missing facts are not false: an atom on an unknown field evaluates to unknown (None), and
all/any/not follow Kleene's three-valued logic. Only `present` / `absent` are two-valued.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.rulebook.messages import CATALOGUE, TYPE_ZH, hint, say
from landrules.rulebook.periods import offset_date, parse_offset
from landrules.rulebook.problems import closest
from landrules.rulebook.yamlio import ref

Op = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "present", "absent"]
Scalar = Union[bool, float, int, str, dt.date]

OP_SYMBOLS = {
    "eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥",
    "in": "∈", "not_in": "∉", "present": "已填写", "absent": "未填写",
}
NEGATED_OP: dict[str, str] = {
    "eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "gt": "le", "le": "gt",
    "in": "not_in", "not_in": "in", "present": "absent", "absent": "present",
}
ORDER_OPS = {"lt", "le", "gt", "ge"}


class Atom(BaseModel):
    """A comparison of one parcel field with a value, a parameter, a date or another field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: ref("field", description="台账字段（英文名），如 agreed_start_on（约定动工日期）")
    op: Op = Field(description="eq 等于, ne 不等于, lt 小于, le 不大于, gt 大于, ge 不小于, in 属于, "
                   "not_in 不属于, present 已填写, absent 未填写")
    value: Scalar | tuple[Scalar, ...] | None = Field(
        None, description="比较的值：代码或台账中的中文（企业原因）、数字、日期 2018-12-31、true/false；in/not_in 写列表"
    )
    param: ref("parameter") | None = Field(None, description="与参数比较：rules/parameters.yaml 中的参数编号")
    as_of: str | None = Field(
        None, pattern=r"^\s*[+-]?\d+\s*[ymd]\s*$",
        description="与评估日前后的日期比较，如 -1y（评估日前一年：自该日起算满一年，期间按民法典第二百零二条计算）、-6m、-30d",
    )
    other_field: ref("field") | None = Field(None, description="与同一宗地的另一字段比较")

    def operand_kind(self) -> str | None:
        given = [k for k in ("value", "param", "as_of", "other_field") if getattr(self, k) is not None]
        return given[0] if len(given) == 1 else None


class CategoryAtom(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: ref("category", description="已得出的类别代码，如 idle（闲置）")


class All(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    all: tuple[Condition, ...] = Field(min_length=1, description="全部满足")


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    any: tuple[Condition, ...] = Field(min_length=1, description="任一满足")


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    not_: Condition = Field(alias="not", description="不满足")


Condition = Union[Atom, CategoryAtom, All, AnyOf, Not]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


# --------------------------------------------------------------------------- parsing


class ConditionError(ValueError):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


def parse_condition(raw: Any, line: int = 1) -> Condition:
    """Parse one YAML condition; raises ConditionError with the line of the culprit."""
    line = getattr(raw, "line", line)
    if not isinstance(raw, dict):
        raise ConditionError(line, say("cond_not_mapping", raw=raw))
    keys = set(raw)
    if keys == {"all"} or keys == {"any"}:
        key = keys.pop()
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise ConditionError(line, say("cond_empty_group", key=key))
        parts = tuple(parse_condition(item, getattr(items, "line", line)) for item in items)
        return All(all=parts) if key == "all" else AnyOf(any=parts)
    if keys == {"not"}:
        return Not(not_=parse_condition(raw["not"], line))
    if keys == {"category"}:
        return CategoryAtom(category=str(raw["category"]))
    if "field" in keys:
        unknown = keys - set(Atom.model_fields)
        if unknown:
            raise ConditionError(line, say("cond_unknown_keys", keys=", ".join(sorted(unknown))))
        value = raw.get("value")
        atom = Atom.model_construct(
            field=raw["field"],
            op=raw.get("op"),
            value=tuple(value) if isinstance(value, list) else value,
            param=raw.get("param"),
            as_of=raw.get("as_of"),
            other_field=raw.get("other_field"),
        )
        return check_atom(atom, line)
    raise ConditionError(line, say("cond_unknown", keys=", ".join(sorted(map(str, keys)))))


def check_atom(atom: Atom, line: int) -> Atom:
    """Type-check an atom against the field catalogue; normalise enum labels to codes."""
    spec = field_named(atom.field)
    if spec is None:
        raise ConditionError(line, _unknown_field(atom.field))
    if atom.other_field is not None and field_named(atom.other_field) is not None:
        atom = atom.model_copy(update={"other_field": field_named(atom.other_field).name})
    atom = atom.model_copy(update={"field": spec.name})  # a Chinese name (闲置原因) becomes its code
    if atom.op not in NEGATED_OP:
        raise ConditionError(line, say("cond_unknown_op", op=atom.op, ops=", ".join(NEGATED_OP)))
    kind = atom.operand_kind()
    if atom.op in ("present", "absent"):
        if any(getattr(atom, k) is not None for k in ("value", "param", "as_of", "other_field")):
            raise ConditionError(line, say("cond_no_operand_allowed", op=atom.op, op_zh=OP_SYMBOLS[atom.op]))
        return Atom(field=atom.field, op=atom.op)
    if kind is None:
        raise ConditionError(line, say("cond_one_operand", field=spec.label(), op=atom.op))
    types = {"type": spec.type.value, "type_zh": TYPE_ZH.get(spec.type.value, spec.type.value)}
    if atom.op in ORDER_OPS and not spec.orderable:
        raise ConditionError(line, say("cond_not_orderable", field=spec.label(), op=atom.op, **types))
    value = atom.value
    if kind == "as_of":
        if spec.type is not FieldType.DATE:
            raise ConditionError(line, say("cond_as_of_not_date", field=spec.label(), **types))
        try:
            parse_offset(atom.as_of)
        except ValueError as exc:
            raise ConditionError(line, str(exc)) from None
    elif kind == "other_field":
        other = fields.get(atom.other_field)
        if other is None:
            raise ConditionError(line, _unknown_field(atom.other_field))
        if other.type is not spec.type and {other.type, spec.type} != {FieldType.NUMBER, FieldType.RATIO}:
            raise ConditionError(line, say("cond_cannot_compare", field=spec.label(), other=other.label()))
    elif kind == "value":
        listy = atom.op in ("in", "not_in")
        values = value if isinstance(value, tuple) else (value,)
        if listy != isinstance(value, tuple):
            raise ConditionError(line, say("cond_takes_list" if listy else "cond_takes_one", op=atom.op))
        value = tuple(_check_literal(spec, v, line) for v in values)
        if not listy:
            value = value[0]
    elif kind == "param" and spec.type not in (FieldType.NUMBER, FieldType.RATIO, FieldType.DATE):
        raise ConditionError(line, say("cond_param_type", field=spec.label(), **types))
    return Atom(
        field=atom.field, op=atom.op, value=value, param=atom.param,
        as_of=atom.as_of, other_field=atom.other_field,
    )


def _check_literal(spec: fields.FieldSpec, value: Any, line: int) -> Scalar:
    t = spec.type
    if t is FieldType.ENUM:
        if value in spec.vocabulary:
            return value
        for code, label in spec.vocabulary.items():
            if value == label:
                return code
        choices = ", ".join(f"{code}（{label}）" for code, label in spec.vocabulary.items())
        raise ConditionError(line, say("not_a_value", value=value, field=spec.label(), choices=choices))
    if t is FieldType.BOOL and isinstance(value, bool):
        return value
    if t in (FieldType.NUMBER, FieldType.RATIO) and isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (isinstance(value, float) and math.isfinite(value)) and not (isinstance(value, int) and abs(value) < 2**1023):
            raise ConditionError(line, say("not_finite_value", value=value, field=spec.label()))
        return float(value)
    if t is FieldType.DATE and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if t is FieldType.TEXT and isinstance(value, str):
        return value
    fix = say(f"fix.{t.value}") if f"fix.{t.value}" in CATALOGUE else ""
    raise ConditionError(line, say("does_not_fit", value=value, field=spec.label(), type=t.value, type_zh=TYPE_ZH.get(t.value, t.value), fix=fix))


_BY_ZH = {f.zh: f for f in fields.FIELDS}


def field_named(name: Any) -> fields.FieldSpec | None:
    """A field by its code (idle_cause) or by its Chinese header (闲置原因), as the ledger takes it."""
    return fields.get(name) or _BY_ZH.get(str(name).strip())


def _unknown_field(name: Any) -> str:
    near = closest(name, fields.BY_NAME) or getattr(_BY_ZH.get(closest(name, _BY_ZH) or ""), "name", None)
    return say("unknown_field", field=name, **hint(fields.BY_NAME[near].label() if near else None))


# --------------------------------------------------------------------------- walking


def children(cond: Condition) -> tuple[Condition, ...]:
    """The conditions directly inside `cond`: an `all`'s or `any`'s members, a `not`'s one; () for an atom."""
    if isinstance(cond, All):
        return cond.all
    if isinstance(cond, AnyOf):
        return cond.any
    if isinstance(cond, Not):
        return (cond.not_,)
    return ()


def walk(cond: Condition):
    """`cond` and every condition inside it, depth first, parents before their children."""
    yield cond
    for child in children(cond):
        yield from walk(child)


def atoms(cond: Condition):
    """Every Atom and CategoryAtom in `cond`, depth first."""
    return (c for c in walk(cond) if isinstance(c, (Atom, CategoryAtom)))


def located_atoms(raw: Any, cond: Condition, line: int = 1):
    """(atom, line) for every Atom and CategoryAtom of `cond`, parsed from `raw` (same shape)."""
    line = getattr(raw, "line", line)
    if isinstance(cond, (Atom, CategoryAtom)):
        yield cond, line
    elif isinstance(cond, (All, AnyOf)):
        items = raw["all" if isinstance(cond, All) else "any"]
        for item, part in zip(items, children(cond)):
            yield from located_atoms(item, part, getattr(items, "line", line))
    elif isinstance(cond, Not):
        yield from located_atoms(raw["not"], cond.not_, line)


def split_categories(cond: Condition) -> tuple[list[str], Condition | None]:
    """Split a rule's `when` into the categories it joins on and the field condition left.

    Categories may only stand as direct members of the top-level `all` (they become join
    patterns in the engine); ValueError otherwise.
    """
    if isinstance(cond, CategoryAtom):
        return [cond.category], None
    if isinstance(cond, All):
        cats = [c.category for c in cond.all if isinstance(c, CategoryAtom)]
        rest = tuple(c for c in cond.all if not isinstance(c, CategoryAtom))
        cond_rest: Condition | None = None
        if len(rest) == 1:
            cond_rest = rest[0]
        elif rest:
            cond_rest = All(all=rest)
    else:
        cats, cond_rest = [], cond
    if cond_rest is not None and any(isinstance(a, CategoryAtom) for a in atoms(cond_rest)):
        raise ValueError(say("cond_category_nested"))
    return cats, cond_rest


# --------------------------------------------------------------------------- binding


@dataclass(frozen=True)
class Bound:
    """An atom's operand resolved for one evaluation date and parameter set."""

    value: Any  # constant (date, number, str, bool, tuple) or None
    other_field: str | None = None
    source: str | None = None  # e.g. "param regularise.min_output_per_mu = 200 (from 2021-06-22)"


class Resolver:
    """Resolves parameter references and as_of offsets for one evaluation date.

    The trace source of a parameter names the value and the date it took effect; it also says
    when the value is provisional (`param_note`). Before the first value's date there is no
    value: the operand is None and the atom unknown (contract §5 Revised, wave 3).
    """

    def __init__(self, as_of: dt.date, param_value, param_note=None):
        self.as_of = as_of
        self._param_value = param_value  # (param_id, as_of) -> (value, effective_from)
        self._param_note = param_note  # (param_id, as_of) -> extra words for the trace, or None
        self._cache: dict[Atom, Bound] = {}

    def bind(self, atom: Atom) -> Bound:
        bound = self._cache.get(atom)
        if bound is None:
            bound = self._cache[atom] = self._bind(atom)
        return bound

    def _bind(self, atom: Atom) -> Bound:
        if atom.param is not None:
            value, since = self._param_value(atom.param, self.as_of)
            if value is None:  # no value in force yet: the condition is undecided (never a later value)
                return Bound(None, source=f"参数 {atom.param} 自 {since} 起才有取值，评估日 {self.as_of} 无施行中的取值，条件未判定")
            notes = [f"{since} 起施行"]
            extra = self._param_note(atom.param, self.as_of) if self._param_note else None
            if extra:
                notes.append(extra)
            return Bound(value, source=f"参数 {atom.param} = {fields.display(None, value)}（{'；'.join(notes)}）")
        if atom.as_of is not None:
            value = offset_date(self.as_of, atom.as_of)
            if value == self.as_of:
                return Bound(value, source=f"评估日 {self.as_of}")
            return Bound(value, source=f"评估日 {self.as_of} {atom.as_of} = {value}（期间按民法典第二百零二条计算）")
        if atom.other_field is not None:
            return Bound(None, other_field=atom.other_field)
        return Bound(atom.value)


# --------------------------------------------------------------------------- evaluation

Tri = Union[bool, None]  # True, False, or None for unknown


_COMPARE = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
    "ge": operator.ge, "in": lambda a, b: a in b, "not_in": lambda a, b: a not in b,
}


def compare(op: str, actual: Any, operand: Any) -> bool:
    if op not in _COMPARE:
        raise ValueError(op)
    return _COMPARE[op](actual, operand)


@dataclass
class Trace:
    """One node of an evaluated condition: what was compared and what came out."""

    cond: Condition
    result: Tri
    actual: Any = None
    operand: Any = None
    source: str | None = None
    children: list[Trace] | None = None


def evaluate(cond: Condition, facts: dict[str, Any], categories: set[str], resolver: Resolver) -> Trace:
    if isinstance(cond, CategoryAtom):
        return Trace(cond, cond.category in categories, actual=sorted(categories))
    if isinstance(cond, Atom):
        actual = facts.get(cond.field)
        if cond.op == "present":
            return Trace(cond, actual is not None, actual)
        if cond.op == "absent":
            return Trace(cond, actual is None, actual)
        bound = resolver.bind(cond)
        operand = facts.get(bound.other_field) if bound.other_field else bound.value
        if actual is None or operand is None:
            return Trace(cond, None, actual, operand, bound.source)
        return Trace(cond, compare(cond.op, actual, operand), actual, operand, bound.source)
    if isinstance(cond, Not):
        inner = evaluate(cond.not_, facts, categories, resolver)
        return Trace(cond, None if inner.result is None else not inner.result, children=[inner])
    parts = [evaluate(c, facts, categories, resolver) for c in (cond.all if isinstance(cond, All) else cond.any)]
    results = [p.result for p in parts]
    if isinstance(cond, All):
        result: Tri = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    return Trace(cond, result, children=parts)


def unknown_fields(trace: Trace) -> list[str]:
    """Fields whose absence leaves `trace` undecided (only where the unknown matters)."""
    if trace.result is not None:
        return []
    cond = trace.cond
    if isinstance(cond, Atom):
        missing = [cond.field] if trace.actual is None else []
        if cond.other_field and trace.operand is None:
            missing.append(cond.other_field)
        return missing
    out: list[str] = []
    for child in trace.children or ():
        for name in unknown_fields(child):
            if name not in out:
                out.append(name)
    return out
