"""Template filters of the UI: workflow badges and quantities with their units.

{% load mrv_ui %}
{{ report|state_badge }}            a model's FSM state (its first FSMField, or name one: |state_badge:"status")
{{ "returned_to_firm"|state_badge }}  a bare state value of any model
{{ total|tco2e }}                   12,345 tCO2e (localised, grouped)
{{ total|wan_tonnes }}              1.23 万吨CO2e in Chinese, 12.3 kt CO2e in English
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mrv.ui.badges import state_of, tone

register = template.Library()


@register.filter
def state_badge(value, field_name: str | None = None):
    raw, label = state_of(value, field_name)
    if not raw:
        return ""
    return format_html('<span class="badge badge-{}" data-state="{}">{}</span>', tone(raw), raw, label)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def grouped(value: Decimal, places: int) -> str:
    return number_format(
        value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), places, use_l10n=True, force_grouping=True
    )


@register.filter
def tco2e(value, places: int = 0):
    """A quantity in tonnes of CO2 equivalent with its unit; '—' when there is none."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return _("%(amount)s tCO2e") % {"amount": grouped(amount, int(places))}


@register.filter
def wan_tonnes(value, places: int = 2):
    """Large totals as a Chinese reader expects them (万吨, 10⁴ t); kilotonnes in other languages."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    if (get_language() or "").startswith("zh"):
        return f"{grouped(amount / Decimal(10000), int(places))} 万吨CO2e"
    return _("%(amount)s kt CO2e") % {"amount": grouped(amount / Decimal(1000), int(places))}


@register.filter
def quantity(value, unit: str = ""):
    """A localised number with its unit, as entered (no rounding)."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    places = max(0, -int(amount.normalize().as_tuple().exponent))
    text = number_format(amount, places, use_l10n=True, force_grouping=True)
    return f"{text} {unit}".strip()


@register.simple_tag(takes_context=True)
def sort_link(context, listing, column):
    """The URL that sorts `listing` by `column` (toggling the direction when it is already sorted by it)."""
    return listing.sort_url(context["request"], column)


@register.filter
def sheet_heading(name: str):
    """The translated heading of a data field (activity, ncv, …) as the grid and the template show it."""
    from mrv.activity_sheet import HEADINGS

    if name == "tco2e":
        return _("emissions")
    return HEADINGS.get(name, name)


@register.filter
def action_label(code: str):
    """The readable name of an audit action code."""
    from mrv.ui.actions import action_label as label

    return label(code)


@register.filter
def plain_number(value) -> str:
    """A Decimal as typed, without exponent or trailing zeros (for form inputs: never localised)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def allocation_method(code: str):
    """The label of an allocation method code (grandfathering, benchmark, …)."""
    from mrv.models import MarketSector

    return dict(MarketSector.AllocationMethod.choices).get(code, code)
