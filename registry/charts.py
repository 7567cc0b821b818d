"""Small server-side SVG charts (no JavaScript, no external library); every label is escaped."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 640, 26, 10, 190


def bar_chart(items: Sequence[tuple[str, Decimal | None]], *, title: str, unit: str = "t") -> SafeString:
    """Horizontal bars scaled to the largest value; a missing value is drawn as an empty bar marked '–'."""
    values = [v for _label, v in items if v is not None]
    largest = max(values, default=Decimal(0)) or Decimal(1)
    height = len(items) * (BAR_HEIGHT + GAP) + 40
    span = WIDTH - LABEL_WIDTH - 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<text x="0" y="18" font-weight="bold">{escape(title)}</text>'
    ]
    for i, (label, value) in enumerate(items):
        y = 32 + i * (BAR_HEIGHT + GAP)
        length = int(span * (value or 0) / largest)
        shown = "–" if value is None else f"{value:,} {unit}"
        parts.append(
            f'<text x="0" y="{y + 18}">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="#2f7d5b"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 18}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped parts above
