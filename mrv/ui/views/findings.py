"""The firm answers each verifier finding (a partial page update with htmx; a plain POST works too)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mrv.models import EmissionReport, Finding
from mrv.services import verification as svc
from mrv.transitions import TransitionRefused
from mrv.ui.objects import visible_or_404
from mrv.workflow import reports as report_rules

ANSWERED = _("Your answer is recorded.")


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


def findings_context(user, report: EmissionReport) -> dict:
    """The report's findings with their answers, and whether the user answers for the firm."""
    findings = (
        Finding.objects.filter(report=report).select_related("raised_by").prefetch_related("answers__answered_by")
    )
    return {
        "findings": findings,
        "answers_for_firm": report_rules.is_firm_user(report, user),
        "answer_form": AnswerForm(),
    }


def _render_finding(request, finding: Finding, form: AnswerForm, status: int = 200) -> HttpResponse:
    context = {"finding": finding, "answers_for_firm": True, "answer_form": form, "report": finding.report}
    return render(request, "ui/includes/finding.html", context, status=status)


@login_required
@require_POST
def finding_answer(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    report = visible_or_404(request.user, EmissionReport, pk=pk)
    finding = visible_or_404(
        request.user, Finding.objects.filter(report=report).select_related("report"), pk=finding_pk
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            svc.finding_answer(finding=finding, text=form.cleaned_data["text"], acting_user=request.user)
        except TransitionRefused as refused:
            form.add_error("text", refused.message)
        else:
            if request.htmx:
                return _render_finding(
                    request, Finding.objects.prefetch_related("answers__answered_by").get(pk=finding.pk), AnswerForm()
                )
            messages.success(request, ANSWERED)
            return redirect("ui:report_detail", pk=report.pk)
    if request.htmx:
        return _render_finding(request, finding, form, status=400)
    for error in form.errors.get("text", []):
        messages.error(request, error)
    return redirect("ui:report_detail", pk=report.pk)
