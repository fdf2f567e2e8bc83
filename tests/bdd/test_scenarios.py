"""The policy scenarios (scenarios/*.feature) as part of the normal test run.

Every scenario of every feature under scenarios/ becomes a test here, decided under the
checkout's rulebook (or $LANDRULES_RULES / $LANDRULES_POLICY). `landrules check` runs the same
features and also reports coverage; tests/bdd/test_check_command.py tests that command.
"""

import pytest

from conftest import ROOT
from landrules.bdd.binding import bind_scenarios
from landrules.bdd.registry import STEPS

pytest_plugins = ["landrules.bdd.plugin"]

SCENARIOS = ROOT / "scenarios"
pytestmark = pytest.mark.long_file  # every scenario of the policy

bind_scenarios(SCENARIOS, globals())


def test_every_step_has_a_chinese_and_an_english_form():
    assert len(STEPS) >= 20
    for form in STEPS:
        zh, en = form.lines()
        assert zh.split()[0] in ("假如", "当", "那么") and en.split()[0] in ("Given", "When", "Then")


def test_the_officers_guide_shows_every_step_in_chinese_and_english():
    guide = (ROOT / "docs" / "scenarios.zh.md").read_text(encoding="utf-8")
    for form in STEPS:
        assert form.zh in guide, form.zh
        assert f"{form.lines()[1].split(' (with')[0]}" in guide, form.en


def test_each_area_of_the_plan_has_its_feature_in_chinese():
    names = {p.stem for p in SCENARIOS.glob("*.feature")}
    assert {"批而未供", "已批未供即用", "闲置土地认定", "闲置土地处置", "低效用地", "标准地", "完成时限与逾期"} <= names
    for path in SCENARIOS.glob("*.feature"):
        assert path.read_text(encoding="utf-8").startswith("# language: zh-CN"), path
