"""Filters of the official documents, which are rendered from a seal's canonical content (plain JSON values)."""

import datetime

from django import template
from django.apps import apps
from django.utils import timezone

register = template.Library()


@register.filter
def choice(value, path: str):
    """The label of a stored choice, e.g. `{{ record.outcome|choice:"mrv.VerificationOpinion.outcome" }}`."""
    app_label, model, field = path.split(".")
    choices = dict(apps.get_model(app_label, model)._meta.get_field(field).flatchoices)
    return choices.get(value, value)


@register.filter
def when(value):
    """An ISO time of the canonical content in the local time zone, to the minute."""
    if not value:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@register.filter
def market_name(market: dict, language: str):
    return market.get("name_zh") if (language or "").startswith("zh") else market.get("name_en")


@register.simple_tag
def statement(key: str) -> str:
    """The current wording of a certification statement in the reader's language."""
    from mrv.records.certification import statement_text

    return statement_text(key)


@register.filter
def get_item(mapping, key):
    """`mapping[key]` or None (a page's seals by firm or penalty)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
