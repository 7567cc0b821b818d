"""Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check character."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # I, O, S, V and Z are never used
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

WRONG_LENGTH = _("A unified social credit code has 18 characters; this one has %(n)d.")
BAD_CHARACTER = _("Character %(pos)d (%(char)s) is not allowed in a unified social credit code.")
BAD_CHECK = _("The check character should be %(expected)s, not %(got)s: the code has a typing error.")


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(WRONG_LENGTH, code="length", params={"n": len(code)})
    for pos, char in enumerate(code, start=1):
        if char not in ALPHABET:
            raise ValidationError(BAD_CHARACTER, code="character", params={"pos": pos, "char": char})
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(BAD_CHECK, code="check", params={"expected": expected, "got": code[17]})


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and factories)."""
    return first17 + check_character(first17)
