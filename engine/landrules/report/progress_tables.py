"""The bulletin's 本季进展 (contract §7): progress since a recorded run, as the bulletin's tables
— the classes with 宗数 and 面积, 处置率 by 责任单位 and by approval year, 亩均税收 in both runs
against the target, and the 移出 and 新逾期 lists."""

from __future__ import annotations

from landrules.decide.workbook.tables import Table
from landrules.record.progress import Progress

LIST_MAX = 500


def progress_tables(progress: Progress, outcomes: dict[str, str]) -> list[Table]:
    before, after = progress.before, progress.after
    span = f"{before.label}（评估日 {before.as_of.isoformat()}）→ {after.label}（评估日 {after.as_of.isoformat()}）"
    classes = Table("progress", f"本季进展：{span}", ["进展", "宗数", "上期面积（亩）", "本期面积（亩）"],
                    [[c.label, c.parcels, round(c.from_area_mu, 2), round(c.to_area_mu, 2)] for c in progress.classes],
                    chart=(0, 1), chart_title="本季进展（宗数）",
                    notes=["每宗地块恰属一类；上期面积之和为上期台账总面积，本期面积之和为本期台账总面积。",
                           "移出：上期在、本期不在且未销号的地块，须说明理由。"])
    tables = [classes]
    for key, title in (("责任单位", "处置率（按责任单位）"), ("批准年度", "处置率（按批准年度）")):
        tables.append(Table(f"rate_{key}", title, [key, "有措施宗数", "有措施面积（亩）", "销号面积（亩）", "处置率"],
                            [[r.key, r.parcels, round(r.with_measures_area_mu, 2), round(r.resolved_area_mu, 2),
                              "—" if r.rate is None else f"{r.rate:.1%}"] for r in progress.rates[key]],
                            notes=["处置率 = 已销号面积 ÷ 上期有处置措施的面积。"]))
    rows = []
    for side, run in (("from", before), ("to", after)):
        tax = progress.tax[side]
        rows.append([run.label, tax["count"], round(tax["area_mu"], 2),
                     "无数据" if tax["mean"] is None else round(tax["mean"], 2),
                     "" if tax["target"] is None else tax["target"], tax["below_target_count"]])
    tables.append(Table("progress_tax", "已供工业用地亩均税收（两期对照）",
                        ["期", "宗数", "面积（亩）", "亩均税收（万元/亩）", "目标（万元/亩）", "低于目标（宗）"], rows))
    for code, title in (("removed", "移出（未说明理由离开台账）"), ("newly_overdue", "新逾期"), ("resolved", "销号")):
        listed = progress.listed(code, limit=LIST_MAX)
        if not listed:
            continue
        rows = [[r["parcel_id"] or "（无编号）", round(r["area_mu"] or 0, 2),
                 _names(r["from_codes"], outcomes), r["reason"] if code == "resolved" else
                 (r["to_deadline"] or "") if code == "newly_overdue" else ""] for r in listed]
        last = {"removed": "", "newly_overdue": "完成时限", "resolved": "销号原因"}[code]
        tables.append(Table(f"progress_{code}", f"{title}（{len(listed)} 宗）", ["宗地编号", "面积（亩）", "上期处置措施", last], rows))
    return tables


def _names(codes: str | None, outcomes: dict[str, str]) -> str:
    return "；".join(outcomes.get(c, c) for c in codes.split("; ")) if codes else "—"
