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
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from mrv import access
from mrv.models import (
    AuditLog,
    EmissionReport,
    Finding,
    MonitoringPlan,
    SpotCheckItem,
    VerificationEngagement,
)

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
    count: int | None = None  # how many wait in all (the list shows at most SECTION_LIMIT)


SECTIONS: list[Callable] = []


def home_section(func: Callable) -> Callable:
    if func not in SECTIONS:
        SECTIONS.append(func)
    return func


def url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def queue(title, queryset, to_item: Callable, more_url: str = "") -> Section:
    """A section of at most SECTION_LIMIT items and their total, in one query whatever the number of rows
    (the total is a window count over the whole result, computed before the LIMIT)."""
    rows = list(queryset.annotate(queue_total=Window(Count("pk")))[:SECTION_LIMIT])
    count = rows[0].queue_total if rows else 0
    return Section(title, [to_item(obj) for obj in rows], more_url, count)


def _report_item(r: EmissionReport, url_name: str = "ui:report_detail") -> ActionItem:
    return ActionItem(label=str(r), url=url_or_blank(url_name, r.pk), state=r.status)


#: The report states that some role's queue lists; their queues are read together in one query.
QUEUE_STATES = (
    EmissionReport.Status.DRAFT,
    EmissionReport.Status.RETURNED_TO_FIRM,
    EmissionReport.Status.UNDER_VERIFICATION,
    EmissionReport.Status.VERIFIED,
    EmissionReport.Status.REGULATOR_REVIEW,
    EmissionReport.Status.DETERMINATION_PROPOSED,
    EmissionReport.Status.CO_REVIEW,
)


def _report_buckets(user) -> dict[str, tuple[list[EmissionReport], int]]:
    """The first SECTION_LIMIT reports of each queue state and the count of each state, in one query
    (a row number and a count per state); within `sections_for` read once and kept on the user object."""
    cached = getattr(user, "_home_report_buckets", None)
    if cached is not None:
        return cached
    ordering = ("year", "firm__name", "pk")
    rows = (
        access.visible_to(user, EmissionReport)
        .filter(status__in=QUEUE_STATES)
        .annotate(
            queue_rank=Window(RowNumber(), partition_by=[F("status")], order_by=[F(o).asc() for o in ordering]),
            queue_total=Window(Count("pk"), partition_by=[F("status")]),
        )
        .filter(queue_rank__lte=SECTION_LIMIT)
        .select_related("firm")
        .order_by("status", *ordering)
    )
    buckets: dict[str, tuple[list[EmissionReport], int]] = {}
    for report in rows:
        items, _total = buckets.get(report.status, ([], 0))
        items.append(report)
        buckets[report.status] = (items, report.queue_total)
    if hasattr(user, "_home_report_buckets"):
        user._home_report_buckets = buckets
    return buckets


def report_queue(title, user, statuses, url_name: str = "ui:report_detail", more_url: str = "") -> Section:
    buckets = _report_buckets(user)
    reports = [r for s in statuses for r in buckets.get(s, ([], 0))[0]]
    count = sum(buckets.get(s, ([], 0))[1] for s in statuses)
    items = [_report_item(r, url_name) for r in sorted(reports, key=lambda r: (r.year, r.firm.name, r.pk))]
    return Section(title, items[:SECTION_LIMIT], more_url, count)


def _report_item(r: EmissionReport, url_name: str = "ui:report_detail") -> ActionItem:
    return ActionItem(label=str(r), url=url_or_blank(url_name, r.pk), state=r.status)


def _regulator(user) -> bool:
    return user.is_regulator or user.is_national_admin


# --- Firms -------------------------------------------------------------------------------------


@home_section
def firm_reports_to_complete(user) -> Section | None:
    if not user.is_firm_user:
        return None
    waiting = (EmissionReport.Status.DRAFT, EmissionReport.Status.RETURNED_TO_FIRM)
    return report_queue(_("Reports to complete or answer"), user, waiting, more_url=url_or_blank("ui:report_list"))


@home_section
def firm_plans_to_complete(user) -> Section | None:
    if not user.is_firm_user:
        return None
    plans = access.visible_to(user, MonitoringPlan).filter(status__in=MonitoringPlan.EDITABLE).select_related("firm")
    return queue(
        _("Monitoring plans to complete or correct"),
        plans.order_by("valid_from", "pk"),
        lambda p: ActionItem(str(p), url_or_blank("ui:plan_detail", p.pk), p.status, p.return_reason[:200]),
        url_or_blank("ui:plan_list"),
    )


@home_section
def firm_findings_to_answer(user) -> Section | None:
    if not user.is_firm_user:
        return None
    findings = (
        access.visible_to(user, Finding)
        .filter(status__in=[Finding.Status.OPEN, Finding.Status.REOPENED])
        .select_related("report__firm")
        .order_by("report_id", "pk")
    )
    return queue(
        _("Verification findings to answer"),
        findings,
        lambda f: ActionItem(
            f"{f.report} · {f}", url_or_blank("ui:report_verification", f.report_id), f.status, f.description[:200]
        ),
    )


# --- Verifiers and spot checkers ---------------------------------------------------------------


def _engagement_item(e: VerificationEngagement) -> ActionItem:
    return ActionItem(str(e), url_or_blank("ui:engagement_detail", e.pk), e.status)


def _engagements(user, *statuses):
    return (
        access.visible_to(user, VerificationEngagement)
        .filter(status__in=statuses)
        .select_related("firm", "body")
        .order_by("year", "firm__name", "pk")
    )


@home_section
def engagements_to_accept(user) -> Section | None:
    if not user.is_verifier:
        return None
    engagements = _engagements(user, VerificationEngagement.Status.ASSIGNED)
    return queue(
        _("Engagements to accept or decline"), engagements, _engagement_item, url_or_blank("ui:engagement_list")
    )


@home_section
def verification_plans_to_write(user) -> Section | None:
    if not user.is_verifier:
        return None
    engagements = _engagements(user, VerificationEngagement.Status.ACCEPTED).filter(plan__isnull=True)
    return queue(
        _("Verification plans to write"),
        engagements,
        lambda e: ActionItem(str(e), url_or_blank("ui:verification_plan", e.pk), e.status),
    )


@home_section
def reports_under_verification(user) -> Section | None:
    if not user.is_verifier:
        return None
    return report_queue(
        _("Reports under verification (findings, sign-off)"),
        user,
        [EmissionReport.Status.UNDER_VERIFICATION],
        "ui:report_verification",
    )


@home_section
def verifier_findings_answered(user) -> Section | None:
    if not user.is_verifier:
        return None
    findings = (
        access.visible_to(user, Finding)
        .filter(status=Finding.Status.ANSWERED)
        .select_related("report__firm")
        .order_by("report_id", "pk")
    )
    return queue(
        _("Findings answered by the firm, to close or reopen"),
        findings,
        lambda f: ActionItem(f"{f.report} · {f}", url_or_blank("ui:report_verification", f.report_id), f.status),
    )


@home_section
def spot_checks_to_do(user) -> Section | None:
    if not user.is_spot_checker:
        return None
    pending = (
        access.visible_to(user, SpotCheckItem)
        .filter(outcome=SpotCheckItem.Outcome.PENDING)
        .select_related("report__firm", "sample")
        .order_by("-sample__year", "report__firm__name")
    )
    return queue(
        _("Spot checks to do"),
        pending,
        lambda i: ActionItem(str(i.report), url_or_blank("ui:report_verification", i.report_id), i.report.status),
        url_or_blank("ui:spot_check_list"),
    )


# --- Regulators --------------------------------------------------------------------------------


@home_section
def plans_to_review(user) -> Section | None:
    if not _regulator(user):
        return None
    waiting = [MonitoringPlan.Status.SUBMITTED, MonitoringPlan.Status.THIRD_PARTY_CHECKED]
    plans = access.visible_to(user, MonitoringPlan).filter(status__in=waiting).select_related("firm")
    return queue(
        _("Monitoring plans to review"),
        plans.order_by("submitted_at", "pk"),
        lambda p: ActionItem(str(p), url_or_blank("ui:plan_detail", p.pk), p.status),
        url_or_blank("ui:plan_list"),
    )


@home_section
def engagements_to_assign(user) -> Section | None:
    if not _regulator(user):
        return None
    engagements = _engagements(
        user, VerificationEngagement.Status.AWAITING_ASSIGNMENT, VerificationEngagement.Status.DECLINED
    )
    return queue(_("Reports awaiting a verifier"), engagements, _engagement_item, url_or_blank("ui:engagement_list"))


@home_section
def verified_reports(user) -> Section | None:
    if not _regulator(user):
        return None
    return report_queue(
        _("Verified reports to take under review or sample"), user, [EmissionReport.Status.VERIFIED], "ui:report_review"
    )


@home_section
def spot_check_results(user) -> Section | None:
    if not _regulator(user):
        return None
    done = (
        access.visible_to(user, SpotCheckItem)
        .exclude(outcome=SpotCheckItem.Outcome.PENDING)
        .filter(report__status=EmissionReport.Status.SPOT_CHECK)
        .select_related("report__firm")
        .order_by("report__firm__name", "pk")
    )
    return queue(
        _("Spot-check results to act on"),
        done,
        lambda i: ActionItem(
            str(i.report), url_or_blank("ui:report_review", i.report_id), i.report.status, i.get_outcome_display()
        ),
        url_or_blank("ui:spot_check_list"),
    )


@home_section
def regulator_queue(user) -> Section | None:
    if not _regulator(user):
        return None
    return report_queue(_("Reports under review"), user, [EmissionReport.Status.REGULATOR_REVIEW], "ui:report_review")


@home_section
def determinations_to_decide(user) -> Section | None:
    if not _regulator(user):
        return None
    return report_queue(
        _("Determinations to approve"), user, [EmissionReport.Status.DETERMINATION_PROPOSED], "ui:report_review"
    )


@home_section
def quarterly_co_review(user) -> Section | None:
    if not (user.role == user.Role.STATISTICS_OFFICER or _regulator(user)):
        return None
    return report_queue(
        _("Quarterly reports in co-review"), user, [EmissionReport.Status.CO_REVIEW], "ui:report_review"
    )


def named_sections_for(user) -> list[tuple[str, Section]]:
    """Every section of the user's role with its function's name (the API's queue key); the reads several
    sections share are made once for this call."""
    user._home_report_buckets = None
    user._deadline_calendar = {}
    return [(func.__name__, section) for func in SECTIONS if (section := func(user)) is not None]


def sections_for(user) -> list[Section]:
    return [section for _name, section in named_sections_for(user)]


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
    rows = list(AuditLog.objects.filter(condition).select_related("actor").order_by("-at", "-id")[:limit])
    return with_current_names(rows)


def with_current_names(rows: list[AuditLog]) -> list[AuditLog]:
    """Name each row's object as it reads now, in the reader's language (`object_repr` was written in the
    writer's); one query per kind of object."""
    by_type: dict[int, set[str]] = {}
    for row in rows:
        by_type.setdefault(row.content_type_id, set()).add(row.object_id)
    names: dict[tuple[int, str], str] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        pks = [i for i in ids if i.isdigit()]
        for obj in model._default_manager.filter(pk__in=pks).select_related():
            names[(type_id, str(obj.pk))] = str(obj)
    for row in rows:
        row.object_repr = names.get((row.content_type_id, row.object_id), row.object_repr)
    return rows


#: Functions (user, today) -> deadlines with days left; the deadlines app registers its own in ready().
#: A source may return only the first of its deadlines: a list with `total` (how many in all) and
#: `more_url` (where the rest are listed).
UPCOMING_SOURCES: list[Callable] = []


class UpcomingList(list):
    """The upcoming deadlines shown, with how many there are in all and where the rest are listed."""

    total: int = 0
    more_url: str = ""


def upcoming_deadlines(user, today: datetime.date) -> UpcomingList:
    """Deadlines with days left, from every registered source (mrv imports no app above it)."""
    result = UpcomingList()
    for source in UPCOMING_SOURCES:
        items = source(user, today)
        result.extend(items)
        result.total += getattr(items, "total", len(items))
        if len(items) < getattr(items, "total", 0) and not result.more_url:
            result.more_url = items.more_url
    return result
