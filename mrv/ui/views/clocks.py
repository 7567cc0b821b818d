"""Deadlines that follow the work, in the browser: a finding's response date, requests for information
(asked by a verifier or regulator, answered by the firm) and extension requests (asked by the firm,
granted or refused by the regulator).

Every page lists only what the user may see (`mrv.access`); every change is a POST to a service whose
refusal becomes a message.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import access, due_dates, selectors
from mrv.models import ExtensionRequest, Finding, InformationRequest
from mrv.selectors.clocks import extension_requests_with_market
from mrv.services import clocks as svc
from mrv.transitions import transitions_for
from mrv.ui.buttons import allowed_each
from mrv.ui.forms.clocks import AnswerForm, AskForm, ExtensionForm, GrantForm, QuestionForm, RefuseForm, ResponseDueForm
from mrv.ui.objects import require, visible_or_404
from mrv.ui.views.verification import _back, _finding, attempt, done
from mrv.workflow import verification as verification_rules


def form_errors(request: HttpRequest, form: forms.Form) -> None:
    """Each field's error as a message naming the field."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def run_form(request: HttpRequest, form: forms.Form, service, success, back: HttpResponse, **objects) -> HttpResponse:
    """Run `service` on `objects` with the posted form's fields under their own names: a field's error or the
    service's refusal becomes a message, success says `success`; either way back to `back`."""
    if not form.is_valid():
        form_errors(request, form)
        return back
    done(request, attempt(request, service, **objects, **form.cleaned_data, acting_user=request.user), success)
    return back


# --- On a finding --------------------------------------------------------------------------------


@login_required
@require_POST
def finding_response_due(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    finding = _finding(request, pk, finding_pk)
    require(verification_rules.is_finding_verifier(finding, request.user), str(svc.FINDING_DUE_NOT_VERIFIER))
    form = ResponseDueForm(request.POST)
    message = _("The response date is set.")
    return run_form(request, form, svc.finding_response_due_set, message, _back(request, pk), finding=finding)


@login_required
@require_POST
def finding_ask(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """The verifier asks the firm for information about a finding: its response clock waits."""
    finding: Finding = _finding(request, pk, finding_pk)
    require(verification_rules.is_finding_verifier(finding, request.user), str(svc.NOT_ASKER))
    form = QuestionForm(request.POST)
    message = _("The request for information is sent; the finding's response clock waits.")
    return run_form(request, form, svc.information_request_open, message, _back(request, pk), finding=finding)


# --- Requests for information --------------------------------------------------------------------


@login_required
@require_GET
def information_request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = selectors.information_requests(access.visible_to(user, InformationRequest))
    now, gate = timezone.now(), {}
    for row in rows:
        # Who may answer or withdraw depends on the state, the firm-year and who asked: asked once per such key.
        key = (row.status, row.firm_id, row.year, row.requested_by.role)
        row.can = gate[key] if key in gate else gate.setdefault(key, transitions_for(row, user))
        row.days_paused = due_dates.whole_days_open(row.opened_at, row.closed_at, now)
    context = {
        "requests": rows,
        "ask_form": AskForm(user=user) if svc.asks_firms(user) else None,
        "answer_form": AnswerForm(),
    }
    return render(request, "ui/information_requests.html", context)


def _to_requests() -> HttpResponse:
    return redirect(reverse("ui:information_request_list"))


@login_required
@require_POST
def information_request_ask(request: HttpRequest) -> HttpResponse:
    require(svc.asks_firms(request.user), str(svc.NOT_ASKER))
    form = AskForm(request.POST, user=request.user)
    message = _("The request for information is sent; the deadline it concerns waits.")
    return run_form(request, form, svc.information_request_open, message, _to_requests())


@login_required
@require_POST
def information_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    info = visible_or_404(request.user, InformationRequest, pk=pk)
    form = AnswerForm(request.POST)
    message = _("Your answer is sent; the clock runs again.")
    return run_form(request, form, svc.information_request_answer, message, _to_requests(), information_request=info)


@login_required
@require_POST
def information_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    info = visible_or_404(request.user, InformationRequest, pk=pk)
    result = attempt(
        request,
        svc.information_request_withdraw,
        information_request=info,
        reason=request.POST.get("reason", ""),
        acting_user=request.user,
    )
    done(request, result, _("The request is withdrawn; the clock runs again."))
    return _to_requests()


# --- Extension requests --------------------------------------------------------------------------


@login_required
@require_GET
def extension_request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user.is_firm_user or user.is_regulator or user.is_national_admin)
    rows = selectors.extension_requests(access.visible_to(user, ExtensionRequest))
    allowed_each(rows, user)
    context = {
        "extension_requests": rows,
        "request_form": ExtensionForm(initial={"year": timezone.localdate().year - 1}) if user.is_firm_user else None,
        "grant_form": GrantForm(),
        "refuse_form": RefuseForm(),
    }
    return render(request, "ui/extension_requests.html", context)


def _to_extensions() -> HttpResponse:
    return redirect(reverse("ui:extension_request_list"))


@login_required
@require_POST
def extension_request_submit(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user.is_firm_user, str(svc.NOT_FIRM))
    form = ExtensionForm(request.POST)
    message = _("Your extension request is sent to the regulator.")
    return run_form(request, form, svc.extension_request_submit, message, _to_extensions(), firm=user.firm)


@login_required
@require_POST
def extension_request_grant(request: HttpRequest, pk: int) -> HttpResponse:
    extension = visible_or_404(request.user, extension_requests_with_market(), pk=pk)
    form = GrantForm(request.POST)
    message = _("The extension is granted; the firm is told of the new due date.")
    return run_form(request, form, svc.extension_request_grant, message, _to_extensions(), extension_request=extension)


@login_required
@require_POST
def extension_request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    extension = visible_or_404(request.user, extension_requests_with_market(), pk=pk)
    form = RefuseForm(request.POST)
    message = _("The extension is refused; the firm is told.")
    return run_form(request, form, svc.extension_request_refuse, message, _to_extensions(), extension_request=extension)


@login_required
@require_POST
def extension_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    extension = visible_or_404(request.user, extension_requests_with_market(), pk=pk)
    result = attempt(
        request,
        svc.extension_request_withdraw,
        extension_request=extension,
        reason=request.POST.get("reason", ""),
        acting_user=request.user,
    )
    done(request, result, _("Your extension request is withdrawn; the due date stays."))
    return _to_extensions()
