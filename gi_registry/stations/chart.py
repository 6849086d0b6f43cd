"""Bar charts drawn on the server as SVG (templates/stations/_chart_*.html draw the shapes).

Only geometry is computed here; labels are escaped by the templates. The viewBox is about as
wide as a phone so that the text stays legible when the chart scales to the page.
"""

from dataclasses import dataclass

WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    maximum: int
    baseline: float  # y of the axis for column charts, x of the axis for bar charts


def nice_maximum(values: list[int]) -> int:
    """The top of the scale: at least 1, rounded up so that the tallest bar has headroom."""
    top = max(values, default=0)
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if top <= step * 5:
            return max(step, -(-top // step) * step)
    return top


def column_chart(items: list[tuple[str, int]], height: int = 200) -> Chart:
    """Vertical columns (e.g. the 12 months), value written above each column."""
    top_pad, bottom_pad, side_pad = 18, 22, 6
    maximum = nice_maximum([v for _label, v in items])
    slot = (WIDTH - 2 * side_pad) / max(len(items), 1)
    usable = height - top_pad - bottom_pad
    bars = []
    for index, (label, value) in enumerate(items):
        bar_height = usable * value / maximum
        bars.append(Bar(label, value, x=side_pad + index * slot + slot * 0.15,
                        y=top_pad + usable - bar_height, width=slot * 0.7,
                        height=bar_height))  # fmt: skip
    return Chart(WIDTH, height, bars, maximum, baseline=top_pad + usable)


def bar_chart(items: list[tuple[str, int]], row_height: int = 40) -> Chart:
    """Horizontal bars with the label above each (long labels such as the kinds of service)."""
    label_space, right_pad, left = 16, 40, 4
    maximum = nice_maximum([v for _label, v in items])
    usable = WIDTH - left - right_pad
    bars = []
    for index, (label, value) in enumerate(items):
        top = index * row_height
        bars.append(Bar(label, value, x=left, y=top + label_space + 2,
                        width=usable * value / maximum, height=row_height - label_space - 8))  # fmt: skip
    return Chart(WIDTH, max(len(items), 1) * row_height, bars, maximum, baseline=left)
