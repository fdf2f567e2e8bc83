import datetime as dt

import pytest
from landrules.rulebook.conditions import (
    All,
    AnyOf,
    Atom,
    ConditionError,
    Not,
    Resolver,
    evaluate,
    parse_condition,
    unknown_fields,
)

AS_OF = dt.date(2021, 10, 1)
PARAMS = {"p.ratio": (0.25, dt.date(2020, 1, 1)), "p.cut": (dt.date(2018, 12, 31), dt.date(2020, 1, 1))}


def resolver(as_of=AS_OF):
    return Resolver(as_of, lambda pid, when: PARAMS[pid])


def ev(raw, facts, categories=()):
    return evaluate(parse_condition(raw), facts, set(categories), resolver())


@pytest.mark.parametrize(
    "op, value, actual, expected",
    [
        ("eq", 5, 5.0, True), ("eq", 5, 6.0, False),
        ("ne", 5, 6.0, True), ("ne", 5, 5.0, False),
        ("lt", 5, 4.0, True), ("lt", 5, 5.0, False),
        ("le", 5, 5.0, True), ("le", 5, 6.0, False),
        ("gt", 5, 6.0, True), ("gt", 5, 5.0, False),
        ("ge", 5, 5.0, True), ("ge", 5, 4.0, False),
    ],
)
def test_number_operators(op, value, actual, expected):
    assert ev({"field": "output_per_mu", "op": op, "value": value}, {"output_per_mu": actual}).result is expected


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_every_comparison_on_a_missing_field_is_unknown(op):
    trace = ev({"field": "output_per_mu", "op": op, "value": 5}, {})
    assert trace.result is None
    assert unknown_fields(trace) == ["output_per_mu"]


def test_in_and_not_in_accept_codes_or_chinese_labels():
    raw = {"field": "idle_cause", "op": "in", "value": ["政府原因", "petition_stability"]}
    assert ev(raw, {"idle_cause": "government"}).result is True
    assert ev(raw, {"idle_cause": "enterprise"}).result is False
    assert ev(raw, {}).result is None
    raw["op"] = "not_in"
    assert ev(raw, {"idle_cause": "enterprise"}).result is True
    assert ev(raw, {"idle_cause": "government"}).result is False


def test_present_and_absent_are_two_valued():
    assert ev({"field": "supplied_on", "op": "present"}, {}).result is False
    assert ev({"field": "supplied_on", "op": "absent"}, {}).result is True
    assert ev({"field": "supplied_on", "op": "present"}, {"supplied_on": AS_OF}).result is True


def test_as_of_offset_counts_full_years():
    raw = {"field": "agreed_start_on", "op": "le", "as_of": "-1y"}
    assert ev(raw, {"agreed_start_on": dt.date(2020, 10, 1)}).result is True
    assert ev(raw, {"agreed_start_on": dt.date(2020, 10, 2)}).result is False


def test_parameter_reference_and_date_parameter():
    assert ev({"field": "invested_ratio", "op": "lt", "param": "p.ratio"}, {"invested_ratio": 0.2}).result is True
    assert ev({"field": "approved_on", "op": "le", "param": "p.cut"}, {"approved_on": dt.date(2019, 1, 1)}).result is False


def test_other_field_comparison_is_unknown_when_either_side_is_missing():
    raw = {"field": "tax_per_mu", "op": "lt", "other_field": "committed_tax_per_mu"}
    assert ev(raw, {"tax_per_mu": 3.0, "committed_tax_per_mu": 5.0}).result is True
    trace = ev(raw, {"tax_per_mu": 3.0})
    assert trace.result is None and unknown_fields(trace) == ["committed_tax_per_mu"]


def test_kleene_logic():
    known_false = {"field": "land_use", "op": "eq", "value": "industrial"}
    unknown = {"field": "output_per_mu", "op": "gt", "value": 1}
    facts = {"land_use": "commercial"}
    assert ev({"all": [known_false, unknown]}, facts).result is False
    assert ev({"any": [known_false, unknown]}, facts).result is None
    assert ev({"any": [{"not": known_false}, unknown]}, facts).result is True
    assert ev({"not": unknown}, facts).result is None
    trace = ev({"all": [{"not": known_false}, unknown]}, facts)
    assert trace.result is None and unknown_fields(trace) == ["output_per_mu"]


def test_category_atom():
    assert ev({"category": "idle"}, {}, ["idle"]).result is True
    assert ev({"category": "idle"}, {}, []).result is False


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"field": "no_such_field", "op": "eq", "value": 1}, "unknown field"),
        ({"field": "land_use", "op": "approx", "value": "工业"}, "unknown operator"),
        ({"field": "land_use", "op": "lt", "value": "工业"}, "needs a number or a date"),
        ({"field": "land_use", "op": "eq", "value": "林地"}, "is not a value of land_use"),
        ({"field": "approved_on", "op": "le", "value": 20181231}, "does not fit approved_on"),
        ({"field": "approved_on", "op": "le", "as_of": "one year"}, "not like -1y"),
        ({"field": "output_per_mu", "op": "ge"}, "exactly one of"),
        ({"field": "land_use", "op": "in", "value": "工业"}, "takes a list"),
        ({"field": "output_per_mu", "op": "ge", "value": 1, "typo": 2}, "unknown key"),
        ({"whatever": 1}, "unknown condition"),
        ({"all": []}, "non-empty list"),
    ],
)
def test_bad_conditions_are_rejected_with_a_reason(raw, message):
    with pytest.raises(ConditionError, match=message):
        parse_condition(raw)


def test_parse_builds_the_ir():
    cond = parse_condition({"all": [{"field": "supplied_on", "op": "present"}, {"not": {"any": [{"category": "idle"}]}}]})
    assert isinstance(cond, All)
    assert isinstance(cond.all[0], Atom) and cond.all[0].op == "present"
    assert isinstance(cond.all[1], Not) and isinstance(cond.all[1].not_, AnyOf)


def test_trace_source_names_the_parameter_value_and_its_date():
    trace = ev({"field": "invested_ratio", "op": "lt", "param": "p.ratio"}, {"invested_ratio": 0.2})
    assert trace.source == "参数 p.ratio = 0.25（2020-01-01 起施行）"


def test_before_the_first_value_the_condition_is_undecided_and_the_trace_says_so():
    """Contract §5 Revised, wave 3: no value in force → undecided, never the later value."""
    early = Resolver(dt.date(2019, 6, 1), lambda pid, when: (None, PARAMS[pid][1]), lambda pid, when: "暂定值")
    trace = evaluate(parse_condition({"field": "invested_ratio", "op": "lt", "param": "p.ratio"}), {"invested_ratio": 0.2}, set(), early)
    assert trace.result is None
    assert "评估日 2019-06-01 无施行中的取值" in trace.source and "2020-01-01" in trace.source


def test_located_atoms_gives_each_atom_its_own_line(tmp_path):
    from landrules.rulebook.conditions import located_atoms
    from landrules.rulebook.yamlio import load_yaml

    path = tmp_path / "c.yaml"
    path.write_text(
        "when:\n  all:\n    - category: idle\n    - any:\n        - {field: tax_per_mu, op: lt, value: 5}\n"
        "        - not: {field: output_per_mu, op: ge, value: 1}\n",
        encoding="utf-8",
    )
    raw = load_yaml(path)["when"]
    lines = [(getattr(a, "field", None) or a.category, line) for a, line in located_atoms(raw, parse_condition(raw))]
    assert lines == [("idle", 3), ("tax_per_mu", 5), ("output_per_mu", 6)]


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"field": "idle_kause", "op": "eq", "value": "enterprise"}, "did you mean idle_cause（闲置原因）"),
        ({"field": "approved_on", "op": "le", "value": 20181231}, "write a date as 2018-12-31"),
        ({"field": "idle_identified", "op": "eq", "value": "是"}, "write true or false"),
        ({"field": "idle_cause", "op": "eq", "value": "企业"}, "one of government（政府原因）"),
    ],
)
def test_messages_say_how_to_write_it(raw, message):
    with pytest.raises(ConditionError) as info:
        parse_condition(raw)
    assert message in info.value.message
