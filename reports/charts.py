"""Charts drawn on the server as inline SVG: no script, no chart library.

The SVG is sized in percentages horizontally, so it fills any width (a phone's
375 px as well as a desktop) while its text keeps a readable size.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW_HEIGHT = 40
LABEL_SIZE = 13
BAR_TOP = 19
BAR_HEIGHT = 12
BAR_SPAN = 84  # per cent of the width; the rest holds the value
MAX_LABEL = 48


def percent_label(value: Decimal | None) -> str:
    """The way a completion percentage reads on the page, in the active language."""
    if value is None:
        return "–"
    return f"{number_format(value, 1)} %"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def completion_bar_chart(
    rows: Sequence[tuple[str, Decimal | None, int]],
    *,
    title: str,
    description: str,
    chart_id: str = "completion-chart",
) -> SafeString:
    """Horizontal bars of completion %, one per (label, percent, depth) row.

    The SVG is an image to assistive technology (role="img", named by its title
    and description); the page must show the same numbers in a table.
    """
    height = max(len(rows), 1) * ROW_HEIGHT
    bars = []
    for i, (label, percent, depth) in enumerate(rows):
        top = i * ROW_HEIGHT
        width = f"{float(percent or 0) * BAR_SPAN / 100:.2f}"
        bars.append(
            format_html(
                '<g class="completion-chart__row">'
                '<text x="{}" y="{}" font-size="{}"{}>{}</text>'
                '<rect x="0" y="{}" width="{}%" height="{}" rx="2" '
                'style="fill: var(--w-color-grey-100, #e6e6e6)"></rect>'
                '<rect x="0" y="{}" width="{}%" height="{}" rx="2" '
                'style="fill: var(--w-color-secondary, #007d7e)"></rect>'
                '<text x="100%" y="{}" font-size="{}" text-anchor="end">{}</text>'
                "</g>",
                8 * min(depth, 3),
                top + LABEL_SIZE + 1,
                LABEL_SIZE,
                SafeString(' font-weight="bold"') if depth == 0 else "",
                _short(label),
                top + BAR_TOP,
                BAR_SPAN,
                BAR_HEIGHT,
                top + BAR_TOP,
                width,
                BAR_HEIGHT,
                top + BAR_TOP + BAR_HEIGHT - 1,
                LABEL_SIZE,
                percent_label(percent),
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="completion-chart" '
        'id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'width="100%" height="{height}" style="fill: currentColor">'
        '<title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{description}</desc>'
        "{bars}</svg>",
        id=chart_id,
        height=height,
        title=title,
        description=description,
        bars=format_html_join("", "{}", ((bar,) for bar in bars)),
    )
