"""The bulletin as PDF: the HTML page printed by WeasyPrint (A4; the lists A4 landscape; header
rows repeated; page numbers). WeasyPrint lays out CJK text with Pango and embeds the fonts it
used (subset), so the PDF shows and carries the Chinese text wherever it is opened. It needs a
Chinese font on the machine that writes it: without one every character would print as a box,
so `require_chinese_font` refuses first (fontconfig's `fc-list :lang=zh`, the list Pango uses)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

FONT_PACKAGE = "fonts-noto-cjk"
NO_FONT = (f"本机没有中文字体，PDF 中的汉字会印成方框，未写出通报；请安装字体包 {FONT_PACKAGE}"
           f"（Debian/Ubuntu：sudo apt-get install {FONT_PACKAGE}），或改写 .html / .xlsx 格式的通报")


def chinese_fonts() -> list[str]:
    """The font families fontconfig has for Chinese (`fc-list :lang=zh family`); [] when none, or
    when fontconfig itself is missing (then WeasyPrint has no fonts either)."""
    try:
        done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.strip() for line in done.stdout.splitlines() if line.strip()})


def require_chinese_font() -> None:
    """OutputError (one line, naming the font package) when no Chinese font is installed."""
    from landrules.ledger.write.base import OutputError

    if not chinese_fonts():
        raise OutputError(NO_FONT)


def write_pdf(html: str, target: Path) -> None:
    from weasyprint import HTML

    require_chinese_font()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(target.parent)).write_pdf(target, uncompressed_pdf=False)
