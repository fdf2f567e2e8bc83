"""The officers' explanation printed (decide/narrative.py says what goes in it and in which order).

Each line is a two-column grid (a bullet or indent, then the text folded by character), so a long
Chinese line wraps under its own text and never leaves its bullet alone on a line.
"""

from __future__ import annotations

MARKS = {True: ("✓", "成立", None), False: ("✗", "不成立", "red"), None: ("?", "未知", "yellow")}
NO_LINE_START = set("，。；：、）》」』”’！？…—")


def fold(text: str, width: int) -> list[str]:
    """`text` cut into lines of at most `width` terminal cells, by character (Chinese has no
    spaces to break at), never starting a line with closing punctuation."""
    from rich.cells import cell_len

    lines, current = [], ""
    for ch in text:
        if current and cell_len(current + ch) > width:
            if ch in NO_LINE_START and len(current) > 1:
                lines.append(current[:-1])
                current = current[-1]
            else:
                lines.append(current)
                current = ""
        current += ch
    lines.append(current)
    return lines


def print_narrative(story) -> None:
    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    from landrules.decide.narrative import status_word

    out = Console(highlight=False)
    width = max(out.width, 40)

    def line(lead: str, text: str, style: str | None = None) -> None:
        indent = " " * cell_len(lead)
        for n, part in enumerate(fold(text, width - cell_len(lead))):
            out.print(Text((lead if n == 0 else indent) + part, style=style or ""), no_wrap=True, crop=False)

    def heading(text: str) -> None:
        out.print()
        out.print(Text(text, style="bold"))

    line("", story.head[0], "bold")
    if story.conclusion:  # the answer first …
        line("", story.conclusion, "bold")
    for text in story.head[1:]:
        line("", text)
    for text in story.decision:
        lead = "    " if text.startswith("    ") else ""
        style = "bold" if text.startswith(("处置措施", "需补充信息")) else "red" if text.startswith("错误") else None
        line(lead, text.strip(), style)
    if story.applied or story.not_applied:
        heading("规则追踪（逐条条件的完整表格：--full）")
    if story.applied:
        out.print(Text(f"适用的规则（{len(story.applied)} 条：触发或待补充信息）", style="bold"))
        for a in story.applied:
            line("■ ", f"{a.rule.title}（{a.rule.id}）", "bold")
            line("  ", f"{status_word(a.status)} → {a.concludes}")
            if a.note:
                line("  ", a.note, "yellow")
            for c in a.conditions:
                mark, word, style = MARKS[c.result]
                line("  " + "  " * c.depth + mark + " ", f"{c.text} —— {word}", style)
    if story.not_applied:
        heading(f"未适用的规则（{len(story.not_applied)} 条，各一行原因）")
        for rule, why in story.not_applied:
            line("  · ", f"{rule.title}（{rule.id}）：{why}", "dim")
    if story.cited:
        heading("引用条款")
        for ref, text, paraphrase in story.cited:
            line("", f"{ref}{'（释义）' if paraphrase else ''}：{text}")
    out.print()
    out.print(Text("完整追踪表：--full；JSON：--json", style="dim"))
    if story.conclusion:  # … and last, so that it stays on a short terminal's screen
        line("", story.conclusion, "bold")
