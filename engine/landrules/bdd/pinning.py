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
from landrules.bdd.context import Recorder
from landrules.bdd.mutants import Mutant, all_mutants
from landrules.bdd.plugin import ScenarioRecord
from landrules.bdd.state import ScenarioState
from landrules.decide.evaluate import Evaluator
from landrules.decision import Decision
from landrules.encoding import columns_from_facts
from landrules.rulebook.model import Rulebook

CallKey = tuple  # (parcel id, as_of, sorted facts)
Steps = list[tuple[Callable, dict[str, Any]]]


def _key(parcel_id: str | None, facts: dict, as_of: dt.date) -> CallKey:
    return parcel_id, as_of, tuple(sorted(facts.items()))


class BatchEngine:
    """The `landrules_engine` a replayed scenario sees: decisions under one rulebook, from a
    table filled in batches (`precompute`), or computed on the spot for a parcel not in it."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.backend = VectorizedBackend(rulebook)
        self.evaluator = Evaluator(rulebook, self.backend)
        self.table: dict[CallKey, tuple[Decision, Firing]] = {}
        self.calls: list[tuple[CallKey, str | None, dict, dt.date]] = []

    def decide(self, parcel_id: str | None, facts: dict, as_of: dt.date) -> tuple[Decision, Firing]:
        key = _key(parcel_id, facts, as_of)
        self.calls.append((key, parcel_id, facts, as_of))
        if key not in self.table:
            self.precompute([(key, parcel_id, facts, as_of)])
        return self.table[key]

    def precompute(self, calls: Iterable[tuple[CallKey, str | None, dict, dt.date]]) -> None:
        by_date: dict[dt.date, list] = defaultdict(list)
        for call in calls:
            by_date[call[3]].append(call)
        ids = [r.id for r in self.rulebook.rules]
        for as_of, group in by_date.items():
            masks = self.backend.evaluate(columns_from_facts([c[2] for c in group]), len(group), as_of)
            for i, (key, parcel_id, facts, _) in enumerate(group):
                firing = Firing(
                    definite=frozenset(r for r in ids if masks.definite[r][i]),
                    maybe=frozenset(r for r in ids if masks.maybe[r][i]),
                )
                needs = self.backend.needs_for_row(masks, i)
                decision = self.evaluator.assemble(parcel_id, facts, firing, as_of, needs_by_rule=needs)
                self.table[key] = (decision, firing)


def replay(steps: Steps, engine: BatchEngine) -> BaseException | None:
    """Run a scenario's steps again against `engine`; the exception that failed it, or None."""
    state = ScenarioState(rulebook=engine.rulebook)
    swap = {"scenario_state": state, "landrules_engine": engine, "landrules_recorder": Recorder()}
    for func, args in steps:
        try:
            func(**{k: swap.get(k, v) for k, v in args.items()})
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


@dataclass
class _Scenario:
    record: ScenarioRecord
    steps: Steps
    keys: list[CallKey]


def pin(rulebook: Rulebook, records: Iterable[ScenarioRecord], mutants: Iterable[Mutant] | None = None) -> PinningResult:
    """Check every mutant of `rulebook` (or those given) against the scenarios `records` ran."""
    started = time.perf_counter()
    result = PinningResult(rules=[r.id for r in rulebook.rules])
    base = BatchEngine(rulebook)
    scenarios: list[_Scenario] = []
    for record in records:
        start = len(base.calls)
        if replay(record.steps, base) is not None:
            result.not_replayable.append(record)
            continue
        scenarios.append(_Scenario(record, record.steps, [c[0] for c in base.calls[start:]]))
    result.scenarios = len(scenarios)
    calls = list({c[0]: c for c in base.calls}.values())
    killers: dict[str, list[_Scenario]] = defaultdict(list)  # rule id -> scenarios that killed its mutants
    for mutant in (all_mutants(rulebook) if mutants is None else mutants):
        engine = BatchEngine(mutant.rulebook(rulebook))
        engine.precompute(calls)
        changed = [s for s in scenarios if any(_differs(base.table[k], engine.table[k]) for k in s.keys)]
        tried = killers[mutant.rule_id]
        ordered = [s for s in tried if s in changed] + [s for s in changed if s not in tried]
        killer = next((s for s in ordered if replay(s.steps, engine) is not None), None)
        if killer is not None and killer not in tried:
            tried.append(killer)
        result.results.append(MutantResult(mutant, None if killer is None else killer.record))
    result.seconds = time.perf_counter() - started
    return result


def _differs(a: tuple[Decision, Firing], b: tuple[Decision, Firing]) -> bool:
    return a[0] != b[0] or a[1].definite != b[1].definite
