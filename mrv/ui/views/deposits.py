"""Monthly deposits of the national power sector, in the browser.

The firm deposits each month's fuel, carbon content test result and electricity data with evidence
(uploaded through `mrv.uploads`, like a report's evidence). The verifier and the regulator see, per
firm and year, which months came late, were changed, or are still missing.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import access, selectors, uploads
from mrv.models import Firm
from mrv.refusals import show_refusal
from mrv.selectors.markets import firms_with_market_and_sector
from mrv.selectors.reports import annual_report, reports_with_firm
from mrv.services import deposits as svc
from mrv.ui.forms.deposits import DepositForm
from mrv.ui.objects import require, visible_or_404
from mrv.ui.views.clocks import form_errors
from mrv.ui.views.verification import attempt, done


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
@require_GET
def deposit_overview(request: HttpRequest) -> HttpResponse:
    """The firm goes to its own months; the regulator and verifiers see every depositing firm they may see."""
    user, year = request.user, _year(request)
    if user.is_firm_user:
        return redirect(reverse("ui:deposit_months", args=[user.firm_id, year]))
    rows = selectors.deposit_overview(access.visible_to(user, Firm), year, timezone.localdate())
    return render(request, "ui/deposit_overview.html", {"rows": rows, "year": year, "years": _years()})


def _years() -> list[int]:
    today = timezone.localdate()
    return list(range(today.year, today.year - 4, -1))


@login_required
@require_GET
def deposit_months(request: HttpRequest, firm_pk: int, year: int) -> HttpResponse:
    firm = visible_or_404(request.user, firms_with_market_and_sector(), pk=firm_pk)
    today = timezone.localdate()
    months = selectors.deposit_months(firm, year)
    for month in months:
        month.state = month.status(today)
    report = annual_report(firm, year)
    context = {
        "firm": firm,
        "year": year,
        "years": _years(),
        "months": months,
        "form": DepositForm() if request.user.is_firm_user else None,
        "report": report if request.user.is_firm_user else None,
    }
    return render(request, "ui/deposit_months.html", context)


@login_required
@require_POST
def deposit_save(request: HttpRequest, firm_pk: int, year: int) -> HttpResponse:
    firm = visible_or_404(request.user, firms_with_market_and_sector(), pk=firm_pk)
    require(request.user.is_firm_user and request.user.firm_id == firm.pk, str(svc.NOT_FIRM))
    back = redirect(reverse("ui:deposit_months", args=[firm.pk, year]))
    form = DepositForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return back
    data = dict(form.cleaned_data)
    upload = data.pop("evidence")
    evidence = []
    if upload is not None:
        try:
            evidence = [(upload.name, uploads.read_upload(upload))]
        except uploads.UploadRejected as refused:
            show_refusal(request, refused)
            return back
    values = {name: data[name] for name in svc.VALUE_FIELDS}
    result = attempt(
        request,
        svc.monthly_deposit_save,
        firm=firm,
        year=year,
        month=data["month"],
        stream_code=data["stream_code"],
        values=values,
        evidence=evidence,
        acting_user=request.user,
    )
    done(request, result, _("The month is deposited."))
    return back


@login_required
@require_POST
def report_prefill_deposits(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_or_404(request.user, reports_with_firm(), pk=pk)
    require(request.user.is_firm_user and request.user.firm_id == report.firm_id, str(svc.NOT_FIRM))
    result = attempt(request, svc.report_prefill_from_deposits, report=report, acting_user=request.user)
    done(request, result, _("The report is prefilled from the monthly deposits; check and complete it."))
    return redirect(reverse("ui:report_data", args=[report.pk]))
