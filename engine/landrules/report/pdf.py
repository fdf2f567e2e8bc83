"""The bulletin as PDF: the HTML page printed by WeasyPrint (A4 landscape, header rows repeated,
page numbers). WeasyPrint lays out CJK text with Pango and embeds the fonts it used (subset), so
the PDF shows and carries the Chinese text wherever it is opened; it needs a CJK font on the
machine that writes it (Debian: fonts-noto-cjk)."""

from __future__ import annotations

import logging
from pathlib import Path


def write_pdf(html: str, target: Path) -> None:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(target.parent)).write_pdf(target, uncompressed_pdf=False)
