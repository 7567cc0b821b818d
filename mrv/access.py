"""Who may see what, decided in one place per kind of object.

For each kind there is a queryset (`visible_to(user, Model)`, for lists, the admin and the API)
and a predicate (`can_view(user, obj)`, for one object); tests check that the two agree for
every persona. Register a new kind with `@scope(Model)` and `@predicate(Model)`.
"""

from collections.abc import Callable

from django.db import models
from django.db.models import Q, QuerySet

from mrv.models import (
    AuditLog,
    Authority,
    ConflictOfInterest,
    CoverageEntry,
    CoverageList,
    EmissionReport,
    EmissionSource,
    Firm,
    FirmYearFigure,
    Market,
    PendingChange,
    RulePack,
    Sector,
    User,
    VerificationBody,
    VerificationEngagement,
)

_SCOPES: dict[type[models.Model], Callable[[User], Q]] = {}
_PREDICATES: dict[type[models.Model], Callable[[User, models.Model], bool]] = {}
NOTHING = Q(pk__in=[])
EVERYTHING = Q()


def scope(model: type[models.Model]):
    def register(func: Callable[[User], Q]):
        _SCOPES[model] = func
        return func

    return register


def predicate(model: type[models.Model]):
    def register(func: Callable[[User, models.Model], bool]):
        _PREDICATES[model] = func
        return func

    return register


def visible_to(user: User, model_or_queryset) -> QuerySet:
    """The objects of a kind that `user` may see."""
    qs = model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_national_admin:
        return qs
    rule = _SCOPES.get(qs.model)
    if rule is None:
        return qs.none()
    return qs.filter(rule(user))


def can_view(user: User, obj: models.Model) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_national_admin:
        return True
    check = _PREDICATES.get(type(obj))
    return bool(check and check(user, obj))


def regulated_by(user: User, model_or_queryset) -> QuerySet:
    """The objects of a kind that `user` may choose in an admin form: all for the national administrator,
    their own market's for a market's authority, nothing for anyone else."""
    qs = model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    if getattr(user, "is_national_admin", False) and user.is_active:
        return qs
    if getattr(user, "role", None) not in User.AUTHORITY_ROLES or not user.is_active:
        return qs.none()
    return visible_to(user, qs)


def is_registered(model: type[models.Model]) -> bool:
    return model in _SCOPES and model in _PREDICATES


def regulates(user: User, market_id: int | None) -> bool:
    """A regulator (or statistics officer) of this market."""
    return user.role in User.AUTHORITY_ROLES and market_id is not None and user.market_id == market_id


# --- Firms -------------------------------------------------------------------------------------


@scope(Firm)
def _firms(user: User) -> Q:
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(market_id=user.market_id)
    if user.is_firm_user:
        return Q(pk=user.firm_id)
    if user.is_verifier:
        engaged = VerificationEngagement.objects.filter(firm_id=models.OuterRef("pk"), body_id=user.body_id)
        return Q(models.Exists(engaged))
    return NOTHING


@predicate(Firm)
def _firm(user: User, firm: Firm) -> bool:
    if user.role in User.AUTHORITY_ROLES:
        return regulates(user, firm.market_id)
    if user.is_firm_user:
        return firm.pk == user.firm_id
    if user.is_verifier:
        return VerificationEngagement.objects.filter(firm=firm, body_id=user.body_id).exists()
    return False


# --- Reports -----------------------------------------------------------------------------------


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
    if user.is_firm_user:
        return Q(firm_id=user.firm_id)
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
        return report.firm_id == user.firm_id
    if user.is_verifier:
        return (
            report.period == EmissionReport.Period.ANNUAL
            and VerificationEngagement.objects.filter(firm_id=report.firm_id, year=report.year, body_id=user.body_id)
            .exclude(status=VerificationEngagement.Status.AWAITING_ASSIGNMENT)
            .exists()
        )
    return False


# --- Engagements -------------------------------------------------------------------------------


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


# --- Audit trail -------------------------------------------------------------------------------


@scope(AuditLog)
def _audit(user: User) -> Q:
    return Q(market_id=user.market_id) if user.is_regulator else NOTHING


@predicate(AuditLog)
def _audit_row(user: User, row: AuditLog) -> bool:
    return user.is_regulator and regulates(user, row.market_id)


# --- Authorities -------------------------------------------------------------------------------


@scope(Authority)
def _authorities(user: User) -> Q:
    return Q(pk=user.authority_id) if user.authority_id else NOTHING


@predicate(Authority)
def _authority(user: User, authority: Authority) -> bool:
    return authority.pk == user.authority_id


# --- Covered-firm lists (the market's regulators) ------------------------------------------------


@scope(CoverageList)
def _coverage_lists(user: User) -> Q:
    return Q(market_id=user.market_id) if user.role in User.AUTHORITY_ROLES and user.market_id else NOTHING


@predicate(CoverageList)
def _coverage_list(user: User, coverage_list: CoverageList) -> bool:
    return regulates(user, coverage_list.market_id)


@scope(CoverageEntry)
def _coverage_entries(user: User) -> Q:
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(coverage_list__market_id=user.market_id)
    return NOTHING


@predicate(CoverageEntry)
def _coverage_entry(user: User, entry: CoverageEntry) -> bool:
    return regulates(user, entry.coverage_list.market_id)


# --- Reference data and organisations ----------------------------------------------------------


@scope(Market)
def _markets(user: User) -> Q:
    return Q(pk=user.market_id) if user.market_id else EVERYTHING


@predicate(Market)
def _market(user: User, market: Market) -> bool:
    return user.market_id is None or market.pk == user.market_id


@scope(RulePack)
def _rule_packs(user: User) -> Q:
    return Q(market_id=user.market_id) if user.market_id else EVERYTHING


@predicate(RulePack)
def _rule_pack(user: User, pack: RulePack) -> bool:
    return user.market_id is None or pack.market_id == user.market_id


@scope(Sector)
def _sectors(user: User) -> Q:
    return EVERYTHING


@predicate(Sector)
def _sector(user: User, sector: Sector) -> bool:
    return True


@scope(VerificationBody)
def _bodies(user: User) -> Q:
    """Bodies are a public register; their people and engagements are not."""
    return EVERYTHING


@predicate(VerificationBody)
def _body(user: User, body: VerificationBody) -> bool:
    return True


@scope(FirmYearFigure)
def _figures(user: User) -> Q:
    return Q(firm__in=visible_to(user, Firm).values("pk"))


@predicate(FirmYearFigure)
def _figure(user: User, figure: FirmYearFigure) -> bool:
    return can_view(user, figure.firm)


@scope(EmissionSource)
def _sources(user: User) -> Q:
    return Q(firm__in=visible_to(user, Firm).values("pk"))


@predicate(EmissionSource)
def _source(user: User, source: EmissionSource) -> bool:
    return can_view(user, source.firm)


@scope(ConflictOfInterest)
def _conflicts(user: User) -> Q:
    if user.is_regulator:
        return Q(firm__market_id=user.market_id)
    return NOTHING


@predicate(ConflictOfInterest)
def _conflict(user: User, conflict: ConflictOfInterest) -> bool:
    return user.is_regulator and regulates(user, conflict.firm.market_id)


@scope(User)
def _users(user: User) -> Q:
    """People of one's own organisation; regulators also see the people of their market's firms."""
    own = Q(pk=user.pk)
    if user.firm_id:
        own |= Q(firm_id=user.firm_id)
    if user.body_id:
        own |= Q(body_id=user.body_id)
    if user.authority_id:
        own |= Q(authority_id=user.authority_id)
    if user.is_regulator:
        own |= Q(firm__market_id=user.market_id)
    return own


@predicate(User)
def _user(user: User, other: User) -> bool:
    return (
        other.pk == user.pk
        or (user.firm_id is not None and other.firm_id == user.firm_id)
        or (user.body_id is not None and other.body_id == user.body_id)
        or (user.authority_id is not None and other.authority_id == user.authority_id)
        or (user.is_regulator and other.firm_id is not None and other.firm.market_id == user.market_id)
    )


# --- Uploaded files: whoever may see the owner may download the file -----------------------------

FILE_OWNER_MODELS: list[type[models.Model]] = [EmissionReport]


def visible_ids(user: User, model: type[models.Model]) -> QuerySet:
    """The primary keys, as text, of the objects of `model` that `user` may see (for generic relations)."""
    from django.db.models.functions import Cast

    return visible_to(user, model).annotate(pk_text=Cast("pk", models.CharField())).values("pk_text")


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


# --- Monitoring plans, report data and versions ------------------------------------------------
# A plan follows its firm: the market's regulators and the firm's people see every version. A
# verifier sees the submitted versions of firms their body has an active engagement with (the plan
# in force is what they verify against), and those whose third-party check their body was chosen
# for (Tianjin). Drafts stay with the firm. Report data, versions and acknowledgements follow the
# report's visibility.

from mrv.models import (  # noqa: E402
    ActivityDataRow,
    GridFactor,
    MonitoringPlan,
    OutputDataRow,
    PlanAttachment,
    PlanParameter,
    PlanSourceStream,
    ReportVersion,
    ReportWarningAcknowledgement,
)

_ACTIVE_ENGAGEMENT = (
    VerificationEngagement.Status.ASSIGNED,
    VerificationEngagement.Status.ACCEPTED,
    VerificationEngagement.Status.COMPLETED,
)


@scope(MonitoringPlan)
def _plans(user: User) -> Q:
    if user.is_regulator:
        return Q(firm__market_id=user.market_id)
    if user.is_firm_user:
        return Q(firm_id=user.firm_id)
    if user.is_verifier:
        engaged = VerificationEngagement.objects.filter(
            firm_id=models.OuterRef("firm_id"), body_id=user.body_id, status__in=_ACTIVE_ENGAGEMENT
        )
        shown = Q(models.Exists(engaged)) | Q(check_body_id=user.body_id)
        return shown & ~Q(status=MonitoringPlan.Status.DRAFT)
    return NOTHING


@predicate(MonitoringPlan)
def _plan(user: User, plan: MonitoringPlan) -> bool:
    if user.is_regulator:
        return regulates(user, plan.firm.market_id)
    if user.is_firm_user:
        return plan.firm_id == user.firm_id
    if user.is_verifier and plan.status != MonitoringPlan.Status.DRAFT:
        if plan.check_body_id is not None and plan.check_body_id == user.body_id:
            return True
        return VerificationEngagement.objects.filter(
            firm_id=plan.firm_id, body_id=user.body_id, status__in=_ACTIVE_ENGAGEMENT
        ).exists()
    return False


@scope(PlanSourceStream)
def _plan_streams(user: User) -> Q:
    return Q(plan__in=visible_to(user, MonitoringPlan).values("pk"))


@predicate(PlanSourceStream)
def _plan_stream(user: User, stream: PlanSourceStream) -> bool:
    return can_view(user, stream.plan)


@scope(PlanParameter)
def _plan_parameters(user: User) -> Q:
    return Q(stream__plan__in=visible_to(user, MonitoringPlan).values("pk"))


@predicate(PlanParameter)
def _plan_parameter(user: User, parameter: PlanParameter) -> bool:
    return can_view(user, parameter.stream.plan)


@scope(PlanAttachment)
def _plan_attachments(user: User) -> Q:
    return Q(plan__in=visible_to(user, MonitoringPlan).values("pk"))


@predicate(PlanAttachment)
def _plan_attachment(user: User, attachment: PlanAttachment) -> bool:
    return can_view(user, attachment.plan)


def _of_visible_reports(user: User) -> Q:
    return Q(report__in=visible_to(user, EmissionReport).values("pk"))


for _model in (ReportVersion, ActivityDataRow, OutputDataRow, ReportWarningAcknowledgement):
    scope(_model)(_of_visible_reports)
    predicate(_model)(lambda user, obj: can_view(user, obj.report))


@scope(GridFactor)
def _grid_factors(user: User) -> Q:
    """Published reference values: everyone signed in sees them."""
    return EVERYTHING


@predicate(GridFactor)
def _grid_factor(user: User, factor: GridFactor) -> bool:
    return True


# --- Verification, spot checks and review (issue 4) ----------------------------------------------
# Spot checkers see the reports (and firms) sampled to their body; the other kinds below follow
# the report they belong to, narrowed where a party has no business seeing them.

from mrv.models import (  # noqa: E402
    Determination,
    Finding,
    FindingAnswer,
    QuarterlyReview,
    SpotCheckItem,
    SpotCheckSample,
    VerificationOpinion,
    VerificationPlan,
)

_reports_before_spot_checks = _SCOPES[EmissionReport]
_report_before_spot_checks = _PREDICATES[EmissionReport]
_firms_before_spot_checks = _SCOPES[Firm]
_firm_before_spot_checks = _PREDICATES[Firm]


def _sampled_to(user: User, report_field: str = "pk") -> Q:
    sampled = SpotCheckItem.objects.filter(body_id=user.body_id).values("report_id")
    return Q(**{f"{report_field}__in": sampled})


@scope(EmissionReport)
def _reports_with_spot_checks(user: User) -> Q:
    if user.is_spot_checker:
        return _sampled_to(user)
    return _reports_before_spot_checks(user)


@predicate(EmissionReport)
def _report_with_spot_checks(user: User, report: EmissionReport) -> bool:
    if user.is_spot_checker:
        return SpotCheckItem.objects.filter(body_id=user.body_id, report_id=report.pk).exists()
    return _report_before_spot_checks(user, report)


@scope(Firm)
def _firms_with_spot_checks(user: User) -> Q:
    if user.is_spot_checker:
        return Q(pk__in=SpotCheckItem.objects.filter(body_id=user.body_id).values("report__firm_id"))
    return _firms_before_spot_checks(user)


@predicate(Firm)
def _firm_with_spot_checks(user: User, firm: Firm) -> bool:
    if user.is_spot_checker:
        return SpotCheckItem.objects.filter(body_id=user.body_id, report__firm_id=firm.pk).exists()
    return _firm_before_spot_checks(user, firm)


def _annual_report_scope(user: User, prefix: str) -> Q:
    """Objects whose report (at `prefix`) the user may see; statistics officers see no annual work."""
    if user.role == User.Role.STATISTICS_OFFICER:
        return NOTHING
    return Q(**{f"{prefix}__in": visible_to(user, EmissionReport).values("pk")})


def _annual_report_visible(user: User, report: EmissionReport) -> bool:
    return user.role != User.Role.STATISTICS_OFFICER and can_view(user, report)


@scope(Finding)
def _findings(user: User) -> Q:
    return _annual_report_scope(user, "report")


@predicate(Finding)
def _finding(user: User, finding: Finding) -> bool:
    return _annual_report_visible(user, finding.report)


@scope(FindingAnswer)
def _finding_answers(user: User) -> Q:
    return _annual_report_scope(user, "finding__report")


@predicate(FindingAnswer)
def _finding_answer(user: User, answer: FindingAnswer) -> bool:
    return _annual_report_visible(user, answer.finding.report)


@scope(VerificationOpinion)
def _opinions(user: User) -> Q:
    return _annual_report_scope(user, "report")


@predicate(VerificationOpinion)
def _opinion(user: User, opinion: VerificationOpinion) -> bool:
    return _annual_report_visible(user, opinion.report)


@scope(VerificationPlan)
def _verification_plans(user: User) -> Q:
    """The engagement's parties: the regulator, the firm, and the verification body."""
    if user.is_spot_checker:
        return NOTHING
    return Q(engagement__in=visible_to(user, VerificationEngagement).values("pk"))


@predicate(VerificationPlan)
def _verification_plan(user: User, plan: VerificationPlan) -> bool:
    return not user.is_spot_checker and can_view(user, plan.engagement)


@scope(SpotCheckSample)
def _samples(user: User) -> Q:
    if user.is_regulator:
        return Q(market_id=user.market_id)
    if user.is_spot_checker:
        return Q(pk__in=SpotCheckItem.objects.filter(body_id=user.body_id).values("sample_id"))
    return NOTHING


@predicate(SpotCheckSample)
def _sample(user: User, sample: SpotCheckSample) -> bool:
    if user.is_regulator:
        return regulates(user, sample.market_id)
    if user.is_spot_checker:
        return sample.items.filter(body_id=user.body_id).exists()
    return False


@scope(SpotCheckItem)
def _spot_check_items(user: User) -> Q:
    """The regulator, the spot-check body, and the verifier whose work was checked (firms are not told)."""
    if user.is_regulator:
        return Q(sample__market_id=user.market_id)
    if user.is_spot_checker:
        return Q(body_id=user.body_id)
    if user.is_verifier:
        return Q(report__in=visible_to(user, EmissionReport).values("pk"))
    return NOTHING


@predicate(SpotCheckItem)
def _spot_check_item(user: User, item: SpotCheckItem) -> bool:
    if user.is_regulator:
        return regulates(user, item.sample.market_id)
    if user.is_spot_checker:
        return item.body_id is not None and item.body_id == user.body_id
    if user.is_verifier:
        return can_view(user, item.report)
    return False


@scope(Determination)
def _determinations(user: User) -> Q:
    """Regulators see proposals; the firm sees decided ones."""
    if user.is_regulator:
        return Q(report__market_id=user.market_id)
    if user.is_firm_user:
        return Q(report__firm_id=user.firm_id) & ~Q(decision=Determination.Decision.PENDING)
    return NOTHING


@predicate(Determination)
def _determination(user: User, determination: Determination) -> bool:
    if user.is_regulator:
        return regulates(user, determination.report.market_id)
    if user.is_firm_user:
        return determination.report.firm_id == user.firm_id and determination.decision != Determination.Decision.PENDING
    return False


@scope(QuarterlyReview)
def _quarterly_reviews(user: User) -> Q:
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(report__market_id=user.market_id)
    if user.is_firm_user:
        return Q(report__firm_id=user.firm_id)
    return NOTHING


@predicate(QuarterlyReview)
def _quarterly_review(user: User, review: QuarterlyReview) -> bool:
    if user.role in User.AUTHORITY_ROLES:
        return regulates(user, review.report.market_id)
    if user.is_firm_user:
        return review.report.firm_id == user.firm_id
    return False


# --- Changes awaiting a head's approval ------------------------------------------------------------


@scope(PendingChange)
def _pending_changes(user: User) -> Q:
    return Q(market_id=user.market_id) if user.is_regulator else NOTHING


@predicate(PendingChange)
def _pending_change(user: User, change: PendingChange) -> bool:
    return user.is_regulator and regulates(user, change.market_id)
