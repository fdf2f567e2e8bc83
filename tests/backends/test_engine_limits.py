"""durable-rules' limits (issue 9, items 9, 11–14): numbers the C engine's JSON reader misreads,
rule ids it uses for itself, rulebooks larger than its fixed-size tables, deep conditions.
Every case is decided by both engines, identically, or refused by lint with FILE:LINE."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from conftest import POLICY, ROOT, invoke
from engines_agree import assert_same
from landrules.backends.durable import RULES_PER_RULESET, DurableBackend
from landrules.backends.vectorized import VectorizedBackend
from landrules.core.values import ordered_int
from landrules.decide.evaluate import Evaluator
from landrules.rulebook.load import load_rulebook
from minibook import write_book

AS_OF = dt.date(2021, 10, 1)


def test_ordered_int_keeps_the_order_and_equality_of_floats():
    values = [float("-inf"), -1e300, -5.0, -1e-05, -5e-324, -0.0, 0.0, 5e-324, 1e-05, 5e-05, 0.25, 1 / 3,
              1.0, 200.0, 1e16, 1e16 + 2, 1.7976931348623157e308, float("inf")]
    keys = [ordered_int(v) for v in values]
    assert keys == sorted(keys)
    assert ordered_int(-0.0) == ordered_int(0.0)
    assert len(set(keys)) == len(values) - 1  # only -0.0 and 0.0 coincide
    assert all(-(2**63) <= k < 2**63 for k in keys)  # the engine's long long


EXPONENT_VALUES = [0.00001, 5e-05, 1e16, 1e-300, 1e300]


@pytest.mark.parametrize("threshold", EXPONENT_VALUES)
def test_numbers_in_exponent_form_in_rules_and_facts_are_decided_on_both_engines(tmp_path, threshold):
    """A threshold Python writes as `1e-05` or `1e+16` (durable read `5e-05` as 5 and then a
    stray `e`: "Could not delete state, error code: 309")."""
    rules, _ = write_book(tmp_path, [("parameters.yaml", "value: 0.25}", f"value: {threshold!r}}}")])
    (rules / "parameters.yaml").write_text((rules / "parameters.yaml").read_text().replace("unit: 比例", "unit: 万元/亩"))
    text = (rules / "categories.yaml").read_text().replace("field: invested_ratio", "field: output_per_mu")
    (rules / "categories.yaml").write_text(text)
    book = load_rulebook(rules, POLICY)
    base = {"supplied_on": dt.date(2018, 1, 1), "suspended_since": dt.date(2019, 1, 1), "idle_cause": "enterprise"}
    rows = [dict(base, output_per_mu=v) for v in (0.0, threshold / 2, threshold, threshold * 2, 1e-05, 5e-05, 1e16, 1e300)]
    durable = Evaluator(book, DurableBackend(book))
    assert_same(book, durable, rows, AS_OF)
    fired = [d.categories for d in durable.decide_many([(str(i), r) for i, r in enumerate(rows)], AS_OF)]
    assert fired[0] == ["idle"] and fired[2] == [] and fired[3] == []  # below the threshold only


def test_facts_in_exponent_form_on_the_shipped_rulebook(rulebook, evaluator):
    rows = [{"approved_on": dt.date(2017, 1, 1), "construction_started_on": dt.date(2017, 6, 1), "land_use": "industrial",
             "output_per_mu": v, "tax_per_mu": v, "plot_ratio": v, "invested_ratio": min(v, 1.0)}
            for v in EXPONENT_VALUES + [0.0, 1e-310]]
    assert_same(rulebook, evaluator, rows, AS_OF)


def test_a_rule_may_bear_the_id_the_durable_backend_once_used_for_itself(tmp_path):
    """`landrules.seen` was the catch-all's name: a rule of that id fired 0 times under durable."""
    rules, _ = write_book(tmp_path, [("idle.yaml", "  - id: idle.enterprise\n", "  - id: landrules.seen\n")])
    book = load_rulebook(rules, POLICY)
    facts = {"supplied_on": dt.date(2018, 1, 1), "idle_identified": True, "idle_cause": "enterprise"}
    durable = Evaluator(book, DurableBackend(book)).decide("P", facts, AS_OF)
    assert "landrules.seen" in {o.rule for o in durable.outcomes}
    assert_same(book, Evaluator(book, DurableBackend(book)), [facts, {}], AS_OF)


def extra_rules(count: int, heavy: bool = False) -> str:
    """`count` lint-clean disposal rules joining category idle (the same outcome, so no conflict)."""
    out = ["rules:"]
    for i in range(count):
        cond = f"- {{field: output_per_mu, op: ge, value: {i}}}"
        if heavy:
            cond = (f"- any:\n          - {{field: output_per_mu, op: in, value: [{i}, {i + 1}, 0, 1000]}}\n"
                    f"          - {{field: tax_per_mu, op: ge, value: {i}}}\n"
                    "          - {field: plot_ratio, op: lt, other_field: committed_plot_ratio}")
        out.append(f"""  - id: extra.r{i}
    title: 额外规则{i}
    cites: [平龙政办〔2021〕36号 2.3.2.2]
    when:
      all:
        - category: idle
        - {{field: idle_cause, op: eq, value: enterprise}}
        {cond}
    then: {{outcome: urge_start_within_deadline}}""")
    return "\n".join(out) + "\n"


@pytest.mark.slow
def test_a_rulebook_larger_than_one_engine_ruleset_decides_without_crashing(rulebook_copy, tmp_path):
    """78 rules crashed the C engine natively (free(): invalid size, SIGSEGV) from about 140
    engine rules joining one category; 300 extra rules (600 engine rules) now spread over rulesets
    of at most RULES_PER_RULESET, with the category facts chained between them in the engine.
    Run in a child process: a native crash must fail this test, not kill the test run."""
    rules, policy = rulebook_copy
    (rules / "extra.yaml").write_text(extra_rules(150) + extra_rules(150, heavy=True).replace("extra.r", "extra.h").split("rules:\n", 1)[1])
    out = tmp_path / "out.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "landrules", "decide", str(ROOT / "examples" / "shilong-ledger.csv"), "--rules", str(rules),
         "--policy", str(policy), "--engine", "durable", "--as-of", "2021-10-01", "-o", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]
    vec = tmp_path / "vec.jsonl"  # numpy, no native engine: decided in this process
    run = invoke("decide", ROOT / "examples" / "shilong-ledger.csv", "--rules", rules, "--policy", policy,
                 "--engine", "vectorized", "--as-of", "2021-10-01", "-o", vec)
    assert run.exit_code in (0, 1), run.output[-2000:]
    assert out.read_text() == vec.read_text()
    assert "extra.r1" in out.read_text()  # the extra rules did fire


def test_large_rulebooks_are_spread_over_rulesets_that_chain_categories(rulebook_copy):
    rules, policy = rulebook_copy
    (rules / "extra.yaml").write_text(extra_rules(100))
    book = load_rulebook(rules, policy)
    compiled = DurableBackend(book).compiled(AS_OF)
    assert len(compiled.names) >= 200 // RULES_PER_RULESET
    facts = {"supplied_on": dt.date(2018, 1, 1), "agreed_start_on": dt.date(2019, 1, 1), "idle_cause": "enterprise",
             "output_per_mu": 50.0}
    firing = DurableBackend(book).fire([facts], AS_OF)[0]
    assert {f"extra.r{i}" for i in range(51)} <= firing.definite
    assert not {f"extra.r{i}" for i in range(51, 100)} & firing.definite
    assert_same(book, Evaluator(book, DurableBackend(book)), [facts, dict(facts, output_per_mu=None), {}], AS_OF)


@pytest.mark.slow
def test_the_vectorised_engine_evaluates_a_large_rulebook_block_by_block(rulebook_copy, monkeypatch):
    """500 rules on 50 000 rows took 6.1 GB (MemoryError at 5 000 rules): masks are now made for
    a block of rows at a time, sized by the number of rules, and give the same keys."""
    import tracemalloc

    import numpy as np

    from landrules.backends import vectorized
    from landrules.core.values import columns_from_facts
    from landrules.decide.batch import LedgerDecider
    from synthetic import parcels

    rules, policy = rulebook_copy
    (rules / "extra.yaml").write_text(extra_rules(300))
    book = load_rulebook(rules, policy, analyse=False)
    rows = [{k: v for k, v in p.items() if k != "parcel_id"} for p in parcels(4000)]

    class Parsed:
        columns = columns_from_facts(rows)

    def keys_and_peak(cells):
        monkeypatch.setattr(vectorized, "BLOCK_CELLS", cells)
        decider = LedgerDecider(book, "vectorized", AS_OF)
        tracemalloc.start()
        keys, inverse = decider.backend.pattern_keys(Parsed, np.arange(len(rows)), AS_OF)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return [keys[i] for i in inverse], peak, len(decider.backend.blocks(len(rows)))

    whole, whole_peak, one = keys_and_peak(10**12)
    blocked, blocked_peak, several = keys_and_peak(300 * 500)
    assert one == 1 and several >= 8
    assert blocked == whole  # every row keeps its decision
    assert blocked_peak * 2 < whole_peak, (blocked_peak, whole_peak)  # and the gap grows with the rows


@pytest.mark.slow
def test_five_thousand_rules_compile_on_the_durable_engine(rulebook_copy):
    """5 000 rules: "Could not create ruleset, error code: 108" (an alpha node feeds at most 256
    beta nodes); spread over rulesets they compile and decide as the vectorised engine does."""
    rules, policy = rulebook_copy
    (rules / "extra.yaml").write_text(extra_rules(5000))
    book = load_rulebook(rules, policy, analyse=False)
    facts = {"supplied_on": dt.date(2018, 1, 1), "agreed_start_on": dt.date(2019, 1, 1), "idle_cause": "enterprise",
             "output_per_mu": 2500.0}
    firing = DurableBackend(book).fire([facts], AS_OF)[0]
    assert len([r for r in firing.definite if r.startswith("extra.")]) == 2501
    vector = VectorizedBackend(book).fire([facts], AS_OF)[0]
    assert vector == firing
