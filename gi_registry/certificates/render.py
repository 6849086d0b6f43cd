"""Certificate PDF and PNG, and streamed label sheets, drawn from plain dataclasses.

The certificate is laid out once as shapes in millimetres (y down) and drawn by two backends,
reportlab (PDF, with the CJK font embedded) and Pillow (PNG), so both always match. Label sheets
are written by a small PDF writer of our own: each page is compressed and written as soon as it is
full, QR modules are merged into horizontal runs and emitted as raw `re` operators, and the
constant artwork of a batch is one image reused on every label; memory stays flat at any size.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import BinaryIO
from urllib.parse import urlsplit

from PIL import Image, ImageDraw
from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .mark import (
    FONT_PATH,
    INK,
    LABEL_ART_W,
    Box,
    Circle,
    Shape,
    Text,
    draw_scene,
    label_mark_scene,
    mark_scene,
    scene_bitmap,
    transform_scene,
)
from .qr import QUIET_ZONE, encode, matrix_image, runs
from .serials import format_code, format_serial, is_valid_code, is_valid_serial

FONT_NAME = "WenQuanYiMicroHei"
PT = 72 / 25.4  # points per millimetre
A4 = (210.0, 297.0)
BLACK, GREY, RED = "#000000", "#555555", "#b3261e"


@dataclass(frozen=True)
class CertificateDoc:
    """What a special-mark certificate shows."""

    certificate_number: str
    legal_user_name: str
    credit_code: str
    route_annotation: str  # e.g. 证明商标 博山琉璃 第xxxx号 or the standard / announcement number
    scope: tuple[str, ...]
    valid_from: date
    valid_until: date
    issuing_office: str
    issue_date: date
    standard_code: str
    standard_version: str
    qr_text: str
    gi_name: str = "博山琉璃"
    superseded_notice: str | None = None


@dataclass(frozen=True)
class QrBlock:
    """A QR symbol placed in a square of size mm (quiet zone included) at (x, y)."""

    x: float
    y: float
    size: float
    modules: list[list[bool]]


@lru_cache(maxsize=1)
def _font() -> TTFont:
    """Register the vendored CJK TrueType font with reportlab once and return it."""
    face = TTFont(FONT_NAME, str(FONT_PATH))
    pdfmetrics.registerFont(face)
    return face


def unsupported_chars(text: str) -> str:
    """Return the characters of text that the vendored font cannot draw, in order, once each."""
    cmap = _font().face.charToGlyph
    return "".join(dict.fromkeys(ch for ch in text if ord(ch) not in cmap and not ch.isspace()))


def text_width(text: str, size: float) -> float:
    """Return the width in mm of text set at size mm in the vendored font."""
    _font()
    return pdfmetrics.stringWidth(text, FONT_NAME, size)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Split text into lines no wider than width mm, breaking at spaces when a line has one."""
    lines, line = [], ""
    for ch in text:
        if text_width(line + ch, size) <= width or not line:
            line += ch
            continue
        head, space, tail = line.rpartition(" ")
        if space and head and not ch.isspace():
            lines.append(head)
            line = tail + ch
        else:
            lines.append(line.rstrip())
            line = ch.lstrip()
    return [*lines, line] if line else lines


def _zh_date(day: date) -> str:
    """Return a date as printed on Chinese certificates."""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _rows(doc: CertificateDoc) -> list[tuple[str, str, str]]:
    """Return (Chinese label, English label, value) for each line of the certificate."""
    return [
        ("地理标志名称", "GI name", doc.gi_name),
        ("合法使用人", "Legal user", doc.legal_user_name),
        ("统一社会信用代码", "Credit code", doc.credit_code),
        ("使用依据", "Basis of use", doc.route_annotation),
        ("核定使用范围", "Scope", "、".join(doc.scope)),
        ("执行标准", "Standard", f"{doc.standard_code}（{doc.standard_version}）"),
        ("有效期", "Valid", f"{_zh_date(doc.valid_from)} 至 {_zh_date(doc.valid_until)}"),
    ]


def _field_block(doc: CertificateDoc, top: float, size: float) -> tuple[list[Shape], float]:
    """Return the shapes of the labelled fields from top down, and where they end."""
    shapes: list[Shape] = []
    y = top
    for zh, en, value in _rows(doc):
        shapes.append(Text(25, y, 3.4, zh, "start", BLACK))
        shapes.append(Text(25, y + 4.0, 2.3, en, "start", GREY))
        lines = wrap(value, size, 117) or [""]
        shapes += [
            Text(68, y + i * size * 1.45, size, t, "start", BLACK) for i, t in enumerate(lines)
        ]
        y += max(11.0, size * 1.45 * len(lines) + 5.0)
    return shapes, y


def certificate_layout(doc: CertificateDoc) -> list[Shape | QrBlock]:
    """Return everything drawn on the A4 certificate, in mm with y pointing down."""
    items: list[Shape | QrBlock] = [
        Box(10, 10, 190, 277, 1.0, INK),
        Box(13, 13, 184, 271, 0.3, INK),
        Text(105, 36, 8.5, "地理标志专用标志使用证书", "middle", INK),
        Text(105, 44, 3.6, "Certificate of Authorised Use of the GI Special Mark", "middle", INK),
        Text(105, 53, 3.8, f"证书编号 No. {doc.certificate_number}", "middle", BLACK),
    ]
    top = 68.0
    if doc.superseded_notice:
        items.append(Box(25, 59, 160, 11, 0.6, RED, "#fdecea"))
        items.append(Text(105, 66.2, 3.6, doc.superseded_notice, "middle", RED))
        top = 80.0
    fields, end = _field_block(doc, top, 4.0)
    if end > 192:  # long scope lists or names: a smaller value font keeps one page
        fields, end = _field_block(doc, top, 3.2)
    items += fields
    items += transform_scene(mark_scene(doc.credit_code, doc.gi_name), 22, 198, 0.72)
    return items + _office_block(doc) + _verify_block(doc.qr_text)


def _office_block(doc: CertificateDoc) -> list[Shape]:
    """Return the issuing office and date, between the mark and the QR."""
    office = wrap(doc.issuing_office, 4.0, 72)
    shapes: list[Shape] = [Text(94, 211, 2.6, "发证机关 Issuing office", "middle", GREY)]
    shapes += [Text(94, 218 + 5.5 * i, 4.0, t, "middle", BLACK) for i, t in enumerate(office)]
    issued = f"发证日期 {_zh_date(doc.issue_date)}"
    return [*shapes, Text(94, 220 + 5.5 * len(office), 3.4, issued, "middle", BLACK)]


def _verify_block(qr_text: str) -> list[Shape | QrBlock]:
    """Return the QR, the address and code to type instead of scanning, and the official site."""
    url = qr_text.partition("#")[0]
    site = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    code = url.rstrip("/").rpartition("/")[2]
    lines = wrap(url, 2.1, 62)
    if is_valid_code(code):
        lines.append(f"核验码 Code {format_code(code)}")
    return [
        QrBlock(133, 194, 52, encode(qr_text).modules),
        Text(159, 249, 2.8, "扫码核验 Scan to verify", "middle", BLACK),
        *[Text(159, 253.5 + 3 * i, 2.1, t, "middle", GREY) for i, t in enumerate(lines)],
        Text(105, 271, 2.5, "本证书的真伪与状态以登记系统核验结果为准", "middle", GREY),
        # Printed so that a look-alike domain in a forged QR is easy to spot.
        Text(105, 275.5, 2.5, f"官方核验地址 Official address: {site}", "middle", GREY),
    ]


def _pdf_shape(c: Canvas, item: Shape | QrBlock, page_h: float) -> None:
    """Draw one item on a reportlab canvas whose page is page_h mm tall."""
    if isinstance(item, QrBlock):
        module = item.size / (len(item.modules) + 2 * QUIET_ZONE)
        left, top = item.x + QUIET_ZONE * module, item.y + QUIET_ZONE * module
        path = c.beginPath()
        for row_index, row in enumerate(item.modules):
            y = (page_h - top - (row_index + 1) * module) * PT
            for start, length in runs(row):
                path.rect((left + start * module) * PT, y, length * module * PT, module * PT)
        c.setFillColor(HexColor(BLACK))
        c.drawPath(path, stroke=0, fill=1)
    elif isinstance(item, Circle):
        c.setStrokeColor(HexColor(INK))
        c.setLineWidth(item.width * PT)
        c.circle(item.cx * PT, (page_h - item.cy) * PT, item.r * PT, stroke=1, fill=0)
    elif isinstance(item, Box):
        c.setStrokeColor(HexColor(item.color or INK))
        c.setFillColor(HexColor(item.fill or "#ffffff"))
        c.setLineWidth(item.width * PT)
        x, y = item.x * PT, (page_h - item.y - item.h) * PT
        c.rect(x, y, item.w * PT, item.h * PT, stroke=1, fill=1 if item.fill else 0)
    else:
        c.setFillColor(HexColor(item.color or INK))
        c.setFont(FONT_NAME, item.size * PT)
        draw = {"start": c.drawString, "middle": c.drawCentredString, "end": c.drawRightString}
        draw[item.anchor](item.x * PT, (page_h - item.y) * PT, item.text)


def certificate_pdf(doc: CertificateDoc) -> bytes:
    """Return the certificate as a one-page A4 PDF with the CJK font embedded."""
    _font()
    buffer = io.BytesIO()
    c = Canvas(
        buffer,
        pagesize=(A4[0] * PT, A4[1] * PT),
        invariant=1,
        pageCompression=1,
        initialFontName=FONT_NAME,
    )
    c.setTitle(f"地理标志专用标志使用证书 {doc.certificate_number}")
    c.setAuthor(doc.issuing_office)
    c.setSubject(f"{doc.gi_name} {doc.legal_user_name} {doc.credit_code}")
    for item in certificate_layout(doc):
        _pdf_shape(c, item, A4[1])
    c.showPage()
    c.save()
    return buffer.getvalue()


def certificate_png(doc: CertificateDoc, dpi: int = 200) -> bytes:
    """Return the certificate as an A4 PNG at dpi dots per inch."""
    px_per_mm = dpi / 25.4
    image = Image.new("RGB", (round(A4[0] * px_per_mm), round(A4[1] * px_per_mm)), "white")
    draw = ImageDraw.Draw(image)
    for item in certificate_layout(doc):
        if isinstance(item, QrBlock):
            # Whole pixels per module keep every module the same size, which scanners need.
            side = len(item.modules) + 2 * QUIET_ZONE
            scale = max(1, int(item.size * px_per_mm / side))
            symbol = matrix_image(item.modules, scale).convert("RGB")
            offset = (item.size * px_per_mm - side * scale) / 2
            image.paste(
                symbol, (round(item.x * px_per_mm + offset), round(item.y * px_per_mm + offset))
            )
        else:
            draw_scene(draw, [item], (0, 0), px_per_mm)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@dataclass(frozen=True)
class LabelDoc:
    """One item label (一物一码): its serial, the QR text `{base}/l/{serial}`, and its producer."""

    serial: str
    qr_text: str
    credit_code: str
    gi_name: str = "博山琉璃"
    caption: str = "扫码验真 Scan to verify"


@dataclass(frozen=True)
class SheetLayout:
    """Label stock: a grid of labels on A4, sizes in mm (default: 40 labels of 48.5 x 25.4)."""

    cols: int = 4
    rows: int = 10
    label_w: float = 48.5
    label_h: float = 25.4
    left: float = 8.0
    top: float = 21.5
    gap_x: float = 0.0
    gap_y: float = 0.0
    qr_size: float = 23.0  # quiet zone included: 0.56 mm modules for a version-4 symbol

    @property
    def per_page(self) -> int:
        """Return the number of labels on a page."""
        return self.cols * self.rows


ART_X = 24.3  # mm from the left edge of a label to its artwork (the mark stand-in)


class _PdfWriter:
    """Just enough of PDF 1.4 to stream pages to a file: numbered objects and an xref table."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.pos, self.offsets = out, 0, {}
        self.next_num = 4  # 1 catalog, 2 page tree, 3 font
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.pos += len(data)

    def reserve(self) -> int:
        """Return a fresh object number."""
        self.next_num += 1
        return self.next_num - 1

    def obj(self, num: int, body: str, stream: bytes | None = None) -> None:
        """Write object num with a dictionary body and an optional Flate-compressed stream."""
        self.offsets[num] = self.pos
        if stream is None:
            self._write(f"{num} 0 obj\n{body}\nendobj\n".encode())
            return
        data = zlib.compress(stream, 6)
        head = f"{num} 0 obj\n<<{body} /Filter /FlateDecode /Length {len(data)}>>\nstream\n"
        self._write(head.encode() + data + b"\nendstream\nendobj\n")

    def image_mask(self, width: int, height: int, bits: bytes) -> str:
        """Write a 1-bit stencil image (0 bits paint) and return its resource name."""
        num = self.reserve()
        body = f"/Type /XObject /Subtype /Image /Width {width} /Height {height}"
        self.obj(num, body + " /ImageMask true /BitsPerComponent 1", bits)
        return f"Im{num}"

    def page(self, ops: list[str], images: Iterable[str]) -> int:
        """Write an A4 page of content ops using font F1 and the named images; return it."""
        content, page = self.reserve(), self.reserve()
        self.obj(content, "", "\n".join(ops).encode("latin-1"))
        xobjects = " ".join(f"/{name} {name[2:]} 0 R" for name in sorted(images))
        resources = f"<< /Font << /F1 3 0 R >> /XObject << {xobjects} >> >>"
        media = f"[0 0 {A4[0] * PT:.3f} {A4[1] * PT:.3f}]"
        body = f"/Type /Page /Parent 2 0 R /MediaBox {media} /Resources {resources}"
        self.obj(page, f"<< {body} /Contents {content} 0 R >>")
        return page

    def finish(self, pages: list[int]) -> None:
        """Write the page tree, the catalog, the xref table and the trailer."""
        kids = " ".join(f"{p} 0 R" for p in pages)
        self.obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>")
        self.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
        xref = self.pos
        lines = [f"xref\n0 {self.next_num}\n", "0000000000 65535 f \n"]
        lines += [f"{self.offsets[n]:010d} 00000 n \n" for n in range(1, self.next_num)]
        lines.append(
            f"trailer\n<< /Size {self.next_num} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        )
        self._write("".join(lines).encode())


def _label_ops(label: LabelDoc, x: float, y: float, sheet: SheetLayout, art: str) -> str:
    """Return the PDF operators of one label whose top-left corner is (x, y) in points."""
    if not is_valid_serial(label.serial):  # it is also written raw into a PDF string
        raise ValueError(f"not a label serial: {label.serial!r}")
    modules = encode(label.qr_text).modules
    module = sheet.qr_size * PT / (len(modules) + 2 * QUIET_ZONE)
    margin = (sheet.label_h * PT - sheet.qr_size * PT) / 2
    qx, qy = x + margin + QUIET_ZONE * module, y - margin - QUIET_ZONE * module
    # Module coordinates (column, row) map to points; each run of dark modules is one rectangle.
    ops = [f"q {module:.4f} 0 0 {-module:.4f} {qx:.3f} {qy:.3f} cm"]
    for r, row in enumerate(modules):
        ops += [f"{start} {r} {length} 1 re" for start, length in runs(row)]
    art_x, art_h = x + ART_X * PT, sheet.label_h * PT
    ops.append(
        f"f Q q {LABEL_ART_W * PT:.3f} 0 0 {art_h:.3f} {art_x:.3f} {y - art_h:.3f} cm /{art} Do Q"
    )
    text = format_serial(label.serial)
    width = pdfmetrics.stringWidth(text, "Helvetica-Bold", 7.2)
    tx = art_x + (LABEL_ART_W * PT - width) / 2
    ops.append(f"BT /F1 7.2 Tf {tx:.3f} {y - 19.4 * PT:.3f} Td ({text}) Tj ET")
    return "\n".join(ops)


def label_sheet_pdf(
    labels: Iterable[LabelDoc],
    out_stream: BinaryIO,
    progress: Callable[[int, int | None], None] | None = None,
    sheet: SheetLayout = SheetLayout(),
) -> int:
    """Stream labels as A4 label sheets to out_stream, calling progress(done, total) per page."""
    total = len(labels) if hasattr(labels, "__len__") else None
    pdf = _PdfWriter(out_stream)
    pdf.obj(
        3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    arts: dict[tuple[str, str, str], str] = {}  # one artwork image per producer in the batch
    pages: list[int] = []
    page_ops: list[str] = []
    done = 0
    for label in labels:
        key = (label.credit_code, label.gi_name, label.caption)
        if key not in arts:
            bitmap = scene_bitmap(label_mark_scene(*key), LABEL_ART_W, sheet.label_h, 600)
            arts[key] = pdf.image_mask(*bitmap)
        slot = done % sheet.per_page
        col, row = slot % sheet.cols, slot // sheet.cols
        x = (sheet.left + col * (sheet.label_w + sheet.gap_x)) * PT
        y = (A4[1] - sheet.top - row * (sheet.label_h + sheet.gap_y)) * PT
        page_ops.append(_label_ops(label, x, y, sheet, arts[key]))
        done += 1
        if done % sheet.per_page == 0:
            pages.append(pdf.page(page_ops, arts.values()))
            page_ops.clear()
            if progress:
                progress(done, total)
    if page_ops or not pages:
        pages.append(pdf.page(page_ops, arts.values()))
        if progress:
            progress(done, total)
    pdf.finish(pages)
    return done
