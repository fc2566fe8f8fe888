"""Charts drawn on the server as inline SVG: no script, no chart library.

The SVG is sized in percentages horizontally, so it fills any width (a phone's
375 px as well as a desktop) while its text keeps a readable size.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.formats import number_format
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
    and description); the page must show the same numbers in a table. Positions
    are worked out here; the markup is the template's.
    """
    bars = []
    for i, (label, percent, depth) in enumerate(rows):
        top = i * ROW_HEIGHT
        bars.append(
            {
                "label": _short(label),
                "percent": percent_label(percent),
                "indent": 8 * min(depth, 3),
                "bold": depth == 0,
                "label_y": top + LABEL_SIZE + 1,
                "bar_y": top + BAR_TOP,
                "value_y": top + BAR_TOP + BAR_HEIGHT - 1,
                "width": f"{float(percent or 0) * BAR_SPAN / 100:.2f}",
            }
        )
    return render_to_string(
        "reports/completion_chart.svg",
        {
            "id": chart_id,
            "title": title,
            "description": description,
            "height": max(len(rows), 1) * ROW_HEIGHT,
            "bars": bars,
            "label_size": LABEL_SIZE,
            "bar_span": BAR_SPAN,
            "bar_height": BAR_HEIGHT,
        },
    )
