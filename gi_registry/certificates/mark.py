"""A clearly labelled STAND-IN for the GI special mark, with the user's credit code in its band.

The official artwork (CNIPA, 2019) is deliberately not reproduced: this emblem only keeps the
layout rule that matters to the registry, the user's 统一社会信用代码 in a designated position
(the band under the emblem). The drawing is a small scene of shapes in millimetres so that the
SVG, the PNG, the certificate PDF and the label sheets all draw the same thing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from .serials import ALPHABET

FONT_PATH = Path(__file__).resolve().parents[2] / "static" / "fonts" / "wqy-microhei-subset.ttf"
FONT_FAMILY = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC','PingFang SC',"
FONT_FAMILY += "'Microsoft YaHei',sans-serif"
INK = "#1d3f6e"  # a neutral blue: the official colours are unconfirmed, and we must not imitate
WIDTH, HEIGHT = 44.0, 60.0  # mm
STAND_IN_ZH = "地理标志专用标志（示意）"
STAND_IN_EN = "GI special mark — stand-in"
DEFAULT_GI_NAME = "博山琉璃"


@dataclass(frozen=True)
class Circle:
    """A stroked circle."""

    cx: float
    cy: float
    r: float
    width: float


@dataclass(frozen=True)
class Box:
    """A stroked rectangle (the credit-code band)."""

    x: float
    y: float
    w: float
    h: float
    width: float
    color: str | None = None  # None: the mark's ink
    fill: str | None = None


@dataclass(frozen=True)
class Text:
    """A line of text on baseline y, anchored at x (start, middle, end); size is the em in mm."""

    x: float
    y: float
    size: float
    text: str
    anchor: str = "middle"
    color: str | None = None


Shape = Circle | Box | Text
_PIL_ANCHOR = {"start": "ls", "middle": "ms", "end": "rs"}  # on the baseline, like SVG


def transform_scene(shapes: list[Shape], dx: float, dy: float, k: float) -> list[Shape]:
    """Return shapes scaled by k and then moved by (dx, dy)."""
    moved: list[Shape] = []
    for s in shapes:
        if isinstance(s, Circle):
            moved.append(Circle(dx + s.cx * k, dy + s.cy * k, s.r * k, s.width * k))
        elif isinstance(s, Box):
            box = Box(dx + s.x * k, dy + s.y * k, s.w * k, s.h * k, s.width * k, s.color, s.fill)
            moved.append(box)
        else:
            moved.append(Text(dx + s.x * k, dy + s.y * k, s.size * k, s.text, s.anchor, s.color))
    return moved


def check_credit_code_shape(credit_code: str) -> str:
    """Return credit_code if it is 18 characters of the GB 32100 alphabet; raise ValueError."""
    # The check character is not enforced: some early genuine codes fail it (domain.md §4).
    if len(credit_code) != 18 or any(ch not in ALPHABET for ch in credit_code):
        raise ValueError(f"not a 统一社会信用代码: {credit_code!r}")
    return credit_code


def mark_scene(credit_code: str, gi_name: str = DEFAULT_GI_NAME) -> list[Shape]:
    """Return the shapes of the stand-in mark in a WIDTH x HEIGHT mm box, y pointing down."""
    check_credit_code_shape(credit_code)
    cx, cy = WIDTH / 2, 21.0
    return [
        Circle(cx, cy, 20.0, 0.9),
        Circle(cx, cy, 17.2, 0.35),
        Text(cx, 11.2, 2.5, "地理标志专用标志"),
        Text(cx, 14.4, 2.1, "（示意 STAND-IN）"),
        Text(cx, 25.6, 11.0, "GI"),
        Text(cx, 32.4, 4.2 if len(gi_name) <= 4 else 16.8 / len(gi_name), gi_name),
        # The designated position of the credit code: a band directly under the emblem.
        Box(1.0, 43.0, WIDTH - 2.0, 8.0, 0.5),
        Text(cx, 48.6, 3.5, credit_code),
        Text(cx, 55.0, 2.3, STAND_IN_ZH),
        Text(cx, 58.4, 2.0, STAND_IN_EN),
    ]


def mark_svg(credit_code: str, gi_name: str = DEFAULT_GI_NAME, width_mm: float = WIDTH) -> str:
    """Return the stand-in mark with credit_code placed, as a standalone SVG width_mm wide."""
    body = []
    for shape in mark_scene(credit_code, gi_name):
        if isinstance(shape, Circle):
            body.append(
                f'<circle cx="{shape.cx}" cy="{shape.cy}" r="{shape.r}" fill="none" '
                f'stroke="{INK}" stroke-width="{shape.width}"/>'
            )
        elif isinstance(shape, Box):
            body.append(
                f'<rect x="{shape.x}" y="{shape.y}" width="{shape.w}" height="{shape.h}" '
                f'fill="{shape.fill or "#fff"}" stroke="{shape.color or INK}" '
                f'stroke-width="{shape.width}"/>'
            )
        else:
            body.append(
                f'<text x="{shape.x}" y="{shape.y}" font-size="{shape.size:.2f}" '
                f'fill="{shape.color or INK}" text-anchor="{shape.anchor}">'
                f"{escape(shape.text)}</text>"
            )
    height_mm = width_mm * HEIGHT / WIDTH
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_mm:.1f}mm" '
        f'height="{height_mm:.1f}mm" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f"<title>{escape(STAND_IN_ZH)} {escape(STAND_IN_EN)} — {escape(credit_code)}</title>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
        f'<g fill="{INK}" font-family="{FONT_FAMILY}">{"".join(body)}</g></svg>\n'
    )


@lru_cache(maxsize=64)
def font(size_px: int) -> ImageFont.FreeTypeFont:
    """Return the vendored CJK font at size_px pixels."""
    return ImageFont.truetype(str(FONT_PATH), size_px)


def draw_scene(
    draw: ImageDraw.ImageDraw,
    shapes: list[Shape],
    origin: tuple[float, float],
    px_per_mm: float,
    ink: str | int = INK,
) -> None:
    """Draw shapes with Pillow, their (0, 0) at origin pixels, at px_per_mm pixels per mm."""
    ox, oy = origin

    def px(value: float) -> float:
        return value * px_per_mm

    for shape in shapes:
        # A monochrome target (ink given as a number) draws everything in that ink.
        color = ink if isinstance(ink, int) else getattr(shape, "color", None) or ink
        if isinstance(shape, Circle):
            box = [ox + px(shape.cx - shape.r), oy + px(shape.cy - shape.r)]
            box += [ox + px(shape.cx + shape.r), oy + px(shape.cy + shape.r)]
            draw.ellipse(box, outline=color, width=max(1, round(px(shape.width))))
        elif isinstance(shape, Box):
            box = [ox + px(shape.x), oy + px(shape.y)]
            box += [ox + px(shape.x + shape.w), oy + px(shape.y + shape.h)]
            fill = None if isinstance(ink, int) else shape.fill
            draw.rectangle(box, outline=color, fill=fill, width=max(1, round(px(shape.width))))
        else:
            face = font(max(1, round(px(shape.size))))
            at = (ox + px(shape.x), oy + px(shape.y))
            draw.text(at, shape.text, fill=color, font=face, anchor=_PIL_ANCHOR[shape.anchor])


def mark_png(credit_code: str, gi_name: str = DEFAULT_GI_NAME, width_px: int = 528) -> bytes:
    """Return the stand-in mark with credit_code placed, as a PNG width_px wide."""
    scale = width_px / WIDTH
    image = Image.new("RGB", (width_px, round(HEIGHT * scale)), "white")
    draw_scene(ImageDraw.Draw(image), mark_scene(credit_code, gi_name), (0, 0), scale)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


LABEL_ART_W = 23.4  # mm: the artwork area right of a label's QR


def label_mark_scene(credit_code: str, gi_name: str, caption: str) -> list[Shape]:
    """Return a label's small stand-in mark, LABEL_ART_W mm wide, with the credit-code band."""
    check_credit_code_shape(credit_code)
    cx = LABEL_ART_W / 2
    return [
        Circle(4.9, 5.4, 4.3, 0.35),
        Text(4.9, 7.0, 4.2, "GI"),
        Text(10.2, 4.6, 3.0 if len(gi_name) <= 4 else 12.0 / len(gi_name), gi_name, "start"),
        Text(10.2, 8.4, 1.5, "专用标志（示意）", "start"),
        # The credit code sits in the band under the emblem, as on the full mark.
        Box(0.3, 10.6, LABEL_ART_W - 0.6, 3.6, 0.25),
        Text(cx, 13.3, 2.05, credit_code),
        Text(cx, 22.4, 1.55, caption),
    ]


@lru_cache(maxsize=8)
def _bitmap(
    shapes: tuple[Shape, ...], w_mm: float, h_mm: float, dpi: int
) -> tuple[int, int, bytes]:
    """Return (width, height, packed rows) of shapes drawn black on a 1-bit image."""
    px_per_mm = dpi / 25.4
    size = (round(w_mm * px_per_mm), round(h_mm * px_per_mm))
    image = Image.new("1", size, 1)
    draw_scene(ImageDraw.Draw(image), list(shapes), (0, 0), px_per_mm, ink=0)
    return size[0], size[1], image.tobytes()


def scene_bitmap(shapes: list[Shape], w_mm: float, h_mm: float, dpi: int) -> tuple[int, int, bytes]:
    """Return a w_mm x h_mm 1-bit rendering of shapes (1 bits white), cached for reuse."""
    return _bitmap(tuple(shapes), w_mm, h_mm, dpi)
