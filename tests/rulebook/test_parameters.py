"""Dated parameters: the value in force on the evaluation date decides, and the trace says which
value and which date were used."""

from __future__ import annotations

import datetime as dt

import pytest
from landrules.backends.durable import DurableBackend
from landrules.decide.evaluate import Evaluator
from landrules.decide.explain import explain
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.parameters import Parameter

D = dt.date
PARAM = "low_efficiency.min_output_per_mu"
# industrial land in use, output 80 万元/亩 (tax fine): low efficiency while the line is 100
PARCEL = dict(
    supplied_on=D(2018, 1, 10), agreed_start_on=D(2018, 6, 1), construction_started_on=D(2018, 5, 20),
    land_use="industrial", output_per_mu=80.0, tax_per_mu=12.0,
)
SHIPPED_VALUE = "      - {from: 2021-06-22, value: 100}\n"
NEW_VALUE = "      - {from: 2022-01-01, value: 50, provisional: false, reference: 石龙区工业用地亩均效益标准（示例）}\n"


@pytest.fixture
def changed(rulebook_copy):
    """The shipped rulebook with the low-efficiency output line lowered to 50 from 2022-01-01."""
    rules, policy = rulebook_copy
    path = rules / "parameters.yaml"
    text = path.read_text(encoding="utf-8")
    assert SHIPPED_VALUE in text
    path.write_text(text.replace(SHIPPED_VALUE, SHIPPED_VALUE + NEW_VALUE), encoding="utf-8")
    return load_rulebook(rules, policy)


def conditions_on(trace, rule_id):
    return next(t for t in trace if t["rule"] == rule_id)["conditions"]


def test_a_value_that_changes_on_2022_01_01_decides_on_both_sides_of_it(changed):
    evaluator = Evaluator(changed, DurableBackend(changed))
    before = evaluator.decide("A", PARCEL, D(2021, 12, 31))
    after = evaluator.decide("A", PARCEL, D(2022, 1, 1))
    assert "low_efficiency_redevelopment" in before.outcome_codes and before.categories == ["low_efficiency"]
    assert "low_efficiency_redevelopment" not in after.outcome_codes and after.categories == []
    assert changed.param_value(PARAM, D(2021, 12, 31)) == (100, D(2021, 6, 22))
    assert changed.param_value(PARAM, D(2022, 1, 1)) == (50, D(2022, 1, 1))


def test_the_trace_shows_the_value_and_the_date_used(changed):
    backend = DurableBackend(changed)
    for as_of, shown, since, provisional in ((D(2021, 12, 31), "100", "2021-06-22", True), (D(2022, 1, 1), "50", "2022-01-01", False)):
        trace = explain(changed, PARCEL, backend.fire([PARCEL], as_of)[0], as_of)
        (row,) = [c for c in conditions_on(trace, "category.low_efficiency") if c.get("parameter")
                  and c["parameter"]["id"] == PARAM]
        assert f"参数 {PARAM} = {shown}（{since} 起施行" in row["condition"]
        assert row["parameter"]["from"] == since and row["parameter"]["provisional"] is provisional
        assert ("暂定值" in row["condition"]) is provisional


def test_before_the_first_value_there_is_none_and_the_trace_says_so(rulebook):
    """Contract §5 Revised, wave 3: a parameter with no value in force leaves its condition undecided."""
    as_of = D(2021, 1, 1)  # before 2021-06-22, the first value's date
    assert rulebook.param_value(PARAM, as_of) == (None, D(2021, 6, 22))
    assert rulebook.param_value(PARAM, D(2021, 6, 22)) == (100, D(2021, 6, 22))
    resolver = rulebook.resolver(as_of)
    rule = rulebook.rules_by_id["category.low_efficiency"]
    from landrules.rulebook.conditions import evaluate
    trace = evaluate(rule.when, PARCEL, set(), resolver)
    assert trace.result is None or trace.result is False  # never decided by the later 100
    text = repr(trace)
    assert "评估日 2021-01-01 无施行中的取值" in text


def test_old_decisions_are_reproduced_after_a_dated_change(rulebook, changed):
    """Adding a value from 2022 leaves every decision for 2021 as it was."""
    as_of = D(2021, 10, 1)
    old = Evaluator(rulebook, DurableBackend(rulebook)).decide("A", PARCEL, as_of)
    new = Evaluator(changed, DurableBackend(changed)).decide("A", PARCEL, as_of)
    assert old.outcome_codes == new.outcome_codes and old.categories == new.categories
    assert old.rulebook != new.rulebook  # but the rulebook hash tells the two apart


def test_every_shipped_parameter_is_documented(rulebook):
    for pid, param in rulebook.parameters.items():
        assert param.description and param.unit and param.cites and param.values, pid
    provisional = {pid for pid, p in rulebook.parameters.items() if p.provisional}
    # the figures the plan leaves to local standards (二、(二)1.) are the provisional ones
    assert provisional == {"regularise.min_output_per_mu", "low_efficiency.min_output_per_mu", "low_efficiency.min_tax_per_mu",
                           # the map's tolerances (二、(三)1. 标图入库 gives no figures; contract §8)
                           "geo.max_area_gap_ratio", "geo.min_overlap_m2", "geo.min_inside_boundary_ratio",
                           "geo.min_planned_industrial_ratio"}
    for pid in provisional:
        assert rulebook.parameters[pid].note, pid


def test_a_value_may_end_the_provisional_default():
    param = Parameter.model_validate({
        "description": "d", "unit": "万元/亩", "cites": ["x"], "provisional": True,
        "values": [{"from": D(2021, 6, 22), "value": 100}, {"from": D(2022, 1, 1), "value": 50, "provisional": False}],
    })
    assert param.is_provisional(param.in_force(D(2021, 12, 31))) is True
    assert param.is_provisional(param.in_force(D(2022, 1, 1))) is False
    assert param.value_at(D(2020, 1, 1)) is None and param.in_force(D(2020, 1, 1)).value == 100


@pytest.mark.parametrize("value", [True, "abc"])
def test_a_value_is_a_number_or_a_date(value):
    with pytest.raises(ValueError):
        Parameter.model_validate({"description": "d", "unit": "比例", "cites": ["x"], "values": [{"from": D(2021, 1, 1), "value": value}]})
