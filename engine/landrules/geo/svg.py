"""The cluster's map (一张图) as SVG text, drawn here: no tiles, no script, no network.

Parcels are filled by a class (category, measure or overdue: the caller says which class
each parcel has and how each class is labelled and coloured), over the cluster's boundary,
with a legend, a scale bar, a north arrow, and each parcel a link to its page. Shapes are in
a planar CRS in metres (a Gauss-Krüger zone), so the scale bar is exact; grid north is taken
as north (the meridian convergence within a cluster is well under a degree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import numpy as np
import shapely

NICE_LENGTHS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)
NONE_COLOUR = "#d9d9d9"
# the derived categories' colours (contract §4 codes), in the order a parcel's first category is drawn
CATEGORY_COLOURS = {
    "approved_unsupplied": "#f1c40f", "used_before_supplied": "#e67e22", "idle": "#e74c3c",
    "idle_suspected": "#f5b7b1", "low_efficiency": "#8e44ad", "standard_land": "#27ae60",
}


@dataclass(frozen=True)
class Legend:
    """One class: its label (Chinese) and fill colour."""

    label: str
    colour: str
    opacity: float = 1.0  # below 1, what lies under the class shows through (a parcel over those it overlaps)
    href: str | None = None  # the legend row links here (e.g. the map showing this class alone)


def map_svg(ids: Sequence[str], shapes: np.ndarray, classes: Sequence[str | None], legend: dict[str, Legend],
            boundary=None, link: str | None = "/parcel?id=", title: str = "", width: int = 960, height: int = 640,
            extent: tuple[float, float, float, float] | None = None) -> str:
    """SVG text of the parcels (`shapes`, planar metres; None skipped) filled by `classes`
    (keys of `legend`; None or unknown: grey, "其他"), `boundary` outlined, with legend, scale
    bar and north arrow; `link` + the id (URL-quoted) is each parcel's link (None: no links).
    `extent` (xmin, ymin, xmax, ymax): the ground shown (default: every shape and the
    boundary); what lies beyond it is clipped at the map's edge."""
    legend_w = 220
    pad = 30
    present = [i for i, g in enumerate(shapes) if g is not None]
    extent_shapes = [shapes[i] for i in present] + ([boundary] if boundary is not None else [])
    if not extent_shapes:
        return _frame(width, height, title, '<text x="40" y="80" font-size="16">（没有可绘制的宗地图形）</text>')
    xmin, ymin, xmax, ymax = extent or shapely.total_bounds(np.array(extent_shapes, dtype=object))
    span_x, span_y = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    top = 50
    scale = min((width - legend_w - 2 * pad) / span_x, (height - top - 2 * pad - 30) / span_y)

    def paths(geometries: np.ndarray) -> list[str]:
        """Each (Multi)Polygon's SVG path, every ring a subpath: all coordinates of all shapes
        are moved to the page at once, only the text is made shape by shape."""
        parts, part_of = shapely.get_parts(geometries, return_index=True)
        rings, ring_of = shapely.get_rings(parts, return_index=True)
        xy, point_of = shapely.get_coordinates(rings, return_index=True)
        px = (pad + (xy[:, 0] - xmin) * scale).tolist()
        py = (top + pad + (ymax - xy[:, 1]) * scale).tolist()
        pairs = [f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True)]
        ring_text = ["M" + "L".join(pairs[a:b]) + "Z" for a, b in _runs(point_of, len(rings))]
        return ["".join(ring_text[a:b]) for a, b in _runs(part_of[ring_of], len(geometries))]

    def path(geometry) -> str:
        return paths(np.array([geometry], dtype=object))[0]

    out = []
    if extent is not None:  # the map's own rectangle: shapes beyond the extent stop at its edge
        out.append(f'<clipPath id="map-area"><rect x="{pad}" y="{top + pad}" width="{span_x * scale:.1f}" '
                   f'height="{span_y * scale:.1f}"/></clipPath><g clip-path="url(#map-area)">')
    if boundary is not None:
        out.append(f'<path d="{path(boundary)}" fill="#f7f7f2" stroke="#c0392b" stroke-width="2" stroke-dasharray="8 4" '
                   'fill-rule="evenodd"><title>产业集聚区边界</title></path>')
    used: dict[str, int] = {}
    drawn = paths(np.asarray([shapes[i] for i in present], dtype=object)) if present else []
    out.append('<g stroke="#333" stroke-width="0.8" fill-rule="evenodd">')  # what every parcel shares, said once
    for i, d in zip(present, drawn, strict=True):
        key = classes[i] if classes[i] in legend else None
        used[key or ""] = used.get(key or "", 0) + 1
        colour = legend[key].colour if key else NONE_COLOUR
        label = legend[key].label if key else "其他"
        opacity = f' fill-opacity="{legend[key].opacity:g}"' if key and legend[key].opacity < 1 else ""
        pid = str(ids[i])
        shape = f'<path d="{d}" fill="{colour}"{opacity}><title>{escape(pid)}：{escape(label)}</title></path>'
        out.append(f'<a href="{escape(link + quote(pid))}">{shape}</a>' if link is not None else shape)
    out.append("</g>")
    if extent is not None:
        out.append("</g>")
    out.append(_legend(legend, used, width - legend_w + 10, top + pad, boundary is not None))
    out.append(_scale_bar(scale, pad, height - pad))
    out.append(_north_arrow(width - legend_w + 30, top + pad + 40 + 24 * (len(used) + 1)))
    return _frame(width, height, title, "\n".join(out))


def classed_map(facts, classes: dict[str, str], legend: dict[str, Legend], title: str, link: str | None = "/parcel?id=",
                **options) -> str:
    """The map of a boundary file's parcels (GeoFacts) in its planar CRS, each filled by its
    class (`classes`: parcel id -> a key of `legend`), with the cluster boundary when given."""
    return map_svg(facts.ids, facts.planar, [classes.get(i) for i in facts.ids], legend, facts.boundary, link, title,
                   **options)


def category_map(facts, categories: dict[str, str], labels: dict[str, str], title: str, link: str | None = "/parcel?id=") -> str:
    """The map coloured by each parcel's first category (`categories`: parcel id -> category
    code; `labels`: code -> 中文)."""
    return classed_map(facts, categories, category_legend(labels), title, link)


def category_legend(labels: dict[str, str]) -> dict[str, Legend]:
    return {code: Legend(labels.get(code, code), colour) for code, colour in CATEGORY_COLOURS.items()}


def _frame(width: int, height: int, title: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            'font-family="Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif" role="img" '
            f'aria-label="{escape(title or "宗地分布图")}">\n<rect width="100%" height="100%" fill="#ffffff"/>\n'
            f'<text x="30" y="32" font-size="20" font-weight="bold">{escape(title)}</text>\n{body}\n</svg>\n')


def _legend(legend: dict[str, Legend], used: dict[str, int], x: float, y: float, boundary: bool = True) -> str:
    rows = [(k, v) for k, v in legend.items() if k in used] + ([("", Legend("其他/未决", NONE_COLOUR))] if "" in used else [])
    out = [f'<text x="{x}" y="{y}" font-size="14" font-weight="bold">图例</text>']
    for k, (key, item) in enumerate(rows):
        top = y + 14 + k * 24
        row = (f'<rect x="{x}" y="{top}" width="18" height="14" fill="{item.colour}" stroke="#333" stroke-width="0.8"/>'
               f'<text x="{x + 26}" y="{top + 12}" font-size="13">{escape(_short(item.label))}（{used[key]}宗）'
               f'<title>{escape(item.label)}</title></text>')
        out.append(f'<a href="{escape(item.href)}">{row}</a>' if item.href else row)
    top = y + 14 + len(rows) * 24
    if boundary:
        out.append(f'<line x1="{x}" y1="{top + 8}" x2="{x + 18}" y2="{top + 8}" stroke="#c0392b" stroke-width="2" stroke-dasharray="8 4"/>'
                   f'<text x="{x + 26}" y="{top + 12}" font-size="13">产业集聚区边界</text>')
    return "\n".join(out)


def _runs(owner: np.ndarray, count: int):
    """(start, end) of each owner's items in `owner` (ascending owner numbers, as shapely's
    `return_index` gives them), for owners 0 … count − 1."""
    starts = np.searchsorted(owner, np.arange(count + 1)).tolist()
    return zip(starts[:-1], starts[1:], strict=True)


def _short(label: str, most: int = 11) -> str:
    """A label longer than `most` characters up to its first bracket or comma, and at most
    `most` characters (the full label is the row's tooltip)."""
    if len(label) <= most:
        return label
    head = label
    for mark in ("（", "(", "，", "："):
        head = head.split(mark)[0]
    head = head or label
    return head if len(head) <= most else head[: most - 1] + "…"


def _scale_bar(scale: float, x: float, y: float) -> str:
    target = 150 / scale  # about 150 px of ground
    metres = min(NICE_LENGTHS, key=lambda m: abs(m - target))
    px = metres * scale
    text = f"{metres // 1000} 千米" if metres >= 1000 else f"{metres} 米"
    half = px / 2
    return (f'<g><rect x="{x}" y="{y - 8}" width="{half:.1f}" height="6" fill="#333"/>'
            f'<rect x="{x + half:.1f}" y="{y - 8}" width="{half:.1f}" height="6" fill="#fff" stroke="#333"/>'
            f'<text x="{x}" y="{y - 12}" font-size="12">0</text>'
            f'<text x="{x + px:.1f}" y="{y - 12}" font-size="12" text-anchor="middle">{text}</text></g>')


def _north_arrow(x: float, y: float) -> str:
    return (f'<g><polygon points="{x},{y} {x - 9},{y + 28} {x},{y + 21} {x + 9},{y + 28}" fill="#333"/>'
            f'<text x="{x}" y="{y + 46}" font-size="14" text-anchor="middle" font-weight="bold">北</text></g>')
