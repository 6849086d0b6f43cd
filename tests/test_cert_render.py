"""Certificate PDF/PNG, the mark stand-in, and label sheets, read back as a user would."""

import io
import shutil
import subprocess
import tracemalloc
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from PIL import Image

from gi_registry.certificates import qr
from gi_registry.certificates.keys import KeySet, KeyStore
from gi_registry.certificates.mark import mark_png, mark_svg
from gi_registry.certificates.payload import PayloadFields, qr_text, sign_payload, verify_qr_text
from gi_registry.certificates.render import (
    CertificateDoc,
    LabelDoc,
    certificate_pdf,
    certificate_png,
    label_sheet_pdf,
    unsupported_chars,
)
from gi_registry.certificates.serials import format_serial, new_code, new_serial

BASE = "https://gi.boshan.example.gov.cn"
CREDIT = "91370304MA3C1234X5"
USER = "淄博市博山区喆玥琉璃工艺品有限公司"  # 喆 and 玥 are outside GB 2312
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm, pdftotext) not installed"
)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    store = KeyStore(tmp_path_factory.mktemp("keys"))
    store.init()
    url = f"{BASE}/v/{new_code()}"
    fields = PayloadFields(
        "BSLL-2026-000123", CREDIT, ("carving", "flower-ball", "bead", "screen", "jiyouhuang",
        "bracelet", "inside-painted", "vessel"), "BSLL-WS", "2026.1", date(2026, 1, 1),
        date(2028, 12, 31),
    )  # fmt: skip
    return qr_text(url, sign_payload(fields, store, url=url)), KeySet.from_json(
        store.public_keyset()
    )


def make_doc(text: str, **changes) -> CertificateDoc:
    values = dict(
        certificate_number="BSLL-2026-000123",
        legal_user_name=USER,
        credit_code=CREDIT,
        route_annotation="地理标志证明商标“博山琉璃” 许可使用人（许可合同已备案）",
        scope=("琉璃雕刻", "琉璃花球", "琉璃料珠", "琉璃挂屏", "鸡油黄", "手镯", "内画壶", "器皿"),
        valid_from=date(2026, 1, 1),
        valid_until=date(2028, 12, 31),
        issuing_office="淄博市博山区市场监督管理局",
        issue_date=date(2026, 1, 5),
        standard_code="BSLL-WS",
        standard_version="2026.1",
        qr_text=text,
    )
    return CertificateDoc(**(values | changes))


def rasterise(pdf: bytes, page: int = 1, dpi: int = 200) -> Image.Image:
    """Render one PDF page to an image with poppler, as a printer or viewer would."""
    result = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-"],
        input=pdf, capture_output=True, check=True,
    )  # fmt: skip
    return Image.open(io.BytesIO(result.stdout))


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def test_certificate_pdf_embeds_the_cjk_font(signed):
    pdf = certificate_pdf(make_doc(signed[0]))
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf
    assert b"WenQuanYiMicroHei" in pdf
    assert b"/Helvetica" not in pdf  # every glyph comes from the embedded font


@needs_poppler
def test_certificate_pdf_shows_the_holder_and_its_qr_verifies(signed):
    text, keyset = signed
    pdf = certificate_pdf(make_doc(text))
    words = pdf_text(pdf)
    for expected in (USER, CREDIT, "BSLL-2026-000123", "博山琉璃", "淄博市博山区市场监督管理局"):
        assert expected in words
    assert "示意" in words and "stand-in" in words
    decoded = qr.decode(rasterise(pdf))
    assert decoded == [text]
    assert verify_qr_text(decoded[0], keyset, today=date(2026, 6, 1)).ok


@needs_poppler
def test_superseded_certificate_says_so(signed):
    notice = "本证书已被 BSLL-2026-000200 取代 · Superseded by BSLL-2026-000200"
    words = pdf_text(certificate_pdf(make_doc(signed[0], superseded_notice=notice)))
    assert "BSLL-2026-000200" in words and "取代" in words


def test_certificate_png_qr_decodes_to_the_exact_text(signed):
    text = signed[0]
    image = Image.open(io.BytesIO(certificate_png(make_doc(text))))
    assert image.size == (1654, 2339)  # A4 at 200 dpi
    assert qr.decode(image) == [text]


def test_font_covers_names_outside_gb2312():
    assert unsupported_chars(USER + "堃珺昇垚犇（）、·—") == ""
    assert unsupported_chars("𠀀 ok") == "𠀀"


def test_mark_svg_carries_the_credit_code_in_its_band_and_says_stand_in():
    svg = mark_svg(CREDIT)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = {t.text: t for t in root.iter(f"{ns}text")}
    expected = {"博山琉璃", CREDIT, "地理标志专用标志（示意）", "GI special mark — stand-in"}
    assert expected <= set(texts)
    band = root.find(f"{ns}g/{ns}rect")
    top, bottom = float(band.get("y")), float(band.get("y")) + float(band.get("height"))
    emblem = max(float(c.get("cy")) + float(c.get("r")) for c in root.iter(f"{ns}circle"))
    assert emblem <= top < float(texts[CREDIT].get("y")) <= bottom
    with pytest.raises(ValueError):
        mark_svg("<script>")


def test_mark_png_is_drawn_with_the_vendored_font():
    image = Image.open(io.BytesIO(mark_png(CREDIT, width_px=440))).convert("L")
    assert image.size == (440, 600)
    px_per_mm = 10
    band = image.crop((20, 44 * px_per_mm, 420, 50 * px_per_mm))  # inside the credit-code band
    gap = image.crop((0, 41.5 * px_per_mm, 440, 42.5 * px_per_mm))  # between emblem and band
    assert band.getextrema()[0] < 80 and len(band.getcolors(256)) > 2  # anti-aliased glyphs
    assert gap.getextrema() == (255, 255)


def labels(count: int) -> list[LabelDoc]:
    serials = [new_serial() for _ in range(count)]
    return [LabelDoc(s, f"{BASE}/l/{s}", CREDIT) for s in serials]


@needs_poppler
def test_label_sheet_every_qr_and_serial_reads_back():
    batch = labels(45)
    out = io.BytesIO()
    seen = []
    assert (
        label_sheet_pdf(batch, out, progress=lambda done, total: seen.append((done, total))) == 45
    )
    assert seen == [(40, 45), (45, 45)]
    pdf = out.getvalue()
    first, second = qr.decode(rasterise(pdf, 1, 300)), qr.decode(rasterise(pdf, 2, 300))
    assert sorted(first + second) == sorted(label.qr_text for label in batch)
    assert len(first) == 40
    words = pdf_text(pdf)
    assert all(format_serial(label.serial) in words for label in batch)


def test_label_sheet_accepts_a_generator_and_writes_a_well_formed_pdf():
    out = io.BytesIO()
    calls = []
    count = label_sheet_pdf(iter(labels(81)), out, progress=lambda d, t: calls.append((d, t)))
    pdf = out.getvalue()
    assert count == 81 and calls[-1] == (81, None)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 3" in pdf
    with pytest.raises(ValueError):
        label_sheet_pdf([LabelDoc("NOT-A-SERIAL)", f"{BASE}/l/x", CREDIT)], io.BytesIO())


def test_label_sheet_memory_stays_flat_as_the_batch_grows():
    def peak(count: int) -> int:
        serials = (new_serial() for _ in range(count))
        tracemalloc.start()
        label_sheet_pdf((LabelDoc(s, f"{BASE}/l/{s}", CREDIT) for s in serials), _Sink())
        peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak_bytes

    peak(40)  # warm the caches (font, artwork) outside the comparison
    small, large = peak(120), peak(600)
    # Twelve more pages; keeping even their compressed streams would cost over 100 KB.
    assert large < small + 64 * 1024


class _Sink(io.RawIOBase):
    """A write-only stream that keeps nothing, like a file on disk."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return len(data)
