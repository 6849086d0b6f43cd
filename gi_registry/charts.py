"""Bar charts drawn on the server as SVG: the geometry here, the shapes in templates/_chart.html.

Only numbers are computed here; titles and labels pass through and the template escapes them. The
viewBox is about as wide as a phone, so that text stays legible when the chart scales to the page;
every chart has a table of its numbers beside it, so nothing depends on reading the picture or its
colours. Used by the dashboard and by the guidance-station page.
"""

from dataclasses import dataclass

WIDTH = 340
MAX_COLUMN_VALUES = 12  # beyond this, a value written above each column would overlap the next


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool = True
    show_value: bool = True


@dataclass(frozen=True)
class Chart:
    kind: str  # "bars" (horizontal, label above each) or "columns" (vertical, in time order)
    title: str
    description: str  # what the picture shows, for screen readers; "" for none
    width: int
    height: int
    bars: list[Bar]
    maximum: int  # the value at the end of the scale
    baseline: float  # x of the axis for bars, y of the axis for columns
    scale: float  # length of the whole scale, 0 to `maximum`, in viewBox units


def nice_maximum(values: list[int]) -> int:
    """The top of the scale: at least 1, a multiple of 1, 2 or 5 × 10ⁿ with some headroom."""
    top = max(values, default=0)
    step, factors = 1, (2, 2.5, 2)  # 1, 2, 5, 10, 20, 50, ...
    index = 0
    while top > step * 5:
        step = int(step * factors[index % 3])
        index += 1
    return max(step, -(-top // step) * step)


def bar_chart(title: str, items: list[tuple[str, int]], description: str = "",
              row: int = 38) -> Chart:  # fmt: skip
    """Horizontal bars, each with its label above and its value after it (for long labels)."""
    label_space, left, right_pad = 15, 2, 56
    maximum = nice_maximum([v for _label, v in items])
    usable = WIDTH - left - right_pad
    bars = [
        Bar(label, value, x=left, y=i * row + label_space + 2,
            width=max(usable * value / maximum, 1 if value else 0), height=row - label_space - 8)
        for i, (label, value) in enumerate(items)
    ]  # fmt: skip
    return Chart("bars", title, description, WIDTH, max(len(items), 1) * row, bars, maximum,
                 baseline=left, scale=usable)  # fmt: skip


def column_chart(title: str, items: list[tuple[str, int]], description: str = "",
                 height: int = 170, label_every: int = 1) -> Chart:  # fmt: skip
    """Vertical columns in time order; every `label_every`-th column from the last is labelled.

    Each value is written above its column when there are few enough columns to leave room.
    """
    top_pad, bottom_pad, side_pad = 16, 20, 14
    maximum = nice_maximum([v for _label, v in items])
    slot = (WIDTH - 2 * side_pad) / max(len(items), 1)
    usable = height - top_pad - bottom_pad
    show_values = len(items) <= MAX_COLUMN_VALUES
    bars = []
    for i, (label, value) in enumerate(items):
        bar_height = usable * value / maximum
        bars.append(Bar(label, value, x=side_pad + i * slot + slot * 0.15,
                        y=top_pad + usable - bar_height, width=slot * 0.7, height=bar_height,
                        show_label=(len(items) - 1 - i) % label_every == 0,
                        show_value=show_values))  # fmt: skip
    return Chart("columns", title, description, WIDTH, height, bars, maximum,
                 baseline=top_pad + usable, scale=usable)  # fmt: skip
