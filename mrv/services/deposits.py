"""Monthly evidence of the national power sector: each month's fuel, carbon content test result and
electricity data, deposited with evidence by the rule pack's monthly deadline, and the annual report
prefilled from the deposits.

A deposit is kept once per firm and month: a later change counts as a revision (audited with what
changed), so the verifier sees which months came late or were changed.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv import calculation, due_dates, selectors, uploads
from mrv.audit import log_action
from mrv.models import EmissionReport, Firm, MonthlyDeposit, OutputDataRow, StoredFile, User
from mrv.refusals import Refused
from mrv.services import reports as report_services


class DepositRefused(Refused, ValueError):
    default_code = "deposit"


NOT_FIRM = _("Only the firm's own users deposit its monthly data.")
NOT_DEPOSITING = _("%(firm)s does not deposit monthly data for %(year)s under its market's rules.")
BAD_MONTH = _("Month “%(month)s” is not a month (1–12).")
MONTH_NOT_OVER = _("%(year)s-%(month)02d is not over yet: deposit a month after it ends.")
FIELD_NUMBER = _("“%(field)s”: “%(value)s” is not a number of zero or more.")
FIELD_REQUIRED = _("“%(field)s” is required.")
EVIDENCE_REQUIRED = _("Attach the evidence (test report, meter readings) with the first deposit of a month.")
NO_DEPOSITS = _("No monthly deposits for %(year)s to prefill the report from.")
PREFILL_ANNUAL_ONLY = _("Only the annual report is prefilled from the monthly deposits.")

VALUE_FIELDS = (
    "fuel_consumed_t",
    "ncv_gj_per_t",
    "carbon_content_tc_per_gj",
    "electricity_generated_mwh",
    "electricity_supplied_mwh",
    "electricity_purchased_mwh",
)
OPTIONAL_FIELDS = {"electricity_purchased_mwh"}
ELECTRICITY_SUPPLIED = "electricity supplied"


def depositing_pack(firm: Firm, year: int):
    """The rule pack under which the firm deposits monthly in the year, or None."""
    pack = due_dates.RulePackCache().get(firm.market, year)
    return pack if pack is not None and pack.deposits_monthly(firm.sector.code, year) else None


def _values(raw: dict) -> dict:
    values = {}
    for name in VALUE_FIELDS:
        label = MonthlyDeposit._meta.get_field(name).verbose_name
        value = raw.get(name)
        if value in (None, "") and name in OPTIONAL_FIELDS:
            value = "0"
        if value in (None, ""):
            raise DepositRefused(FIELD_REQUIRED % {"field": label})
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            raise DepositRefused(FIELD_NUMBER % {"field": label, "value": value})
        values[name] = number
    return values


def _check_month(firm: Firm, year: int, month, today: datetime.date):
    if month not in range(1, 13):
        raise DepositRefused(BAD_MONTH % {"month": month})
    pack = depositing_pack(firm, year)
    if pack is None:
        raise DepositRefused(NOT_DEPOSITING % {"firm": firm.name, "year": year})
    if (year, month) >= (today.year, today.month):
        raise DepositRefused(MONTH_NOT_OVER % {"year": year, "month": month})
    return pack


def monthly_deposit_save(
    *,
    firm: Firm,
    year: int,
    month: int,
    stream_code: str,
    values: dict,
    acting_user: User,
    evidence: list[tuple[str, bytes]] = (),
) -> MonthlyDeposit:
    """Deposit (or revise) one month's data with its evidence; the first deposit's date decides lateness."""
    if not (acting_user.is_firm_user and acting_user.firm_id == firm.pk):
        raise PermissionDenied(NOT_FIRM)
    today = timezone.localdate()
    pack = _check_month(firm, year, month, today)
    if not (stream_code or "").strip():
        raise DepositRefused(FIELD_REQUIRED % {"field": MonthlyDeposit._meta.get_field("stream_code").verbose_name})
    values = _values(values) | {"stream_code": stream_code.strip()}
    with transaction.atomic():
        deposit = MonthlyDeposit.objects.select_for_update().filter(firm=firm, year=year, month=month).first()
        if deposit is None and not evidence:
            raise DepositRefused(EVIDENCE_REQUIRED)
        if deposit is None:
            due = due_dates.monthly_deposit_due(pack, year, month)
            deposit = MonthlyDeposit(
                firm=firm, market_id=firm.market_id, year=year, month=month, first_deposited_on=today, due_date=due
            )
            changes = {name: (None, value) for name, value in values.items()}
        else:
            changes = {n: (getattr(deposit, n), v) for n, v in values.items() if getattr(deposit, n) != v}
            deposit.revisions += 1 if changes else 0
        for name, value in values.items():
            setattr(deposit, name, value)
        deposit.deposited_by = acting_user
        deposit.save()
        for name, data in evidence:
            uploads.store_file(
                owner=deposit, kind=StoredFile.Kind.EVIDENCE, data=data, original_name=name, acting_user=acting_user
            )
        action = "mrv.monthlydeposit.revised" if deposit.revisions and changes else "mrv.monthlydeposit.deposited"
        log_action(
            deposit,
            action,
            actor=acting_user,
            changes=changes | ({"evidence": (None, [n for n, _d in evidence])} if evidence else {}),
        )
    return deposit


def _plan_units(report: EmissionReport) -> dict[tuple[str, str], str]:
    """The unit the plan in force names for each (stream, parameter)."""
    plan = selectors.plan_in_force(report.firm, datetime.date(report.year, 12, 31))
    if plan is None:
        return {}
    return {(s.code, p.name): p.unit for s in plan.streams.all() for p in s.parameters.all() if p.unit}


def _in_plan_unit(units: dict, stream: str, name: str, value: Decimal, unit: str) -> dict:
    """The deposited value in the unit the plan names (tC/GJ → tC/TJ …); as deposited where the plan names none."""
    wanted = units.get((stream, name), unit)
    try:
        converted = calculation.convert(calculation.Quantity(value, unit), wanted)
    except calculation.UnitError:
        converted = calculation.Quantity(value, unit)  # the validation names the mismatch
    return {name: converted.value.normalize(), f"{name}_unit": converted.unit}


def report_prefill_from_deposits(*, report: EmissionReport, acting_user: User) -> int:
    """Fill the annual draft's monthly fuel lines and electricity supplied from the year's deposits; returns the
    number of months filled. The firm still checks, completes and submits the report as usual."""
    if not (acting_user.is_firm_user and acting_user.firm_id == report.firm_id):
        raise PermissionDenied(NOT_FIRM)
    if report.period != EmissionReport.Period.ANNUAL:
        raise DepositRefused(PREFILL_ANNUAL_ONLY)
    deposits = list(MonthlyDeposit.objects.filter(firm_id=report.firm_id, year=report.year))
    if not deposits:
        raise DepositRefused(NO_DEPOSITS % {"year": report.year})
    units = _plan_units(report)
    rows = [
        {"stream": d.stream_code, "month": d.month, "activity": d.fuel_consumed_t, "activity_unit": "t"}
        | _in_plan_unit(units, d.stream_code, "ncv", d.ncv_gj_per_t, "GJ/t")
        | _in_plan_unit(units, d.stream_code, "carbon_content", d.carbon_content_tc_per_gj, "tC/GJ")
        for d in deposits
    ]
    supplied = sum((d.electricity_supplied_mwh for d in deposits), Decimal(0))
    output = [
        {"kind": OutputDataRow.Kind.ELECTRICITY_SUPPLY, "name": ELECTRICITY_SUPPLIED, "amount": supplied, "unit": "MWh"}
    ]
    with transaction.atomic():
        report_services.report_store_activity_data(report=report, rows=rows, acting_user=acting_user)
        report_services.report_save_output_data(report=report, rows=output, acting_user=acting_user)
        log_action(
            report,
            "mrv.emissionreport.prefilled_from_deposits",
            actor=acting_user,
            changes={"months": (None, sorted(d.month for d in deposits))},
        )
    return len(deposits)
