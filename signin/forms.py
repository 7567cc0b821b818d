from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from signin.models import ApiToken, SecurityEvent


class TokenCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. the system that will use it"))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=settings.API_TOKEN_DAYS,
    )


class EventFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("action"), required=False, choices=[("", _("all"))] + list(SecurityEvent.Action.choices)
    )
    username = forms.CharField(label=_("user name"), required=False, max_length=150)
    source_ip = forms.GenericIPAddressField(label=_("source IP"), required=False)
