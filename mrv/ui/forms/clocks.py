"""The forms of the clocks pages (`mrv.ui.views.clocks`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mrv import access
from mrv.models import DeadlineRule, Firm

DATE = forms.DateInput(attrs={"type": "date"})


class ResponseDueForm(forms.Form):
    response_due = forms.DateField(label=_("response due"), widget=DATE)


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("question"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class AskForm(QuestionForm):
    firm = forms.ModelChoiceField(label=_("firm"), queryset=None)
    year = forms.IntegerField(label=_("compliance year"), min_value=2013, max_value=2100)
    kind = forms.ChoiceField(label=_("deadline paused"), choices=DeadlineRule.Kind.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = access.visible_to(user, Firm).order_by("name")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ExtensionForm(forms.Form):
    year = forms.IntegerField(label=_("compliance year"), min_value=2013, max_value=2100)
    kind = forms.ChoiceField(label=_("deadline"), choices=DeadlineRule.Kind.choices)
    wanted_due_date = forms.DateField(label=_("date asked for"), required=False, widget=DATE)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class GrantForm(forms.Form):
    new_due_date = forms.DateField(label=_("new due date"), widget=DATE)
    reason = forms.CharField(label=_("comment"), required=False, max_length=2000)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("reason for refusing"), max_length=2000)
