"""`check --mutations`: which rules the scenarios pin, by replaying them against mutants.

`landrules check` runs the scenarios under pytest once and keeps, for each scenario that
passed, the steps it ran (step function and arguments). Each mutant (see `mutants`) is then
checked in-process, without pytest:

1. every parcel the scenarios decided — gathered once, by replaying the scenarios against the
   original rulebook — is decided under the mutant with the vectorised backend, one batch per
   evaluation date (the mutant is compiled once);
2. only the scenarios whose decisions (or fired rules) differ from the original's can fail:
   those are replayed, step by step, against the mutant's decisions, until one fails.

A mutant is *killed* when a scenario fails; a rule is *pinned* when all its mutants are killed.
A scenario that passed under pytest but fails on replay against the original rulebook (it
would be a backend disagreement) is left out and reported.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from landrules.backends.base import Firing
from landrules.backends.vectorized import VectorizedBackend
from landrules.bdd.context import Recorder, scenario_facts
from landrules.bdd.mutants import Mutant, all_mutants
from landrules.bdd.plugin import ScenarioRecord
from landrules.bdd.state import ScenarioState
from landrules.bdd.steps import decide as decide_step
from landrules.decide.evaluate import Evaluator
from landrules.core.decision import Decision
from landrules.core.values import columns_from_facts
from landrules.rulebook.model import Rulebook

CallKey = tuple  # (parcel id, as_of, sorted facts)
Steps = list[tuple[Callable, dict[str, Any]]]


def _key(parcel_id: str | None, facts: dict, as_of: dt.date) -> CallKey:
    return parcel_id, as_of, tuple(sorted(facts.items()))


class BatchEngine:
    """The `landrules_engine` a replayed scenario sees: decisions under one rulebook, from a
    table filled in batches (`precompute`), or computed on the spot for a parcel not in it.

    Given the original rulebook's engine as `base`, a row whose fired rules and missing facts
    are the original's takes the original's decision: a mutant changes one rule's condition
    (or removes a rule that then did not fire), and assembling a decision reads no condition."""

    def __init__(self, rulebook: Rulebook, base: "BatchEngine | None" = None):
        self.rulebook = rulebook
        self.base = base
        self.backend = VectorizedBackend(rulebook)
        self.evaluator = Evaluator(rulebook, self.backend)
        self.table: dict[CallKey, tuple[Decision, Firing]] = {}
        self.raw: dict[CallKey, tuple[Firing, tuple]] = {}
        self.calls: list[tuple[CallKey, str | None, dict, dt.date]] = []
        self.notes: dict[CallKey, list[str]] = {}

    def decide(self, parcel_id: str | None, facts: dict, as_of: dt.date) -> tuple[Decision, Firing]:
        facts, notes = scenario_facts(self.rulebook, facts, as_of)  # as `Engine.decide`
        key = _key(parcel_id, facts, as_of)
        self.calls.append((key, parcel_id, facts, as_of))
        self.notes[key] = notes
        if key not in self.table:
            self.precompute(batches([(key, parcel_id, facts, as_of)]))
        return self.table[key]

    def precompute(self, batches: list[tuple[dt.date, list, dict]]) -> None:
        """Decide every call of `batches` (see `batches`), one vectorised pass per date."""
        ids = [r.id for r in self.rulebook.rules]
        base = self.base
        for as_of, group, columns in batches:
            masks = self.backend.evaluate(columns, len(group), as_of)
            for i, (key, parcel_id, facts, _) in enumerate(group):
                firing = Firing(
                    definite=frozenset(r for r in ids if masks.definite[r][i]),
                    maybe=frozenset(r for r in ids if masks.maybe[r][i]),
                )
                needs = self.backend.needs_for_row(masks, i)
                raw = self.raw[key] = (firing, tuple((r, tuple(v)) for r, v in needs.items()))
                if base is not None and base.raw.get(key) == raw:
                    self.table[key] = base.table[key]
                    continue
                decision = self.evaluator.assemble(parcel_id, facts, firing, as_of, needs_by_rule=needs)
                decision.notes = (self.notes.get(key) or (base.notes.get(key, []) if base is not None else [])) + decision.notes
                self.table[key] = (decision, firing)


def batches(calls: Iterable[tuple[CallKey, str | None, dict, dt.date]]) -> list[tuple[dt.date, list, dict]]:
    """The calls grouped by evaluation date, each group with its fact columns (built once)."""
    by_date: dict[dt.date, list] = defaultdict(list)
    for call in calls:
        by_date[call[3]].append(call)
    return [(as_of, group, columns_from_facts([c[2] for c in group])) for as_of, group in by_date.items()]


@dataclass(frozen=True)
class _Fixed:
    """A "when" step that decided without the engine (an invalid record): its decision."""

    decided: tuple[Decision, Firing | None]


def replay(steps: Steps, engine: BatchEngine, decided: list | None = None, log: list | None = None) -> BaseException | None:
    """Run a scenario's steps again against `engine`; the exception that failed it, or None.

    `log` collects what each "when" step decided: the key of the parcel in `engine.table`, or
    the decision itself when the record was invalid. Given such a list as `decided`, the "when"
    steps take their decisions from it instead of validating the parcel again (its facts do
    not depend on the rulebook)."""
    state = ScenarioState(rulebook=engine.rulebook)
    swap = {"scenario_state": state, "landrules_engine": engine, "landrules_recorder": Recorder()}
    pending = iter(decided) if decided is not None else None
    for func, args in steps:
        try:
            if func is decide_step and pending is not None:
                item = next(pending)
                state.decision, state.firing = item.decided if isinstance(item, _Fixed) else engine.table[item]
                continue
            before = len(engine.calls)
            func(**{k: swap.get(k, v) for k, v in args.items()})
            if func is decide_step and log is not None:
                made = len(engine.calls) > before
                log.append(engine.calls[-1][0] if made else _Fixed((state.decision, state.firing)))
        except Exception as exc:  # noqa: BLE001 - any failure fails the scenario, as under pytest
            return exc
    return None


@dataclass
class MutantResult:
    mutant: Mutant
    killed_by: ScenarioRecord | None  # the first scenario that failed, None when it survived


@dataclass
class PinningResult:
    rules: list[str]
    results: list[MutantResult] = field(default_factory=list)
    not_replayable: list[ScenarioRecord] = field(default_factory=list)
    scenarios: int = 0
    seconds: float = 0.0

    @property
    def survivors(self) -> dict[str, list[Mutant]]:
        """rule id -> its mutants that no scenario noticed, for the rules that have any."""
        out: dict[str, list[Mutant]] = {}
        for r in self.results:
            if r.killed_by is None:
                out.setdefault(r.mutant.rule_id, []).append(r.mutant)
        return out

    @property
    def pinned(self) -> list[str]:
        survivors = self.survivors
        return [r for r in self.rules if r not in survivors]

    @property
    def killed(self) -> int:
        return sum(r.killed_by is not None for r in self.results)


@dataclass(eq=False)
class _Scenario:
    record: ScenarioRecord
    steps: Steps
    decided: list  # per "when" step: a CallKey, or _Fixed

    @property
    def keys(self) -> list[CallKey]:
        return [d for d in self.decided if not isinstance(d, _Fixed)]


def pin(rulebook: Rulebook, records: Iterable[ScenarioRecord], mutants: Iterable[Mutant] | None = None) -> PinningResult:
    """Check every mutant of `rulebook` (or those given) against the scenarios `records` ran."""
    started = time.perf_counter()
    result = PinningResult(rules=[r.id for r in rulebook.rules])
    base = BatchEngine(rulebook)
    scenarios: list[_Scenario] = []
    for record in records:
        log: list = []
        if replay(record.steps, base, log=log) is not None:
            result.not_replayable.append(record)
            continue
        scenarios.append(_Scenario(record, record.steps, log))
    result.scenarios = len(scenarios)
    prepared = batches({c[0]: c for c in base.calls}.values())
    killers: dict[str, list[_Scenario]] = defaultdict(list)  # rule id -> scenarios that killed its mutants
    for mutant in (all_mutants(rulebook) if mutants is None else mutants):
        engine = BatchEngine(mutant.rulebook(rulebook), base)
        engine.precompute(prepared)
        changed = [s for s in scenarios if any(_differs(base.table[k], engine.table[k]) for k in s.keys)]
        tried = killers[mutant.rule_id]
        ordered = [s for s in tried if s in changed] + [s for s in changed if s not in tried]
        killer = next((s for s in ordered if replay(s.steps, engine, s.decided) is not None), None)
        if killer is not None and killer not in tried:
            tried.append(killer)
        result.results.append(MutantResult(mutant, None if killer is None else killer.record))
    result.seconds = time.perf_counter() - started
    return result


def _differs(a: tuple[Decision, Firing], b: tuple[Decision, Firing]) -> bool:
    return a is not b and (a[0] != b[0] or a[1].definite != b[1].definite)
