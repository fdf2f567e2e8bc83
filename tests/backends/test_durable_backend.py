"""The durable-rules backend: chaining in the engine, agreement with the IR, flat memory."""

import datetime as dt
import os

import durable_rules_engine
import pytest
from hypothesis import HealthCheck, given, settings

from landrules.backends.durable import MAYBE, DurableBackend
from landrules.rulebook.conditions import evaluate
from strategies import PARCELS

AS_OF = dt.date(2021, 10, 1)


def test_categories_chain_into_disposals_inside_the_engine(rulebook):
    backend = DurableBackend(rulebook)
    facts = {"supplied_on": dt.date(2018, 1, 1), "agreed_start_on": dt.date(2019, 1, 1), "idle_cause": "enterprise"}
    firing = backend.fire([facts], AS_OF)[0]
    # contract §5 Revised (an idle finding comes first): idle by the dates alone chains into the
    # investigation, not yet into the fee
    assert {"category.idle.not_started", "category.idle_suspected.not_started", "idle.enterprise.urge",
            "idle.suspected.investigate"} <= firing.definite
    assert "idle.enterprise.fee" in firing.maybe - firing.definite
    # the disposal rule's engine definition joins on a category fact, not on parcel fields alone
    definition = backend.compiled(AS_OF).definition["idle.enterprise.urge"]
    assert definition["all"][0] == {"c0": {"$and": [{"t": "category"}, {"code": "idle"}]}}
    # without the category the disposal cannot fire, whatever the cause says
    not_idle = backend.fire([dict(facts, construction_started_on=dt.date(2019, 2, 1))], AS_OF)[0]
    assert "idle.enterprise.urge" not in not_idle.maybe


def test_relaxed_twins_exist_only_for_rules_that_ask(rulebook):
    compiled = DurableBackend(rulebook).compiled(AS_OF)
    assert "unsupplied.regularise" + MAYBE in compiled.definition
    assert "category.standard_land" + MAYBE not in compiled.definition  # ask_when_unknown: false
    assert "triage.status_unknown" + MAYBE not in compiled.definition  # present/absent only; concludes needs_information
    assert "triage.supply_date_missing" + MAYBE not in compiled.definition  # a rule that asks never asks in turn


@pytest.mark.slow  # a property test, 400 examples
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=PARCELS)
def test_engine_agrees_with_three_valued_ir_on_every_rule(rulebook, evaluator, facts):
    firing = evaluator.backend.fire([facts], AS_OF)[0]
    categories = {r.category for r in rulebook.rules if r.category and r.id in firing.definite}
    resolver = rulebook.resolver(AS_OF)
    for rule in rulebook.rules:
        result = evaluate(rule.when, facts, categories, resolver).result
        assert (rule.id in firing.definite) == (result is True), (rule.id, facts)
        if rule.asks:
            assert (rule.id in firing.maybe) == (result is not False), (rule.id, facts)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
def test_ten_thousand_parcels_without_memory_growth(rulebook):
    """Resident memory (engine's C heap included) stays flat while 10 000 parcels go through."""
    backend = DurableBackend(rulebook)
    compiled = backend.compiled(AS_OF)
    parcels = [
        {"supplied_on": dt.date(2018, 1, 1), "agreed_start_on": dt.date(2019, 1, 1 + i % 28),
         "idle_cause": "enterprise", "idle_identified": True,  # a finding: contract §5 Revised
         "output_per_mu": float(i % 300), "holder": f"企业{i}"}
        for i in range(10_000)
    ]
    backend.fire(parcels[:2000], AS_OF)  # warm up allocator pools
    before = _rss_bytes()
    firings = backend.fire(parcels, AS_OF)
    grown = _rss_bytes() - before
    assert all("idle.enterprise.fee" in f.definite for f in firings)
    assert grown < 8 * 1024 * 1024, f"resident memory grew by {grown / 2**20:.1f} MiB"
    # and the engine keeps no context behind: a decided parcel's state is gone
    handle = compiled.host.get_ruleset(compiled.name)._handle
    with pytest.raises(Exception, match="Could not get facts"):
        durable_rules_engine.get_facts(handle, "9999")
