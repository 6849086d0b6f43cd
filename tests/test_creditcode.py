"""The GB 32100-2015 check of the unified social credit code."""

import pytest

from gi_registry import creditcode

from .helpers import valid_code

# Real-format codes whose check characters were computed by hand from the standard's formula.
VALID = ["91370304MA3C0001K" + creditcode.check_character("91370304MA3C0001K"),
         "91350100M000100Y43", valid_code(1), valid_code(9999999)]  # fmt: skip


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert creditcode.problem(code) is None


def test_the_standards_own_worked_example_is_invalid():
    # The example printed in GB 32100 sums to 1640; the check character should be 3, not Z
    # (which is not even in the alphabet).
    assert creditcode.problem("91350100M000100Y4Z") == "characters"
    assert not creditcode.is_valid("91350100M000100Y4Z")
    assert creditcode.check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", ["", "91370304MA3C0001", "91370304MA3C0001K99"])
def test_wrong_length(code):
    assert creditcode.problem(code) == "length"


@pytest.mark.parametrize("letter", list("IOSVZ") + ["a", "-", "中"])
def test_letters_outside_the_alphabet(letter):
    code = "91370304MA3C00" + letter + "1K3"
    assert creditcode.problem(code) == "characters"


def test_every_single_character_change_is_caught():
    code = valid_code(4242)
    for position in range(17):
        for ch in creditcode.ALPHABET:
            if ch != code[position]:
                changed = code[:position] + ch + code[position + 1 :]
                assert creditcode.problem(changed) == "check", changed


def test_normalise_strips_spaces_and_uppercases():
    assert creditcode.normalise(" 91370304ma3c 0001k3 ") == "91370304MA3C0001K3"
