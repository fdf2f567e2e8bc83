"""Bar charts of the bulletin's tables as inline SVG (matplotlib, no network, no files).

Text stays text in the SVG (`svg.fonttype: none`), so the page's CJK font draws it — in the
browser and in WeasyPrint's PDF alike — and the Chinese can be searched and copied. The SVG
carries no date and fixed ids, so the same figures give the same bytes.
"""

from __future__ import annotations

import io
import textwrap
import warnings

from landrules.decide.workbook.tables import Table

FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
         "Microsoft YaHei", "SimHei", "PingFang SC", "DejaVu Sans"]
BAR = "#4472C4"
LABEL_CHARS = 18  # a category label wraps after this many characters


def bar_svg(table: Table) -> str:
    """The table's chart (label column against value column) as an <svg> element."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt

    label, value = table.chart
    labels = ["\n".join(textwrap.wrap(str(r[label]) or "（无）", LABEL_CHARS)) or "（无）" for r in table.rows]
    values = [r[value] or 0 for r in table.rows]
    params = {"svg.fonttype": "none", "svg.hashsalt": "landrules", "font.family": "sans-serif",
              "font.sans-serif": FONTS, "font.size": 9}
    with matplotlib.rc_context(params), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing CJK font only affects text measuring here
        lines = sum(label.count("\n") + 1 for label in labels)
        fig, ax = plt.subplots(figsize=(7.2, max(1.6, 0.28 * lines + 0.9)))
        try:
            bars = ax.barh(range(len(values)), values, color=BAR)
            ax.set_yticks(range(len(values)), labels)
            ax.invert_yaxis()
            ax.bar_label(bars, labels=[f"{v:g}" for v in values], padding=3)
            ax.set_title(table.chart_title, loc="left", fontsize=10)
            ax.spines[["top", "right"]].set_visible(False)
            ax.set_xlim(0, max([*values, 1]) * 1.15)
            ax.xaxis.get_major_locator().set_params(integer=True)
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": "landrules"})
        finally:
            plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg"):]
