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
# contract §5 Revised ("An idle finding comes first"): the fee and recovery of 第十四条 need an
# official finding, so the cases that produce them are found idle, not idle by the dates alone
IDLE_FOUND = dict(IDLE_BY_DATES, idle_identified=True)
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
        dict(IDLE_FOUND, idle_cause="enterprise", agreed_start_on=D(2020, 10, 1)),
        dict(IDLE_FOUND, idle_cause="enterprise", agreed_start_on=D(2020, 10, 2)),
    ),
    "recover_without_compensation": (
        dict(IDLE_FOUND, idle_cause="enterprise", agreed_start_on=D(2019, 10, 1)),
        dict(IDLE_FOUND, idle_cause="enterprise", agreed_start_on=D(2019, 10, 2)),
    ),
    "investigate_idle": (dict(IDLE_BY_DATES, idle_cause="enterprise"), dict(IDLE_FOUND, idle_cause="enterprise")),
    "negotiate_disposal": (dict(IDLE_BY_DATES, idle_cause="force_majeure"), dict(IDLE_BY_DATES, idle_cause="enterprise")),
    "compensated_recovery": (
        dict(IDLE_BY_DATES, idle_cause="shared_fault", recovery_agreed=True),
        dict(IDLE_BY_DATES, idle_cause="shared_fault", recovery_agreed=False),
    ),
    "low_efficiency_redevelopment": (dict(WORKING, tax_per_mu=2.0), dict(WORKING, land_use="commercial", tax_per_mu=2.0)),
    "standard_land_missing": (
        # started after supply: new supply (started before it, regularised land: not 2.4's, wave 3)
        dict(WORKING, supplied_on=D(2021, 1, 1), standard_land=False, construction_started_on=D(2021, 5, 1)),
        dict(WORKING, supplied_on=D(2020, 12, 31), standard_land=False, construction_started_on=D(2021, 5, 1)),
    ),
    "standard_land_breach": (dict(STANDARD, plot_ratio=0.8), STANDARD),
    "no_action": (WORKING, dict(WORKING, tax_per_mu=2.0)),
    # the map's facts (contract §8): the shape is a fifth smaller than the ledger says; 4 % is within the parameter
    "verify_boundary": (dict(WORKING, geom_area_mu=30.0, area_gap_ratio=0.25), dict(WORKING, geom_area_mu=30.0, area_gap_ratio=0.04)),
    # a record with nothing but an id and an area: its situation cannot be told (triage)
    "needs_information": ({}, WORKING),
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
    decision = decide(**IDLE_FOUND)  # found idle: by its dates alone it is also idle_suspected (§5 Revised)
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


def test_enterprise_idle_two_years_gets_urge_and_recovery_without_the_fee(decide):
    """Contract §5 Revised, wave 3: 第十四条 is graded; the fee is for one full year to less than two."""
    decision = decide(**dict(IDLE_FOUND, idle_cause="enterprise", agreed_start_on=D(2019, 1, 1)))
    assert {"urge_start_within_deadline", "recover_without_compensation"} <= set(decision.outcome_codes)
    assert "idle_fee" not in decision.outcome_codes
    decision = decide(**dict(IDLE_FOUND, idle_cause="enterprise", agreed_start_on=D(2020, 1, 1)))
    fee = next(o for o in decision.outcomes if o.code == "idle_fee")
    assert (fee.citations[0].doc, fee.citations[0].clause) == ("国土资源部令第53号", "14")
    assert fee.deadline == D(2022, 12, 31)


def test_invalid_record(evaluator):
    decision = evaluator.invalid("X", ["第2行 land_use（土地用途）: 无法识别的值"], AS_OF)
    assert decision.outcome_codes == ["invalid_record"] and decision.errors


# --- 53号令 第十四条 on land that started and was then suspended (第二条第二款) -------------------
# Contract §5 Revised ("Which idle land gets which measure"): 第十四条 speaks only of land 未动工开发,
# and 第十二条's closing paragraph sends 第二条第二款 land to 第十二条: land that started and then
# stopped gets negotiate_disposal beside the measure for its cause, never the fee or recovery,
# however long it has been suspended. (These tests used to count the fee from the suspension.)

STARTED_IDLE = dict(
    supplied_on=D(2015, 3, 1), agreed_start_on=D(2015, 9, 1), construction_started_on=D(2015, 8, 20),
    land_use="commercial", idle_identified=True, idle_cause="enterprise",
)


@pytest.fixture(params=["durable", "vectorized"])
def decide_both(request, rulebook, evaluator):
    """decide(**facts) under either backend (the vectorised one must agree with the reference)."""
    from landrules.backends.vectorized import VectorizedBackend
    from landrules.decide.evaluate import Evaluator

    chosen = evaluator if request.param == "durable" else Evaluator(rulebook, VectorizedBackend(rulebook))

    def run(as_of: dt.date = AS_OF, **facts):
        return chosen.decide("T-1", facts, as_of)

    return run


@pytest.mark.parametrize("suspended_since", [D(2020, 10, 2), D(2020, 10, 1), D(2019, 10, 1), None])
def test_started_land_found_idle_is_negotiated_never_fined(decide_both, suspended_since):
    facts = dict(STARTED_IDLE, suspended_since=suspended_since) if suspended_since else STARTED_IDLE
    decision = decide_both(**facts)
    assert decision.categories == ["idle"]
    assert set(decision.outcome_codes) == {"urge_start_within_deadline", "negotiate_disposal"}
    assert decision.needs == []  # a suspension date is no longer needed: no fee to count from it
    negotiate = next(o for o in decision.outcomes if o.code == "negotiate_disposal")
    assert negotiate.rule == "idle.suspended.negotiate"
    assert ("国土资源部令第53号", "12") in {(c.doc, c.clause) for c in negotiate.citations}


def test_idle_by_suspension_on_the_dates_is_investigated_and_negotiated(decide_both):
    """53号令 第二条第二款 idle land by its dates, agreed start six years back, suspended 18 months."""
    facts = dict(STARTED_IDLE, developed_ratio=0.2, suspended_since=D(2020, 4, 1))
    del facts["idle_identified"]
    decision = decide_both(**facts)
    assert decision.categories == ["idle", "idle_suspected"]
    assert set(decision.outcome_codes) == {"investigate_idle", "urge_start_within_deadline", "negotiate_disposal"}


def test_land_not_started_still_counts_from_the_agreed_start_date(decide_both):
    """Contract §5: one / two full years past the agreed start date; a 中止开发日期 does not matter."""
    base = dict(IDLE_FOUND, idle_cause="enterprise", suspended_since=D(2021, 9, 1))
    codes = decide_both(**dict(base, agreed_start_on=D(2019, 10, 1))).outcome_codes  # two years: graded, no fee
    assert "recover_without_compensation" in codes and "idle_fee" not in codes
    codes = decide_both(**dict(base, agreed_start_on=D(2019, 10, 2))).outcome_codes
    assert "idle_fee" in codes and "recover_without_compensation" not in codes
    codes = decide_both(**dict(base, agreed_start_on=D(2020, 10, 2))).outcome_codes
    assert "idle_fee" not in codes and "needs_information" not in codes


def test_land_found_idle_whose_start_is_unknown_asks_for_the_agreed_start(decide_both):
    decision = decide_both(supplied_on=D(2018, 1, 1), idle_identified=True, idle_cause="enterprise")
    asking = {o.rule: o.needs for o in decision.outcomes if o.code == "needs_information"}
    assert asking == {"idle.enterprise.fee": ["agreed_start_on"], "idle.enterprise.recover": ["agreed_start_on"]}


# --- triage: a missing date is asked for, never read as "not approved" / "not supplied" ---------


def _asking(decision):
    return [(o.rule, o.needs) for o in decision.outcomes if o.code == "needs_information"]


@pytest.mark.parametrize("facts", [
    {},  # an id and an area, nothing else
    dict(land_use="industrial", construction_started_on=D(2019, 1, 1), output_per_mu=300.0, tax_per_mu=12.0),
], ids=["bare", "industrial-in-use"])
def test_no_approval_and_no_supply_date_asks_for_both(decide_both, facts):
    decision = decide_both(**facts)
    assert decision.outcome_codes == ["needs_information"]
    assert _asking(decision) == [("triage.status_unknown", ["approved_on", "supplied_on"])]
    assert decision.needs == ["approved_on", "supplied_on"] and decision.categories == []
    outcome = decision.outcomes[0]
    assert [(c.doc, c.clause) for c in outcome.citations] == [("平龙政办〔2021〕36号", "2.3.1"), ("平龙政办〔2021〕36号", "3.2.1")]
    assert outcome.citations[0].text.startswith("全面开展产业集聚区土地利用调查评价工作")
    assert outcome.deadline is None and outcome.overdue is None
    assert outcome.responsible == ["国土资源局", "产业集聚区管委会"]
    record = decision.to_dict()
    assert record["needs"] == ["approved_on", "supplied_on"] and record["outcomes"][0]["needs"] == ["approved_on", "supplied_on"]


@pytest.mark.parametrize("evidence", [
    dict(idle_identified=True, idle_cause="enterprise"),
    dict(agreed_start_on=D(2019, 6, 1)),
], ids=["found-idle", "agreed-start"])
def test_signs_of_supply_with_an_empty_supply_date_ask_for_it(decide_both, evidence):
    decision = decide_both(**dict(UNSUPPLIED, **evidence))
    assert decision.categories == []  # not taken for 批而未供 / 已批未供即用
    assert decision.outcome_codes == ["needs_information"]
    assert _asking(decision) == [("triage.supply_date_missing", ["supplied_on"])]
    assert decision.needs == ["supplied_on"]


def test_a_planned_supply_method_is_no_sign_of_supply(decide_both):
    """Land used before supply may already name the intended 划拨: still allocate directly."""
    decision = decide_both(**dict(UNSUPPLIED, supply_method="allocation", construction_started_on=D(2020, 5, 1), land_use="public_service"))
    assert "used_before_supplied" in decision.categories
    assert decision.outcome_codes == ["allocate_directly"]


def test_an_official_finding_of_not_idle_is_no_sign_of_supply(decide_both):
    decision = decide_both(**dict(UNSUPPLIED, idle_identified=False))
    assert decision.categories == ["approved_unsupplied"] and "digest_unsupplied" in decision.outcome_codes
    assert not any(rule.startswith("triage.") for rule, _ in _asking(decision))


def test_approved_unsupplied_land_without_signs_of_supply_is_not_triaged(decide_both):
    decision = decide_both(**UNSUPPLIED)
    assert decision.categories == ["approved_unsupplied"] and not any(r.startswith("triage.") for r, _ in _asking(decision))


def test_a_triage_rule_is_assembled_from_the_firing_alone(rulebook, evaluator):
    """The batch pipeline assembles one decision per (rules fired, fields missing) pattern, with no
    facts: a rule that concludes needs_information must come out whole from its firing."""
    from landrules.backends.base import Firing

    firing = Firing(frozenset({"triage.status_unknown"}), frozenset({"triage.status_unknown"}))
    decision = evaluator.assemble(None, None, firing, AS_OF, needs_by_rule={})
    assert decision.to_dict() == dict(evaluator.decide(None, {}, AS_OF).to_dict())


# --- the plan's own words in the ledger --------------------------------------------------------


@pytest.mark.parametrize("field, cell, code", [
    ("contract_performance", "较好", "good"),
    ("idle_cause", "政府与企业互有瑕疵", "shared_fault"),
    ("idle_cause", "互有瑕疵", "shared_fault"),
    ("idle_cause", "政府", "government"),
    ("idle_cause", "企业", "enterprise"),
])
def test_the_plans_wording_decides_like_the_contract_labels(decide, field, cell, code):
    from landrules.ledger.validate.parcel import records_from_dicts

    (record,) = records_from_dicts([{"parcel_id": "T-1", "area_mu": 1, field: cell}])
    assert record.errors == [] and record.parcel.facts()[field] == code


def test_regularise_with_the_plans_lvyue_qinkuang_jiaohao(decide):
    from landrules.ledger.validate.parcel import records_from_dicts

    cells = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in REGULARISABLE.items()}
    (record,) = records_from_dicts([dict(cells, parcel_id="T-1", area_mu=10, contract_performance="较好")])
    assert "regularise" in decide(**record.parcel.facts()).outcome_codes
