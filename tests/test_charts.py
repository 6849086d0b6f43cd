"""The shared bar-chart geometry (gi_registry.charts) and its SVG partial (templates/_chart.html),
drawn on the dashboard and on every guidance station's page."""

import xml.etree.ElementTree as ET

import pytest
from flask import render_template_string

from gi_registry.charts import WIDTH, bar_chart, column_chart, nice_maximum

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("values", "top"),
    [([], 1), ([0, 0], 1), ([1], 1), ([5], 5), ([7], 8), ([12], 15), ([99], 100),
     ([3, 40, 7], 40), ([5000], 5000), ([12_345], 15_000), ([1_000_001], 1_500_000)],
)  # fmt: skip
def test_the_scale_ends_at_a_round_number_at_or_above_the_largest_value(values, top):
    assert nice_maximum(values) == top


def test_column_heights_are_proportional_and_stand_on_the_axis():
    chart = column_chart("t", [("a", 2), ("b", 4), ("c", 8), ("d", 0)])
    heights = [b.height for b in chart.bars]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert heights[2] == pytest.approx(4 * heights[0])
    assert heights[3] == 0
    assert heights[2] == pytest.approx(chart.scale * 8 / chart.maximum)
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(chart.baseline)
        assert bar.x >= 0 and bar.x + bar.width <= chart.width
    assert [b.x for b in chart.bars] == sorted(b.x for b in chart.bars)  # in time order
    assert all(b.show_label and b.show_value for b in chart.bars)


def test_bar_lengths_are_proportional_and_a_small_value_stays_visible():
    chart = bar_chart("t", [("a", 10), ("b", 40), ("c", 0), ("d", 1_000)])
    a, b, c, d = chart.bars
    assert b.width == pytest.approx(4 * a.width)
    assert d.width == pytest.approx(chart.scale * 1_000 / chart.maximum)
    assert c.width == 0
    tiny, _big = bar_chart("t", [("a", 1), ("b", 1_000)]).bars
    assert tiny.width == 1  # 1 out of 1,000 would be a third of a unit: still a visible sliver
    assert all(bar.x == chart.baseline for bar in chart.bars)
    assert chart.baseline + chart.scale < chart.width  # room for the value after the longest bar
    tops = [bar.y for bar in chart.bars]
    assert tops == sorted(tops) and len(set(tops)) == 4  # one row each, in the order given
    assert chart.height == 4 * (tops[1] - tops[0])


@pytest.mark.parametrize("make", [bar_chart, column_chart])
def test_no_data_draws_an_empty_chart_without_dividing_by_zero(make):
    for items in ([], [("a", 0), ("b", 0)]):
        chart = make("t", items)
        assert chart.maximum == 1 and chart.height > 0 and chart.width == WIDTH
        assert all(bar.width == 0 or bar.height == 0 for bar in chart.bars)
        assert len(chart.bars) == len(items)


def test_one_bar_fills_the_scale():
    column = column_chart("t", [("2026-01", 5)]).bars[0]
    assert column.height == pytest.approx(column_chart("t", [("x", 5)]).scale)
    assert column.x + column.width / 2 == pytest.approx(WIDTH / 2)  # centred in the only slot
    (bar,) = bar_chart("t", [("a", 5)]).bars
    assert bar.width == pytest.approx(bar_chart("t", [("a", 5)]).scale)


def test_long_series_label_every_nth_column_from_the_last_and_write_no_values():
    chart = column_chart("t", [(str(d), d) for d in range(30)], label_every=7)
    labelled = [b.label for b in chart.bars if b.show_label]
    assert labelled == ["1", "8", "15", "22", "29"]
    assert not any(b.show_value for b in chart.bars)  # 30 values would overlap
    assert all(b.show_value for b in column_chart("t", [(str(m), m) for m in range(12)]).bars)


def render(chart, look="card") -> ET.Element:
    html = render_template_string(
        '{% from "_chart.html" import chart %}{{ chart(c, "x", look) }}', c=chart, look=look
    )
    return ET.fromstring(html)


@pytest.mark.parametrize("look", ["card", "panel"])
def test_the_partial_names_the_chart_and_writes_every_label_and_value(app, look):
    with app.test_request_context("/"):
        svg = render(bar_chart("Kinds <b>", [("咨询 & help", 3), ("培训", 1_234)], "One bar"),
                     look)  # fmt: skip
        columns = render(column_chart("Months", [("1", 0), ("2", 7)]), look)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "x-title x-desc"
    assert svg.find(f"{SVG}title").text == "Kinds <b>"  # escaped in the page, read back as text
    assert svg.find(f"{SVG}title").get("id") == "x-title"
    assert svg.find(f"{SVG}desc").text == "One bar"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["咨询 & help", "3", "培训", "1,234"]
    bars = [r for r in svg.iter(f"{SVG}rect") if "bar" in r.get("class")]
    assert [float(r.get("width")) for r in bars] == pytest.approx(
        [b.width for b in bar_chart("t", [("a", 3), ("b", 1_234)]).bars], abs=0.05
    )
    assert columns.get("aria-labelledby") == "x-title"  # no description, no dangling reference
    assert columns.find(f"{SVG}desc") is None
    assert [t.text for t in columns.iter(f"{SVG}text")] == ["0", "1", "7", "2"]
    assert len(list(columns.iter(f"{SVG}line"))) == 1  # the axis


def test_each_look_uses_its_own_stylesheet_classes(app):
    chart = bar_chart("t", [("a", 1)])
    with app.test_request_context("/"):
        card, panel = render(chart, "card"), render(chart, "panel")
    assert card.get("class").split()[0] == "chart"
    assert [r.get("class") for r in card.iter(f"{SVG}rect")] == ["track", "bar"]
    assert panel.get("class").split()[0] == "dash-chart"
    # No track in a panel: site.css styles none there, and an unstyled rect is drawn black.
    assert [r.get("class") for r in panel.iter(f"{SVG}rect")] == ["dash-chart-bar"]
