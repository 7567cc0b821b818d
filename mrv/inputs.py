"""What every input must be before it reaches a service or the database: one rule each, used by
forms, uploads, imports, query strings and the API.

- `parse_year(value)` → a year of the supported range (`FIRST_YEAR` … next year), else `ValidationError`.
- `parse_amount(value, max_digits=…, decimal_places=…)` → a finite Decimal that fits its column;
  `amount_for(Model, "field", value)` takes the limits from the model field.
- `refuse_nul(value)` / `contains_nul(value)`: PostgreSQL cannot store a NUL character in text.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2013  # the first compliance year of the pilot markets

NOT_A_YEAR = _("“%(value)s” is not a year.")
YEAR_OUT_OF_RANGE = _("%(value)s is outside the supported years %(first)s to %(last)s.")
NOT_A_NUMBER = _("“%(value)s” is not a number.")
NOT_FINITE = _("“%(value)s” is not a finite number.")
TOO_MANY_DIGITS = _("%(value)s has more than %(digits)s digits before the decimal point.")
TOO_MANY_PLACES = _("%(value)s has more than %(places)s decimal places.")
NEGATIVE = _("The value must not be negative.")
NUL_CHARACTER = _("The input contains a NUL character (\\x00), which text cannot hold; remove it and try again.")


def last_year() -> int:
    return timezone.localdate().year + 1


def supported_years() -> range:
    return range(FIRST_YEAR, last_year() + 1)


def year_validators() -> list:
    """For an IntegerField of a form or a serializer: the supported range, checked on the server."""
    return [MinValueValidator(FIRST_YEAR), MaxValueValidator(last_year)]


def _shown(value) -> str:
    return str(value).replace("\x00", "\\x00")[:40]


def parse_year(value) -> int:
    """A year of the supported range from text or a number; `ValidationError` (code "year") otherwise."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 6:
        raise ValidationError(NOT_A_YEAR, code="year", params={"value": _shown(value)})
    year = int(text)
    if year not in supported_years():
        raise ValidationError(
            YEAR_OUT_OF_RANGE, code="year", params={"value": year, "first": FIRST_YEAR, "last": last_year()}
        )
    return year


def parse_amount(
    value, *, max_digits: int, decimal_places: int, allow_negative: bool = False, allow_blank: bool = False
) -> Decimal | None:
    """A finite Decimal that fits a column of `max_digits` and `decimal_places`; `ValidationError` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_blank:
            return None
        raise ValidationError(NOT_A_NUMBER, code="number", params={"value": ""})
    if isinstance(value, bool):
        raise ValidationError(NOT_A_NUMBER, code="number", params={"value": _shown(value)})
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(NOT_A_NUMBER, code="number", params={"value": _shown(value)}) from None
    if not amount.is_finite():
        raise ValidationError(NOT_FINITE, code="number", params={"value": _shown(value)})
    if amount < 0 and not allow_negative:
        raise ValidationError(NEGATIVE, code="negative")
    _, digits, exponent = amount.as_tuple()
    whole_digits = max(len(digits) + exponent, 0)
    if whole_digits > max_digits + 10:  # too large to quantize; refused below in any case
        pass
    elif -exponent > decimal_places and amount != amount.quantize(Decimal(1).scaleb(-decimal_places)):
        raise ValidationError(TOO_MANY_PLACES, code="number", params={"value": _shown(value), "places": decimal_places})
    if amount != 0 and whole_digits > max_digits - decimal_places:
        raise ValidationError(
            TOO_MANY_DIGITS, code="number", params={"value": _shown(value), "digits": max_digits - decimal_places}
        )
    return amount


def amount_for(model, field_name: str, value, **kwargs) -> Decimal | None:
    """`parse_amount` with the limits of `model.field_name` (a DecimalField)."""
    field = model._meta.get_field(field_name)
    return parse_amount(value, max_digits=field.max_digits, decimal_places=field.decimal_places, **kwargs)


def contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(v) for v in value)
    return False


def refuse_nul(value):
    if contains_nul(value):
        raise ValidationError(NUL_CHARACTER, code="nul")
    return value


def bounded_login_username(request, credentials: dict | None) -> str | None:
    """The user name django-axes records for a sign-in attempt, cut to its column (255 characters):
    Django's login form does not bound the field, and a longer name must be a refused sign-in, not a 500."""
    from django.conf import settings

    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    username = (credentials or {}).get(field) or request.POST.get(field)
    return username[:255] if isinstance(username, str) else username
