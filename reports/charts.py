"""Bar charts drawn on the server as SVG, every bar a link to the list behind it.

Our own few functions, not a charting library: pygal 3.1.3 writes a <style>
element, an inline <script> and a style attribute into every chart, which the
Content-Security-Policy refuses, and took 20-57 ms per chart against well under
1 ms here (docs/decisions.md, Reports). Positions across are percentages of the
chart's width (no viewBox), so text keeps its size from a phone to a desktop and
only the bars stretch; colours and fonts come from static/css/charts.css through
classes. Each chart is an image (role="img") named by its <title> and <desc>, and
each bar an <a href> named by its <title>, its figure ("12 In stock at Main Street"); the page
shows the same figures in a table beside it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

# Horizontal bars: a line of text (label, figure), then the bar, per row.
ROW_HEIGHT = 44
LABEL_BASELINE = 14
BAR_TOP, BAR_HEIGHT = 20, 14
# Columns: figures above, the plot, labels below.
COLUMNS_HEIGHT = 190
PLOT_TOP, PLOT_BOTTOM = 20, 160
# Small columns with no text (one outlet's weeks).
SPARK_HEIGHT = 36
# A bar above zero is drawn at least this wide (percent), so it can be seen and clicked.
MIN_PERCENT = 0.6


@dataclass(frozen=True)
class Figure:
    """One number on a chart: its size, how it is written, what it is and its list."""

    value: Number
    text: str  # "1,234", "£4,299.00"
    name: str  # "1,234 In stock at Main Street": the link's accessible name and tooltip
    href: str


@dataclass(frozen=True)
class Bar:
    """A row of a horizontal chart: one figure, or several stacked in series order."""

    label: str
    figures: Sequence[Figure]
    text: str  # written at the row's end: the figure, or the stack's total


@dataclass(frozen=True)
class Column:
    label: str
    figure: Figure


def format_html(template: str, *args: str | Number) -> SafeString:
    """`template.format(*args)` with text escaped and numbers formatted as the template says.

    Django's own format_html escapes numbers into text, which then refuses "{:.2f}".
    """
    return mark_safe(  # noqa: S308 - every text argument is escaped
        template.format(
            *(
                arg if isinstance(arg, int | float | Decimal) else conditional_escape(arg)
                for arg in args
            )
        )
    )


def _percent(value: Number, top: Number) -> float:
    if not top or value <= 0:
        return 0.0
    return max(float(value) * 100 / float(top), MIN_PERCENT)


def _svg(*, chart_id: str, title: str, description: str, height: int, body: SafeString) -> str:
    return format_html(
        '<svg class="chart" id="{}" role="img" aria-labelledby="{}-title {}-desc" width="100%" '
        'height="{}" xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}</svg>',
        chart_id,
        chart_id,
        chart_id,
        height,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


def _column_height(value: Number, *, plot: float, top: Number) -> float:
    """A column's height in a plot `plot` high whose tallest column is `top`; at least 1."""
    height = float(value) * plot / float(top) if top else 0.0
    return 1.0 if value and height < 1 else height


def _baseline(y: float) -> SafeString:
    return format_html('<line class="chart-axis" x1="0" y1="{}" x2="100%" y2="{}"></line>', y, y)


def _link(figure: Figure, inner: str) -> str:
    # An SVG link's <title> is its accessible name and its tooltip.
    return format_html(
        '<a href="{}"><title>{}</title>{}</a>',
        figure.href,
        figure.name,
        mark_safe(inner),  # noqa: S308 - built by format_html in this module
    )


def bars_svg(*, chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> SafeString:
    """A horizontal bar chart: each row's label and figure above its bar."""
    top = max((sum(f.value for f in bar.figures) for bar in bars), default=0)
    parts = []
    for row, bar in enumerate(bars):
        y = row * ROW_HEIGHT
        text = format_html(
            '<text class="chart-label" x="0" y="{}">{}</text>'
            '<text class="chart-value" x="100%" y="{}" text-anchor="end">{}</text>'
            '<rect class="chart-track" x="0" y="{}" width="100%" height="{}" rx="2"></rect>',
            y + LABEL_BASELINE,
            bar.label,
            y + LABEL_BASELINE,
            bar.text,
            y + BAR_TOP,
            BAR_HEIGHT,
        )
        if len(bar.figures) == 1:
            # The whole row is the link: a bar of 0 can be clicked on its label.
            (figure,) = bar.figures
            rect = format_html(
                '<rect class="chart-hit" x="0" y="{}" width="100%" height="{}"></rect>'
                '<rect class="chart-bar chart-series-0" x="0" y="{}" width="{:.2f}%" '
                'height="{}" rx="2"></rect>',
                y,
                BAR_TOP + BAR_HEIGHT,
                y + BAR_TOP,
                _percent(figure.value, top),
                BAR_HEIGHT,
            )
            parts.append(_link(figure, text + rect))
            continue
        parts.append(text)
        left = 0.0
        for series, figure in enumerate(bar.figures):
            width = _percent(figure.value, top)
            if not width:
                continue  # nothing to click; the table lists the 0
            rect = format_html(
                '<rect class="chart-bar chart-series-{}" x="{:.2f}%" y="{}" width="{:.2f}%" '
                'height="{}"></rect>',
                series,
                left,
                y + BAR_TOP,
                width,
                BAR_HEIGHT,
            )
            parts.append(_link(figure, rect))
            left += width
    return mark_safe(  # noqa: S308 - every part is built by format_html
        _svg(
            chart_id=chart_id,
            title=title,
            description=description,
            height=max(len(bars), 1) * ROW_HEIGHT - (ROW_HEIGHT - BAR_TOP - BAR_HEIGHT),
            body=mark_safe("".join(parts)),  # noqa: S308
        )
    )


def columns_svg(
    *, chart_id: str, title: str, description: str, columns: Sequence[Column]
) -> SafeString:
    """A column chart, oldest on the left: the figure above each column, its label below.

    Every other label from the right (the latest column's is always there) has
    the class chart-tick-alt, which charts.css hides on a phone.
    """
    top = max((c.figure.value for c in columns), default=0)
    count = max(len(columns), 1)
    slot = 100 / count
    plot = PLOT_BOTTOM - PLOT_TOP
    parts = []
    for index, column in enumerate(columns):
        centre = (index + 0.5) * slot
        height = _column_height(column.figure.value, plot=plot, top=top)
        alt = " chart-tick-alt" if (count - 1 - index) % 2 else ""
        inner = format_html(
            '<rect class="chart-hit" x="{:.2f}%" y="0" width="{:.2f}%" height="{}"></rect>'
            '<rect class="chart-bar chart-series-0" x="{:.2f}%" y="{:.1f}" width="{:.2f}%" '
            'height="{:.1f}" rx="2"></rect>'
            '<text class="chart-value{}" x="{:.2f}%" y="{:.1f}" text-anchor="middle">{}</text>'
            '<text class="chart-tick{}" x="{:.2f}%" y="{}" text-anchor="middle">{}</text>',
            index * slot,
            slot,
            COLUMNS_HEIGHT,
            centre - slot * 0.3,
            PLOT_BOTTOM - height,
            slot * 0.6,
            height,
            alt,
            centre,
            PLOT_BOTTOM - height - 5,
            column.figure.text,
            alt,
            centre,
            PLOT_BOTTOM + 18,
            column.label,
        )
        parts.append(_link(column.figure, inner))
    baseline = _baseline(PLOT_BOTTOM)
    return mark_safe(  # noqa: S308
        _svg(
            chart_id=chart_id,
            title=title,
            description=description,
            height=COLUMNS_HEIGHT,
            body=mark_safe(baseline + "".join(parts)),  # noqa: S308
        )
    )


def spark_svg(*, chart_id: str, title: str, figures: Sequence[Figure], top: Number) -> SafeString:
    """Small columns without text, on a scale shared with other rows (`top`)."""
    count = max(len(figures), 1)
    slot = 100 / count
    plot = SPARK_HEIGHT - 2
    parts = []
    for index, figure in enumerate(figures):
        height = _column_height(figure.value, plot=plot, top=top)
        inner = format_html(
            '<rect class="chart-hit" x="{:.2f}%" y="0" width="{:.2f}%" height="{}"></rect>'
            '<rect class="chart-bar chart-series-0" x="{:.2f}%" y="{:.1f}" width="{:.2f}%" '
            'height="{:.1f}"></rect>',
            index * slot,
            slot,
            SPARK_HEIGHT,
            index * slot + slot * 0.15,
            SPARK_HEIGHT - height,
            slot * 0.7,
            height,
        )
        parts.append(_link(figure, inner))
    baseline = _baseline(SPARK_HEIGHT - 0.5)
    return mark_safe(  # noqa: S308
        _svg(
            chart_id=chart_id,
            title=title,
            description=title,
            height=SPARK_HEIGHT,
            body=mark_safe(baseline + "".join(parts)),  # noqa: S308
        )
    )


def legend_html(labels: Sequence[str]) -> SafeString:
    """The key of a stacked chart: a swatch of each series' colour and its name."""
    return format_html_join(
        "",
        '<li><svg class="chart-swatch" width="12" height="12" aria-hidden="true">'
        '<rect class="chart-series-{}" width="12" height="12" rx="2"></rect></svg> {}</li>',
        ((series, label) for series, label in enumerate(labels)),
    )
