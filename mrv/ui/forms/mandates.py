"""The form of the data-entry mandates page (`mrv.ui.views.mandates`)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class MandateForm(forms.Form):
    username = forms.CharField(
        label=_("user name of the person to entrust"),
        max_length=150,
        help_text=_("A reporter or approver of another covered firm, e.g. your group's head office."),
    )
    reason = forms.CharField(label=_("purpose"), max_length=300, required=False)
