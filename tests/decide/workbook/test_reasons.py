"""形成原因 worded once per pattern of decisions: `uses_facts` says which categories and outcomes
read the parcel's facts; for every other combination the wording is the same whatever the
facts, so the action list words it once for all the parcels that have it."""

from __future__ import annotations

import datetime as dt
import itertools

from landrules.decide.workbook.reasons import reason, uses_facts
from landrules.ledger.write.base import Labels

AS_OF = dt.date(2021, 10, 1)
FACTS = [
    {},
    {"approved_on": dt.date(2016, 3, 1), "construction_started_on": dt.date(2019, 6, 1), "idle_cause": "enterprise",
     "idle_identified": True, "agreed_start_on": dt.date(2018, 1, 1), "suspended_since": dt.date(2020, 5, 1),
     "output_per_mu": 50.0, "tax_per_mu": 2.0, "investment_per_mu": 100.0, "committed_investment_per_mu": 300.0,
     "committed_tax_per_mu": 15.0, "plot_ratio": 0.5, "committed_plot_ratio": 1.2},
    {"approved_on": dt.date(2020, 3, 1), "idle_identified": None, "idle_cause": "government"},
]


def test_wording_that_does_not_use_facts_is_the_same_for_any_facts(rulebook):
    labels = Labels.of(rulebook)
    categories, outcomes = list(rulebook.categories), list(rulebook.outcomes)
    free = 0
    for cats, outs in itertools.product([[c] for c in categories] + [categories[:2]], [[o] for o in outcomes]):
        worded = {reason(cats, outs, ["approved_on"], facts, AS_OF, labels.categories, labels.reasons) for facts in FACTS}
        if not uses_facts(cats, outs, labels.reasons):
            free += 1
            assert len(worded) == 1, (cats, outs, worded)
    assert free > len(outcomes)  # most combinations are worded once


def test_the_categories_worded_from_facts_are_said_to_use_them(rulebook):
    labels = Labels.of(rulebook)
    for code in ("approved_unsupplied", "used_before_supplied", "idle", "low_efficiency"):
        assert uses_facts([code], [], labels.reasons)
        worded = {reason([code], [], [], facts, AS_OF, labels.categories, labels.reasons) for facts in FACTS}
        assert len(worded) > 1, code  # the facts do change the wording
    assert uses_facts(["standard_land"], ["standard_land_breach"], labels.reasons)
