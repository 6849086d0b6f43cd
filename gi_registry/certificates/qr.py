"""QR codes for certificates and labels: encoding with a fixed mask, PNG, SVG, printing guidance.

The encoder's automatic mask choice builds the symbol eight times and scores each one in pure
Python; that is about 85% of the cost. Any of the eight masks gives a valid, readable symbol, so
we fix one: mask 2 had the lowest mean penalty score over a sample of label and certificate texts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import qrcode
import zxingcpp
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

MAX_VERSION = 15
FIXED_MASK = 2
QUIET_ZONE = 4  # modules of blank margin that ISO/IEC 18004 requires around the symbol
MIN_MODULE_MM = 0.4  # our floor for phone cameras at reading distance (10–25 cm)
RECOMMENDED_MODULE_MM = 0.5

# Error correction levels from weakest to strongest (L 7%, M 15%, Q 25%, H 30% of codewords).
EC_LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
_EC_ORDER = "LMQH"
_PROBE = {util.MODE_NUMBER: b"0", util.MODE_ALPHA_NUM: b"A", util.MODE_8BIT_BYTE: b"a"}


class QrTooLarge(ValueError):
    """Raised when text does not fit a QR of version 15 at the required error correction."""


@dataclass(frozen=True)
class QrCode:
    """An encoded symbol: version, error correction letter, and dark modules without quiet zone."""

    version: int
    ec: str
    modules: list[list[bool]]

    @property
    def size(self) -> int:
        """Return the number of modules on a side."""
        return len(self.modules)


@dataclass(frozen=True)
class PrintingGuidance:
    """How large to print a symbol so that phones read it."""

    version: int
    ec: str
    modules: int
    quiet_zone_modules: int
    min_module_mm: float
    recommended_module_mm: float
    min_size_mm: float  # including the quiet zone
    recommended_size_mm: float


def _smallest_version(mode: int, length: int, ec: str) -> int | None:
    """Return the smallest version holding length characters of mode at ec, or None past 15."""
    probe = qrcode.QRCode(error_correction=EC_LEVELS[ec], border=0)
    probe.add_data(util.QRData(_PROBE[mode] * length, mode=mode, check_data=False))
    try:
        version = probe.best_fit()
    except DataOverflowError:
        return None
    return version if version <= MAX_VERSION else None


@lru_cache(maxsize=512)
def _fit(mode: int, length: int, min_ec: str, boost: bool) -> tuple[int, str] | None:
    """Return (version, error correction) for data of this mode and length, or None."""
    # The symbol size depends only on the mode and the length, so batches of same-length label
    # URLs pay for this once.
    version = _smallest_version(mode, length, min_ec)
    if version is None:
        return None
    ec = min_ec
    if boost:
        for stronger in _EC_ORDER[_EC_ORDER.index(min_ec) + 1 :]:
            if _smallest_version(mode, length, stronger) == version:
                ec = stronger
    return version, ec


def encode(text: str, min_ec: str = "M", boost: bool = True) -> QrCode:
    """Encode text at min_ec or stronger, version 15 or below; raise QrTooLarge if it won't fit.

    With boost, the strongest error correction that fits the same version is used: free robustness.
    """
    if min_ec not in EC_LEVELS or _EC_ORDER.index(min_ec) < _EC_ORDER.index("M"):
        raise ValueError("min_ec must be M, Q or H")
    data = util.QRData(text)  # one segment in the densest mode that holds all of text
    fit = _fit(data.mode, len(data), min_ec, boost)
    if fit is None:
        raise QrTooLarge(f"{len(data)} characters do not fit version {MAX_VERSION}-{min_ec}")
    version, ec = fit
    symbol = qrcode.QRCode(
        version=version, error_correction=EC_LEVELS[ec], border=0, mask_pattern=FIXED_MASK
    )
    symbol.add_data(data)
    symbol.make(fit=False)
    return QrCode(version, ec, symbol.modules)


def make_matrix(text: str, min_ec: str = "M") -> list[list[bool]]:
    """Return the dark modules of text's QR (no quiet zone), row by row."""
    return encode(text, min_ec).modules


def runs(row: list[bool]) -> list[tuple[int, int]]:
    """Return (start, length) of each horizontal run of dark modules in a row."""
    result, start = [], None
    for x, dark in enumerate([*row, False]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            result.append((start, x - start))
            start = None
    return result


def matrix_image(
    modules: list[list[bool]], scale: int = 1, border: int = QUIET_ZONE
) -> Image.Image:
    """Return a 1-bit image of the modules, black on white, with a border of blank modules."""
    side = len(modules) + 2 * border
    image = Image.new("1", (side, side), 1)
    pixels = image.load()
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + border, y + border] = 0
    if scale > 1:
        image = image.resize((side * scale, side * scale), Image.Resampling.NEAREST)
    return image


def to_png(text: str, scale: int = 8, border: int = QUIET_ZONE, min_ec: str = "M") -> bytes:
    """Return a PNG of text's QR with scale pixels per module and a quiet zone of border modules."""
    buffer = io.BytesIO()
    matrix_image(make_matrix(text, min_ec), scale, border).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def svg_path(modules: list[list[bool]], offset: int = 0) -> str:
    """Return SVG path data drawing each horizontal run of dark modules as one rectangle."""
    parts = []
    for y, row in enumerate(modules):
        for x, length in runs(row):
            parts.append(f"M{x + offset} {y + offset}h{length}v1h-{length}z")
    return "".join(parts)


def to_svg(text: str, module_mm: float = RECOMMENDED_MODULE_MM, min_ec: str = "M") -> str:
    """Return a standalone SVG of text's QR, module_mm per module, with a 4-module quiet zone."""
    modules = make_matrix(text, min_ec)
    side = len(modules) + 2 * QUIET_ZONE
    size = f"{side * module_mm:.2f}mm"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{svg_path(modules, QUIET_ZONE)}"/></svg>\n'
    )


def printing_guidance(text: str, min_ec: str = "M") -> PrintingGuidance:
    """Return the module count and the smallest printed sizes that phones read reliably."""
    symbol = encode(text, min_ec)
    total = symbol.size + 2 * QUIET_ZONE
    return PrintingGuidance(
        version=symbol.version,
        ec=symbol.ec,
        modules=symbol.size,
        quiet_zone_modules=QUIET_ZONE,
        min_module_mm=MIN_MODULE_MM,
        recommended_module_mm=RECOMMENDED_MODULE_MM,
        min_size_mm=round(total * MIN_MODULE_MM, 1),
        recommended_size_mm=round(total * RECOMMENDED_MODULE_MM, 1),
    )


def decode(image: bytes | Image.Image) -> list[str]:
    """Return the texts of all QR codes found in an image (PNG/JPEG bytes or a PIL image)."""
    if isinstance(image, bytes | bytearray):
        image = Image.open(io.BytesIO(image))
    image = image.convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
