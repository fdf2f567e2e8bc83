"""The "then" steps: what the decision must say.

Outcomes and categories are named by code, Chinese label or a unique part of the label;
citations as `文号 条款` (`平龙政办〔2021〕36号 2.3.2.2`, short `36号 2.3.2.2`). A failed
expectation says what was expected and, in one line, what the rulebook actually decided.
"""

from __future__ import annotations

from typing import Callable, Iterable

from landrules.bdd import vocabulary as vocab
from landrules.bdd.registry import define, q
from landrules.bdd.state import ScenarioState
from landrules.bdd.vocabulary import QUOTE_OPEN, ScenarioFailure
from landrules.core.decision import Outcome

LIST = QUOTE_OPEN + r".+"  # one or more quoted names


def _compare(
    state: ScenarioState, mode: str, expected: Iterable[str], have: Iterable[str], what: str,
    name: Callable[[str], str],
) -> None:
    """include: every expected item is there; exclude: none is; exact: the same set."""
    expected, have = list(dict.fromkeys(expected)), set(have)
    if mode == "include":
        wrong, message = [e for e in expected if e not in have], "{what}中应有 {names}"
    elif mode == "exclude":
        wrong, message = [e for e in expected if e in have], "{what}中不应有 {names}"
    else:
        wrong, message = ([] if set(expected) == have else expected), "{what}应恰为 {names}"
    if wrong or (mode == "exact" and set(expected) != have):
        names = "、".join(f"“{name(x)}”" for x in wrong) or "（无）"
        raise ScenarioFailure(message.format(what=what, names=names) + "。" + state.describe())


def _outcomes(state: ScenarioState, mode: str, items: str) -> None:
    codes = [vocab.outcome(item, state.rulebook) for item in vocab.quoted_items(items)]
    _compare(state, mode, codes, state.decided().outcome_codes, "结论", state.rulebook.outcomes.__getitem__)


def _categories(state: ScenarioState, mode: str, items: str) -> None:
    codes = [vocab.category(item, state.rulebook) for item in vocab.quoted_items(items)]
    _compare(state, mode, codes, state.decided().categories, "类别", state.rulebook.categories.__getitem__)


def _needs(state: ScenarioState, mode: str, items: str) -> None:
    names = [vocab.field_name(item) for item in vocab.quoted_items(items)]
    _compare(state, mode, names, state.decided().needs, "需补充的信息", vocab.field_label)


def _found(state: ScenarioState, outcome: str) -> list[Outcome]:
    return state.outcomes(vocab.outcome(outcome, state.rulebook))


def _cites(citations, doc: str, clause: str) -> bool:
    return any(c.doc == doc and vocab.clause_matches(c.clause, clause) for c in citations)


def _refs(citations) -> str:
    return "、".join(dict.fromkeys(f"{c.doc} {c.clause}" for c in citations)) or "（无）"


# --- outcomes ----------------------------------------------------------------------------------


@define(
    "then", r"结论包括\s*(?P<items>" + LIST + ")", r"the outcomes include (?P<items>" + LIST + ")",
    example_zh='结论包括"征缴土地闲置费"', example_en='the outcomes include "idle_fee"',
)
def outcomes_include(scenario_state: ScenarioState, items: str) -> None:
    _outcomes(scenario_state, "include", items)


@define(
    "then", r"结论不包括\s*(?P<items>" + LIST + ")", r"the outcomes do not include (?P<items>" + LIST + ")",
    example_zh='结论不包括"完善用地手续"', example_en='the outcomes do not include "regularise"',
)
def outcomes_exclude(scenario_state: ScenarioState, items: str) -> None:
    _outcomes(scenario_state, "exclude", items)


@define(
    "then", r"结论为\s*(?P<items>" + LIST + ")", r"the outcomes are (?P<items>" + LIST + ")",
    example_zh='结论为"督促企业限期开工建设"、"征缴土地闲置费"',
    example_en='the outcomes are "urge_start_within_deadline", "idle_fee"',
)
def outcomes_are(scenario_state: ScenarioState, items: str) -> None:
    _outcomes(scenario_state, "exact", items)


# --- categories --------------------------------------------------------------------------------


@define(
    "then", r"类别包括\s*(?P<items>" + LIST + ")", r"the categories include (?P<items>" + LIST + ")",
    example_zh='类别包括"闲置"', example_en='the categories include "idle"',
)
def categories_include(scenario_state: ScenarioState, items: str) -> None:
    _categories(scenario_state, "include", items)


@define(
    "then", r"类别不包括\s*(?P<items>" + LIST + ")", r"the categories do not include (?P<items>" + LIST + ")",
    example_zh='类别不包括"低效"', example_en='the categories do not include "low_efficiency"',
)
def categories_exclude(scenario_state: ScenarioState, items: str) -> None:
    _categories(scenario_state, "exclude", items)


@define(
    "then", r"类别为\s*(?P<items>" + LIST + ")", r"the categories are (?P<items>" + LIST + ")",
    example_zh='类别为"批而未供"、"已批未供即用"',
    example_en='the categories are "approved_unsupplied", "used_before_supplied"',
)
def categories_are(scenario_state: ScenarioState, items: str) -> None:
    _categories(scenario_state, "exact", items)


@define(
    "then", r"(?:没有类别|类别为空)", r"there are no categories",
    example_zh="没有类别", example_en="there are no categories",
)
def no_categories(scenario_state: ScenarioState) -> None:
    if scenario_state.decided().categories:
        raise ScenarioFailure(f"不应有任何类别。{scenario_state.describe()}")


# --- citations ---------------------------------------------------------------------------------


@define(
    "then", q("outcome") + r"\s*引用\s*(?P<ref>.+)", q("outcome") + r" cites (?P<ref>.+)",
    example_zh='"消除开工障碍"引用 平龙政办〔2021〕36号 2.3.2.2',
    example_en='"remove_obstacles" cites 平龙政办〔2021〕36号 2.3.2.2',
)
def outcome_cites(scenario_state: ScenarioState, outcome: str, ref: str) -> None:
    doc, clause = vocab.citation(ref, scenario_state.rulebook)
    found = _found(scenario_state, outcome)
    if not any(_cites(o.citations, doc, clause) for o in found):
        cited = _refs(c for o in found for c in o.citations)
        raise ScenarioFailure(f"“{found[0].label}”应引用 {doc} {clause}，实际引用：{cited}")


@define(
    "then", r"决定引用\s*(?P<ref>.+)", r"the decision cites (?P<ref>.+)",
    example_zh="决定引用 国土资源部令第53号 14", example_en="the decision cites 国土资源部令第53号 14",
)
def decision_cites(scenario_state: ScenarioState, ref: str) -> None:
    doc, clause = vocab.citation(ref, scenario_state.rulebook)
    outcomes = scenario_state.decided().outcomes
    if not any(_cites(o.citations, doc, clause) for o in outcomes):
        cited = _refs(c for o in outcomes for c in o.citations)
        raise ScenarioFailure(f"决定应引用 {doc} {clause}，实际引用：{cited}。{scenario_state.describe()}")


@define(
    "then", r"类别\s*" + q("category") + r"\s*的依据为\s*(?P<ref>.+)",
    r"the category " + q("category") + r" rests on (?P<ref>.+)",
    example_zh='类别"闲置"的依据为 国土资源部令第53号 2#p1',
    example_en='the category "idle" rests on 国土资源部令第53号 2#p1',
)
def category_rests_on(scenario_state: ScenarioState, category: str, ref: str) -> None:
    rulebook = scenario_state.rulebook
    doc, clause = vocab.citation(ref, rulebook)
    code = vocab.category(category, rulebook)
    _compare(scenario_state, "include", [code], scenario_state.decided().categories, "类别",
             rulebook.categories.__getitem__)
    fired = scenario_state.firing.definite if scenario_state.firing else frozenset()
    rules = [r for r in rulebook.rules if r.category == code and r.id in fired]
    if not any(_cites(r.cites, doc, clause) for r in rules):
        grounds = _refs(c for r in rules for c in r.cites)
        raise ScenarioFailure(f"类别“{rulebook.categories[code]}”的依据应为 {doc} {clause}，实际依据：{grounds}")


# --- deadline, overdue, responsible units ------------------------------------------------------


@define(
    "then", q("outcome") + r"\s*的完成时限为\s*(?P<day>.+)", r"the deadline of " + q("outcome") + r" is (?P<day>.+)",
    example_zh='"完善用地手续"的完成时限为 2021-12-31', example_en='the deadline of "regularise" is 2021-12-31',
)
def deadline_is(scenario_state: ScenarioState, outcome: str, day: str) -> None:
    expected = vocab.date(day)
    found = _found(scenario_state, outcome)
    actual = [o.deadline for o in found]
    if expected not in actual:
        shown = "、".join(str(d) if d else "（无）" for d in actual)
        raise ScenarioFailure(f"“{found[0].label}”的完成时限应为 {expected}，实际为 {shown}")


@define(
    "then", q("outcome") + r"\s*没有完成时限", q("outcome") + r" has no deadline",
    example_zh='"需补充信息"没有完成时限', example_en='"needs_information" has no deadline',
)
def no_deadline(scenario_state: ScenarioState, outcome: str) -> None:
    found = _found(scenario_state, outcome)
    dated = [o.deadline for o in found if o.deadline is not None]
    if dated:
        raise ScenarioFailure(f"“{found[0].label}”不应有完成时限，实际为 {dated[0]}")


def _overdue(state: ScenarioState, outcome: str, expected: bool) -> None:
    o = _found(state, outcome)[0]
    if o.deadline is None:
        raise ScenarioFailure(f"“{o.label}”没有完成时限，谈不上是否逾期")
    if o.overdue is not expected:
        word = "已逾期" if expected else "未逾期"
        raise ScenarioFailure(f"“{o.label}”应{word}：完成时限 {o.deadline}，评估日 {state.decided().as_of}")


@define(
    "then", q("outcome") + r"\s*已逾期", q("outcome") + r" is overdue",
    example_zh='"完善用地手续"已逾期', example_en='"regularise" is overdue',
)
def is_overdue(scenario_state: ScenarioState, outcome: str) -> None:
    _overdue(scenario_state, outcome, True)


@define(
    "then", q("outcome") + r"\s*未逾期", q("outcome") + r" is not overdue",
    example_zh='"完善用地手续"未逾期', example_en='"regularise" is not overdue',
)
def is_not_overdue(scenario_state: ScenarioState, outcome: str) -> None:
    _overdue(scenario_state, outcome, False)


def _responsible(state: ScenarioState, outcome: str, units: str, mode: str) -> None:
    o = _found(state, outcome)[0]
    expected = vocab.plain_items(units)
    if (mode == "exact" and set(expected) != set(o.responsible)) or any(u not in o.responsible for u in expected):
        word = "为" if mode == "exact" else "包括"
        actual = "、".join(o.responsible) or "（无）"
        raise ScenarioFailure(f"“{o.label}”的责任单位应{word} {'、'.join(expected)}，实际为 {actual}")


@define(
    "then", q("outcome") + r"\s*的责任单位为\s*(?P<units>.+)",
    r"the responsible units of " + q("outcome") + r" are (?P<units>.+)",
    example_zh='"消除开工障碍"的责任单位为 国土资源局、产业集聚区管委会',
    example_en='the responsible units of "remove_obstacles" are 国土资源局, 产业集聚区管委会',
)
def responsible_are(scenario_state: ScenarioState, outcome: str, units: str) -> None:
    _responsible(scenario_state, outcome, units, "exact")


@define(
    "then", q("outcome") + r"\s*的责任单位包括\s*(?P<units>.+)",
    r"the responsible units of " + q("outcome") + r" include (?P<units>.+)",
    example_zh='"征缴土地闲置费"的责任单位包括 国土资源局',
    example_en='the responsible units of "idle_fee" include 国土资源局',
)
def responsible_include(scenario_state: ScenarioState, outcome: str, units: str) -> None:
    _responsible(scenario_state, outcome, units, "include")


# --- needs and errors --------------------------------------------------------------------------


@define(
    "then", r"需补充\s*(?P<items>" + LIST + ")", r"the decision needs (?P<items>" + LIST + ")",
    example_zh='需补充"运营良好"', example_en='the decision needs "operating_well"',
)
def needs_include(scenario_state: ScenarioState, items: str) -> None:
    _needs(scenario_state, "include", items)


@define(
    "then", r"需补充的信息为\s*(?P<items>" + LIST + ")", r"the decision needs exactly (?P<items>" + LIST + ")",
    example_zh='需补充的信息为"闲置原因"', example_en='the decision needs exactly "idle_cause"',
)
def needs_are(scenario_state: ScenarioState, items: str) -> None:
    _needs(scenario_state, "exact", items)


@define(
    "then", r"无需补充信息", r"the decision needs nothing",
    example_zh="无需补充信息", example_en="the decision needs nothing",
)
def needs_nothing(scenario_state: ScenarioState) -> None:
    if scenario_state.decided().needs:
        raise ScenarioFailure(f"不应需要补充信息。{scenario_state.describe()}")


@define(
    "then", r"记录错误包括\s*" + q("text"), r"the record errors include " + q("text"),
    example_zh='记录错误包括"土地用途"', example_en='the record errors include "land_use"',
)
def errors_include(scenario_state: ScenarioState, text: str) -> None:
    errors = scenario_state.decided().errors
    if not errors:
        raise ScenarioFailure(f"记录应无效，实际有效。{scenario_state.describe()}")
    if not any(text in e for e in errors):
        raise ScenarioFailure(f"记录错误中应有“{text}”，实际为：{'；'.join(errors)}")


# --- notes and amounts (wave 3) ----------------------------------------------------------------


@define(
    "then", r"(?:决策)?备注包括\s*" + q("text"), r"the (?:decision )?notes include " + q("text"),
    example_zh='决策备注包括"平龙政办〔2021〕36号自2021-06-22起施行"',
    example_en='the decision notes include "晚于评估日"',
)
def notes_include(scenario_state: ScenarioState, text: str) -> None:
    notes = scenario_state.decided().notes
    if not any(vocab.normalise(text) in vocab.normalise(n) for n in notes):
        raise ScenarioFailure(f"决策备注中应有“{text}”，实际为：{'；'.join(notes) or '（无）'}")


@define(
    "then", r"没有决策备注", r"the decision has no notes",
    example_zh="没有决策备注", example_en="the decision has no notes",
)
def no_notes(scenario_state: ScenarioState) -> None:
    notes = scenario_state.decided().notes
    if notes:
        raise ScenarioFailure(f"不应有决策备注，实际为：{'；'.join(notes)}")


@define(
    "then", q("outcome") + r"\s*的金额为\s*(?P<amount>[0-9.]+)\s*万元",
    r"the amount of " + q("outcome") + r" is (?P<amount>[0-9.]+) 万元",
    example_zh='"征缴土地闲置费"的金额为 246.91 万元', example_en='the amount of "idle_fee" is 246.91 万元',
)
def amount_is(scenario_state: ScenarioState, outcome: str, amount: str) -> None:
    found = _found(scenario_state, outcome)
    if not found:
        raise ScenarioFailure(f"结论中没有“{outcome}”。{scenario_state.describe()}")
    actual = found[0].amount
    if actual is None or abs(actual - float(amount)) > 1e-9:
        raise ScenarioFailure(f"“{found[0].label}”的金额应为 {amount} 万元，实际为 {'（无）' if actual is None else f'{actual:.2f} 万元'}")


@define(
    "then", q("outcome") + r"\s*没有金额", r"the amount of " + q("outcome") + r" is not known",
    example_zh='"征缴土地闲置费"没有金额', example_en='the amount of "idle_fee" is not known',
)
def amount_unknown(scenario_state: ScenarioState, outcome: str) -> None:
    found = _found(scenario_state, outcome)
    if not found:
        raise ScenarioFailure(f"结论中没有“{outcome}”。{scenario_state.describe()}")
    if found[0].amount is not None:
        raise ScenarioFailure(f"“{found[0].label}”不应有金额，实际为 {found[0].amount:.2f} 万元")
