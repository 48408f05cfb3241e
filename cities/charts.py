"""Server-rendered SVG charts: geometry computed here, drawn by templates/network/includes/.

No JavaScript and no chart library: a chart is a list of rectangles with their
value, label and link, plus a few axis ticks. Every chart is shown next to a data
table with the same numbers (and a CSV of them), so the SVG is a picture of the
table, not the only way to read it.
"""

import math
from dataclasses import dataclass, field


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str
    url: str = ""
    series: str = ""
    series_label: str = ""


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    plot_left: int
    plot_bottom: int
    plot_top: int
    plot_right: int
    bars: list[Bar] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def has_links(self) -> bool:
        """Whether a bar links somewhere: such a chart is a group of links, not an image (an
        image's content is not interactive: axe's nested-interactive)."""
        return any(bar.url for bar in self.bars)


def nice_step(value: float, *, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 × 10ⁿ, at least 1) so that `ticks` steps reach `value`."""
    raw = max(value / ticks, 1)
    exponent = math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        step = multiple * 10**exponent
        if step >= raw:
            return step
    return 10 ** (exponent + 1)


def fit_label(text: str, width: float) -> str:
    """Shorten an axis label to about `width` px (10 px text: ~6 px a Latin letter, ~11 a CJK
    character); the full label stays in the bar's tooltip and the data table."""

    def size(character: str) -> int:
        return 11 if ord(character) >= 0x2E80 else 6

    if sum(size(c) for c in text) <= width:
        return text
    room, result = width - 6, ""
    for character in text:
        room -= size(character)
        if room < 0:
            break
        result += character
    return result.rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def stacked_bar_chart(
    categories: list[str],
    series: list[tuple[str, str, list[float], list[str]]],
    *,
    width: int = 720,
    height: int = 260,
    label_every: int = 1,
) -> Chart:
    """Vertical bars, one per category, stacked by series.

    `series` is [(key, label, values per category, link per category)]; a single
    series gives a plain bar chart.
    """
    totals = [
        sum(values[index] for _k, _l, values, _u in series) for index in range(len(categories))
    ]
    step = nice_step(max(totals, default=0))
    maximum = step * max(math.ceil(max(totals, default=0) / step), 1)
    # Room on the left for the longest axis label (about 6 px a character at 10 px).
    left, right, top, bottom = max(36, 10 + 6 * len(_number(maximum))), 8, 12, height - 28
    chart = Chart(width, height, left, bottom, top, width - right)
    plot_height = bottom - top
    slot = (width - left - right) / max(len(categories), 1)
    bar_width = max(slot * 0.75, 1)
    for index, category in enumerate(categories):
        x = left + index * slot + (slot - bar_width) / 2
        base = bottom
        for key, label, values, urls in series:
            value = values[index]
            if not value:
                continue
            bar_height = value / maximum * plot_height
            base -= bar_height
            chart.bars.append(
                Bar(
                    x=round(x, 2),
                    y=round(base, 2),
                    width=round(bar_width, 2),
                    height=round(bar_height, 2),
                    value=value,
                    label=category,
                    url=urls[index],
                    series=key,
                    series_label=label,
                )
            )
        if index % label_every == 0:
            label = fit_label(category, slot * label_every)
            chart.x_ticks.append(Tick(round(left + index * slot + slot / 2, 2), label))
    for index in range(round(maximum / step) + 1):
        value = step * index
        chart.y_ticks.append(Tick(round(bottom - value / maximum * plot_height, 2), _number(value)))
    chart.legend = [(key, label) for key, label, _v, _u in series]
    return chart


def bar_chart(items: list[tuple[str, float, str]], **options) -> Chart:
    """A plain bar chart of (label, value, link) items."""
    labels = [label for label, _value, _url in items]
    values = [value for _label, value, _url in items]
    urls = [url for _label, _value, url in items]
    return stacked_bar_chart(labels, [("value", "", values, urls)], **options)
