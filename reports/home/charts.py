"""Bar charts drawn by our own code as SVG strings, for the dashboard's home page.

No chart library and no CDN: the page embeds the SVG, which holds no script and no `style`
attribute (the Content Security Policy refuses inline styles); colours and fonts come from
classes in static/css/app.css (`.chart`, `.chart-series-0`, …). The picture scales to the
width of its box (`viewBox`, `width="100%"`), so it is readable on a phone.

    svg = bar_chart_svg(
        chart_id="bookings",
        title=_("Bookings per day"),
        series=[Series(name=_("Bookings"), points=[("12 May", 3), ("13 May", 0)])],
    )

Every series has the same labels in the same order (one group of bars per label, one bar
per series). Each bar is a `<rect class="chart-bar" data-series=… data-label=… data-value=…>`
with a `<title>` tooltip; the chart has a `<title>` and `<desc>` for screen readers. Every
text that reaches the SVG is escaped. No data, or only zeros, draws an empty chart with
`empty_text`, never an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

type Number = int | float | Decimal

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 24, 26
MAX_X_LABELS = 8
BAR_GROUP_FILL = 0.8  # the share of a label's slot taken by its bars
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[str, Number]]  # (label, value)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10ⁿ that is at least `value` (1 for zero or less): the top
    of the value axis."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    base = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * base >= value * (1 - 1e-12):
            return step * base
    return 10 * base  # pragma: no cover - the loop always returns


def _number(value: Number) -> float:
    number = float(value)
    return number if math.isfinite(number) else 0.0


def default_format(value: Number) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value != value.to_integral_value() else f"{value:.0f}"
    return f"{int(value)}"


def _plain(value: float) -> Number:
    return int(value) if value.is_integer() else value


def _f(value: float) -> str:
    """A coordinate with one decimal at most ("12", "12.5")."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _labels_of(series: Sequence[Series]) -> list[str]:
    labels = [str(label) for label, _value in series[0].points] if series else []
    for other in series[1:]:
        if [str(label) for label, _value in other.points] != labels:
            raise ValueError("Every series of a chart needs the same labels in the same order.")
    return labels


def bar_chart_svg(
    *,
    chart_id: str,
    title: str,
    series: Sequence[Series],
    description: str = "",
    empty_text: str = "",
    format_value: Callable[[Number], str] = default_format,
    format_axis: Callable[[Number], str] | None = None,
) -> SafeString:
    """The chart as an `<svg>` element (a string safe to put in a template as it is).

    `format_value` writes a value in the tooltips; `format_axis` the value axis labels
    (default: `format_value`). `chart_id` prefixes the ids of the title and description."""
    if not _ID.match(chart_id):
        raise ValueError(f"Not a usable SVG id: {chart_id!r}")
    format_axis = format_axis or format_value
    labels = _labels_of(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base_y = TOP + plot_h
    values = [_number(value) for one in series for _label, value in one.points]
    peak = max(values, default=0.0)
    top = nice_ceiling(peak)
    is_empty = not labels or peak <= 0

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" class="chart" role="img" data-chart="{escape(chart_id)}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description or title)}</desc>',
    ]

    # The value axis: gridlines at 0, half and the top, labelled where the label is exact.
    half = top / 2
    integral_data = all(value.is_integer() for value in values)
    ticks: list[tuple[float, str | None]] = [
        (0.0, format_axis(0)),
        (top, format_axis(_plain(top))),
        (half, format_axis(_plain(half)) if half.is_integer() or not integral_data else None),
    ]
    for tick, text in ticks:
        y = base_y - tick / top * plot_h
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y)}" y2="{_f(y)}"/>'
        )
        if text is not None:
            parts.append(
                f'<text class="chart-axis" x="{LEFT - 4}" y="{_f(y + 3)}" '
                f'text-anchor="end">{escape(text)}</text>'
            )

    if len(series) > 1:
        x = LEFT
        for index, one in enumerate(series):
            parts.append(
                f'<rect class="chart-key chart-series-{index}" x="{x}" y="6" '
                f'width="10" height="10"/>'
                f'<text class="chart-legend" x="{x + 14}" y="15">{escape(one.name)}</text>'
            )
            x += 24 + 7 * len(one.name)

    if labels:
        slot = plot_w / len(labels)
        bar_w = slot * BAR_GROUP_FILL / len(series)
        step = math.ceil(len(labels) / MAX_X_LABELS)
        for i, label in enumerate(labels):
            x0 = LEFT + i * slot + slot * (1 - BAR_GROUP_FILL) / 2
            for j, one in enumerate(series):
                raw = one.points[i][1]
                height = max(_number(raw), 0.0) / top * plot_h
                tooltip = f"{one.name}: {label}: {format_value(raw)}"
                parts.append(
                    f'<rect class="chart-bar chart-series-{j}" x="{_f(x0 + j * bar_w)}" '
                    f'y="{_f(base_y - height)}" width="{_f(max(bar_w - 0.5, 0.5))}" '
                    f'height="{_f(height)}" data-series="{escape(one.name)}" '
                    f'data-label="{escape(label)}" data-value="{escape(str(raw))}">'
                    f"<title>{escape(tooltip)}</title></rect>"
                )
            if i % step == 0:
                parts.append(
                    f'<text class="chart-axis" x="{_f(LEFT + (i + 0.5) * slot)}" '
                    f'y="{base_y + 14}" text-anchor="middle">{escape(label)}</text>'
                )
    parts.append(
        f'<line class="chart-baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{base_y}" y2="{base_y}"/>'
    )
    if is_empty and empty_text:
        parts.append(
            f'<text class="chart-empty" x="{_f(LEFT + plot_w / 2)}" y="{_f(TOP + plot_h / 2)}" '
            f'text-anchor="middle">{escape(empty_text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
