"""The firm's monitoring plan editor: versions, a draft's streams and parameters, submission, and the
state with the reviewers' comments. Reviewers' own pages (check, approve, return) build on these."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import access, uploads
from mrv.models import MonitoringPlan
from mrv.refusals import Refused, refusal_response
from mrv.selectors.audit import audit_trail
from mrv.selectors.plans import (
    plan_attachments,
    plan_attachments_with_uploader,
    plan_streams,
    plan_streams_with_parameters,
    plans_for_page,
)
from mrv.services import plans as svc
from mrv.ui.buttons import allowed
from mrv.ui.forms.plans import AttachmentForm, ParameterForm, PlanForm, StreamForm
from mrv.ui.home import with_current_names
from mrv.ui.lists import Column, Filter, ListSpec, render_listing
from mrv.ui.objects import require, visible_or_404
from mrv.workflow import plans as rules
from signin.ratelimit import rate_limited

PLANS = ListSpec(
    name="monitoring-plans",
    columns=[
        Column(
            "firm", _("firm"), "firm.name", order_by="firm__name", link=lambda p: reverse("ui:plan_detail", args=[p.pk])
        ),
        Column("version", _("version"), "version", order_by="version"),
        Column("status", _("status"), "status", order_by="status", badge=True),
        Column("valid_from", _("valid from"), "valid_from", order_by="valid_from"),
        Column("updated", _("updated"), "updated_at", order_by="updated_at"),
    ],
    filters=[
        Filter("status", _("status"), "status", choices=MonitoringPlan.Status.choices),
        Filter("firm", _("firm"), "firm__name__icontains"),
    ],
    default_sort="-version",
    select_related=("firm",),
)
SAVED = _("The plan is saved.")
SUBMITTED = _("Version %(version)s is submitted for review.")


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = access.visible_to(request.user, MonitoringPlan)
    context = {"title": _("Monitoring plans"), "new_form": PlanForm() if request.user.is_firm_user else None}
    return render_listing(request, PLANS, plans, "ui/plan_list.html", context)


@login_required
@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    """A firm user starts a new version (a copy of the approved one, if any)."""
    require(request.user.is_firm_user, str(svc.NOT_YOUR_FIRM))
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = svc.plan_create(firm=request.user.firm, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            return redirect("ui:plan_detail", pk=plan.pk)
    else:
        _form_errors(request, form)
    return redirect("ui:plan_list")


def _plan(request: HttpRequest, pk: int) -> MonitoringPlan:
    return visible_or_404(request.user, plans_for_page(), pk=pk)


def _firm_plan(request: HttpRequest, pk: int) -> MonitoringPlan:
    plan = _plan(request, pk)
    require(rules.is_firm_user(plan, request.user), str(svc.NOT_YOUR_FIRM))
    return plan


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)


def plan_context(request: HttpRequest, plan: MonitoringPlan, **forms_given) -> dict:
    streams = plan_streams_with_parameters(plan)
    # The third-party check's button needs its condition (only where the market requires the check).
    can = allowed(
        plan, request.user, conditions=["check_by_third_party"], edit=rules.is_plan_editor(plan, request.user)
    )
    return {
        "plan": plan,
        "streams": streams,
        "can": can,
        "problems": svc.plan_problems(plan) if "edit" in can else [],
        "timeline": with_current_names(list(audit_trail(plan)[:200])),
        "attachments": plan_attachments_with_uploader(plan),
        "plan_form": forms_given.get("plan_form")
        or PlanForm(initial={"valid_from": plan.valid_from, "data_management_notes": plan.data_management_notes}),
        "stream_form": forms_given.get("stream_form") or StreamForm(firm=plan.firm),
        "parameter_form": forms_given.get("parameter_form") or ParameterForm(plan=plan),
        "attachment_form": forms_given.get("attachment_form") or AttachmentForm(),
        **_review_context(request, plan),
    }


def _review_context(request: HttpRequest, plan: MonitoringPlan) -> dict:
    from mrv.ui.views.regulator import plan_review_context

    return plan_review_context(request, plan)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return render(request, "ui/plan_detail.html", plan_context(request, plan))


def _refused(request, plan, error: ValidationError, **forms_given) -> HttpResponse:
    _errors(request, error)
    return render(request, "ui/plan_detail.html", plan_context(request, plan, **forms_given), status=400)


@login_required
@require_POST
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _firm_plan(request, pk)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return render(request, "ui/plan_detail.html", plan_context(request, plan, plan_form=form), status=400)
    try:
        svc.plan_update(plan=plan, acting_user=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, plan, error, plan_form=form)
    messages.success(request, SAVED)
    return redirect("ui:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_stream_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _firm_plan(request, pk)
    form = StreamForm(request.POST, firm=plan.firm)
    if not form.is_valid():
        return render(request, "ui/plan_detail.html", plan_context(request, plan, stream_form=form), status=400)
    try:
        svc.plan_add_stream(plan=plan, acting_user=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, plan, error, stream_form=form)
    messages.success(request, SAVED)
    return redirect("ui:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_stream_remove(request: HttpRequest, pk: int, stream_pk: int) -> HttpResponse:
    plan = _firm_plan(request, pk)
    stream = visible_or_404(request.user, plan_streams(plan), pk=stream_pk)
    try:
        svc.plan_remove_stream(stream=stream, acting_user=request.user)
    except ValidationError as error:
        return _refused(request, plan, error)
    messages.success(request, SAVED)
    return redirect("ui:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_parameter_set(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _firm_plan(request, pk)
    form = ParameterForm(request.POST, plan=plan)
    if not form.is_valid():
        return render(request, "ui/plan_detail.html", plan_context(request, plan, parameter_form=form), status=400)
    values = form.cleaned_data
    try:
        svc.plan_set_parameter(acting_user=request.user, **values)
    except ValidationError as error:
        return _refused(request, plan, error, parameter_form=form)
    messages.success(request, SAVED)
    return redirect("ui:plan_detail", pk=plan.pk)


@login_required
@require_POST
@rate_limited("upload")
def plan_attach(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _firm_plan(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            uploads.check_file(uploads.read_upload(upload), upload.name)
            upload.seek(0)
            svc.plan_attach_file(
                plan=plan, file=upload, description=form.cleaned_data["description"], acting_user=request.user
            )
        except uploads.UploadRejected as rejected:
            form.add_error("file", rejected.message)
        except ValidationError as error:
            return _refused(request, plan, error, attachment_form=form)
        else:
            messages.success(request, SAVED)
            return redirect("ui:plan_detail", pk=plan.pk)
    return render(request, "ui/plan_detail.html", plan_context(request, plan, attachment_form=form), status=400)


@login_required
@require_GET
def plan_attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    attachment = visible_or_404(request.user, plan_attachments(plan), pk=attachment_pk)
    return uploads.attachment_response(attachment.file, attachment.original_name)


@login_required
@require_POST
@rate_limited("submit")
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _firm_plan(request, pk)
    require(rules.is_firm_approver(plan, request.user))
    try:
        svc.plan_submit(plan=plan, acting_user=request.user, reason=request.POST.get("reason", "")[:2000])
    except ValidationError as error:
        return _refused(request, plan, error)
    except Refused as refused:
        return refusal_response(request, refused, reverse("ui:plan_detail", args=[plan.pk]))
    messages.success(request, SUBMITTED % {"version": plan.version})
    return redirect("ui:plan_detail", pk=plan.pk)
