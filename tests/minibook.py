"""A minimal rulebook for tests: one category (idle) from two category rules, three disposals,
two parameters; the shipped policy. `write_book(tmp_path, edits)` writes it with edits applied."""

from __future__ import annotations

import datetime as dt

from conftest import POLICY
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.problems import RulebookError

CATALOGUE = """\
kinds:
  start: 促进开工
  fee: 征缴土地闲置费
categories:
  idle: 闲置
outcomes:
  remove_obstacles: {label: 消除开工障碍, kind: start}
  urge_start_within_deadline: {label: 督促企业限期开工建设, kind: start}
  idle_fee: {label: 征缴土地闲置费, kind: fee}
  no_action: 无需处置
  needs_information: 需补充信息
  invalid_record: 记录无效
"""

PARAMETERS = """\
parameters:
  idle.max_invested_ratio:
    description: 已投资额占比不足此值的，可认定为闲置
    unit: 比例
    cites: [国土资源部令第53号 2#p2]
    values:
      - {from: 2012-07-01, value: 0.25}
  idle.from:
    description: 测试用日期参数
    unit: 日期
    cites: [国土资源部令第53号 2]
    values:
      - {from: 2012-07-01, value: 2012-07-01}
"""

CATEGORIES = """\
rules:
  - id: category.idle
    title: 闲置：经认定
    cites: [国土资源部令第53号 2]
    when:
      all:
        - {field: supplied_on, op: present}
        - {field: idle_identified, op: eq, value: true}
    then: {category: idle}

  - id: category.idle.suspended
    title: 闲置：投资不足且中止开发满一年
    cites: [国土资源部令第53号 2#p2]
    when:
      all:
        - {field: supplied_on, op: present}
        - {field: idle_identified, op: absent}
        - {field: invested_ratio, op: lt, param: idle.max_invested_ratio}
        - {field: suspended_since, op: le, as_of: -1y}
    then: {category: idle}
"""

DISPOSALS = """\
rules:
  - id: idle.government
    title: 政府原因等
    cites: [平龙政办〔2021〕36号 2.3.2.2]
    when:
      all:
        - category: idle
        - {field: idle_cause, op: in, value: [government, petition_stability, force_majeure, shared_fault]}
    then: {outcome: remove_obstacles}

  - id: idle.enterprise
    title: 企业原因
    cites: [平龙政办〔2021〕36号 2.3.2.2]
    when:
      all:
        - category: idle
        - {field: idle_cause, op: eq, value: enterprise}
    then: {outcome: urge_start_within_deadline}

  - id: idle.fee
    title: 企业原因满一年
    cites: [国土资源部令第53号 14]
    when:
      all:
        - category: idle
        - {field: idle_cause, op: eq, value: enterprise}
        - {field: agreed_start_on, op: le, as_of: -1y}
    then: {outcome: idle_fee}
"""

FILES = {"outcomes.yaml": CATALOGUE, "parameters.yaml": PARAMETERS, "categories.yaml": CATEGORIES, "idle.yaml": DISPOSALS}


def write_book(tmp_path, edits=()):
    """The minimal rulebook with `edits` (file, old, new) applied; returns (rules dir, {file: text})."""
    texts = dict(FILES)
    for name, old, new in edits:
        assert old in texts[name], (name, old)
        texts[name] = texts[name].replace(old, new, 1)
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, text in texts.items():
        (rules / name).write_text(text, encoding="utf-8")
    return rules, texts


def problems_of(rules, policy=POLICY):
    """Every problem lint finds: the errors that stop loading, or else the warnings."""
    try:
        return list(load_rulebook(rules, policy).warnings)
    except RulebookError as exc:
        return exc.problems


def line_with(text, marker):
    """The line holding `marker`, or (marker, offset): the line `offset` lines from it."""
    marker, offset = marker if isinstance(marker, tuple) else (marker, 0)
    return offset + next(n for n, line in enumerate(text.splitlines(), start=1) if marker in line)


# --- 53号令 第十四条 and its exception (第八条): shared by the override and explain tests -------

AS_OF = dt.date(2021, 10, 1)

# 国土资源部令第53号 第十四条: "除本办法第八条规定情形外" — idle land pays the idle fee after a
# full year, EXCEPT where the cause is one of article 8's (government, petition, force majeure):
# the exception need not copy the general rule's conditions, nor the general rule negate its.
ARTICLE_14 = """\
rules:
  - id: idle.fee.general
    title: 闲置满一年：征缴土地闲置费
    cites: [国土资源部令第53号 14]
    when:
      all:
        - category: idle
        - {field: agreed_start_on, op: le, as_of: -1y}
    then: {outcome: idle_fee}

  - id: idle.article8
    title: 第八条情形：消除开工障碍，不征缴闲置费
    cites: [国土资源部令第53号 8, 国土资源部令第53号 12]
    overrides: [idle.fee.general]
    when:
      all:
        - category: idle
        - {field: idle_cause, op: in, value: [government, petition_stability, force_majeure]}
    then: {outcome: remove_obstacles}
"""

IDLE = dict(supplied_on=dt.date(2018, 1, 1), idle_identified=True, agreed_start_on=dt.date(2019, 1, 1))
