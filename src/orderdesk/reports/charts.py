"""Charts drawn on the server as SVG: no script, so they work under the CSP and print as they
are. Every label is escaped (a locality's name is typed by people)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 240
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 48, 56, 16
COLOURS = ("#2f6fb3", "#3a9d5d", "#d9822b", "#b33a3a")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: nothing measured (drawn as a gap, not as zero)


def _n(value: float) -> str:
    return f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def bar_chart(
    *, title: str, labels: Sequence[str], series: Sequence[Series], ratio: bool = False
) -> SafeString:
    """Grouped bars, one group per label; `ratio` fixes the scale at 0–100%."""
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    top = (
        1.0
        if ratio
        else _nice_max(max((v or 0) for s in series for v in s.values) if labels else 0)
    )
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    parts: list[str] = []
    for tick in range(5):
        value = top * tick / 4
        y = PAD_TOP + plot_h - plot_h * tick / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
                '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
                PAD_LEFT, WIDTH - 8, _n(y), _n(y), PAD_LEFT - 4, _n(y + 4),
                f"{value:.0%}" if ratio else f"{value:g}",
            )
        )  # fmt: skip
    for index, label in enumerate(labels):
        x0 = PAD_LEFT + group_w * index + group_w * 0.1
        for number, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            height = plot_h * (value / top if top else 0)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} — {}</title></rect>",
                    _n(x0 + bar_w * number), _n(PAD_TOP + plot_h - height), _n(bar_w), _n(height),
                    COLOURS[number % len(COLOURS)], one.name, label,
                    f"{value:.1%}" if ratio else f"{value:g}",
                )
            )  # fmt: skip
        if len(labels) <= 40 or index % max(len(labels) // 20, 1) == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="label" text-anchor="end" '
                    'transform="rotate(-40 {} {})">{}</text>',
                    _n(x0 + group_w * 0.4), HEIGHT - PAD_BOTTOM + 14, _n(x0 + group_w * 0.4),
                    HEIGHT - PAD_BOTTOM + 14, label,
                )
            )  # fmt: skip
    legend = format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" class="legend">{}</text>',
        (
            (PAD_LEFT + 140 * i, HEIGHT - 12, COLOURS[i % len(COLOURS)], PAD_LEFT + 140 * i + 14,
             HEIGHT - 3, s.name)
            for i, s in enumerate(series)
        ),
    )  # fmt: skip
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}</svg>',
        title, WIDTH, HEIGHT, title, mark_safe("".join(parts)), legend,  # noqa: S308
    )  # fmt: skip
