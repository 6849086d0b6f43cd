"""Label serials and verification codes: check characters, normalisation and display."""

import pytest

from gi_registry.certificates.serials import (
    ALPHABET,
    check_char,
    format_code,
    format_serial,
    is_valid_code,
    is_valid_serial,
    new_code,
    new_serial,
    normalize_code,
    normalize_serial,
)

SAMPLES = ["000000000000", "YYYYYYYYYYYY", "0123456789AB", "PQRTUWXY1A2B"]


def with_check(body: str) -> str:
    return body + check_char(body)


def test_alphabet_is_the_credit_code_one():
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


def test_new_serials_and_codes_are_valid_unique_and_use_the_alphabet():
    made = {new_serial() for _ in range(5000)}
    assert len(made) == 5000
    assert all(len(s) == 13 and is_valid_serial(s) and set(s) <= set(ALPHABET) for s in made)
    code = new_code()
    assert len(code) == 17 and is_valid_code(code)
    assert not is_valid_serial(code) and not is_valid_code(next(iter(made)))


@pytest.mark.parametrize(
    "valid",
    [with_check(b) for b in SAMPLES] + [new_serial() for _ in range(4)],
    ids=lambda _: "serial",  # random serials: stable ids so that xdist workers agree
)
def test_every_single_substitution_is_caught(valid):
    assert is_valid_serial(valid)
    for position in range(len(valid)):
        for replacement in ALPHABET:
            if replacement != valid[position]:
                typo = valid[:position] + replacement + valid[position + 1 :]
                assert not is_valid_serial(typo), (valid, typo)


@pytest.mark.parametrize(
    "valid",
    [with_check(b) for b in SAMPLES] + [new_serial() for _ in range(4)],
    ids=lambda _: "serial",  # random serials: stable ids so that xdist workers agree
)
def test_every_adjacent_transposition_is_caught(valid):
    for position in range(len(valid) - 1):
        a, b = valid[position], valid[position + 1]
        if a != b:
            typo = valid[:position] + b + a + valid[position + 2 :]
            assert not is_valid_serial(typo), (valid, typo)


def test_adjacent_transpositions_are_caught_for_every_pair_of_characters():
    # Exhaustive over positions x character pairs of a 17-character code, check position included.
    body = new_code()[:16]
    for position in range(15):
        for a in ALPHABET:
            for b in ALPHABET.replace(a, ""):
                varied = body[:position] + a + b + body[position + 2 :]
                swapped = body[:position] + b + a + body[position + 2 :]
                assert not is_valid_code(swapped + check_char(varied))
    for last in ALPHABET:
        code = with_check(body[:15] + last)
        if code[-1] != code[-2]:
            assert not is_valid_code(code[:15] + code[16] + code[15])


def test_codes_catch_every_single_substitution():
    code = new_code()
    for position in range(len(code)):
        for replacement in ALPHABET.replace(code[position], ""):
            assert not is_valid_code(code[:position] + replacement + code[position + 1 :])


def test_normalize_accepts_what_people_type():
    serial = with_check("0123456789AB")
    shown = format_serial(serial)
    assert shown == f"{serial[:4]}-{serial[4:8]}-{serial[8:]}"
    assert normalize_serial(shown) == serial
    assert normalize_serial(f"  {shown.lower()} ") == serial
    assert normalize_serial(serial[:4] + " " + serial[4:]) == serial
    # Full-width input from a Chinese IME, with a full-width dash.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in serial[:6]) + "－" + serial[6:]
    assert normalize_serial(full_width) == serial


def test_normalize_maps_characters_outside_the_alphabet_to_their_look_alikes():
    serial = with_check("0125U0000000")
    assert normalize_serial("OIZSVOOOOOOO" + serial[-1]) == serial
    # 'l' is upper-cased to the valid 'L', never guessed to be '1'.
    assert normalize_serial(with_check("LLLLLLLLLLLL").lower()) == with_check("LLLLLLLLLLLL")


@pytest.mark.parametrize(
    "text", ["", "   ", "0123", "0123456789AB", "0123456789ABCD", "0123456789AB!", None, "x" * 500]
)
def test_normalize_rejects_what_cannot_be_a_serial(text):
    assert normalize_serial(text) is None


def test_normalize_rejects_a_typo():
    serial = with_check("0123456789AB")
    typo = serial[:3] + ("4" if serial[3] != "4" else "5") + serial[4:]
    assert normalize_serial(typo) is None


def test_code_round_trip():
    code = new_code()
    assert format_code(code).count("-") == 3
    assert normalize_code(format_code(code).lower()) == code
    assert normalize_code(code[:-1]) is None
