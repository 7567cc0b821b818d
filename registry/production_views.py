"""Pages of allocation inputs: the firm's production data with its report, the verifier's confirmation,
the regulator's bulk import and the list of covered firms still lacking inputs for a market-year."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv import inputs, uploads
from mrv.models import Market
from mrv.refusals import Refused, show_refusal
from registry import allocation_inputs, production, selectors
from registry.forms import ProductionEntryForm, ProductionImportForm
from registry.models import AllocationTable

TEMPLATE_COLUMNS = ["credit_code", "year", "output", "declared_tco2e", "verified"]


def _market(request: HttpRequest) -> Market:
    user = request.user
    if user.is_regulator:
        return selectors.regulator_market(user=user)
    if user.is_national_admin:
        code = request.GET.get("market") or request.POST.get("market") or "shanghai"
        return selectors.market_by_code(code=code)
    raise PermissionDenied(_("Only a market's regulator may open this page."))


def _year(request: HttpRequest) -> int:
    fallback = timezone.localdate().year
    asked = request.GET.get("year") or request.POST.get("year")
    if not asked:
        return fallback
    try:
        return inputs.parse_year(asked)
    except ValidationError as error:
        messages.error(
            request, _("Year: %(why)s Showing %(year)s instead.") % {"why": " ".join(error.messages), "year": fallback}
        )
        return fallback


@login_required
def report_production(request: HttpRequest, pk: int) -> HttpResponse:
    """The production data of an annual report: the firm enters it, the engaged verifier confirms it."""
    report = selectors.report_visible(user=request.user, pk=pk)
    record = production.production_record_of(report)
    can = production.production_actions(report, record, request.user)
    if record:
        initial = {"output": record.output, "declared_tco2e": record.declared_tco2e}
    else:  # what the firm already gave in the report's output data, to confirm or correct
        initial = {"output": production.output_from_report(report)}
    form = ProductionEntryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if "enter" not in can:
            raise PermissionDenied(production.NOT_EDITABLE)
        if form.is_valid():
            upload = form.cleaned_data.get("evidence")
            try:
                production.production_enter(
                    report=report,
                    output=form.cleaned_data["output"],
                    declared_tco2e=form.cleaned_data.get("declared_tco2e"),
                    evidence=uploads.read_upload(upload) if upload else None,
                    evidence_name=upload.name if upload else "",
                    acting_user=request.user,
                )
            except Refused as refused:
                show_refusal(request, refused)
            else:
                messages.success(request, _("Production data saved."))
                return redirect("registry:report_production", pk=report.pk)
    return render(
        request,
        "registry/report_production.html",
        {"report": report, "record": record, "form": form, "can": can},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def report_production_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_visible(user=request.user, pk=pk)
    try:
        production.production_confirm(report=report, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Production data confirmed."))
    return redirect("registry:report_production", pk=report.pk)


@login_required
def allocation_inputs_page(request: HttpRequest) -> HttpResponse:
    """The covered firms of a market-year lacking allocation inputs, and the bulk import of production data."""
    market, year = _market(request), _year(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in AllocationTable.Kind.values else "preliminary"
    form = ProductionImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = production.production_import(
                market=market, data=uploads.read_upload(form.cleaned_data["file"]), acting_user=request.user
            )
        except uploads.UploadRejected as rejected:
            errors = [str(rejected.message)]
        except production.ProductionSheetRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(request, _("%(n)s firm-years of production data saved.") % {"n": len(saved)})
            return redirect(f"{request.path}?year={year}&kind={kind}")
    missing = allocation_inputs.missing_inputs(market, year, kind)
    return render(
        request,
        "registry/allocation_inputs.html",
        {
            "market": market,
            "year": year,
            "kind": kind,
            "kinds": AllocationTable.Kind.choices,
            "missing": missing,
            "covered": selectors.covered_firm_count(market=market, year=year),
            "form": form,
            "errors": errors,
            "columns": ", ".join(TEMPLATE_COLUMNS),
        },
        status=400 if errors else 200,
    )


@login_required
def production_template(request: HttpRequest) -> HttpResponse:
    """A CSV to fill in: one row per covered firm of the market-year, codes and year already written."""
    market, year = _market(request), _year(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_COLUMNS)
    for code in selectors.covered_credit_codes(market=market, year=year):
        writer.writerow([code, year, "", "", "no"])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="production-{market.code}-{year}.csv"'
    return response
