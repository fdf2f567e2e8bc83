"""Bar charts as inline SVG, drawn on the server: no script, no network, prints as it shows."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR_H, GAP, BAR_W, VALUE_W, CHAR_W = 22, 6, 360, 150, 13.5


def bars(items: list[tuple[str, str, int, float]], link: str | None = None, label_chars: int = 22,
         bar_w: int = BAR_W) -> Markup:
    """Horizontal bars of 宗数 (the bar) with 面积（亩） beside it; `items` are (code, label, n,
    area). With `link` (e.g. "/parcels?outcome="), each label links to its filtered table."""
    if not items:
        return Markup('<p class="empty">无数据</p>')
    top = max(n for _, _, n, _ in items) or 1
    LABEL_W = int(max(_width(_short(label, label_chars)) for _, label, _, _ in items) + 16)  # noqa: N806
    height = len(items) * (BAR_H + GAP) + GAP
    width = LABEL_W + bar_w + VALUE_W
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (code, label, n, area) in enumerate(items):
        y = GAP + i * (BAR_H + GAP)
        short = _short(label, label_chars)
        text = (f'<text x="{LABEL_W - 8}" y="{y + BAR_H * 0.7:.1f}" text-anchor="end">'
                f'<title>{escape(label)}</title>{escape(short)}</text>')
        if link:
            text = f'<a href="{escape(link + code)}">{text}</a>'
        w = max(bar_w * n / top, 1 if n else 0)
        parts.append(text)
        parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" rx="2"><title>'
                     f'{escape(label)}：{n} 宗，{area:.2f} 亩</title></rect>')
        parts.append(f'<text class="value" x="{LABEL_W + w + 6:.1f}" y="{y + BAR_H * 0.7:.1f}">'
                     f'{n} 宗 · {area:.2f} 亩</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _width(text: str) -> float:
    """About how wide 13px text is: CJK characters full width, Latin ones about half."""
    return sum(CHAR_W if ord(c) > 0x2E7F else CHAR_W * 0.55 for c in text)
