import datetime as dt
import re

import pytest
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.problems import RulebookError


def edit(path, old, new):
    """Replace the first `old` by `new`; return the 1-based line of the edit."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def rule_start(path, line):
    """The line of the `- id:` that opens the rule holding `line`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return max(n for n in range(1, line + 1) if lines[n - 1].lstrip().startswith("- id:"))


def problems_of(rules, policy):
    with pytest.raises(RulebookError) as info:
        load_rulebook(rules, policy)
    return info.value.problems


def test_shipped_rulebook_loads(rulebook):
    assert len(rulebook.rules) >= 18
    assert rulebook.hash.startswith("sha256:") and len(rulebook.hash) == 71
    assert {"2.3.2.1#p1", "2.3.2.1#p2", "2.3.2.2"} <= {c.clause for r in rulebook.rules for c in r.cites}


def test_every_outcome_code_has_a_rule(rulebook):
    produced = {r.outcome for r in rulebook.rules if r.outcome and not r.asks_for_information}
    assert produced == set(rulebook.outcomes) - {"no_action", "needs_information", "invalid_record"}
    # the triage rules conclude needs_information themselves, naming what to collect
    asking = {r.id: r.needs for r in rulebook.rules if r.asks_for_information}
    assert asking == {"triage.status_unknown": ("approved_on", "supplied_on"), "triage.supply_date_missing": ("supplied_on",)}


@pytest.mark.parametrize(
    "file, old, new, pattern",
    [
        ("idle.yaml", "{field: idle_cause, op: eq, value: enterprise}", "{field: idle_kause, op: eq, value: enterprise}", "unknown field 'idle_kause'"),
        ("idle.yaml", "cites: [平龙政办〔2021〕36号 2.3.2.2]", "cites: [平龙政办〔2021〕36号 2.3.9.9]", "no clause '2.3.9.9'"),
        ("idle.yaml", "cites: [平龙政办〔2021〕36号 2.3.2.2]", "cites: [平龙政办〔2099〕1号 2.3.2.2]", "no document"),
        ("categories.yaml", "param: idle.max_invested_ratio", "param: idle.max_investd_ratio", "unknown parameter 'idle.max_investd_ratio'"),
        ("idle.yaml", "then: {outcome: idle_fee}", "then: {outcome: idle_fees}", "unknown outcome code 'idle_fees'"),
        ("efficiency.yaml", "category: low_efficiency", "category: low_eficiency", "unknown category 'low_eficiency'"),
        ("idle.yaml", "value: shared_fault", "value: 共同原因", "not a value of idle_cause"),
        ("idle.yaml", "id: idle.enterprise.recover", "id: idle.enterprise.fee", "duplicate rule id idle.enterprise.fee"),
    ],
)
def test_bad_reference_names_file_line_and_culprit(rulebook_copy, file, old, new, pattern):
    rules, policy = rulebook_copy
    path = rules / file
    edited = edit(path, old, new)
    problems = problems_of(rules, policy)
    assert any(re.search(re.escape(pattern), p.message) for p in problems), problems
    hit = next(p for p in problems if re.search(re.escape(pattern), p.message))
    assert hit.path == str(path)
    # the reported line is the culprit's own line, or at worst the line opening its rule
    assert rule_start(path, edited) <= hit.line <= edited


def test_yaml_syntax_error_names_the_line(rulebook_copy):
    rules, policy = rulebook_copy
    path = rules / "idle.yaml"
    edited = edit(path, "    title: 因企业原因闲置：督促企业限期开工建设", "    title: [broken")
    problems = problems_of(rules, policy)
    assert problems[0].path == str(path) and "YAML syntax error" in problems[0].message
    assert edited <= problems[0].line <= edited + 2


def test_policy_clause_is_required_for_citations(rulebook_copy):
    rules, policy = rulebook_copy
    path = next(policy.glob("pinglong*.yaml"))
    edit(path, 'id: "2.3.3"', 'id: "2.3.33"')
    problems = problems_of(rules, policy)
    assert any("no clause '2.3.3'" in p.message for p in problems)


def test_all_problems_are_reported_at_once(rulebook_copy):
    rules, policy = rulebook_copy
    edit(rules / "idle.yaml", "value: enterprise", "value: enterprize")
    edit(rules / "efficiency.yaml", "field: plot_ratio", "field: plot_ration")
    messages = [p.message for p in problems_of(rules, policy)]
    assert any("enterprize" in m for m in messages) and any("plot_ration" in m for m in messages)


def test_parameter_values_are_taken_by_date(rulebook):
    param = rulebook.parameters["regularise.min_output_per_mu"]
    assert param.provisional is True
    value, since = rulebook.param_value("regularise.min_output_per_mu", dt.date(2021, 10, 1))
    assert value == 200 and since == dt.date(2021, 6, 22)


def test_hash_changes_with_any_rule_file(rulebook_copy):
    rules, policy = rulebook_copy
    before = load_rulebook(rules, policy).hash
    edit(rules / "idle.yaml", "督促企业限期开工建设", "督促企业限期开工建设。")
    assert load_rulebook(rules, policy).hash != before


def test_two_rulebooks_in_one_process_decide_independently(rulebook_copy, rulebook):
    from landrules.backends.durable import DurableBackend
    from landrules.decide.evaluate import Evaluator

    rules, policy = rulebook_copy
    edit(rules / "parameters.yaml", "- {from: 2021-06-22, value: 200}", "- {from: 2021-06-22, value: 400}")
    changed = load_rulebook(rules, policy)
    facts = {
        "approved_on": dt.date(2017, 1, 1), "construction_started_on": dt.date(2018, 6, 1),
        "land_use": "industrial", "project_source": "investment_attraction",
        "filed_with_province": True, "conforms_spatial_plan": True, "conforms_industry_policy": True,
        "operating_well": True, "output_per_mu": 300.0, "contract_performance": "good",
    }
    as_of = dt.date(2021, 10, 1)
    shipped = Evaluator(rulebook, DurableBackend(rulebook)).decide("A", facts, as_of)
    stricter = Evaluator(changed, DurableBackend(changed)).decide("A", facts, as_of)
    assert "regularise" in shipped.outcome_codes
    assert "regularise" not in stricter.outcome_codes
    assert shipped.rulebook != stricter.rulebook
    # and the first still decides as before after the second was built
    again = Evaluator(rulebook, DurableBackend(rulebook)).decide("A", facts, as_of)
    assert again.outcome_codes == shipped.outcome_codes


def test_rules_carry_their_overrides_and_lines(rulebook):
    rule = rulebook.rules_by_id["idle.enterprise.fee"]
    assert rule.overrides == ()
    # the one exception of the shipped rulebook (contract §5 Revised, "No parcel that the plan covers is
    # 无需处置"): land used before supply is digested unless it is regularised or allocated directly
    assert rulebook.overridden_by == {"unsupplied.used.digest": ("unsupplied.regularise", "unsupplied.allocate_directly"),
                                      "idle.enterprise.fee": ("idle.enterprise.recover",)}  # graded 第十四条 (wave 3)
    assert rule.path.endswith("idle.yaml") and rule.line == rule.key_lines["id"]
    assert sorted(rule.atom_lines.values()) == sorted(set(rule.atom_lines.values()))  # one atom a line here


def test_catalogue_keeps_labels_and_gives_kinds(rulebook):
    assert rulebook.outcomes["idle_fee"] == "按出让或划拨价款的20%征缴土地闲置费"
    assert rulebook.categories["used_before_supplied"] == "已批未供即用"
    assert rulebook.catalogue.kind("idle_fee") == "fee"
    disposal_codes = {r.outcome for r in rulebook.rules if r.outcome and not r.asks_for_information}
    assert all(rulebook.catalogue.kind(code) in rulebook.catalogue.kinds for code in disposal_codes)


def test_unknown_key_in_a_rule_suggests_the_right_one(rulebook_copy):
    rules, policy = rulebook_copy
    path = rules / "idle.yaml"
    edited = edit(path, "    cites: [平龙政办〔2021〕36号 2.3.2.2]\n    when:", "    cite: [平龙政办〔2021〕36号 2.3.2.2]\n    when:")
    problems = problems_of(rules, policy)
    hit = next(p for p in problems if "unknown key `cite`" in p.message)
    assert hit.line == edited and "did you mean `cites`?" in hit.message
    assert any("missing `cites`" in p.message for p in problems)


def test_hash_does_not_depend_on_where_the_folders_are_or_what_they_are_called(rulebook, tmp_path):
    import shutil

    from conftest import POLICY, RULES

    shutil.copytree(RULES, tmp_path / "officer-edits")
    shutil.copytree(POLICY, tmp_path / "docs-2021")
    moved = load_rulebook(tmp_path / "officer-edits", tmp_path / "docs-2021")
    assert moved.hash == rulebook.hash
