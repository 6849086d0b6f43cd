"""The 统一社会信用代码 (unified social credit code) check of GB 32100-2015."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # W_i = 3^(i-1) mod 31, i = 1..17


def normalise(code: str) -> str:
    """Uppercase and strip the spaces people type or paste around a code."""
    return "".join(code.split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17; raises ValueError on a character outside the set."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, as a message key, or None when it is valid."""
    if len(code) != 18:
        return "length"
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid(code: str) -> bool:
    """True when `code` is 18 characters of the set with the right check character."""
    return problem(code) is None
