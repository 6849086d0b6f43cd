"""QR codes: what a phone decodes from the PNG and SVG, size limits, printing guidance."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from gi_registry.certificates import qr
from gi_registry.certificates.serials import new_serial

LABEL_URL = "https://gi.boshan.example.gov.cn/l/"


@pytest.mark.parametrize(
    "text",
    [
        LABEL_URL + new_serial(),
        "https://gi.boshan.example.gov.cn/v/ABCDEFGHJKLMNPQR0#GI1~" + "x" * 280,
        "HTTPS://GI.EXAMPLE.CN/V/0123456789",
        "博山琉璃 https://例子.cn/v/1",
    ],
    ids=["label", "certificate", "uppercase", "unicode"],  # stable ids: xdist workers must agree
)
def test_png_decodes_back_to_exactly_the_text(text):
    png = qr.to_png(text, scale=4)
    assert qr.decode(png) == [text]
    assert qr.decode(Image.open(io.BytesIO(png))) == [text]


def test_many_label_codes_decode_with_the_fixed_mask():
    texts = [LABEL_URL + new_serial() for _ in range(150)]
    assert [qr.decode(qr.to_png(t, scale=2))[0] for t in texts] == texts


def test_error_correction_is_m_or_better_and_version_at_most_15():
    for length in (10, 100, 250, 350, 411):
        symbol = qr.encode("a" * length)
        assert symbol.version <= 15 and symbol.ec in ("M", "Q", "H")
        assert symbol.size == 17 + 4 * symbol.version
    assert qr.encode("a" * 411, min_ec="M").ec == "M"
    assert qr.encode(LABEL_URL + new_serial(), min_ec="Q").ec in ("Q", "H")


def test_text_too_long_for_version_15_is_refused():
    with pytest.raises(qr.QrTooLarge):
        qr.make_matrix("a" * 413)
    with pytest.raises(ValueError):
        qr.make_matrix("abc", min_ec="L")


def svg_modules(svg: str) -> tuple[int, list[list[bool]]]:
    """Rebuild the module grid that the SVG's path paints, from its run rectangles."""
    root = ET.fromstring(svg)
    side = int(root.get("viewBox").split()[2])
    grid = [[False] * side for _ in range(side)]
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
        for dx in range(int(width)):
            grid[int(y)][int(x) + dx] = True
    return side, grid


def test_svg_paints_the_symbol_with_a_four_module_quiet_zone():
    text = LABEL_URL + new_serial()
    svg = qr.to_svg(text, module_mm=0.5)
    side, grid = svg_modules(svg)
    modules = qr.make_matrix(text)
    assert side == len(modules) + 8
    assert ET.fromstring(svg).get("width") == f"{side * 0.5:.2f}mm"
    assert not any(grid[y][x] for y in range(side) for x in range(side) if min(x, y) < 4)
    assert [row[4:-4] for row in grid[4:-4]] == modules
    # What a phone sees: the painted grid, rasterised, decodes to the text.
    image = qr.matrix_image([row[4:-4] for row in grid[4:-4]], scale=4)
    assert qr.decode(image) == [text]


def test_printing_guidance_for_a_label_and_a_certificate():
    label = qr.printing_guidance(LABEL_URL + new_serial())
    assert label.quiet_zone_modules == 4
    assert label.min_size_mm == pytest.approx((label.modules + 8) * 0.4, abs=0.05)
    assert label.recommended_size_mm > label.min_size_mm
    certificate = qr.printing_guidance("https://gi.boshan.example.gov.cn/v/X#" + "x" * 300)
    assert certificate.modules > label.modules
    assert 35 <= certificate.recommended_size_mm <= 60  # the range used for DCC certificates


def test_runs_merge_dark_modules():
    assert qr.runs([True, True, False, True, False, False, True, True, True]) == [
        (0, 2),
        (3, 1),
        (6, 3),
    ]
    assert qr.runs([False, False]) == []
