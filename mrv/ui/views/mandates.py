"""Data-entry mandates in the browser: the firm's approver entrusts a person of another firm with entering the
firm's data and ends the mandate; the entrusted person sees whose data they hold and may give it back; the
regulator sees its market's mandates. Changes are POSTs to `mrv.services.mandates`; refusals become messages.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import access
from mrv.models import DataEntryMandate
from mrv.selectors import mandates as selectors
from mrv.services import mandates as svc
from mrv.ui.badges import register_labels
from mrv.ui.forms.mandates import MandateForm
from mrv.ui.objects import require, visible_or_404
from mrv.ui.views.clocks import run_form
from mrv.ui.views.verification import attempt, done
from mrv.workflow.mandates import is_mandate_granter, mandate_actions

register_labels(DataEntryMandate.STATE_LABELS)


def _with_actions(mandates, user) -> list[DataEntryMandate]:
    rows = list(mandates)
    for mandate in rows:
        mandate.can = mandate_actions(mandate, user)
    return rows


@login_required
@require_GET
def mandate_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user.is_firm_user or user.is_regulator)
    if user.is_regulator:
        market_mandates = access.visible_to(user, DataEntryMandate).select_related(
            "firm", "grantee__firm", "granted_by"
        )
        context = {"firm_view": False, "market_mandates": market_mandates.order_by("firm__name", "-granted_at")[:500]}
        return render(request, "ui/mandates.html", context)
    context = {
        "firm_view": True,
        "firm_mandates": _with_actions(selectors.mandates_of_firm(user.firm), user),
        "held": _with_actions(selectors.mandates_given_to(user), user),
        "form": MandateForm() if is_mandate_granter(user.firm_id, user) else None,
    }
    return render(request, "ui/mandates.html", context)


def _to_list() -> HttpResponse:
    return redirect("ui:mandate_list")


@login_required
@require_POST
def mandate_grant(request: HttpRequest) -> HttpResponse:
    require(request.user.is_firm_user, str(svc.NOT_GRANTER))
    message = _("The person is entrusted with your firm's data.")
    return run_form(request, MandateForm(request.POST), svc.mandate_grant, message, _to_list(), firm=request.user.firm)


@login_required
@require_POST
def mandate_end(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = visible_or_404(request.user, DataEntryMandate.objects.select_related("firm"), pk=pk)
    result = attempt(
        request, svc.mandate_end, mandate=mandate, reason=request.POST.get("reason", ""), acting_user=request.user
    )
    done(request, result, _("The mandate has ended."))
    return _to_list()
