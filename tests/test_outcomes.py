"""For every outcome code of contract §4: a parcel that produces it and a nearby one that must not."""

import datetime as dt

import pytest

D = dt.date
AS_OF = D(2021, 10, 1)

REGULARISABLE = dict(
    approved_on=D(2017, 5, 1), construction_started_on=D(2018, 12, 31), land_use="industrial",
    project_source="investment_attraction", filed_with_province=True, conforms_spatial_plan=True,
    conforms_industry_policy=True, operating_well=True, output_per_mu=300.0, contract_performance="good",
)
UNSUPPLIED = dict(approved_on=D(2019, 3, 1))
IDLE_BY_DATES = dict(supplied_on=D(2018, 6, 1), agreed_start_on=D(2019, 9, 30), land_use="industrial")
WORKING = dict(
    supplied_on=D(2018, 1, 10), agreed_start_on=D(2018, 6, 1), construction_started_on=D(2018, 5, 20),
    land_use="industrial", output_per_mu=400.0, tax_per_mu=12.0,
)
STANDARD = dict(
    WORKING, supplied_on=D(2021, 2, 1), standard_land=True,
    investment_per_mu=300.0, committed_investment_per_mu=250.0,
    tax_per_mu=12.0, committed_tax_per_mu=10.0, plot_ratio=1.2, committed_plot_ratio=1.0,
)

CASES = {
    # code: (facts that produce it, nearby facts that must not)
    "digest_unsupplied": (UNSUPPLIED, dict(UNSUPPLIED, construction_started_on=D(2020, 1, 1))),
    "clear_approval": (
        dict(UNSUPPLIED, land_status_unchanged=True, expropriation_infeasible=True),
        dict(UNSUPPLIED, land_status_unchanged=True, expropriation_infeasible=False),
    ),
    "regularise": (REGULARISABLE, dict(REGULARISABLE, construction_started_on=D(2019, 1, 1))),
    "allocate_directly": (
        dict(approved_on=D(2016, 1, 1), construction_started_on=D(2020, 6, 1), land_use="infrastructure"),
        dict(approved_on=D(2016, 1, 1), land_use="infrastructure"),
    ),
    "remove_obstacles": (dict(IDLE_BY_DATES, idle_cause="petition_stability"), dict(IDLE_BY_DATES, idle_cause="enterprise")),
    "urge_start_within_deadline": (dict(IDLE_BY_DATES, idle_cause="enterprise"), dict(IDLE_BY_DATES, idle_cause="government")),
    "idle_fee": (
        dict(IDLE_BY_DATES, idle_cause="enterprise", agreed_start_on=D(2020, 10, 1)),
        dict(IDLE_BY_DATES, idle_cause="enterprise", agreed_start_on=D(2020, 10, 2), idle_identified=True),
    ),
    "recover_without_compensation": (
        dict(IDLE_BY_DATES, idle_cause="enterprise", agreed_start_on=D(2019, 10, 1)),
        dict(IDLE_BY_DATES, idle_cause="enterprise", agreed_start_on=D(2019, 10, 2)),
    ),
    "compensated_recovery": (
        dict(IDLE_BY_DATES, idle_cause="shared_fault", recovery_agreed=True),
        dict(IDLE_BY_DATES, idle_cause="shared_fault", recovery_agreed=False),
    ),
    "low_efficiency_redevelopment": (dict(WORKING, tax_per_mu=2.0), dict(WORKING, land_use="commercial", tax_per_mu=2.0)),
    "standard_land_missing": (
        dict(WORKING, supplied_on=D(2021, 1, 1), standard_land=False),
        dict(WORKING, supplied_on=D(2020, 12, 31), standard_land=False),
    ),
    "standard_land_breach": (dict(STANDARD, plot_ratio=0.8), STANDARD),
    "no_action": (WORKING, dict(WORKING, tax_per_mu=2.0)),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_outcome_is_produced_and_a_nearby_case_is_not(decide, code):
    produces, nearby = CASES[code]
    decision = decide(**produces)
    assert code in decision.outcome_codes, decision.outcomes
    assert code not in decide(**nearby).outcome_codes
    outcome = next(o for o in decision.outcomes if o.code == code)
    if code != "no_action":
        assert outcome.citations and all(c.text for c in outcome.citations)
        assert outcome.rule and outcome.label


def test_every_rule_outcome_is_covered_here(rulebook):
    assert {r.outcome for r in rulebook.rules if r.outcome} <= set(CASES)


def test_regularise_deadline_and_responsible_units(decide):
    outcome = next(o for o in decide(**REGULARISABLE).outcomes if o.code == "regularise")
    assert outcome.deadline == D(2021, 12, 31) and outcome.overdue is False
    assert outcome.citations[0].doc == "平龙政办〔2021〕36号"
    assert outcome.citations[0].clause == "2.3.2.1#p2"
    assert outcome.citations[0].text.startswith("2018年年底前已批未供即用")
    assert outcome.responsible == ["国土资源局", "产业集聚区管委会", "住建局", "城市管理局"]
    late = next(o for o in decide(as_of=D(2022, 1, 1), **REGULARISABLE).outcomes if o.code == "regularise")
    assert late.overdue is True


@pytest.mark.parametrize(
    "field",
    ["filed_with_province", "conforms_spatial_plan", "conforms_industry_policy", "operating_well",
     "output_per_mu", "contract_performance", "project_source", "land_use"],
)
def test_each_missing_regularisation_fact_is_asked_for_not_guessed(decide, field):
    facts = {k: v for k, v in REGULARISABLE.items() if k != field}
    decision = decide(**facts)
    assert "regularise" not in decision.outcome_codes
    assert "needs_information" in decision.outcome_codes
    asking = [o for o in decision.outcomes if o.code == "needs_information" and o.rule == "unsupplied.regularise"]
    assert asking and asking[0].needs == [field]
    assert field in decision.needs


def test_a_known_failing_condition_beats_a_missing_one(decide):
    facts = {k: v for k, v in REGULARISABLE.items() if k != "filed_with_province"}
    decision = decide(**dict(facts, operating_well=False))
    assert "regularise" not in decision.outcome_codes
    assert not any(o.rule == "unsupplied.regularise" for o in decision.outcomes)


def test_cutoff_is_the_end_of_2018(decide):
    assert "regularise" in decide(**dict(REGULARISABLE, construction_started_on=D(2018, 12, 31))).outcome_codes
    assert "regularise" not in decide(**dict(REGULARISABLE, construction_started_on=D(2019, 1, 1))).outcome_codes


def test_idle_cause_unknown_needs_information(decide):
    decision = decide(**IDLE_BY_DATES)
    assert decision.categories == ["idle"]
    assert set(decision.outcome_codes) == {"needs_information"}
    assert decision.needs == ["idle_cause", "recovery_agreed"]


def test_idle_by_suspension(decide):
    base = dict(WORKING, suspended_since=D(2020, 9, 30), developed_ratio=0.3, idle_cause="enterprise")
    assert "idle" in decide(**base).categories
    assert "idle" not in decide(**dict(base, developed_ratio=1 / 3)).categories
    assert "idle" not in decide(**dict(base, suspended_since=D(2020, 10, 2))).categories


def test_official_finding_overrides_dates(decide):
    assert "idle" not in decide(**dict(IDLE_BY_DATES, idle_identified=False)).categories
    assert "idle" in decide(**dict(WORKING, idle_identified=True)).categories


def test_enterprise_idle_two_years_gets_urge_fee_and_recovery(decide):
    decision = decide(**dict(IDLE_BY_DATES, idle_cause="enterprise", agreed_start_on=D(2019, 1, 1)))
    assert {"urge_start_within_deadline", "idle_fee", "recover_without_compensation"} <= set(decision.outcome_codes)
    fee = next(o for o in decision.outcomes if o.code == "idle_fee")
    assert (fee.citations[0].doc, fee.citations[0].clause) == ("国土资源部令第53号", "14")
    assert fee.deadline == D(2022, 12, 31)


def test_invalid_record(evaluator):
    decision = evaluator.invalid("X", ["第2行 land_use（土地用途）: 无法识别的值"], AS_OF)
    assert decision.outcome_codes == ["invalid_record"] and decision.errors
