"""形成原因 of a parcel that needs action (一宗一策, 二、(三)1.), in an officer's words, derived from
its categories, its outcomes and its facts as of the evaluation date, e.g.
"因企业原因闲置，超过约定动工日期1年4个月未动工".

Nothing here decides: the categories and outcomes are the decision's; this only puts the facts
behind them into a sentence. An unknown category code is named by its catalogue label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta

from landrules.core import fields

_CAUSE = {
    "government": "因政府原因闲置",
    "petition_stability": "因信访稳定原因闲置",
    "enterprise": "因企业原因闲置",
    "shared_fault": "因政府与企业互有瑕疵闲置",
    "force_majeure": "因不可抗力闲置",
}
_COMMITMENTS = (
    ("investment_per_mu", "committed_investment_per_mu", "亩均投资强度"),
    ("tax_per_mu", "committed_tax_per_mu", "亩均税收"),
    ("plot_ratio", "committed_plot_ratio", "容积率"),
)


@lru_cache(maxsize=65536)  # the same dates come back parcel after parcel
def span(start: dt.date, end: dt.date) -> str:
    """The time from `start` to `end` as 1年4个月 / 8个月 / 不足1个月 (calendar months)."""
    if end < start:
        return "未到期"
    delta = relativedelta(end, start)
    parts = []
    if delta.years:
        parts.append(f"{delta.years}年")
    if delta.months:
        parts.append(f"{delta.months}个月")
    return "".join(parts) or "不足1个月"


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _idle(facts: Mapping[str, Any], as_of: dt.date) -> str:
    cause = facts.get("idle_cause")
    head = _CAUSE.get(cause, "闲置（闲置原因未填）")
    if facts.get("idle_identified") is True:
        head = f"经认定，{head}"
    elif facts.get("idle_identified") is None:
        head += "（按日期推定，尚未认定）"
    started = facts.get("construction_started_on")
    agreed = facts.get("agreed_start_on")
    suspended = facts.get("suspended_since")
    if started is not None and started <= as_of:
        if suspended is not None and suspended <= as_of:
            return f"{head}，已动工但开发不足，自{suspended.isoformat()}中止开发已{span(suspended, as_of)}"
        return f"{head}，已动工但开发不足"
    if agreed is not None and agreed <= as_of:
        return f"{head}，超过约定动工日期{span(agreed, as_of)}未动工"
    return f"{head}，未动工"


def _unsupplied(facts: Mapping[str, Any], as_of: dt.date, used: bool) -> str:
    approved = facts.get("approved_on")
    started = facts.get("construction_started_on")
    text = "批而未供"
    if approved is not None:
        text += f"：{approved.isoformat()}批准，至今{span(approved, as_of)}未供地"
    if used:
        text += f"，{started.isoformat()}起已开工使用（已批未供即用）" if started else "，已开工使用（已批未供即用）"
    return text


def _low(facts: Mapping[str, Any]) -> str:
    shown = [f"{label}{_num(facts[name])}万元/亩" for name, label in
             (("output_per_mu", "亩均产出"), ("tax_per_mu", "亩均税收")) if facts.get(name) is not None]
    return "低效工业用地" + (f"：{'、'.join(shown)}，低于低效线" if shown else "")


def _breach(facts: Mapping[str, Any], head: str) -> str:
    short = [f"{label}{_num(facts[actual])}低于承诺{_num(facts[promised])}"
             for actual, promised, label in _COMMITMENTS
             if facts.get(actual) is not None and facts.get(promised) is not None and facts[actual] < facts[promised]]
    return head + (f"：{'、'.join(short)}" if short else "")


_FROM_FACTS = frozenset({"used_before_supplied", "approved_unsupplied", "idle", "low_efficiency"})  # worded from facts
_BREACH = "standard_land_breach"  # an outcome worded from the facts (the commitments missed)


def uses_facts(categories: Sequence[str], outcomes: Sequence[str], wording: Mapping[str, str] | None = None) -> bool:
    """Whether `reason` of these categories and outcomes reads the parcel's facts (else it is the
    same for every parcel that has them)."""
    return bool(_FROM_FACTS.intersection(categories)) or (_BREACH in outcomes and _BREACH in (wording or {}))


def reason(categories: Sequence[str], outcomes: Sequence[str], needs: Sequence[str],
           facts: Mapping[str, Any], as_of: dt.date, labels: Mapping[str, str],
           wording: Mapping[str, str] | None = None) -> str:
    """形成原因 in one line; parts joined with "；". The categories below get wording from the
    parcel's facts; any other category, and any outcome, is worded as outcomes.yaml's `reason`
    says (`wording`), a category without one by its label."""
    wording = wording or {}
    parts: list[str] = []
    cats = set(categories)
    if "used_before_supplied" in cats:
        parts.append(_unsupplied(facts, as_of, used=True))
    elif "approved_unsupplied" in cats:
        parts.append(_unsupplied(facts, as_of, used=False))
    if "idle" in cats:
        parts.append(_idle(facts, as_of))
    if "low_efficiency" in cats:
        parts.append(_low(facts))
    handled = {"used_before_supplied", "approved_unsupplied", "idle", "low_efficiency", "standard_land", "idle_suspected"}
    parts += [wording.get(c) or labels.get(c, c) for c in categories if c not in handled]
    for code in outcomes:
        if code == _BREACH and code in wording:
            parts.append(_breach(facts, wording[code]))
        elif code in wording:
            parts.append(wording[code])
    if needs:
        names = "、".join(fields.BY_NAME[n].zh if n in fields.BY_NAME else n for n in needs)
        parts.append(f"缺少{names}，尚不能确定处置")
    return "；".join(dict.fromkeys(parts))
