"""`check --mutations`: a rule is pinned when every small change to it makes a scenario fail."""

import datetime as dt
import re
import shutil

import pytest

from conftest import ROOT
from conftest import RUNNER as runner
from landrules.bdd.mutants import ShiftedAtom, rule_mutants
from landrules.cli import app
from landrules.rulebook.conditions import Atom
from landrules.rulebook.load import load_rulebook

SCENARIOS = ROOT / "scenarios"

EXTRA_RULE = """
  - id: low_efficiency.tiny_plot_ratio
    title: 容积率极低的工业用地（无场景的新规则）
    cites: [平龙政办〔2021〕36号 2.3.3]
    when:
      all:
        - {field: supplied_on, op: present}
        - {field: land_use, op: eq, value: industrial}
        - {field: plot_ratio, op: lt, value: 0.01}
    ask_when_unknown: false
    then: {outcome: low_efficiency_redevelopment}
"""


def check(*args):
    return runner.invoke(app, ["check", *[str(a) for a in args]])


def small_scenarios(tmp_path, *names):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in names:
        shutil.copy(SCENARIOS / name, folder)
    return folder


def survivors_of(output, rule_id):
    block = re.search(rf"  {re.escape(rule_id)}〔[^〕]*〕存活的变异：\n((?:    - .*\n)+)", output)
    return block.group(1).splitlines() if block else []


def test_the_mutants_of_a_rule(rulebook):
    rule = rulebook.rules_by_id["unsupplied.regularise"]
    mutants = list(rule_mutants(rulebook, rule))
    kinds = [m.kind for m in mutants]
    assert kinds[0] == "removed" and kinds.count("dropped") == 1 + 10  # the category it joins, each condition
    assert kinds.count("flipped") == 10 and kinds.count("shifted") == 2 * 3  # two dates and a number, both ways
    removed = mutants[0].rulebook(rulebook)
    assert "unsupplied.regularise" not in removed.rules_by_id and len(removed.rules) == len(rulebook.rules) - 1
    assert removed.hash == rulebook.hash
    shifted = next(m for m in mutants if m.kind == "shifted" and "批准日期" in m.description and "推后" in m.description)
    assert shifted.line.endswith("unsupplied.yaml:42")
    mutant = shifted.rulebook(rulebook)
    changed = [a for a in mutant.rules_by_id["unsupplied.regularise"].condition.all if isinstance(a, ShiftedAtom)]
    [atom] = changed
    resolver = mutant.resolver(dt.date(2021, 10, 1))
    plain = Atom(**{k: getattr(atom, k) for k in Atom.model_fields})
    assert resolver.bind(atom).value == dt.date(2019, 1, 1)  # moved in the mutated rule only
    assert resolver.bind(plain).value == dt.date(2018, 12, 31)
    # every other rule is the original's
    assert [r for r in mutant.rules if r.id != "unsupplied.regularise"] == \
           [r for r in rulebook.rules if r.id != "unsupplied.regularise"]


@pytest.mark.slow
def test_a_boundary_scenario_kills_the_moved_cut_off(tmp_path, rulebook):
    from landrules.bdd.runner import run_check  # here: importing the plugin early keeps pytest from rewriting it

    result = run_check(small_scenarios(tmp_path, "已批未供即用.feature"), rulebook, mutations=True)
    assert result.passed and result.pinning.scenarios == len(result.results)
    by_text = {r.mutant.description: r for r in result.pinning.results if r.mutant.rule_id == "unsupplied.regularise"}
    later = by_text["条件「开工日期 ≤ 参数 regularise.in_use_by」的比较值推后 1 天"]
    assert later.killed_by is not None and "以2018年12月31日为界" in later.killed_by.name
    assert by_text["删除规则（不再得出结论 regularise）"].killed_by is not None
    # the idle rules have no scenario in this folder: their removal survives
    assert result.pinning.survivors["idle.enterprise.urge"][0].kind == "removed"


@pytest.mark.slow  # a mutation check
def test_a_rule_added_without_a_scenario_is_reported_unpinned(tmp_path, rulebook_copy):
    rules, policy = rulebook_copy
    with (rules / "efficiency.yaml").open("a", encoding="utf-8") as handle:
        handle.write(EXTRA_RULE)
    result = check(small_scenarios(tmp_path, "低效用地.feature"), "--rules", rules, "--policy", policy, "--mutations")
    assert result.exit_code == 0, result.output
    unpinned = re.search(r"未钉住的规则：(.*)", result.output).group(1).split("、")
    assert "low_efficiency.tiny_plot_ratio" in unpinned and "low_efficiency.redevelop" not in unpinned
    survived = survivors_of(result.output, "low_efficiency.tiny_plot_ratio")
    assert survived[0].startswith("    - 删除规则（不再得出结论 low_efficiency_redevelopment）〔")
    assert any("条件「容积率 < 0.01」" in line for line in survived)
    total = len(load_rulebook(rules, policy).rules)  # the shipped rules and the one added
    assert re.search(rf"^rules pinned: \d+/{total}$", result.output, re.M)


def test_without_mutations_check_says_nothing_about_pinning(tmp_path):
    result = check(small_scenarios(tmp_path, "低效用地.feature"))
    assert result.exit_code == 0 and "rules pinned" not in result.output


@pytest.mark.slow
@pytest.mark.mutations
def test_check_mutations_on_the_shipped_rulebook(rulebook):
    """The figure the README reports; runs in CI like every test (about 5 s of replay)."""
    result = check("--mutations")
    assert result.exit_code == 0, result.output
    n = len(rulebook.rules)
    pinned = int(re.search(rf"^rules pinned: (\d+)/{n}$", result.output, re.M).group(1))
    killed, total = map(int, re.search(r"^mutations killed: (\d+)/(\d+)", result.output, re.M).groups())
    assert pinned >= 15 and killed >= 200 and total >= 200, result.output
    unpinned = re.search(r"未钉住的规则：(.*)", result.output).group(1)
    listed = [] if unpinned == "无" else unpinned.split("、")
    assert len(listed) == n - pinned
    for rule_id in listed:
        assert survivors_of(result.output, rule_id), rule_id
    assert "重放时未通过" not in result.output


@pytest.mark.slow  # a mutation check
def test_failing_scenarios_are_left_out_of_the_mutation_check(tmp_path):
    folder = small_scenarios(tmp_path, "低效用地.feature")
    (folder / "wrong.feature").write_text("""# language: zh-CN
功能: 一个写错的期望
  场景: 政府原因闲置却期望征缴闲置费
    假如 评估日为 2021-10-01
    而且 一宗地块：
      | 供地日期     | 2018-01-15 |
      | 约定动工日期 | 2019-06-30 |
      | 闲置原因     | 政府原因   |
    当 按规则库作出决定
    那么 结论包括"征缴土地闲置费"
""", encoding="utf-8")
    result = check(folder, "--mutations")
    assert result.exit_code == 1
    assert "注意：1 个场景未通过，变异检验只用了通过的场景" in result.output
    scenarios = int(re.search(r"重放场景 (\d+) 个", result.output).group(1))
    assert scenarios == result.output.count("[通过]")
