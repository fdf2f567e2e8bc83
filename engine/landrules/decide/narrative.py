"""One parcel's decision told to an officer (`landrules explain` without `--full`).

In the order an officer reads it: the decision (类别, 处置措施 with 完成时限, 责任单位 and the
clause, 需补充信息 once), then the rules that fired or are waiting for a fact, each with its
conditions (the parcel's value and the result), then — under one line — the rules that did not
apply, with the reason in one line each, and last the clauses cited, with their text. Rule
titles (Chinese) come before rule ids; categories and outcomes are named in Chinese.

Made from the same trace as the full one (explain.rule_traces), so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from landrules.backends.base import Firing
from landrules.core import fields
from landrules.core.decision import Decision
from landrules.decide.explain import rule_traces
from landrules.rulebook.conditions import OP_SYMBOLS, All, AnyOf, Atom, CategoryAtom, Not, Trace, atoms
from landrules.rulebook.model import NEEDS_INFORMATION, Rule, Rulebook
from landrules.rulebook.periods import OFFSET_RE

STATUS = {"fired": "触发", "undecided": "待补充信息", "not_fired": "未适用", "overridden": "被例外排除"}
HEADER_FIELDS = ("location", "holder", "project", "land_use", "area_mu")
OP_WORDS = {**OP_SYMBOLS, "in": "属于", "not_in": "不属于"}  # ∈ and ∉ are not an officer's words


@dataclass
class Condition:
    depth: int
    text: str
    result: bool | None


@dataclass
class Applied:
    rule: Rule
    status: str  # fired / undecided
    concludes: str  # in Chinese
    conditions: list[Condition] = field(default_factory=list)
    note: str | None = None  # exceptions pending, fields missing


@dataclass
class Narrative:
    head: list[str]
    decision: list[str]
    applied: list[Applied]
    not_applied: list[tuple[Rule, str]]  # rule, why in one line
    cited: list[tuple[str, str, bool]]  # "DOC CLAUSE（heading）", text, paraphrase


def narrate(rulebook: Rulebook, decision: Decision, facts: dict[str, Any] | None, firing: Firing | None,
            as_of: dt.date, row: int | None = None) -> Narrative:
    head = [f"宗地 {decision.parcel_id}" + (f"（台账第 {row} 行）" if row else "") + f"  评估日 {decision.as_of}"]
    about = [f"{fields.BY_NAME[n].zh} {fields.display(fields.BY_NAME[n], facts.get(n))}"
             for n in HEADER_FIELDS if facts and facts.get(n) is not None]
    if about:
        head.append(" · ".join(about))
    applied: list[Applied] = []
    not_applied: list[tuple[Rule, str]] = []
    if facts is not None and firing is not None:
        for rule, trace, status, effective in rule_traces(rulebook, facts, firing, as_of):
            if status in ("fired", "undecided"):
                entry = Applied(rule, status, _concludes(rulebook, rule), list(_conditions(rulebook, trace, 0, as_of)))
                pending = effective.pending.get(rule.id)
                if pending:
                    entry.note = "待例外规则判定：" + "、".join(_title(rulebook, e) for e in pending)
                applied.append(entry)
            elif status == "overridden":
                by = "、".join(_title(rulebook, e) for e in effective.overridden[rule.id])
                not_applied.append((rule, f"被例外规则排除：{by}"))
            else:
                not_applied.append((rule, _why_not(rulebook, trace, as_of)))
    # what explains the decision first: disposals, then triage, then the categories
    applied.sort(key=lambda a: (a.rule.category is not None, a.rule.outcome == NEEDS_INFORMATION))
    lines = _decision_lines(rulebook, decision) + _early_parameters(rulebook, as_of)
    return Narrative(head, lines, applied, not_applied, _cited(rulebook, decision))


def _early_parameters(rulebook: Rulebook, as_of: dt.date) -> list[str]:
    """A line for each parameter the rules use whose first value takes effect after the
    evaluation date: it is applied all the same (`Rulebook.param_value`), and the officer is told."""
    used = dict.fromkeys(a.param for rule in rulebook.rules for a in atoms(rule.when) if getattr(a, "param", None))
    out = []
    for param_id in used:
        param = rulebook.parameters.get(param_id)
        if param is None or param.values[0].since <= as_of:
            continue
        first = param.values[0]
        out.append(f"备注：参数 {param.description or param_id}（{param_id}）自 {first.since} 起才有取值，"
                   f"评估日 {as_of} 早于此，暂按首个取值 {first.value} 判断")
    return out


def _title(rulebook: Rulebook, rule_id: str) -> str:
    rule = rulebook.rules_by_id.get(rule_id)
    return f"{rule.title}（{rule_id}）" if rule else rule_id


def _concludes(rulebook: Rulebook, rule: Rule) -> str:
    if rule.category:
        return f"得出类别：{rulebook.categories.get(rule.category, rule.category)}"
    if rule.outcome == NEEDS_INFORMATION:
        return "结论：需补充 " + "、".join(fields.BY_NAME[n].zh for n in rule.needs)
    return f"结论：{rulebook.outcomes.get(rule.outcome, rule.outcome)}"


def _decision_lines(rulebook: Rulebook, decision: Decision) -> list[str]:
    cats = [rulebook.categories.get(c, c) for c in decision.categories]
    lines = [f"类别：{'、'.join(cats) or '无'}"]
    measures = [o for o in decision.outcomes if o.code != NEEDS_INFORMATION]
    for n, o in enumerate(measures, start=1):
        lines.append(f"处置措施 {n}：{o.label}")
        detail = []
        if o.deadline:
            detail.append(f"完成时限 {o.deadline}" + ("（已逾期）" if o.overdue else ""))
        if o.responsible:
            detail.append("责任单位 " + "、".join(o.responsible))
        if o.citations:
            detail.append("依据 " + "；".join(_ref(rulebook, c.doc, c.clause) for c in o.citations))
        if detail:
            lines.append("    " + " · ".join(detail))
    asking = [o for o in decision.outcomes if o.code == NEEDS_INFORMATION]
    if decision.needs or asking:
        names = list(dict.fromkeys([*decision.needs, *(n for o in asking for n in o.needs or ())]))
        lines.append("需补充信息：" + "、".join(fields.BY_NAME[n].zh if n in fields.BY_NAME else n for n in names))
        rules = [rulebook.rules_by_id[o.rule] for o in asking if o.rule in rulebook.rules_by_id]
        # what each undecided rule would give: a disposal (outcome) or a category (a category rule has no outcome)
        waiting = list(dict.fromkeys(
            rulebook.outcomes.get(r.outcome, r.outcome) if r.outcome else rulebook.categories.get(r.category, r.category)
            for r in rules if r.outcome != NEEDS_INFORMATION and (r.outcome or r.category)))
        if waiting:
            lines.append(f"    补齐后才能判断是否：{'；'.join(waiting)}（规则见下）")
    for e in decision.errors:
        lines.append(f"错误：{e}")
    for note in decision.notes:  # contract §4 `notes` (added): facts set aside
        lines.append(f"备注：{note}")
    return lines


def _ref(rulebook: Rulebook, doc: str, clause: str) -> str:
    cited = rulebook.policy.get(doc, clause)
    heading = (cited.heading or "").rstrip("。") if cited else ""
    return f"{doc} {clause}" + (f"（{heading}）" if heading else "")


def _cited(rulebook: Rulebook, decision: Decision) -> list[tuple[str, str, bool]]:
    out: dict[tuple[str, str], tuple[str, str, bool]] = {}
    for o in decision.outcomes:
        for c in o.citations:
            cited = rulebook.policy.get(c.doc, c.clause)
            out.setdefault((c.doc, c.clause), (_ref(rulebook, c.doc, c.clause), c.text, bool(cited and cited.paraphrase)))
    return list(out.values())


def _conditions(rulebook: Rulebook, trace: Trace, depth: int, as_of: dt.date):
    cond = trace.cond
    if isinstance(cond, (All, AnyOf, Not)):
        word = "以下全部满足" if isinstance(cond, All) else "以下任一满足" if isinstance(cond, AnyOf) else "以下不满足"
        if depth or not isinstance(cond, All):  # a rule's own top-level "all" goes without saying
            yield Condition(depth, word, trace.result)
            depth += 1
        for child in trace.children or ():
            yield from _conditions(rulebook, child, depth, as_of)
        return
    yield Condition(depth, leaf(rulebook, trace, as_of), trace.result)


def leaf(rulebook: Rulebook, trace: Trace, as_of: dt.date | None = None) -> str:
    """One condition in words, with the parcel's value: 批准日期 ≤ 2018-12-31（本宗 2017-05-12）."""
    cond = trace.cond
    if isinstance(cond, CategoryAtom):
        have = "、".join(rulebook.categories.get(c, c) for c in trace.actual or ()) or "无"
        return f"类别为“{rulebook.categories.get(cond.category, cond.category)}”（本宗：{have}）"
    assert isinstance(cond, Atom)
    spec = fields.BY_NAME[cond.field]
    mine = fields.display(spec, trace.actual)
    if cond.op in ("present", "absent"):
        return f"{spec.zh}{OP_WORDS[cond.op]}（本宗：{mine}）"
    right = fields.BY_NAME[cond.other_field].zh if cond.other_field else fields.display(spec, trace.operand)
    where = _where(rulebook, cond, as_of)
    return f"{spec.zh} {OP_WORDS[cond.op]} {right}{where}（本宗：{mine}）"


_UNITS = {"y": "年", "m": "个月", "d": "天"}


def _where(rulebook: Rulebook, cond: Atom, as_of: dt.date | None) -> str:
    """Where a compared value comes from, in words: 〔评估日前推1年〕, 〔暂定值，待区级标准确定〕."""
    if cond.as_of is not None:
        found = OFFSET_RE.match(cond.as_of.strip())
        if found:
            n, unit = int(found.group(1)), found.group(2)
            return f"〔评估日{'前推' if n < 0 else '后推'}{abs(n)}{_UNITS[unit]}〕" if n else "〔评估日〕"
        return f"〔评估日 {cond.as_of}〕"
    if cond.param is not None and as_of is not None:
        note = rulebook.param_note(cond.param, as_of)
        return f"〔{note}〕" if note else ""
    return ""


def _why_not(rulebook: Rulebook, trace: Trace, as_of: dt.date) -> str:
    """Why a rule did not apply, in one line: the condition that failed (or stayed unknown)."""
    if trace.result is None:
        return "条件未知，本规则不据此询问：" + _deciding(rulebook, trace, None, as_of)
    if trace.result is True:
        return "条件成立，但结论已由其他规则得出"
    return "不满足：" + _deciding(rulebook, trace, False, as_of)


def _deciding(rulebook: Rulebook, trace: Trace, result: bool | None, as_of: dt.date) -> str:
    cond = trace.cond
    if isinstance(cond, (Atom, CategoryAtom)):
        return _fact(rulebook, trace, as_of)
    children = [c for c in trace.children or () if c.result is result]
    if isinstance(cond, Not):
        return "不应满足：" + "；".join(_all_leaves(rulebook, c, as_of) for c in trace.children or ())
    if isinstance(cond, AnyOf) and result is False:
        return "以下均不满足：" + "；".join(_deciding(rulebook, c, False, as_of) for c in children)
    return _deciding(rulebook, children[0], result, as_of) if children else _all_leaves(rulebook, trace, as_of)


def _fact(rulebook: Rulebook, trace: Trace, as_of: dt.date) -> str:
    """A condition that failed or stayed unknown, said as the parcel's fact: 供地日期未填写."""
    cond = trace.cond
    if isinstance(cond, CategoryAtom):
        label = rulebook.categories.get(cond.category, cond.category)
        return f"本宗未得出类别“{label}”" if trace.result is False else f"类别“{label}”未定"
    spec = fields.BY_NAME[cond.field]
    mine = fields.display(spec, trace.actual)
    if trace.result is False and cond.op == "present":
        return f"{spec.zh}未填写"
    if trace.result is False and cond.op == "absent":
        return f"{spec.zh}已填写（{mine}）"
    if cond.op in ("present", "absent"):
        return leaf(rulebook, trace, as_of)
    right = fields.BY_NAME[cond.other_field].zh if cond.other_field else fields.display(spec, trace.operand)
    wanted = f"{spec.zh} {OP_WORDS[cond.op]} {right}{_where(rulebook, cond, as_of)}"
    if trace.result is None:
        if trace.actual is None:
            return f"{spec.zh}未填写，无法判断 {wanted}"
        if cond.other_field:
            return f"{fields.BY_NAME[cond.other_field].zh}未填写，无法判断 {wanted}"
        # the operand is a parameter with no value in force on the evaluation date
        return f"参数 {cond.param} 在评估日 {as_of} 无施行中的取值，无法判断 {wanted}"
    return f"需 {wanted}，本宗为 {mine}"


def _all_leaves(rulebook: Rulebook, trace: Trace, as_of: dt.date) -> str:
    if isinstance(trace.cond, (Atom, CategoryAtom)):
        return leaf(rulebook, trace, as_of)
    return "；".join(_all_leaves(rulebook, c, as_of) for c in trace.children or ())


def status_word(status: str) -> str:
    return STATUS[status]
