"""Reads of emission reports: the report a page is about, its versions, its checks and its calculation."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from mrv.calculation import EmissionResult
from mrv.models import EmissionReport, Firm, MonitoringPlan, ReportVersion, ReportWarningAcknowledgement
from mrv.validation import Message, ValidationResult, validate_report
from mrv.workflow import reports as rules


def reports_with_firm() -> QuerySet[EmissionReport]:
    """Reports with their firm loaded; callers scope them with `mrv.access`."""
    return EmissionReport.objects.select_related("firm")


def reports_with_firm_and_market() -> QuerySet[EmissionReport]:
    """Reports with their firm and market loaded; callers scope them with `mrv.access`."""
    return EmissionReport.objects.select_related("firm", "market")


def reports_for_data_entry() -> QuerySet[EmissionReport]:
    """Reports with their market and the firm's market loaded (the data pages read both)."""
    return EmissionReport.objects.select_related("firm__market", "market")


def annual_report(firm: Firm, year: int) -> EmissionReport | None:
    """A firm's annual report for a compliance year, if it has opened one."""
    return EmissionReport.objects.filter(firm=firm, year=year, period=EmissionReport.Period.ANNUAL).first()


def report_versions(report: EmissionReport) -> QuerySet[ReportVersion]:
    """The submitted versions of a report with their author and plan (the report page lists them)."""
    return ReportVersion.objects.filter(report=report).select_related("created_by", "plan")


def reports_for_api() -> QuerySet[EmissionReport]:
    """Reports with market, firm and current version loaded, latest year first (the API's list and objects);
    callers scope them with `mrv.access`."""
    return EmissionReport.objects.select_related("market", "firm__market", "current_version").order_by("-year", "pk")


def report_versions_numbered(report: EmissionReport) -> QuerySet[ReportVersion]:
    """The submitted versions of a report in order with their plan and author (looked up by `number`)."""
    return ReportVersion.objects.filter(report=report).select_related("plan", "created_by").order_by("number")


def report_versions_in_order(report: EmissionReport) -> list[ReportVersion]:
    """The submitted versions of a report, first to last, with their author (the diff page compares two)."""
    return list(ReportVersion.objects.filter(report=report).order_by("number").select_related("created_by"))


def report_acknowledgements(report: EmissionReport) -> QuerySet[ReportWarningAcknowledgement]:
    """The warnings the firm explained, with who explained them."""
    return ReportWarningAcknowledgement.objects.filter(report=report).select_related("acknowledged_by")


def report_validation(
    report: EmissionReport, *, plan: MonitoringPlan | None = None, rows: Iterable | None = None
) -> ValidationResult:
    """The errors, warnings and (when nothing blocks it) emissions of a report's current data, or of `rows`
    not saved yet, against the plan in force for its period (`plan` when the caller has read it already)."""
    return validate_report(report, plan=plan, rows=rows)


@dataclass(frozen=True)
class ReportCalculation:
    """A report's emissions and where they come from: `draft` (its current rows) or `version` (submitted)."""

    source: str
    version: int | None
    result: EmissionResult | None
    errors: list[Message] = field(default_factory=list)


def report_calculation(report: EmissionReport) -> ReportCalculation:
    """A draft or returned report is calculated from its current rows (with what blocks the calculation);
    any other from the version submitted last."""
    if rules.is_editable(report) or report.current_version is None:
        checked = report_validation(report)
        return ReportCalculation("draft", None, checked.result, list(checked.errors))
    version = report.current_version
    return ReportCalculation("version", version.number, EmissionResult.from_dict(version.result))
