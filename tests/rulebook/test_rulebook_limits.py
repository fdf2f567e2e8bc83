"""The rulebook loader refuses, with FILE:LINE, what used to lint clean and then misdecide or crash
(issue 9, items 8, 10, 13 and the YAML alias bomb of 15)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from conftest import POLICY, RUNNER as runner
from landrules.backends.durable import DurableBackend, engine_problems
from landrules.cli import app
from landrules.decide.evaluate import Evaluator
from landrules.rulebook.conditions import All, AnyOf, Atom, Not
from landrules.rulebook.nesting import depth, flatten
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.yamlio import MAX_NODES_ENV
from minibook import line_with, problems_of, write_book
from engines_agree import assert_same

AS_OF = dt.date(2021, 10, 1)


@pytest.mark.parametrize("written", [".nan", ".NaN", ".inf", "-.inf", "1e400", "-1e400", "1.0e+400", "1" + "0" * 400])
def test_a_parameter_that_is_not_a_finite_number_is_refused(tmp_path, written):
    """`.nan` silently disabled every comparison with it; `.inf`/`1e400` crashed the engine (202)."""
    rules, texts = write_book(tmp_path, [("parameters.yaml", "value: 0.25}", f"value: {written}}}")])
    problems = problems_of(rules)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.path.endswith("parameters.yaml") and not problem.warning
    assert problem.line == line_with(texts["parameters.yaml"], f"value: {written}")
    assert "not finite" in problem.message and "idle.max_invested_ratio" in problem.message


@pytest.mark.parametrize("written", [".nan", ".inf", "-.inf"])
def test_a_rule_value_that_is_not_a_finite_number_is_refused(tmp_path, written):
    rules, texts = write_book(tmp_path, [("categories.yaml", "param: idle.max_invested_ratio", f"value: {written}")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["categories.yaml"], f"value: {written}")
    assert "not finite" in problem.message


@pytest.mark.parametrize("file, key", [("idle.yaml", "rules"), ("parameters.yaml", "parameters"), ("outcomes.yaml", "categories")])
def test_an_unknown_top_level_key_is_an_error_at_its_line(tmp_path, file, key):
    """`a: [1]` beside `rules:` was accepted silently."""
    rules, texts = write_book(tmp_path, [(file, f"{key}:\n", f"a: [1]\n{key}:\n")])
    problems = problems_of(rules)
    assert [(p.path.rsplit("/", 1)[1], p.line) for p in problems] == [(file, line_with(texts[file], "a: [1]"))], problems
    assert "`a`" in problems[0].message and not problems[0].warning


def test_a_misspelt_top_level_key_gets_a_suggestion(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "rules:\n", "rules:\n", ), ])
    (rules / "extra.yaml").write_text("rule:\n  - id: x\n", encoding="utf-8")
    messages = [p.message for p in problems_of(rules)]
    assert any("expected a list `rules:`" in m for m in messages)
    (rules / "extra.yaml").write_text("rules: []\nrulez: []\n", encoding="utf-8")
    assert any("unknown top-level key `rulez`; did you mean `rules`?" in p.message for p in problems_of(rules))


def nested(levels: int, kind: str = "all") -> str:
    """A `when` of `levels` groups of one kind ("all", "any") or alternating ("alt"), one atom each."""
    text = "{field: agreed_start_on, op: le, as_of: -1y}"
    for level in range(levels):
        group = kind if kind != "alt" else ("all" if level % 2 else "any")
        text = f"{{{group}: [{text}, {{field: output_per_mu, op: ge, value: {level}}}]}}"
    return text


@pytest.mark.parametrize("levels", [16, 20, 45])
def test_all_nested_in_all_is_flattened_and_decides_as_written(tmp_path, levels):
    """`all` nested 16 levels: "Could not create ruleset, error code: 113"."""
    rules, _ = write_book(tmp_path, [("idle.yaml", "        - {field: agreed_start_on, op: le, as_of: -1y}",
                                      f"        - {nested(levels)}")])
    book = load_rulebook(rules, POLICY)
    rule = book.rules_by_id["idle.fee"]
    assert depth(rule.when) == 1 and len(rule.when.all) == levels + 3
    assert engine_problems(book) == []
    base = {"supplied_on": dt.date(2018, 1, 1), "idle_identified": True, "idle_cause": "enterprise",
            "agreed_start_on": dt.date(2019, 1, 1)}
    rows = [dict(base, output_per_mu=v) for v in (0.0, levels - 1.0, float(levels))] + [base]
    assert_same(book, Evaluator(book, DurableBackend(book)), rows, AS_OF)
    fired = [d.outcomes[-1].code for d in Evaluator(book, DurableBackend(book)).decide_many([(str(i), r) for i, r in enumerate(rows)], AS_OF)]
    assert fired[:3] == ["urge_start_within_deadline", "idle_fee", "idle_fee"]


def test_flatten_keeps_the_three_valued_meaning():
    a, b, c = (Atom(field="output_per_mu", op="ge", value=float(v)) for v in (1, 2, 3))
    assert flatten(All(all=(All(all=(a, b)), c))) == All(all=(a, b, c))
    assert flatten(AnyOf(any=(a, AnyOf(any=(b, AnyOf(any=(c,))))))) == AnyOf(any=(a, b, c))
    assert flatten(Not(not_=Not(not_=All(all=(a,))))) == a
    assert flatten(All(all=(AnyOf(any=(a, b)), c))) == All(all=(AnyOf(any=(a, b)), c))


def test_alternating_groups_beyond_the_engine_are_a_lint_error_at_the_rule(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "        - {field: agreed_start_on, op: le, as_of: -1y}",
                                          f"        - {nested(16, 'alt')}")])
    result = runner.invoke(app, ["lint", "--rules", str(rules), "--policy", str(POLICY)])
    assert result.exit_code == 1, result.output
    where = f"idle.yaml:{line_with(texts['idle.yaml'], ('id: idle.fee', 4))}:"
    assert where in result.output and "rule idle.fee" in result.output and "nest" in result.output
    assert "Traceback" not in result.output


def test_a_condition_too_large_for_the_engine_is_a_lint_error_not_error_113(tmp_path):
    """Depth within bounds, but more and/or groups than durable's expression sequence holds."""
    many = ", ".join(f"{{field: output_per_mu, op: ge, value: {i}}}" for i in range(15))
    rules, texts = write_book(tmp_path, [("idle.yaml", "        - {field: agreed_start_on, op: le, as_of: -1y}",
                                          f"        - {{any: [{{all: [{many}]}}, {{field: tax_per_mu, op: gt, value: 1}}]}}")])
    book = load_rulebook(rules, POLICY)
    (problem,) = engine_problems(book)
    assert problem.line == line_with(texts["idle.yaml"], ("id: idle.fee", 3)) and "idle.fee" in problem.message
    assert "ask_when_unknown: false" in problem.message  # the definite twin fits: that is the way out
    result = runner.invoke(app, ["lint", "--rules", str(rules), "--policy", str(POLICY)])
    assert result.exit_code == 1 and str(problem) in result.output
    # and no command starts deciding with it: exit 2 with the same line, nothing written
    ledger = tmp_path / "l.csv"
    ledger.write_text("parcel_id,supplied_on\nA,2018-01-01\n", encoding="utf-8")
    result = runner.invoke(app, ["decide", str(ledger), "--rules", str(rules), "--policy", str(POLICY), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and not (tmp_path / "o.csv").exists()


def test_three_hundred_levels_of_nesting_are_refused_without_recursion_error(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "        - {field: agreed_start_on, op: le, as_of: -1y}",
                                          f"        - {nested(300)}")])
    result = runner.invoke(app, ["lint", "--rules", str(rules), "--policy", str(POLICY)])
    assert result.exit_code == 1 and "RecursionError" not in result.output and "Traceback" not in result.output
    assert "nested more than 100 levels" in result.output
    assert f"idle.yaml:{line_with(texts['idle.yaml'], ('id: idle.fee', 7))}:" in result.output


BOMB = """\
x-anchors:
  a0: &a0 {field: output_per_mu, op: ge, value: 1}
""" + "".join(f"  a{i}: &a{i} {{all: [{', '.join([f'*a{i - 1}'] * 10)}]}}\n" for i in range(1, 9)) + """\
rules:
  - id: bomb
    title: 十的八次方个条件
    cites: [平龙政办〔2021〕36号 2.3.2.2]
    when: *a8
    then: {outcome: urge_start_within_deadline}
"""


def test_a_yaml_alias_bomb_is_refused_quickly_with_its_line(tmp_path, monkeypatch):
    """10^8 conditions by anchors ran over 30 s and 3 GB in lint before anything was said."""
    rules, _ = write_book(tmp_path)
    (rules / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    started = time.process_time()
    result = runner.invoke(app, ["lint", "--rules", str(rules), "--policy", str(POLICY)])
    assert time.process_time() - started < 10  # a bound on work, not a timing test: 10^8 would take minutes
    assert result.exit_code == 1
    assert "bomb.yaml:8:" in result.output and MAX_NODES_ENV in result.output and "aliases" in result.output
    # the bound is configurable: a lower one refuses a smaller expansion, at the node that passes it
    monkeypatch.setenv(MAX_NODES_ENV, "5000")
    assert "bomb.yaml:5:" in runner.invoke(app, ["lint", "--rules", str(rules), "--policy", str(POLICY)]).output


def test_an_alias_that_contains_itself_is_refused(tmp_path):
    rules, _ = write_book(tmp_path)
    (rules / "loop.yaml").write_text("x: &x [1, *x]\nrules: []\n", encoding="utf-8")
    messages = [str(p) for p in problems_of(rules)]
    assert any("loop.yaml:1:" in m and "cycle" in m for m in messages), messages


def test_a_date_offset_beyond_any_date_is_refused_at_its_line(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "as_of: -1y}", "as_of: -9999y}")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["idle.yaml"], "-9999y") and "200 years" in problem.message
