"""Server-side SVG charts: plain functions from labels and numbers to an SVG string. No JavaScript.

Each chart carries its title as `<title>` and a description as `<desc>` (referenced by
`aria-labelledby`), and every bar or point its own `<title>`, which browsers show as a tooltip and
screen readers read. The pages put an accessible `<table>` with the same numbers beside each chart.
Colours come from CSS classes (`.chart .s0` …, portal.css) with fill attributes as a fallback.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"


def nice_max(value: float, ticks: int = 5) -> tuple[float, float]:
    """A round axis maximum ≥ `value` and its tick step (1, 2 or 5 × 10ⁿ: whole numbers for counts)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1 and value >= 1:
        step = 1
    return step * math.ceil(value / step), step


def _open(kind: str, title: str, desc: str, width: int, height: int) -> tuple[str, list[str]]:
    uid = f"chart{next(_ids)}"
    parts = [
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(desc)}</desc>',
    ]
    return uid, parts


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = ['<g class="legend">']
    for i, s in enumerate(series):
        dx = x + i * 150
        parts.append(
            f'<rect class="s{i}" x="{dx:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{dx + 14:.1f}" y="{y:.1f}" font-size="12">{escape(s.name)}</text>'
        )
    parts.append("</g>")
    return parts


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    desc: str = "",
    width: int = 640,
    label_width: int = 150,
) -> SafeString:
    """Horizontal bars, one group per label and one bar per series: long Chinese labels stay readable."""
    n_series = max(1, len(series))
    bar_h, gap = 14, 10
    group_h = n_series * bar_h + gap
    top, bottom = 34 if len(series) > 1 else 12, 24
    height = top + max(1, len(labels)) * group_h + bottom
    values = [v for s in series for v in s.values if v is not None]
    axis_max, step = nice_max(max(values, default=0))
    plot_w = width - label_width - 50
    scale = plot_w / axis_max if axis_max else 0
    _uid, parts = _open("bar", title, desc or title, width, height)
    if len(series) > 1:
        parts += _legend(series, label_width, 18)
    # Grid and axis labels.
    parts.append('<g class="grid">')
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = label_width + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - bottom}" stroke="#d9dde3"/>'
            f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle">{_fmt(tick)}</text>'
        )
        tick += step
    parts.append("</g>")
    for row, label in enumerate(labels):
        y0 = top + row * group_h
        parts.append(
            f'<text x="{label_width - 8}" y="{y0 + (n_series * bar_h) / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for i, s in enumerate(series):
            value = s.values[row] if row < len(s.values) else None
            w = (value or 0) * scale
            y = y0 + i * bar_h
            tip = f"{label}{' · ' + s.name if len(series) > 1 else ''}：{_fmt(value)}{unit}"
            parts.append(
                f'<g class="bar"><title>{escape(tip)}</title>'
                f'<rect class="s{i}" x="{label_width}" y="{y + 1}" width="{max(w, 0):.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar_h - 3}" font-size="11">{_fmt(value)}</text></g>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    desc: str = "",
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Lines over ordered labels (months); a series of equal values draws a reference line (a target)."""
    left, right, top, bottom = 50, 16, 34, 30
    values = [v for s in series for v in s.values if v is not None]
    axis_max, step = nice_max(max(values, default=0))
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(1, len(labels))
    dx = plot_w / max(1, count - 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return left + index * dx, top + plot_h - (value / axis_max) * plot_h

    _uid, parts = _open("line", title, desc or title, width, height)
    parts += _legend(series, left, 18)
    parts.append('<g class="grid">')
    tick = 0.0
    while tick <= axis_max + 1e-9:
        _x, y = xy(0, tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d9dde3"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_fmt(tick)}</text>'
        )
        tick += step
    for index, label in enumerate(labels):
        x, _y = xy(index, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" font-size="11" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</g>")
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        points = [(index, v) for index, v in enumerate(s.values) if v is not None]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(index, v) for index, v in points))
        dash = ' stroke-dasharray="6 4"' if len({v for _i, v in points}) == 1 and len(points) > 1 else ""
        parts.append(
            f'<polyline class="s{i}" points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        for index, value in points:
            x, y = xy(index, value)
            tip = f"{labels[index]} · {s.name}：{_fmt(value)}{unit}"
            parts.append(
                f'<g class="point"><title>{escape(tip)}</title>'
                f'<circle class="s{i}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/></g>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
