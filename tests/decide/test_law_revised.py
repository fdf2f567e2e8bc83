"""Contract §5 Revised, the law's procedure: findings before sanctions, which idle land gets which
measure, no 无需处置 for land the plan covers, no deadline from a start date. Both engines."""

import datetime as dt

import pytest

D = dt.date
AS_OF = D(2021, 10, 1)
NOT_STARTED = dict(supplied_on=D(2018, 1, 15), agreed_start_on=D(2019, 6, 30), land_use="industrial")  # > 2 years
STARTED = dict(supplied_on=D(2015, 3, 1), agreed_start_on=D(2015, 9, 1), construction_started_on=D(2015, 8, 20),
               developed_ratio=0.2, suspended_since=D(2019, 5, 1), land_use="commercial")
EIGHTH = ["government", "petition_stability", "force_majeure"]  # 第八条 (force majeure by its ¶2)


def codes(decision):
    return set(decision.outcome_codes)


# --- suspicion and finding ---------------------------------------------------------------------


@pytest.mark.parametrize("land", [NOT_STARTED, STARTED], ids=["2#p1", "2#p2"])
def test_idle_by_the_dates_alone_is_suspected_and_investigated(decide_both, land):
    decision = decide_both(**land, idle_cause="enterprise")
    assert decision.categories == ["idle", "idle_suspected"]
    assert "investigate_idle" in codes(decision)
    outcome = next(o for o in decision.outcomes if o.code == "investigate_idle")
    cited = {(c.doc, c.clause) for c in outcome.citations}
    assert {("国土资源部令第53号", "9"), ("平龙政办〔2021〕36号", "2.3.2.2")} <= cited
    assert not codes(decision) & {"idle_fee", "recover_without_compensation"}


def test_suspected_enterprise_idle_land_leaves_the_sanctions_undecided_for_want_of_a_finding(decide_both):
    decision = decide_both(**NOT_STARTED, idle_cause="enterprise")
    assert codes(decision) == {"investigate_idle", "urge_start_within_deadline", "needs_information"}
    asking = {o.rule: o.needs for o in decision.outcomes if o.code == "needs_information"}
    assert asking == {"idle.enterprise.fee": ["idle_identified"], "idle.enterprise.recover": ["idle_identified"]}
    assert decision.needs == ["idle_identified"]


def test_found_idle_land_is_not_suspected(decide_both):
    decision = decide_both(**NOT_STARTED, idle_identified=True, idle_cause="enterprise")
    assert decision.categories == ["idle"]
    assert codes(decision) == {"urge_start_within_deadline", "recover_without_compensation"}  # graded 第十四条
    assert decision.needs == []


def test_found_not_idle_is_neither(decide_both):
    decision = decide_both(**NOT_STARTED, idle_identified=False, idle_cause="enterprise")
    assert decision.categories == [] and "investigate_idle" not in codes(decision)


# --- 第八条, 第十二条, 第十四条 -----------------------------------------------------------------


@pytest.mark.parametrize("cause", EIGHTH)
@pytest.mark.parametrize("identified", [True, None])
def test_eighth_article_causes_get_obstacles_removed_and_negotiation_never_the_fee(decide_both, cause, identified):
    facts = dict(NOT_STARTED, idle_cause=cause, **({"idle_identified": True} if identified else {}))
    decision = decide_both(**facts)
    assert {"remove_obstacles", "negotiate_disposal"} <= codes(decision)
    assert not codes(decision) & {"idle_fee", "recover_without_compensation", "urge_start_within_deadline"}
    assert decision.needs == []
    negotiate = next(o for o in decision.outcomes if o.code == "negotiate_disposal")
    assert ("国土资源部令第53号", "12") in {(c.doc, c.clause) for c in negotiate.citations}
    assert negotiate.deadline == D(2022, 12, 31) and negotiate.label.startswith("协商选择处置方式")


@pytest.mark.parametrize("cause, measure", [
    ("enterprise", {"urge_start_within_deadline"}), ("government", {"remove_obstacles"}),
    ("petition_stability", {"remove_obstacles"}), ("force_majeure", {"remove_obstacles"}), ("shared_fault", set()),
])
def test_started_then_suspended_land_goes_to_the_twelfth_article_whatever_the_cause(decide_both, cause, measure):
    decision = decide_both(**STARTED, idle_identified=True, idle_cause=cause, recovery_agreed=False)
    assert codes(decision) == measure | {"negotiate_disposal"}
    assert len([o for o in decision.outcomes if o.code == "negotiate_disposal"]) == 1


def test_started_land_found_idle_with_no_suspension_date_needs_nothing_more(decide_both):
    facts = {k: v for k, v in STARTED.items() if k != "suspended_since"}
    decision = decide_both(**facts, idle_identified=True, idle_cause="enterprise")
    assert codes(decision) == {"urge_start_within_deadline", "negotiate_disposal"} and decision.needs == []


@pytest.mark.parametrize("agreed, expected", [
    (True, {"compensated_recovery"}), (False, {"negotiate_disposal"}), (None, {"needs_information"}),
])
def test_shared_fault(decide_both, agreed, expected):
    facts = dict(NOT_STARTED, idle_identified=True, idle_cause="shared_fault")
    if agreed is not None:
        facts["recovery_agreed"] = agreed
    decision = decide_both(**facts)
    assert codes(decision) == expected
    if agreed is None:
        assert decision.needs == ["recovery_agreed"]


# --- 无需处置, 2.4, labels, the policy tree ---------------------------------------------------------

USED = dict(approved_on=D(2017, 5, 1), construction_started_on=D(2018, 6, 1), land_use="industrial",
            project_source="investment_attraction", filed_with_province=True, conforms_spatial_plan=True,
            conforms_industry_policy=True, operating_well=True, output_per_mu=300.0, contract_performance="good")


@pytest.mark.parametrize("change, expected", [
    ({}, {"regularise"}),
    ({"construction_started_on": D(2019, 1, 1)}, {"digest_unsupplied"}),
    ({"filed_with_province": False}, {"digest_unsupplied"}),
    ({"land_use": "commercial"}, {"digest_unsupplied"}),
    ({"land_use": "residential", "project_source": "other"}, {"digest_unsupplied"}),
    ({"land_use": "infrastructure"}, {"allocate_directly"}),
    ({"operating_well": None}, {"needs_information"}),
])
def test_used_before_supplied_land_is_never_no_action(decide_both, change, expected):
    facts = {k: v for k, v in dict(USED, **change).items() if v is not None}
    decision = decide_both(**facts)
    assert codes(decision) == expected
    if "digest_unsupplied" in expected:
        digest = next(o for o in decision.outcomes if o.code == "digest_unsupplied")
        assert digest.rule == "unsupplied.used.digest" and digest.citations[0].clause == "2.3.2.1#p1"
        assert digest.deadline == D(2022, 12, 31)


def test_regularise_names_the_districts_acceptance(decide_both):
    outcome = next(o for o in decide_both(**USED).outcomes if o.code == "regularise")
    assert "经区政府认定验收、列入整改台账" in outcome.label and outcome.deadline == D(2021, 12, 31)


STANDARD = dict(supplied_on=D(2021, 2, 1), construction_started_on=D(2021, 4, 1), land_use="industrial",
                output_per_mu=300.0, tax_per_mu=12.0)


@pytest.mark.parametrize("as_of", [AS_OF, D(2023, 6, 30)])
def test_standard_land_outcomes_carry_no_deadline(decide_both, as_of):
    missing = decide_both(as_of=as_of, **STANDARD, standard_land=False)
    breach = decide_both(as_of=as_of, **STANDARD, standard_land=True, plot_ratio=0.8, committed_plot_ratio=1.0)
    for decision, code in ((missing, "standard_land_missing"), (breach, "standard_land_breach")):
        outcome = next(o for o in decision.outcomes if o.code == code)
        assert outcome.deadline is None and outcome.overdue is None
        assert outcome.citations[0].clause == "2.4" and outcome.responsible  # units still from 2.4


def test_an_explicit_null_deadline_is_kept_apart_from_an_inherited_one(rulebook):
    assert rulebook.rules_by_id["standard_land.missing"].deadline is None
    assert rulebook.rules_by_id["idle.enterprise.urge"].deadline == D(2022, 12, 31)  # inherited from 2.3.2.2


def test_the_measure_carries_articles_nine_to_fifteen_in_paraphrase(rulebook):
    for article in ("9", "10", "11", "12", "12#p3", "13", "14", "14.1", "14.2", "15"):
        clause = rulebook.policy.get("国土资源部令第53号", article)
        assert clause is not None and clause.text and clause.paraphrase, article
    assert "第二条第二款" in rulebook.policy.get("国土资源部令第53号", "12#p3").text
    assert "听证" in rulebook.policy.get("国土资源部令第53号", "15").text
