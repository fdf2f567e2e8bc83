"""The text `landrules check` prints: each scenario with its clause, then coverage (contract §2)."""

from __future__ import annotations

from landrules.bdd.runner import CheckResult, ScenarioResult

COVERAGE_NOTE = (
    "说明：某个场景的决定触发了一条规则，该规则即被覆盖；某个场景的决定引用了一个条款（作为处置措施、"
    "需补充信息或所认定类别的依据），该条款即被覆盖。条款总数 M 为规则库各条规则所引用条款的总数。"
)


def scenario_line(result: ScenarioResult) -> list[str]:
    r = result.record
    clause = " ".join(f"@{t}" for t in r.tags) or "（未标注条款）"
    name = r.name
    if r.example:
        name += "（" + "，".join(f"{k}={v}" for k, v in r.example.items()) + "）"
    where = f"{r.file}:{r.line}" if r.line else r.file
    lines = [f"[{'通过' if result.passed else '失败'}] {clause}  {name}  〔{where}〕"]
    if not result.passed:
        if r.failed_step:
            lines.append(f"    失败的步骤：{r.failed_step}")
        for i, text in enumerate(result.message.splitlines() or [""]):
            lines.append(("    原因：" if i == 0 else "      ") + text)
    return lines


def report_lines(result: CheckResult) -> list[str]:
    lines: list[str] = []
    for error in result.errors:
        lines.append("[错误] 无法运行场景：")
        lines += ["    " + line for line in error.splitlines()]
    for r in result.results:
        lines += scenario_line(r)
    failed = sum(not r.passed for r in result.results)
    if not result.results:
        lines.append("没有运行任何场景。")
    lines.append(f"场景 {len(result.results)} 个：通过 {len(result.results) - failed} 个，失败 {failed} 个")
    rules, clauses = result.rules, result.clauses
    lines.append(f"rules covered: {len(rules) - len(result.uncovered_rules)}/{len(rules)}")
    lines.append(f"clauses covered: {len(clauses) - len(result.uncovered_clauses)}/{len(clauses)}")
    lines.append("未覆盖的规则：" + ("、".join(result.uncovered_rules) or "无"))
    lines.append("未覆盖的条款：" + ("、".join(f"{doc} {clause}" for doc, clause in result.uncovered_clauses) or "无"))
    lines.append(COVERAGE_NOTE)
    if result.pinning is not None:
        lines += pinning_lines(result.pinning)
        if failed:
            lines.append(f"注意：{failed} 个场景未通过，变异检验只用了通过的场景")
    return lines


PINNING_NOTE = (
    "说明：对每条规则逐一作小改动（变异）：删除规则、反转一个比较、把一个阈值或日期移动一步（日期一天，数值一个单位）、"
    "去掉一个条件；若每个变异都使至少一个场景失败，该规则即被钉住（rules pinned）。存活的变异说明没有场景"
    "检验这一处：补一个恰在边界上的场景，或确认这处改动确实不改变任何决定。"
)


def pinning_lines(pinning) -> list[str]:
    rules, survivors = pinning.rules, pinning.survivors
    lines = [
        f"rules pinned: {len(pinning.pinned)}/{len(rules)}",
        f"mutations killed: {pinning.killed}/{len(pinning.results)}"
        f"（重放场景 {pinning.scenarios} 个，用时 {pinning.seconds:.1f} 秒）",
    ]
    if not survivors:
        lines.append("未钉住的规则：无")
    else:
        lines.append("未钉住的规则：" + "、".join(survivors))
        for rule_id, mutants in survivors.items():
            lines.append(f"  {rule_id}〔{_relative(_source(pinning, rule_id))}〕存活的变异：")
            lines += [f"    - {m.description}〔{_relative(m.line)}〕" for m in mutants]
    for record in pinning.not_replayable:
        lines.append(f"  注意：场景“{record.name}”〔{record.file}:{record.line}〕重放时未通过，未计入")
    lines.append(PINNING_NOTE)
    return lines


def _relative(where: str) -> str:
    """FILE:LINE with FILE relative to the working folder when it lies inside it."""
    import os

    path, _, line = where.rpartition(":")
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return where
    return f"{rel}:{line}" if not rel.startswith("..") else where


def _source(pinning, rule_id: str) -> str:
    for r in pinning.results:
        if r.mutant.rule_id == rule_id and r.mutant.kind == "removed":
            return r.mutant.line
    return ""
