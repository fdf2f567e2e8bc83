"""From the rules a backend fired to a citable decision (contract §4).

The backend decides *which* rules fire (definitely, or possibly for want of data); this module
only assembles: categories, outcomes with citations, deadlines, `overdue`, responsible units,
and `needs_information` for rules left undecided. The fields named in `needs` come from the
three-valued evaluation of the same IR, so they are exactly the unknowns that mattered.

A rule may also conclude `needs_information` itself (`then: {outcome: needs_information,
needs: [...]}`): a triage rule that fires when a record lacks what the other rules need to tell
its situation at all (both 批准日期 and 供地日期 empty, say). Its outcome names the rule's
declared `needs`, which join the decision's `needs`; it is decided from the firing alone.

Overrides (exceptions) are applied here, after the backend, so every backend shares them: a
rule that fires definitely drops the outcome, and the needs_information, of every rule it
overrides; while an exception is undecided for want of data, the rule it overrides is not
concluded either but undecided, asking for what the exception lacks (missing is not false).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from landrules.backends.base import Backend, Firing
from landrules.core import fields
from landrules.core.decision import Citation, Decision, Outcome
from landrules.decide.as_of import facts_as_of
from landrules.rulebook.conditions import evaluate, unknown_fields
from landrules.rulebook.model import Rule, Rulebook

BUILTIN_RULE = {"no_action": "no_action", "invalid_record": "validation"}
FEE = "idle_fee"
FEE_RATE = "idle_fee.rate"  # rules/parameters.yaml: 第十四条（一）'s 20 %
FEE_WAITS = "征缴土地闲置费的金额待补充土地价款（出让价款或划拨价款）后按其20%计算"


def fee_amount(land_price: float, rate: float) -> float:
    """The idle fee in 万元: `rate` of the land price, rounded half up to two decimals (分 of 万元
    are 百元; the decimal is exact, not the float's binary neighbour)."""
    from decimal import ROUND_HALF_UP, Decimal

    return float((Decimal(repr(land_price)) * Decimal(repr(rate))).quantize(Decimal("0.01"), ROUND_HALF_UP))


_FIELD_ORDER = {f.name: i for i, f in enumerate(fields.FIELDS)}


@dataclass(frozen=True)
class Effective:
    """A firing after overrides: what is concluded, what is undecided, and why."""

    definite: frozenset[str]
    maybe: frozenset[str]  # a superset of definite, as in Firing
    overridden: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # rule -> exceptions that fired
    pending: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # rule -> exceptions undecided


def apply_overrides(
    rulebook: Rulebook, firing: Firing, missing_of: Callable[[str], Sequence[str]] | None = None,
) -> Effective:
    """Overrides applied to a backend's firing. `missing_of(rule id)` names the fields an
    undecided rule lacks; an exception that lacks none (the engine's relaxed twin fired on an
    unknown that does not matter) does not hold the rule it overrides in suspense."""
    if not rulebook.overridden_by:
        return Effective(firing.definite, firing.maybe)
    definite, maybe = set(firing.definite), set(firing.maybe)
    overridden: dict[str, tuple[str, ...]] = {}
    pending: dict[str, tuple[str, ...]] = {}
    for target, exceptions in rulebook.overridden_by.items():
        if target not in firing.maybe:
            continue
        fired = tuple(e for e in exceptions if e in firing.definite)
        if fired:
            overridden[target] = fired
            definite.discard(target)
            maybe.discard(target)
            continue
        undecided = tuple(e for e in exceptions if e in firing.maybe and (missing_of is None or missing_of(e)))
        if undecided and target in firing.definite:
            pending[target] = undecided
            definite.discard(target)
    return Effective(frozenset(definite), frozenset(maybe), overridden, pending)


def derived_categories(rulebook: Rulebook, firing: Firing) -> list[str]:
    """The categories a firing derived, in the catalogue's order."""
    order = list(rulebook.categories)
    return sorted({r.category for r in rulebook.rules if r.category and r.id in firing.definite}, key=order.index)


def missing_facts(rulebook: Rulebook, facts: dict[str, Any], firing: Firing, as_of: dt.date) -> dict[str, list[str]]:
    """For each rule the backend left undecided, the missing fields that kept it so (the
    three-valued evaluation of the IR), in rule order."""
    undecided = firing.maybe - firing.definite
    if not undecided:
        return {}
    categories = set(derived_categories(rulebook, firing))
    resolver = rulebook.resolver(as_of)
    return {
        r.id: unknown_fields(evaluate(r.when, facts, categories, resolver))
        for r in rulebook.rules if r.id in undecided
    }


class Evaluator:
    """Decides parcels under one rulebook with one backend."""

    def __init__(self, rulebook: Rulebook, backend: Backend):
        self.rulebook = rulebook
        self.backend = backend
        self._date_notes: dict[dt.date, tuple[str, ...]] = {}
        self._outcomes: dict[tuple[str, dt.date], Outcome] = {}  # a rule's outcome on a date: decisions share it (never changed)
        self._citations = {r.id: [Citation(doc=c.doc, clause=c.clause, text=c.text) for c in r.cites] for r in rulebook.rules}

    def decide(self, parcel_id: str | None, facts: dict[str, Any], as_of: dt.date) -> Decision:
        return self.decide_many([(parcel_id, facts)], as_of)[0]

    def decide_many(self, parcels: Iterable[tuple[str | None, dict[str, Any]]], as_of: dt.date) -> list[Decision]:
        """Each parcel as it stood on `as_of` (later events set aside, and noted), decided."""
        viewed = [(pid, *facts_as_of(facts, as_of)) for pid, facts in parcels]
        firings = self.backend.fire((facts for _, facts, _ in viewed), as_of)
        decisions = []
        for (pid, facts, notes), firing in zip(viewed, firings):
            decision = self.assemble(pid, facts, firing, as_of)
            decision.notes = notes + decision.notes
            decisions.append(decision)
        return decisions

    def invalid(self, parcel_id: str | None, errors: list[str], as_of: dt.date) -> Decision:
        return Decision(
            parcel_id=parcel_id, as_of=as_of, rulebook=self.rulebook.hash, categories=[],
            outcomes=[self._builtin("invalid_record")], needs=[], errors=errors,
        )

    def missing_facts(self, facts: dict[str, Any], firing: Firing, as_of: dt.date) -> dict[str, list[str]]:
        return missing_facts(self.rulebook, facts, firing, as_of)

    def _builtin(self, code: str, **extra) -> Outcome:
        return Outcome(code=code, label=self.rulebook.outcomes[code], rule=BUILTIN_RULE.get(code), **extra)

    def assemble(
        self, parcel_id: str | None, facts: dict[str, Any] | None, firing: Firing, as_of: dt.date,
        needs_by_rule: Mapping[str, Sequence[str]] | None = None, land_price: float | None = None,
        *, price: bool = True,
    ) -> Decision:
        """The decision for one firing. `needs_by_rule` (rule id → missing fields), when given,
        replaces the IR evaluation of `facts` for undecided rules (a vectorised backend computes
        it column-wise). `land_price` (万元) gives idle_fee its amount. The decision's notes are
        the rulebook's for the date (documents not in force, parameters without a value) and the
        fee's amount waiting for the price; the caller puts the parcel's own before them.
        `price=False`: idle_fee without its amount or note (`priced` adds them later)."""
        rules = self.rulebook.rules
        if land_price is None and facts is not None:
            land_price = facts.get("land_price")
        # overrides are between disposal rules: the categories are the backend's
        categories = derived_categories(self.rulebook, firing)
        if needs_by_rule is None:
            needs_by_rule = self.missing_facts(facts, firing, as_of)

        def missing_of(rule_id: str) -> list[str]:
            return list(needs_by_rule.get(rule_id, ()))

        effective = apply_overrides(self.rulebook, firing, missing_of)
        fired = [r for r in rules if r.id in effective.definite]
        produced = {r.produces for r in fired}
        outcomes = [self._outcome(r, as_of) for r in fired if r.outcome]

        # a rule that concludes needs_information (triage) names its fields itself: the firing
        # alone decides it, with no facts, so every backend and the batch patterns agree
        needs: list[str] = list(dict.fromkeys(m for r in fired for m in r.needs))
        undecided = [
            r for r in rules
            if r.id in effective.maybe and r.id not in effective.definite and r.produces not in produced
        ]
        for rule in undecided:
            if rule.id in effective.pending:  # concluded, but an exception to it is undecided
                missing = list(dict.fromkeys(m for e in effective.pending[rule.id] for m in missing_of(e)))
            else:
                missing = missing_of(rule.id)
            if not missing:
                continue  # the engine and the IR disagree only on irrelevant unknowns
            outcomes.append(self._builtin(
                "needs_information", citations=self._citations[rule.id], needs=missing,
            ).model_copy(update={"rule": rule.id}))
            needs += [m for m in missing if m not in needs]
        if not outcomes:
            outcomes.append(self._builtin("no_action"))
        needs.sort(key=_FIELD_ORDER.get)
        decision = Decision(
            parcel_id=parcel_id, as_of=as_of, rulebook=self.rulebook.hash,
            categories=categories, outcomes=outcomes, needs=needs, errors=[], notes=list(self._notes_on(as_of)),
        )
        return self.priced(decision, land_price, as_of) if price else decision

    def priced(self, decision: Decision, land_price: float | None, as_of: dt.date) -> Decision:
        """A decision assembled with `price=False`, with idle_fee's amount for `land_price` (or
        the note that it waits for the price): rows alike but for their price share the rest."""
        return self.with_fee(decision, self.fee(land_price, as_of), as_of)

    def fee(self, land_price: float | None, as_of: dt.date) -> float | None:
        """idle_fee's amount for `land_price` (第十四条（一）: 20 % of the 出让或划拨价款); None
        while the price or the rate is unknown."""
        rate = self.rulebook.param_value(FEE_RATE, as_of)[0] if FEE_RATE in self.rulebook.parameters else None
        return None if land_price is None or rate is None else fee_amount(land_price, rate)

    def with_fee(self, decision: Decision, amount: float | None, as_of: dt.date) -> Decision:
        """`priced` for a known `fee` amount (None: the note that the amount waits for the
        price): rows whose prices give one amount share one decision."""
        if not any(o.code == FEE for o in decision.outcomes):
            return decision
        if amount is None:
            return decision.model_copy(update={"notes": [*decision.notes, FEE_WAITS]})
        outcomes = [o.model_copy(update={"amount": amount}) if o.code == FEE else o for o in decision.outcomes]
        return decision.model_copy(update={"outcomes": outcomes})

    def _notes_on(self, as_of: dt.date) -> tuple[str, ...]:
        notes = self._date_notes.get(as_of)
        if notes is None:
            notes = self._date_notes[as_of] = tuple(self.rulebook.notes_on(as_of))
        return notes

    def _outcome(self, rule: Rule, as_of: dt.date) -> Outcome:
        outcome = self._outcomes.get((rule.id, as_of))
        if outcome is None:
            if len(self._outcomes) > 100_000:  # dates by the thousand (a long-running server): start again
                self._outcomes.clear()
            outcome = self._outcomes[rule.id, as_of] = self._new_outcome(rule, as_of)
        return outcome

    def _new_outcome(self, rule: Rule, as_of: dt.date) -> Outcome:
        return Outcome(
            code=rule.outcome,
            label=self.rulebook.outcomes[rule.outcome],
            rule=rule.id,
            citations=self._citations[rule.id],
            deadline=rule.deadline,
            overdue=None if rule.deadline is None else as_of > rule.deadline,
            responsible=list(rule.responsible),
            needs=list(rule.needs) if rule.asks_for_information else None,
        )
