"""Mutation check: edits that change what the rulebook means must make `landrules check` fail.

Each mutation edits a copy of the shipped rulebook the way an officer might (a parameter moved,
a rule deleted, two disposals swapped, a threshold changed); the scenarios must notice, and
the failing scenario must be the one that states the meaning that changed.
"""

import datetime as dt

import pytest
import yaml
from conftest import ROOT
from landrules.cli import app
from typer.testing import CliRunner

runner = CliRunner()


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def rule(data, rule_id):
    return next(r for r in data["rules"] if r["id"] == rule_id)


def set_cut_off(day):
    def mutate(rules):
        data = load(rules / "parameters.yaml")
        for value in data["parameters"]["regularise.in_use_by"]["values"]:
            value["value"] = day
        dump(rules / "parameters.yaml", data)
    return mutate


def delete_compensated_recovery(rules):
    for path in rules.glob("*.yaml"):
        data = load(path)
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            kept = [r for r in data["rules"] if r["then"].get("outcome") != "compensated_recovery"]
            if len(kept) != len(data["rules"]):
                data["rules"] = kept
                dump(path, data)
                return
    raise AssertionError("no rule concludes compensated_recovery")


def swap_government_and_enterprise(rules):
    data = load(rules / "idle.yaml")
    government, enterprise = rule(data, "idle.government.remove_obstacles"), rule(data, "idle.enterprise.urge")
    government["then"], enterprise["then"] = enterprise["then"], government["then"]
    dump(rules / "idle.yaml", data)


def set_idle_threshold(offset):
    def mutate(rules):
        path = rules / "categories.yaml"
        text = path.read_text(encoding="utf-8")
        assert "as_of: -1y" in text
        path.write_text(text.replace("as_of: -1y", f"as_of: {offset}"), encoding="utf-8")
    return mutate


MUTATIONS = {
    # mutation id: (edit, a scenario that must fail)
    "cut-off moved to 2019-12-31": (set_cut_off(dt.date(2019, 12, 31)), "以2018年12月31日为界"),
    "cut-off moved to 2018-12-30": (set_cut_off(dt.date(2018, 12, 30)), "以2018年12月31日为界"),
    "compensated_recovery rule deleted": (delete_compensated_recovery, "经协商一致方可有偿收回"),
    "government and enterprise disposals swapped": (swap_government_and_enterprise, "按闲置原因确定处置方式"),
    "idle threshold 1 year -> 2 years": (set_idle_threshold("-2y"), "满一年未动工开发的，认定为闲置土地"),
    "idle threshold 1 year -> 6 months": (set_idle_threshold("-6m"), "满一年未动工开发的，认定为闲置土地"),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_check_catches_a_change_of_meaning(mutation, rulebook_copy):
    rules, policy = rulebook_copy
    edit, scenario = MUTATIONS[mutation]
    edit(rules)
    result = runner.invoke(app, ["check", str(ROOT / "scenarios"), "--rules", str(rules), "--policy", str(policy)])
    if result.exit_code == 2:
        # Caught even earlier: the rulebook's own checks refuse the mutant (e.g. lint's gap check
        # on an idle cause no rule handles any more), so no scenario could run against it.
        lint = runner.invoke(app, ["lint", "--rules", str(rules), "--policy", str(policy)])
        assert lint.exit_code == 1, lint.output
        return
    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("[失败]")]
    assert any(scenario in line for line in failed), result.output
