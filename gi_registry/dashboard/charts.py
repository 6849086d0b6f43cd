"""Chart geometry for SVG drawn on the server (templates/dashboard/_chart.html draws the shapes).

Only numbers are computed here; the template escapes every label. The viewBox is about as wide as
a phone, so that text stays legible when the chart scales to the page; every chart has its table
of numbers beside it, so nothing depends on reading the picture or its colours.
"""

from dataclasses import dataclass

WIDTH = 340


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool = True


@dataclass(frozen=True)
class Chart:
    kind: str  # "bars" (horizontal, label above each) or "columns" (a time series)
    title: str
    width: int
    height: int
    bars: list[Bar]
    maximum: int
    baseline: float

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def nice_maximum(values: list[int]) -> int:
    """The top of the scale: at least 1, a multiple of 1, 2 or 5 × 10ⁿ with some headroom."""
    top = max(values, default=0)
    step, factors = 1, (2, 2.5, 2)  # 1, 2, 5, 10, 20, 50, ...
    index = 0
    while top > step * 5:
        step = int(step * factors[index % 3])
        index += 1
    return max(step, -(-top // step) * step)


def bar_chart(title: str, items: list[tuple[str, int]], row: int = 38) -> Chart:
    """Horizontal bars, each with its label above and its value after it."""
    label_space, left, right_pad = 15, 2, 56
    maximum = nice_maximum([v for _label, v in items])
    usable = WIDTH - left - right_pad
    bars = [
        Bar(label, value, x=left, y=i * row + label_space + 2,
            width=max(usable * value / maximum, 1 if value else 0), height=row - label_space - 8)
        for i, (label, value) in enumerate(items)
    ]  # fmt: skip
    return Chart("bars", title, WIDTH, max(len(items), 1) * row, bars, maximum, baseline=left)


def column_chart(title: str, items: list[tuple[str, int]], height: int = 170,
                 label_every: int = 1) -> Chart:  # fmt: skip
    """Vertical columns in time order; every `label_every`-th column is labelled below."""
    top_pad, bottom_pad, side_pad = 16, 20, 14
    maximum = nice_maximum([v for _label, v in items])
    slot = (WIDTH - 2 * side_pad) / max(len(items), 1)
    usable = height - top_pad - bottom_pad
    bars = []
    for i, (label, value) in enumerate(items):
        bar_height = usable * value / maximum
        bars.append(Bar(label, value, x=side_pad + i * slot + slot * 0.15,
                        y=top_pad + usable - bar_height, width=slot * 0.7, height=bar_height,
                        show_label=(len(items) - 1 - i) % label_every == 0))  # fmt: skip
    return Chart("columns", title, WIDTH, height, bars, maximum, baseline=top_pad + usable)
