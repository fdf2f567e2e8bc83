"""The 公布清单 and the 形成原因 of 一宗一策 follow rules/outcomes.yaml: a category or outcome added
there is published and worded without a line of Python."""

from __future__ import annotations

import datetime as dt

from landrules.decide.workbook.actions import published_kinds
from landrules.decide.workbook.reasons import reason
from landrules.ledger.write.base import Labels
from landrules.rulebook.load import load_rulebook

AS_OF = dt.date(2021, 10, 1)


def test_the_shipped_catalogue_publishes_the_plan_s_three_kinds(rulebook):
    published = Labels.of(rulebook).published
    assert published_kinds(["used_before_supplied", "approved_unsupplied"], published) == ["批而未供"]
    assert published_kinds(["idle"], published) == ["闲置"]
    assert published_kinds(["idle", "idle_suspected"], published) == []  # found idle first (53号令 第九条)
    assert published_kinds(["low_efficiency", "idle"], published) == ["闲置", "低效"]
    assert published_kinds(["standard_land"], published) == []


def test_a_category_added_in_yaml_is_published_and_worded(rulebook_copy):
    rules, policy = rulebook_copy
    catalogue = rules / "outcomes.yaml"
    text = catalogue.read_text(encoding="utf-8")
    text = text.replace(
        "  standard_land: 标准地\n",
        "  standard_land: 标准地\n  flood_storage: {label: 蓄滞洪区内用地, published: 蓄滞洪区, reason: 位于蓄滞洪区，需核实用地}\n",
    )
    text = text.replace(
        "  no_action: 无需处置\n",
        "  relocate: {label: 引导搬迁, kind: redevelopment, reason: 位于蓄滞洪区，引导搬迁}\n  no_action: 无需处置\n",
    )
    catalogue.write_text(text, encoding="utf-8")
    labels = Labels.of(load_rulebook(rules, policy, analyse=False))
    assert published_kinds(["flood_storage", "low_efficiency"], labels.published) == ["低效", "蓄滞洪区"]
    words = reason(["flood_storage"], ["relocate"], [], {}, AS_OF, labels.categories, labels.reasons)
    assert words == "位于蓄滞洪区，需核实用地；位于蓄滞洪区，引导搬迁"


def test_standard_land_reasons_come_from_the_catalogue(rulebook):
    labels = Labels.of(rulebook)
    facts = {"tax_per_mu": 3.0, "committed_tax_per_mu": 5.0}
    said = reason(["standard_land"], ["standard_land_breach", "standard_land_missing"], [], facts, AS_OF,
                  labels.categories, labels.reasons)
    assert said == "“标准地”履约未达承诺指标：亩均税收3低于承诺5；2021年起新供工业用地，未按“标准地”出让"
