"""Label serials (一物一码) and certificate verification codes with a mod-31 check character.

The alphabet is the one of the 统一社会信用代码 (GB 32100): 31 characters, a prime count, with none
of I, O, Z, S, V. Position i (0-based, the check character last) has weight 3^i mod 31 and the
check character makes the weighted sum 0 mod 31.

Why every single substitution is caught: changing the value at position i by d (0 < |d| < 31)
changes the sum by d·3^i, and since 31 is prime and 3^i is never 0 mod 31, that is never 0 mod 31.
Why every adjacent transposition is caught: swapping values a != b at positions i and i+1 changes
the sum by (a - b)(3^i - 3^(i+1)) = -2(a - b)·3^i, a product of non-zero residues mod a prime.
This holds for the check character's position too. 3 has order 30 mod 31, so all weights are
distinct up to length 30; any two-position swap within that length is also caught.
"""

from __future__ import annotations

import itertools
import operator
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
MODULUS = len(ALPHABET)  # 31
SERIAL_BODY = 12  # 31^12 ≈ 2^59.5: guessing a live serial out of a million is ~1 in 8·10^11
CODE_BODY = 16  # 31^16 ≈ 2^79 for certificate codes, which stay valid for years

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

# Characters outside the alphabet that people type for one inside it. Each maps to the only
# alphabet character it is commonly mistaken for; since the source is never valid, a wrong guess is
# one substitution, which the check character rejects. Lower case is folded first, so 'l' becomes
# 'L' (valid) and is deliberately NOT mapped to '1'.
LOOKALIKES = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"}

# Separators people add or copy: spaces, ASCII and typographic dashes, underscores, dots.
_SEPARATORS = frozenset(" \t\r\n-_.·\u2010\u2011\u2012\u2013\u2014\u2212\u3000")


# 3^i mod 31 for i < 30: 3 has order 30 mod 31, so the weights repeat with that period.
_WEIGHTS = tuple(pow(3, i, MODULUS) for i in range(MODULUS - 1))


def _weighted_sum(values: list[int]) -> int:
    """Return Σ value_i · 3^i mod 31."""
    return sum(map(operator.mul, values, itertools.cycle(_WEIGHTS))) % MODULUS


def check_char(body: str) -> str:
    """Return the check character that makes body + check sum to 0 mod 31."""
    values = [_VALUE[ch] for ch in body]
    weight = pow(3, len(values), MODULUS)
    # Solve s + c·w ≡ 0 (mod 31) for c; w is invertible because 31 is prime.
    value = (-_weighted_sum(values) * pow(weight, -1, MODULUS)) % MODULUS
    return ALPHABET[value]


def _has_valid_check(text: str) -> bool:
    """Tell whether text is made of alphabet characters and its weighted sum is 0 mod 31."""
    try:
        values = [_VALUE[ch] for ch in text]
    except KeyError:
        return False
    return bool(values) and _weighted_sum(values) == 0


def _random_body(length: int) -> str:
    """Return length characters drawn uniformly from the alphabet with a CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _normalize(text: str, length: int) -> str | None:
    """Return text cleaned to length alphabet characters with a valid check, or None."""
    if not isinstance(text, str) or len(text) > 4 * length:
        return None
    # NFKC folds full-width input from Chinese IMEs (ＡＢ１２－) to ASCII.
    folded = unicodedata.normalize("NFKC", text).upper()
    chars = [LOOKALIKES.get(ch, ch) for ch in folded if ch not in _SEPARATORS]
    cleaned = "".join(chars)
    if len(cleaned) != length or not _has_valid_check(cleaned):
        return None
    return cleaned


def _group(text: str, sizes: tuple[int, ...]) -> str:
    """Split text into dash-separated groups of the given sizes."""
    parts, start = [], 0
    for size in sizes:
        parts.append(text[start : start + size])
        start += size
    return "-".join(parts)


def new_serial() -> str:
    """Return a new label serial: 12 random characters and a check character."""
    body = _random_body(SERIAL_BODY)
    return body + check_char(body)


def is_valid_serial(serial: str) -> bool:
    """Tell whether serial is a canonical 13-character label serial with a valid check."""
    return len(serial) == SERIAL_BODY + 1 and _has_valid_check(serial)


def normalize_serial(text: str) -> str | None:
    """Return the canonical serial for what a user typed, or None if it cannot be one."""
    return _normalize(text, SERIAL_BODY + 1)


def format_serial(serial: str) -> str:
    """Return the serial grouped for display as XXXX-XXXX-XXXXX."""
    return _group(serial, (4, 4, 5))


def new_code() -> str:
    """Return a new certificate verification code: 16 random characters and a check character."""
    body = _random_body(CODE_BODY)
    return body + check_char(body)


def is_valid_code(code: str) -> bool:
    """Tell whether code is a canonical 17-character verification code with a valid check."""
    return len(code) == CODE_BODY + 1 and _has_valid_check(code)


def normalize_code(text: str) -> str | None:
    """Return the canonical verification code for what a user typed, or None."""
    return _normalize(text, CODE_BODY + 1)


def format_code(code: str) -> str:
    """Return the code grouped for display as XXXX-XXXX-XXXX-XXXXX."""
    return _group(code, (4, 4, 4, 5))
