"""What a scenario run shares: the rulebook to decide under, and what the decisions touched.

The normal test run (tests/test_scenarios.py) decides under the rulebook `locate` finds;
`landrules check` registers a `CheckPlugin` that puts its own settings in the pytest config.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest

from landrules.backends.base import Firing
from landrules.backends.durable import DurableBackend
from landrules.decide.as_of import facts_as_of
from landrules.decide.evaluate import Evaluator
from landrules.geo.plan import derive_for_facts, threshold
from landrules.core.decision import Decision
from landrules.rulebook import locate
from landrules.rulebook.load import Rulebook, load_rulebook

Clause = tuple[str, str]  # (document number, clause id)


@dataclass
class Recorder:
    """Every rule that fired and every clause cited, over all decisions of a run."""

    fired: set[str] = field(default_factory=set)
    cited: set[Clause] = field(default_factory=set)

    def record(self, rulebook: Rulebook, decision: Decision, firing: Firing | None) -> None:
        for outcome in decision.outcomes:
            self.cited.update((c.doc, c.clause) for c in outcome.citations)
        if firing is None:
            return
        self.fired.update(firing.definite)
        for rule_id in firing.definite:  # the grounds of the decision's categories
            rule = rulebook.rules_by_id.get(rule_id)
            if rule is not None and rule.category:
                self.cited.update((c.doc, c.clause) for c in rule.cites)


def scenario_facts(rulebook: Rulebook, facts: dict, as_of: dt.date) -> tuple[dict, list[str]]:
    """A scenario's parcel as `decide` sees a ledger row: as it stood on the date, and with
    符合国土空间规划 taken from `planned_industrial_ratio` where empty (contract §8); the notes."""
    facts, notes = facts_as_of(facts, as_of)
    facts, plan_notes = derive_for_facts(facts, threshold(rulebook, as_of))
    return facts, [*notes, *plan_notes]


@dataclass
class Engine:
    """The rulebook of a run with its reference backend, built once per run."""

    rulebook: Rulebook

    @cached_property
    def backend(self) -> DurableBackend:
        return DurableBackend(self.rulebook)

    @cached_property
    def evaluator(self) -> Evaluator:
        return Evaluator(self.rulebook, self.backend)

    def decide(self, parcel_id: str | None, facts: dict, as_of: dt.date) -> tuple[Decision, Firing]:
        facts, notes = scenario_facts(self.rulebook, facts, as_of)
        firing = self.backend.fire([facts], as_of)[0]
        decision = self.evaluator.assemble(parcel_id, facts, firing, as_of)
        decision.notes = notes + decision.notes
        return decision, firing


@dataclass
class Settings:
    """One run's choices: the scenarios folder and the rulebook (None: the one `locate` finds)."""

    scenarios_dir: Path | None = None
    rulebook: Rulebook | None = None
    recorder: Recorder = field(default_factory=Recorder)

    def engine(self) -> Engine:
        if self.rulebook is None:
            self.rulebook = load_rulebook(locate.rules_dir(), locate.policy_dir())
        return Engine(self.rulebook)


SETTINGS = pytest.StashKey[Settings]()

# The settings of the `landrules check` run in progress, for `suite` to read while it is
# imported (pytest imports the test module before any fixture exists). A stack: runs may nest.
ACTIVE: list[Settings] = []


def settings_of(config: pytest.Config) -> Settings:
    """The run's settings; a plain pytest run gets the rulebook `locate` finds."""
    settings = config.stash.get(SETTINGS, None)
    if settings is None:
        settings = config.stash[SETTINGS] = Settings()
    return settings
