"""Who sees reports, engagements, the audit trail, uploaded files and a report's data."""

from django.db import models
from django.db.models import Q

from mrv.access.core import NOTHING, can_view, predicate, regulates, scope, visible_ids, visible_to
from mrv.models import (
    ActivityDataRow,
    AuditLog,
    EmissionReport,
    OutputDataRow,
    ReportVersion,
    ReportWarningAcknowledgement,
    User,
    VerificationEngagement,
)
from mrv.workflow.mandates import mandated_firm_ids


def _engaged_reports(user: User) -> Q:
    engaged = VerificationEngagement.objects.filter(body_id=user.body_id).exclude(
        status=VerificationEngagement.Status.AWAITING_ASSIGNMENT
    )
    same_firm_year = engaged.filter(firm_id=models.OuterRef("firm_id"), year=models.OuterRef("year"))
    return Q(period=EmissionReport.Period.ANNUAL) & Q(models.Exists(same_firm_year))


@scope(EmissionReport)
def _reports(user: User) -> Q:
    if user.role == User.Role.STATISTICS_OFFICER:
        return Q(market_id=user.market_id) & ~Q(period=EmissionReport.Period.ANNUAL)
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(market_id=user.market_id)
    if user.is_firm_user:  # its own firm's, and those of the firms that entrusted the person with their data
        # Ids, not a subquery: `firm_id IN (…)` keeps the index scan an OR with a subquery would lose.
        return Q(firm_id__in=[user.firm_id, *sorted(mandated_firm_ids(user))])
    if user.is_verifier:
        return _engaged_reports(user)
    return NOTHING


@predicate(EmissionReport)
def _report(user: User, report: EmissionReport) -> bool:
    if user.role == User.Role.STATISTICS_OFFICER:
        return regulates(user, report.market_id) and report.period != EmissionReport.Period.ANNUAL
    if user.role in User.AUTHORITY_ROLES:
        return regulates(user, report.market_id)
    if user.is_firm_user:
        return report.firm_id == user.firm_id or report.firm_id in mandated_firm_ids(user)
    if user.is_verifier:
        return (
            report.period == EmissionReport.Period.ANNUAL
            and VerificationEngagement.objects.filter(firm_id=report.firm_id, year=report.year, body_id=user.body_id)
            .exclude(status=VerificationEngagement.Status.AWAITING_ASSIGNMENT)
            .exists()
        )
    return False


@scope(VerificationEngagement)
def _engagements(user: User) -> Q:
    if user.is_regulator:
        return Q(market_id=user.market_id)
    if user.is_firm_user:
        return Q(firm_id=user.firm_id)
    if user.is_verifier:
        return Q(body_id=user.body_id)
    return NOTHING


@predicate(VerificationEngagement)
def _engagement(user: User, engagement: VerificationEngagement) -> bool:
    if user.is_regulator:
        return regulates(user, engagement.market_id)
    if user.is_firm_user:
        return engagement.firm_id == user.firm_id
    if user.is_verifier:
        return engagement.body_id is not None and engagement.body_id == user.body_id
    return False


@scope(AuditLog)
def _audit(user: User) -> Q:
    return Q(market_id=user.market_id) if user.is_regulator else NOTHING


@predicate(AuditLog)
def _audit_row(user: User, row: AuditLog) -> bool:
    return user.is_regulator and regulates(user, row.market_id)


FILE_OWNER_MODELS: list[type[models.Model]] = [EmissionReport]


def _stored_file_model():
    from mrv.models import StoredFile

    return StoredFile


@scope(_stored_file_model())
def _files(user: User) -> Q:
    from django.contrib.contenttypes.models import ContentType

    allowed = NOTHING
    for model in FILE_OWNER_MODELS:
        allowed |= Q(owner_type=ContentType.objects.get_for_model(model), owner_id__in=visible_ids(user, model))
    return allowed


@predicate(_stored_file_model())
def _file(user: User, stored) -> bool:
    owner = stored.owner
    return type(owner) in FILE_OWNER_MODELS and can_view(user, owner)


def _of_visible_reports(user: User) -> Q:
    return Q(report__in=visible_to(user, EmissionReport).values("pk"))


for _model in (ReportVersion, ActivityDataRow, OutputDataRow, ReportWarningAcknowledgement):
    scope(_model)(_of_visible_reports)
    predicate(_model)(lambda user, obj: can_view(user, obj.report))
