"""The 通报's opening paragraphs, written from the figures (never from anything else): how many
parcels and 亩 were examined and what they are, what needs doing and by whom, what is overdue,
what could not be decided for lack of information, and 亩均税收 against the plan's target.

Every number here is one the tables and lists below also show, so the text and the tables never
disagree. A clause is named as printed (一、（二）2.).
"""

from __future__ import annotations

from landrules.core import fields
from landrules.core.summary import Summary, Tally, by_size, in_catalogue_order
from landrules.ledger.write.base import Labels

UNITS_NAMED = 6  # 责任单位 named in the text; the table has all


def mu(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def amount(t: Tally) -> str:
    return f"{t.count} 宗 {mu(t.area_mu)} 亩"


def paragraphs(summary: Summary, labels: Labels, needing: int, area_mu: float, date_text: str) -> list[str]:
    out = []
    cats = summary.by_category
    named = {c: t for c, t in in_catalogue_order(cats, labels.categories) if t.count}
    parts = []
    for code, t in named.items():
        if code in ("used_before_supplied", "idle_suspected"):
            continue  # told inside their parent category
        text = f"{labels.categories.get(code, code)} {amount(t)}"
        if code == "approved_unsupplied" and "used_before_supplied" in named:
            text += f"（其中已批未供即用 {amount(named['used_before_supplied'])}）"
        if code == "idle" and "idle_suspected" in named:
            text += f"（其中按日期推定、尚待调查认定的疑似闲置 {amount(named['idle_suspected'])}）"
        parts.append(text)
    head = f"截至{date_text}，本期共排查存量用地 {summary.rows} 宗 {mu(area_mu)} 亩"
    out.append(f"{head}，其中{'，'.join(parts)}。" if parts else f"{head}。")
    if len(named) > 1:
        out[-1] = out[-1][:-1] + "（一宗地可同属几类，分别计入）。"

    outcomes = summary.by_outcome
    plain = outcomes.get("no_action", Tally())
    invalid = outcomes.get("invalid_record", Tally())
    units = [f"{unit} {t.count} 宗" for unit, t in by_size(summary.by_responsible)][:UNITS_NAMED]
    more = len(summary.by_responsible) - len(units)
    line = f"需处置的 {needing} 宗已逐宗列出处置措施、完成时限和责任单位（见附件“一宗一策”）"
    if units:
        line += f"，涉及{'、'.join(units)}{f'等 {len(summary.by_responsible)} 个单位' if more > 0 else ''}"
    late = summary.overdue
    if late.count:
        worst = [f"{unit} {t.count} 宗" for unit, t in by_size(summary.overdue_by_responsible)][:UNITS_NAMED]
        line += f"；已逾期 {amount(late)}（{'、'.join(worst)}），请相关单位加快推进"
    else:
        line += "；截至评估日，无逾期事项"
    out.append(line + "。" + (f"其余 {amount(plain)} 无需处置。" if plain.count else ""))

    gaps = []
    info = outcomes.get("needs_information", Tally())
    if info.count:
        asked = [f"{fields.BY_NAME[f].zh if f in fields.BY_NAME else f}（{t.count} 宗）"
                 for f, t in by_size(summary.needs_by_field)][:UNITS_NAMED]
        gaps.append(f"{info.count} 宗因台账缺少{'、'.join(asked) or '所需信息'}，部分处置暂无法判定")
    if invalid.count:
        gaps.append(f"{invalid.count} 宗台账记录有误（见决策台账“错误”列）")
    if gaps:
        out.append(f"另有 {'；'.join(gaps)}，请填报单位补充、核实后重新评估。")

    tax = summary.tax
    mean = tax.weighted_mean
    if tax.count and mean is not None:
        line = (f"已供工业用地 {tax.count} 宗 {mu(tax.area_mu)} 亩，其中填报亩均税收的 {tax.known_count} 宗，"
                f"面积加权亩均税收 {mean:.2f} 万元/亩")
        target = labels.tax_target
        if target is not None:
            where = "、".join(labels.printed.get(c, c) for c in target.cites)
            gap = mean - target.value
            line += (f"，{'已达到' if gap >= 0 else '低于'}方案目标 {target.value:g} 万元/亩（{where}）"
                     + ("" if gap >= 0 else f"，差 {-gap:.2f} 万元/亩"))
            if tax.below_target_count:
                line += f"；低于目标的 {tax.below_target_count} 宗 {mu(tax.below_target_area_mu)} 亩"
        out.append(line + "。")
    return out
