"""The analysis lint runs on a structurally sound rulebook (load_rulebook calls it).

The loader already rejects YAML syntax errors, unknown keys, unknown fields, operators and
values that do not fit a field, unknown clauses, documents, parameters, categories and outcome
codes, duplicate rule ids and rules without a citation. What needs the whole rulebook is here:

  * in force: a rule whose own `in_force` reaches days a clause it cites is not in force on
    (a warning: on those days the rule does not apply);
  * overrides: the target exists, both rules conclude disposals, no cycles, and the two can
    apply to one parcel (else the override has no effect);
  * every outcome a rule concludes has a `kind` in outcomes.yaml (needs_information, which a
    triage rule may conclude with `needs: [...]`, is not a disposal and has none);
  * a rule that concludes needs_information can apply while each field it asks for is empty
    (asking for a field the rule requires filled in asks for nothing);
  * rules that can never apply: their conditions (with those of the categories they join)
    cannot hold together;
  * conflicting disposals: two rules that can apply to one parcel and conclude two different
    outcomes of the same kind, unless one overrides the other (directly or through others);
  * gaps: within a category, an enumerated field the disposal rules dispatch on (at least two
    of them test it with eq / in / ne / not_in at the top of their `all`, or every one of them
    does) has values no rule handles and the category does not list under `unhandled`.

Each problem is `FILE:LINE: message` (errors.Problem); see satisfiable.py for what "can hold
together" covers and where it stops. Gaps, overrides without effect and `unhandled` entries a
rule does handle are warnings: they decide nothing wrongly (a gap decides `no_action`), so the
rulebook still loads; `landrules lint` shows them and `lint --strict` fails on them. Everything
else is an error: the rulebook does not load and nothing is decided.
"""

from __future__ import annotations

from typing import Iterator

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.rulebook.conditions import All, Atom
from landrules.rulebook.messages import TYPE_ZH, hint, say
from landrules.rulebook.model import Rule, Rulebook
from landrules.rulebook.problems import Problem, closest
from landrules.rulebook.lint.satisfiable import (
    Checker,
    Lit,
    Term,
    describe,
    normal_form,
    show_value,
)

DISPATCH_OPS = ("eq", "in", "ne", "not_in")


def analyse(rulebook: Rulebook) -> list[Problem]:
    return list(_Analysis(rulebook).run())


class _Analysis:
    def __init__(self, rulebook: Rulebook):
        self.book = rulebook
        self.catalogue = rulebook.catalogue
        self.by_id = rulebook.rules_by_id
        self.disposals = [r for r in rulebook.rules if r.outcome]
        deriving: dict[str, list] = {}
        for rule in rulebook.rules:
            if rule.category:
                deriving.setdefault(rule.category, []).append(rule.when)
        self.checker = Checker(lambda pid: rulebook.parameters[pid].values[-1].value)
        self.forms = {r.id: normal_form(r.when, lambda c: deriving.get(c, ())) for r in rulebook.rules}

    def run(self) -> Iterator[Problem]:
        yield from self.windows()
        yield from self.overrides()
        yield from self.kinds()
        yield from self.asked()
        yield from self.never()
        yield from self.conflicts()
        yield from self.gaps()

    # ------------------------------------------------------------------ in force

    def windows(self) -> Iterator[Problem]:
        """A rule whose own `in_force` reaches days its cited clause is not in force on: on those
        days it does not apply (Rule.window), which is rarely what its author meant."""
        for rule in self.book.rules:
            if rule.in_force is None:
                continue
            for clause in rule.cites:
                if not rule.in_force.within(clause.in_force):
                    line = rule.key_lines.get("in_force", rule.line)
                    yield Problem(rule.path, line, say(
                        "rule_outlives_clause", id=rule.id, rule=rule.in_force.text(), doc=clause.doc,
                        clause=clause.clause, clause_in_force=clause.in_force.text()), warning=True)

    # ------------------------------------------------------------------ helpers

    def both(self, a: Rule, b: Rule) -> Term | None:
        """A conjunction under which both rules apply, or None (never, or not analysed)."""
        fa, fb = self.forms[a.id], self.forms[b.id]
        if fa is None or fb is None:
            return None
        return next((ta + tb for ta in fa for tb in fb if self.checker.satisfiable(ta + tb)), None)

    def analysed_disjoint(self, a: Rule, b: Rule) -> bool:
        return self.forms[a.id] is not None and self.forms[b.id] is not None and self.both(a, b) is None

    def outcome_label(self, code: str) -> str:
        return f"{code}（{self.book.outcomes.get(code, code)}）"

    # ------------------------------------------------------------------ checks

    def overrides(self) -> Iterator[Problem]:
        for rule in self.book.rules:
            line = rule.key_lines.get("overrides", rule.line)
            for target_id in rule.overrides:
                target = self.by_id.get(target_id)
                if target_id == rule.id:
                    yield Problem(rule.path, line, say("override_self", id=rule.id))
                elif target is None:
                    yield Problem(rule.path, line, say(
                        "override_unknown", id=rule.id, target=target_id, **hint(closest(target_id, self.by_id))))
                elif rule.category or target.category:
                    which = rule.id if rule.category else target_id
                    yield Problem(rule.path, line, say("override_category", id=rule.id, target=target_id, which=which))
                elif self.analysed_disjoint(rule, target):
                    yield Problem(rule.path, line, say(
                        "override_no_effect", id=rule.id, target=target_id, source=target.source), warning=True)
        yield from self._cycles()

    def _cycles(self) -> Iterator[Problem]:
        graph = {r.id: [t for t in r.overrides if t in self.by_id and t != r.id] for r in self.book.rules}
        reported: set[frozenset] = set()
        for start in graph:
            stack = [(start, [start])]
            while stack:
                node, path = stack.pop()
                for nxt in graph[node]:
                    if nxt == start:
                        cycle = frozenset(path)
                        if cycle not in reported:
                            reported.add(cycle)
                            rule = self.by_id[start]
                            yield Problem(rule.path, rule.key_lines.get("overrides", rule.line),
                                          say("override_circle", chain=" → ".join(path + [start])))
                    elif nxt not in path:
                        stack.append((nxt, path + [nxt]))

    def kinds(self) -> Iterator[Problem]:
        if self.catalogue is None:
            return
        seen = set()
        for rule in self.disposals:
            if rule.asks_for_information or rule.outcome in seen or self.catalogue.kind(rule.outcome) is not None:
                continue
            seen.add(rule.outcome)
            path, line = self.catalogue.where("outcomes", rule.outcome)
            kinds = ", ".join(f"{k}（{v}）" for k, v in self.catalogue.kinds.items()) or say("no_kinds_yet")
            yield Problem(path, line, say("no_kind", outcome=rule.outcome, id=rule.id, kinds=kinds))

    def asked(self) -> Iterator[Problem]:
        for rule in self.disposals:
            form = self.forms[rule.id]
            if not rule.needs or form is None or not any(self.checker.satisfiable(t) for t in form):
                continue  # a rule that can never apply is reported by never()
            for name in rule.needs:
                empty = Atom(field=name, op="absent")
                if any(self.checker.satisfiable(t + (Lit(empty, empty),)) for t in form):
                    continue
                label = fields.BY_NAME[name].label()
                yield Problem(rule.path, rule.key_lines.get("then", rule.line), say("asks_required", id=rule.id, label=label))

    def never(self) -> Iterator[Problem]:
        for rule in self.book.rules:
            form = self.forms[rule.id]
            if form is None or any(self.checker.satisfiable(t) for t in form):
                continue
            conflict = self.checker.conflict(form[0]) if form else None
            if conflict is None:
                yield Problem(rule.path, rule.line, say("never_no_category", id=rule.id))
                continue
            own = [lit for lit in conflict.lits if lit.category is None and lit.origin in rule.atom_lines]
            line = rule.atom_lines[own[-1].origin] if own else rule.line
            parts = []
            for lit in conflict.lits:
                text = describe(lit.atom)
                parts.append(text + (say("from_category", category=lit.category) if lit.category else ""))
            label = fields.BY_NAME[conflict.field].label()
            via = any(lit.category for lit in conflict.lits)
            more = say("never_more") if via and len(form) > 1 else ""
            yield Problem(rule.path, line, say(
                "never_conflict", id=rule.id, label=label, parts=say("parts_sep").join(dict.fromkeys(parts)), more=more))

    def conflicts(self) -> Iterator[Problem]:
        if self.catalogue is None:
            return
        related = self._override_closure()
        for i, a in enumerate(self.disposals):
            for b in self.disposals[i + 1:]:
                kind = self.catalogue.kind(a.outcome)
                if kind is None or a.outcome == b.outcome or kind != self.catalogue.kind(b.outcome):
                    continue
                if (a.id, b.id) in related or (b.id, a.id) in related:
                    continue
                term = self.both(a, b)
                if term is None:
                    continue
                pinned = self.checker.narrowed(tuple(lit for lit in term if lit.category is None))
                example = say("conflict_example", pinned=", ".join(pinned)) if pinned else ""
                yield Problem(b.path, b.line, say(
                    "conflict", a=a.id, source=a.source, b=b.id, example=example, kind=kind,
                    kind_label=self.catalogue.kinds.get(kind, kind),
                    outcome_a=self.outcome_label(a.outcome), outcome_b=self.outcome_label(b.outcome)))

    def _override_closure(self) -> set[tuple[str, str]]:
        pairs = {(r.id, t) for r in self.book.rules for t in r.overrides}
        while True:
            more = {(a, d) for a, b in pairs for c, d in pairs if b == c} - pairs
            if not more:
                return pairs
            pairs |= more

    def gaps(self) -> Iterator[Problem]:
        if self.catalogue is None:
            return
        for category in self.book.categories:
            rules = [r for r in self.disposals if category in r.joins]
            acknowledged = self._acknowledged(category)
            handled_by: dict[str, dict[str, list[str]]] = {}
            for name, spec in fields.BY_NAME.items():
                if spec.type is not FieldType.ENUM:
                    continue
                dispatching = [(r, a) for r in rules for a in _top_atoms(r) if a.field == name and a.op in DISPATCH_OPS and a.value is not None]
                testing = list(dict.fromkeys(r.id for r, _ in dispatching))
                handled: dict[str, list[str]] = {}
                for r, atom in dispatching:
                    values = set(atom.value) if isinstance(atom.value, tuple) else {atom.value}
                    if atom.op in ("ne", "not_in"):
                        values = set(spec.vocabulary) - values
                    for v in values:
                        handled.setdefault(v, []).append(r.id)
                handled_by[name] = handled
                if not testing or (len(testing) < 2 and len(testing) < len(rules)):
                    continue
                missing = [v for v in spec.vocabulary if v not in handled and v not in acknowledged.get(name, {})]
                if missing:
                    first = dispatching[0]
                    where = first[0].atom_lines.get(first[1], first[0].line)
                    yield Problem(first[0].path, where, say(
                        "gap", category=category, label=self.book.categories[category], field=spec.label(),
                        values=", ".join(show_value(spec, v) for v in missing), rules=", ".join(testing), name=name,
                    ), warning=True)
            yield from self._stale(category, acknowledged, handled_by)

    def _acknowledged(self, category: str) -> dict[str, dict[str, int]]:
        """field -> {code: line} of the values the category lists as unhandled on purpose."""
        out: dict[str, dict[str, int]] = {}
        for name, values in self.catalogue.unhandled(category).items():
            spec = fields.BY_NAME.get(name)
            if spec is None or spec.type is not FieldType.ENUM:
                continue
            by_label = {label: code for code, label in spec.vocabulary.items()}
            for index, value in enumerate(values):
                code = value if value in spec.vocabulary else by_label.get(value, value)
                out.setdefault(name, {})[code] = self.catalogue.where("categories", category, "unhandled", name, index)[1]
        return out

    def _stale(self, category: str, acknowledged, handled_by) -> Iterator[Problem]:
        path = self.catalogue.where()[0]
        for name in self.catalogue.unhandled(category):
            spec = fields.BY_NAME.get(name)
            if spec is None or spec.type is not FieldType.ENUM:
                line = self.catalogue.where("categories", category, "unhandled", name)[1]
                near = hint(closest(name, fields.BY_NAME))
                if spec is None:
                    yield Problem(path, line, say("unhandled_not_field", category=category, name=name, **near))
                else:  # the closest field is itself: no hint in Chinese
                    yield Problem(path, line, say("unhandled_not_enum", category=category, name=name, type=spec.type.value,
                                                  type_zh=TYPE_ZH.get(spec.type.value), **{**near, "hint_zh": ""}))
                continue
            for code, line in acknowledged.get(name, {}).items():
                if code not in spec.vocabulary:
                    choices = ", ".join(f"{c}（{z}）" for c, z in spec.vocabulary.items())
                    yield Problem(path, line, say("unhandled_not_value", category=category, code=code,
                                                  field=spec.label(), choices=choices))
                elif code in handled_by.get(name, {}):
                    yield Problem(path, line, say(
                        "unhandled_handled", category=category, field=spec.label(), value=show_value(spec, code),
                        rule=handled_by[name][code][0]), warning=True)


def _top_atoms(rule: Rule) -> list[Atom]:
    cond = rule.condition
    if isinstance(cond, Atom):
        return [cond]
    if isinstance(cond, All):
        return [c for c in cond.all if isinstance(c, Atom)]
    return []
