"""The home page: what needs my action (per role), upcoming deadlines, recent activity.

How other apps add to the pages of mrv (mrv imports no app above it; they register in their
AppConfig.ready()):
- a home section: decorate a function of the user returning a `Section` (or None when it has nothing
  for this role) with `@home_section`; each section runs a bounded number of queries;
- upcoming deadlines: append a function (user, today) to `UPCOMING_SOURCES`;
- a navigation entry: `mrv.ui.navigation.register(NavItem(label, url_name, allowed, order))`;
- access rules: `@mrv.access.scope(Model)` and `@mrv.access.predicate(Model)`.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from mrv import access
from mrv.models import AuditLog, EmissionReport, MonitoringPlan, VerificationEngagement

SECTION_LIMIT = 20
ACTIVITY_LIMIT = 15


@dataclass
class ActionItem:
    label: str
    url: str = ""
    state: str = ""  # a workflow state value, shown as a badge
    note: str = ""


@dataclass
class Section:
    title: object
    items: list[ActionItem] = field(default_factory=list)
    more_url: str = ""


SECTIONS: list[Callable] = []


def home_section(func: Callable) -> Callable:
    SECTIONS.append(func)
    return func


def url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def report_items(reports) -> list[ActionItem]:
    return [
        ActionItem(label=str(r), url=url_or_blank("ui:report_detail", r.pk), state=r.status)
        for r in reports.select_related("firm")[:SECTION_LIMIT]
    ]


@home_section
def firm_reports_to_complete(user) -> Section | None:
    if not user.is_firm_user:
        return None
    waiting = {EmissionReport.Status.DRAFT, EmissionReport.Status.RETURNED_TO_FIRM}
    reports = access.visible_to(user, EmissionReport).filter(status__in=waiting)
    return Section(_("Reports to complete or answer"), report_items(reports), url_or_blank("ui:report_list"))


@home_section
def firm_plans_to_complete(user) -> Section | None:
    if not user.is_firm_user:
        return None
    plans = access.visible_to(user, MonitoringPlan).filter(status__in=MonitoringPlan.EDITABLE).select_related("firm")
    items = [
        ActionItem(str(p), url_or_blank("ui:plan_detail", p.pk), p.status, p.return_reason[:200])
        for p in plans[:SECTION_LIMIT]
    ]
    return Section(_("Monitoring plans to complete or correct"), items, url_or_blank("ui:plan_list"))


@home_section
def engagements_to_accept(user) -> Section | None:
    if not user.is_verifier:
        return None
    engagements = (
        access.visible_to(user, VerificationEngagement)
        .filter(status=VerificationEngagement.Status.ASSIGNED)
        .select_related("firm")[:SECTION_LIMIT]
    )
    items = [ActionItem(str(e), url_or_blank("ui:engagement_detail", e.pk), e.status) for e in engagements]
    return Section(_("Engagements to accept or decline"), items, url_or_blank("ui:engagement_list"))


@home_section
def reports_under_verification(user) -> Section | None:
    if not user.is_verifier:
        return None
    reports = access.visible_to(user, EmissionReport).filter(status=EmissionReport.Status.UNDER_VERIFICATION)
    return Section(_("Reports under verification"), report_items(reports))


@home_section
def regulator_queue(user) -> Section | None:
    if not (user.is_regulator or user.is_national_admin):
        return None
    review = {EmissionReport.Status.REGULATOR_REVIEW, EmissionReport.Status.DETERMINATION_PROPOSED}
    reports = access.visible_to(user, EmissionReport).filter(status__in=review)
    return Section(_("Reports awaiting review or approval"), report_items(reports))


@home_section
def engagements_to_assign(user) -> Section | None:
    if not (user.is_regulator or user.is_national_admin):
        return None
    engagements = (
        access.visible_to(user, VerificationEngagement)
        .filter(status__in=[VerificationEngagement.Status.AWAITING_ASSIGNMENT, VerificationEngagement.Status.DECLINED])
        .select_related("firm")[:SECTION_LIMIT]
    )
    items = [ActionItem(str(e), url_or_blank("ui:engagement_detail", e.pk), e.status) for e in engagements]
    return Section(_("Engagements awaiting assignment"), items, url_or_blank("ui:engagement_list"))


@home_section
def quarterly_co_review(user) -> Section | None:
    if user.role != user.Role.STATISTICS_OFFICER:
        return None
    reports = access.visible_to(user, EmissionReport).filter(status=EmissionReport.Status.CO_REVIEW)
    return Section(_("Quarterly reports in co-review"), report_items(reports))


@home_section
def spot_checks_to_do(user) -> Section | None:
    if not user.is_spot_checker:
        return None
    from mrv.models import SpotCheckItem

    pending = (
        SpotCheckItem.objects.filter(body_id=user.body_id, outcome=SpotCheckItem.Outcome.PENDING)
        .select_related("report__firm")
        .order_by("-sample__year", "report__firm__name")[:SECTION_LIMIT]
    )
    items = [
        ActionItem(str(i.report), url_or_blank("ui:report_verification", i.report_id), i.report.status) for i in pending
    ]
    return Section(_("Spot checks to do"), items, url_or_blank("ui:spot_check_list"))


def sections_for(user) -> list[Section]:
    return [section for func in SECTIONS if (section := func(user)) is not None]


# Models whose audit rows a user sees when they may see the object itself; features append theirs.
ACTIVITY_MODELS: list = [EmissionReport, VerificationEngagement, MonitoringPlan]


def recent_activity(user, limit: int = ACTIVITY_LIMIT) -> list[AuditLog]:
    """The latest audit rows about objects the user may see (regulators: their market's whole trail)."""
    if not getattr(user, "is_authenticated", False):
        return []
    condition = Q(pk__in=access.visible_to(user, AuditLog).values("pk")) if user.is_regulator else Q(pk__in=[])
    if user.is_national_admin:
        condition = Q()
    for model in ACTIVITY_MODELS:
        content_type = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=content_type, object_id__in=access.visible_ids(user, model))
    return list(AuditLog.objects.filter(condition).select_related("actor").order_by("-at", "-id")[:limit])


#: Functions (user, today) -> deadlines with days left; the deadlines app registers its own in ready().
UPCOMING_SOURCES: list[Callable] = []


def upcoming_deadlines(user, today: datetime.date) -> list:
    """Deadlines with days left, from every registered source (mrv imports no app above it)."""
    return [d for source in UPCOMING_SOURCES for d in source(user, today)]
