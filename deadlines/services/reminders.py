"""Which deadlines are met, and the reminders before and after a due date (each sent once)."""

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from deadlines import work_deadlines
from deadlines.calendar import Deadline, RulePackCache, firm_deadlines
from deadlines.models import Notification, Reminder
from deadlines.services.common import Q, Recipients
from deadlines.services.notifications import EMAIL_TASK
from mrv import outbox
from mrv.models import (
    DeadlineRule,
    EmissionReport,
    Firm,
    MonitoringPlan,
)

S = EmissionReport.Status
_REPORT_MET = {
    DeadlineRule.Kind.ANNUAL_REPORT: set(S) - {S.DRAFT, S.RETURNED_TO_FIRM},
    DeadlineRule.Kind.VERIFICATION: {
        S.VERIFIED,
        S.SPOT_CHECK,
        S.REGULATOR_REVIEW,
        S.DETERMINATION_PROPOSED,
        S.DETERMINED,
        S.CLOSED,
    },
    DeadlineRule.Kind.REVIEW: {S.DETERMINED, S.CLOSED},
    DeadlineRule.Kind.COMPLIANCE: {S.CLOSED},
}


def met_deadlines(firms: list[Firm], years: Iterable[int]) -> set[tuple[int, int, str]]:
    """(firm id, year, kind) of the deadlines already met, from the plans' and reports' states."""
    return set(met_on(firms, years))


def _local_date(moment) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def met_on(firms: list[Firm], years: Iterable[int]) -> dict[tuple[int, int, str], datetime.date | None]:
    """The deadlines already met, with the date they were met where it is recorded (a plan's or report's
    submission; later stages of a report keep no date of their own: None)."""
    years = list(years)
    handed_in = MonitoringPlan.objects.filter(firm__in=firms).exclude(status__in=MonitoringPlan.EDITABLE)
    met: dict[tuple[int, int, str], datetime.date | None] = {}
    for firm_id, valid_from, submitted_at in handed_in.order_by("-submitted_at").values_list(
        "firm_id", "valid_from", "submitted_at"
    ):
        for year in years:
            if valid_from.year <= year:
                met[(firm_id, year, DeadlineRule.Kind.MONITORING_PLAN)] = _local_date(submitted_at)
    reports = EmissionReport.objects.filter(firm__in=firms, year__in=list(years)).values_list(
        "firm_id", "year", "period", "status", "submitted_at"
    )
    for firm_id, year, period, status, submitted_at in reports:
        if period == Q.ANNUAL:
            for kind, done in _REPORT_MET.items():
                if status in done:
                    met[(firm_id, year, kind)] = (
                        _local_date(submitted_at) if kind == DeadlineRule.Kind.ANNUAL_REPORT else None
                    )
        elif status != S.DRAFT:
            met[(firm_id, year, f"{period}_report")] = _local_date(submitted_at)
    return met


def met_condition(year: int, kind: str) -> Exists | None:
    """The firms (a condition on `Firm`) that met their `kind` deadline of `year`, as `met_on` reads it,
    for set-based queues; None where nothing meets that kind (the work's own deadlines: unmet while listed)."""
    if kind == DeadlineRule.Kind.MONITORING_PLAN:
        plans = MonitoringPlan.objects.filter(firm=OuterRef("pk"), valid_from__year__lte=year)
        return Exists(plans.exclude(status__in=MonitoringPlan.EDITABLE))
    reports = EmissionReport.objects.filter(firm=OuterRef("pk"), year=year)
    if kind in _REPORT_MET:
        return Exists(reports.filter(period=Q.ANNUAL, status__in=_REPORT_MET[kind]))
    period = kind.removesuffix("_report")
    if period in Q.values and period != Q.ANNUAL:
        return Exists(reports.filter(period=period).exclude(status=S.DRAFT))
    return None


def _stage_due(deadline: Deadline, today: datetime.date, offsets: list[int]) -> list[tuple[str, int]]:
    days_left = deadline.days_left(today)
    if 0 <= days_left <= offsets[-1]:
        # The nearest offset not yet passed: a scan that missed a day still sends that reminder.
        return [(Reminder.Stage.BEFORE, min(o for o in offsets if o >= days_left))]
    if days_left < 0:
        late = -days_left
        return [(Reminder.Stage.OVERDUE, -overdue_step(late)), (Reminder.Stage.ESCALATION, -escalation_step(late))]
    return []


#: After a deadline: an overdue notice on the first day, after a week, after a month and then monthly;
#: an escalation to the regulator on the first day and then monthly, until the obligation is met.
#: Each step is one `Reminder` row (offset_days = −step), so it is sent once; a missed scan sends the latest step.
OVERDUE_STEPS_DAYS = (0, 7)
REPEAT_EVERY_DAYS = 30


def escalation_step(days_late: int) -> int:
    return REPEAT_EVERY_DAYS * (days_late // REPEAT_EVERY_DAYS)


def overdue_step(days_late: int) -> int:
    return escalation_step(days_late) or max(step for step in OVERDUE_STEPS_DAYS if step <= days_late)


def _reminder_params(deadline: Deadline, today: datetime.date) -> dict:
    return {
        "firm": deadline.firm.name,
        "firm_id": deadline.firm.pk,
        "year": deadline.year,
        "deadline": deadline.kind,
        "due_date": deadline.due_date.isoformat(),
        "days_left": deadline.days_left(today),
    }


STAGE_NOTICE = {
    Reminder.Stage.BEFORE: Notification.Kind.DEADLINE_REMINDER,
    Reminder.Stage.OVERDUE: Notification.Kind.DEADLINE_OVERDUE,
    Reminder.Stage.ESCALATION: Notification.Kind.DEADLINE_ESCALATION,
}
REMINDER_BATCH = 500
EMAILS_PER_TASK = 200


def _reminder_key(deadline: Deadline, stage: str, offset_days: int) -> tuple:
    return (deadline.firm.pk, deadline.year, deadline.kind, deadline.due_date, offset_days, stage)


def reminders_send(*, due: list[tuple[Deadline, str, int]], today: datetime.date, recipients: Recipients) -> int:
    """Send each (deadline, stage, offset) whose `Reminder` row this call inserts; returns how many.

    The rows go in with ON CONFLICT DO NOTHING, tagged with this call's batch id: the rows that carry
    it are the ones nobody sent before (a concurrent run waits on the unique index, then skips them).
    """
    batch = uuid.uuid4()
    rows = [
        Reminder(firm=d.firm, year=d.year, kind=d.kind, due_date=d.due_date, offset_days=o, stage=s, batch=batch)
        for d, s, o in due
    ]
    url = reverse("deadlines:calendar")
    with transaction.atomic():
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        mine = set(
            Reminder.objects.filter(batch=batch).values_list(
                "firm_id", "year", "kind", "due_date", "offset_days", "stage"
            )
        )
        notes = []
        for d, s, o in due:
            if _reminder_key(d, s, o) not in mine:
                continue
            people = recipients.regulators_of(d.firm) if s == Reminder.Stage.ESCALATION else recipients.who_must_act(d)
            params = _reminder_params(d, today)
            notes += [Notification(recipient=u, kind=STAGE_NOTICE[s], params=params, url=url) for u in people]
        created = Notification.objects.bulk_create(notes)
        for i in range(0, len(created), EMAILS_PER_TASK):
            outbox.enqueue(EMAIL_TASK, notification_ids=[n.pk for n in created[i : i + EMAILS_PER_TASK]])
    return len(mine)


def reminders_send_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """Send the reminders, overdue notices and escalations due on `today` (a Shanghai date)."""
    offsets = sorted(settings.REMINDER_OFFSETS_DAYS)
    years = work_deadlines.scan_years(today)  # every year: an unmet deadline is overdue at any age
    firms = Firm.objects.filter(is_active=True).select_related("market", "sector")
    firms = list(firms.filter(market_id=market_id) if market_id else firms)
    met, packs = met_deadlines(firms, years), RulePackCache()
    deadlines = firm_deadlines(firms, years, packs=packs) + work_deadlines.work_deadlines(firms, years, packs)
    due = [
        (d, stage, offset)
        for d in deadlines
        if (d.firm.pk, d.year, d.kind) not in met
        for stage, offset in _stage_due(d, today, offsets)
    ]
    if not due:
        return 0
    sent_before = set(
        Reminder.objects.filter(
            firm__in={d.firm.pk for d, _s, _o in due}, due_date__gte=min(d.due_date for d, _s, _o in due)
        ).values_list("firm_id", "year", "kind", "due_date", "offset_days", "stage")
    )
    due = [(d, s, o) for d, s, o in due if (d.firm.pk, d.year, d.kind, d.due_date, o, s) not in sent_before]
    recipients = Recipients(list({d.firm.pk: d.firm for d, _s, _o in due}.values()), years)
    return sum(
        reminders_send(due=due[i : i + REMINDER_BATCH], today=today, recipients=recipients)
        for i in range(0, len(due), REMINDER_BATCH)
    )
