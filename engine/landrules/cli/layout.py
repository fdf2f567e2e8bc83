"""Chinese text laid out for a terminal: display widths (a CJK character takes two columns)
and lists wrapped to a width, so that what `decide` says fits a normal terminal (≤ 100 columns)."""

from __future__ import annotations

import shutil
import unicodedata

WIDTH_MAX = 100


def width(text: str) -> int:
    """Columns `text` takes on a terminal."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def terminal_width() -> int:
    """The terminal's width, at most WIDTH_MAX (and 100 when it is not a terminal)."""
    return min(shutil.get_terminal_size((WIDTH_MAX, 24)).columns, WIDTH_MAX)


NO_LINE_START = set("、，。；：:,.;）)」』》〉】”’%")  # punctuation never begins a line


def wrap(text: str, limit: int, indent: str = "") -> list[str]:
    """`text` cut into lines of at most `limit` columns; lines after the first begin with
    `indent`; a line never begins with a closing punctuation mark (its word goes down with it)."""
    lines, line = [], ""
    for char in text:
        if width(line) + width(char) > limit and line.strip():
            carried = ""
            if char in NO_LINE_START and len(line.strip()) > 1:
                line, carried = line[:-1], line[-1]
            lines.append(line)
            line = indent + carried
        line += char
    if line.strip():
        lines.append(line)
    return lines


def listing(heading: str, items: list[str], limit: int, sep: str = "、", shown: int | None = None) -> list[str]:
    """`heading：a、b、c…` wrapped to `limit` columns between items (an item longer than a line
    is cut), continuation lines indented; with `shown`, only the first items and how many more."""
    rest = 0
    if shown is not None and len(items) > shown:
        items, rest = items[:shown], len(items) - shown
    pieces = [f"{item}{sep}" for item in items[:-1]] + ([items[-1]] if items else [])
    if rest:
        pieces.append(f" 等，另 {rest} 项")
    indent = "    "
    lines, line = [], f"{heading}："
    for piece in pieces:
        if width(line) + width(piece) > limit and line.strip():
            lines.append(line)
            line = indent
        if width(line) + width(piece) > limit:
            cut = wrap(line + piece, limit, indent)
            lines += cut[:-1]
            line = cut[-1]
        else:
            line += piece
    lines.append(line)
    return lines
