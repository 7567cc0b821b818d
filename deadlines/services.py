"""The only code of this app that writes: notifications, extensions, reminders and the periodic work.

Every periodic job is safe to run again, from a retried task or a second beat process: the row
that records the work done (a report, a `Reminder`, a `DueWorkDone`, a `QuarterlySnapshot`) is
unique, and whatever the job sends is written in the same transaction as that row.
"""

import datetime
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mrv import outbox
from mrv.audit import log_action
from mrv.coverage import covered_firms
from mrv.delivery import deliver_once
from mrv.models import (
    DeadlineExtension,
    DeadlineRule,
    EmissionReport,
    Firm,
    Market,
    MonitoringPlan,
    User,
    VerificationBody,
    VerificationEngagement,
)
from mrv.models.clocks import WorkDeadline
from mrv.refusals import Refused

from . import early_warning, hooks, work_deadlines
from .calendar import QUARTERLY_KINDS, Deadline, RulePackCache, firm_deadlines, market_due_date
from .clock import last_finished_quarter
from .messages import notification_text
from .models import DueWorkDone, EarlyWarning, Notification, QuarterlySnapshot, Reminder

DEFAULT_FROM_DOMAIN = re.compile(r"@([A-Za-z0-9.-]+)>?\s*$")

log = logging.getLogger(__name__)


class ExtensionRefused(Refused, ValueError):
    """A deadline extension refused for its input (days, reason, deadline)."""

    default_code = "extension"


EXTENSION_NOT_REGULATOR = _("Only the firm's regulator may extend its deadlines.")
EXTENSION_DAYS_RANGE = _("The extension must be between 1 and 365 days.")
EXTENSION_REASON_REQUIRED = _("Please give a reason for the extension.")
EXTENSION_UNKNOWN_DEADLINE = _("The market has no “%(kind)s” deadline for %(year)s.")

#: Market-wide jobs are not started for due dates longer ago than this.
CATCH_UP_DAYS = 60
EMAIL_TASK = "deadlines.send_notification_emails"
Q = EmissionReport.Period
FIRM_KINDS = {
    WorkDeadline.FINDING_RESPONSE,
    WorkDeadline.MONTHLY_DEPOSIT,
    DeadlineRule.Kind.MONITORING_PLAN,
    DeadlineRule.Kind.ANNUAL_REPORT,
    DeadlineRule.Kind.COMPLIANCE,
    *QUARTERLY_KINDS,
}
QUARTER_PERIODS = {1: Q.Q1, 2: Q.Q2, 3: Q.Q3, 4: Q.Q4}


# --- Notifications -----------------------------------------------------------------------------


def notify(recipients: Iterable[User], kind: str, params: dict, *, url: str = "") -> list[Notification]:
    """In-app notifications for each recipient, and their emails queued through the outbox."""
    rows = [
        Notification(recipient=u, kind=kind, params=params, url=url) for u in {u.pk: u for u in recipients}.values()
    ]
    if not rows:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        outbox.enqueue(EMAIL_TASK, notification_ids=[n.pk for n in created])
    return created


def notification_mark_read(*, notification: Notification, acting_user: User) -> None:
    if notification.recipient_id != acting_user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())


def notifications_mark_all_read(*, acting_user: User) -> int:
    return Notification.objects.filter(recipient=acting_user, read_at=None).update(read_at=timezone.now())


def _render_both_languages(name: str, context: dict) -> tuple[str, str, str]:
    parts = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            context = {**context, "text": notification_text(context["notification"])}
            parts[language] = [
                render_to_string(f"emails/{name}-{p}.html", context).strip()
                for p in ("subject", "body-text", "body-html")
            ]
    (zh_s, zh_t, zh_h), (en_s, en_t, en_h) = parts["zh-hans"], parts["en"]
    subject = zh_s if zh_s == en_s else f"{zh_s} / {en_s}"
    return " ".join(subject.split()), f"{zh_t}\n\n————\n\n{en_t}", f"{zh_h}\n<hr>\n{en_h}"


def email_template_for(notification: Notification) -> str:
    deadline_kinds = {
        Notification.Kind.DEADLINE_REMINDER,
        Notification.Kind.DEADLINE_OVERDUE,
        Notification.Kind.DEADLINE_ESCALATION,
        Notification.Kind.EXTENSION_GRANTED,
    }
    return "deadline-reminder" if notification.kind in deadline_kinds else "notification"


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, once, even if the worker dies mid-task (mrv/delivery.py)."""
    n = Notification.objects.select_related("recipient").filter(pk=notification_id, emailed_at=None).first()
    if n is None or not n.recipient.email:
        return False
    context = {"notification": n, "recipient": n.recipient, "link": settings.SITE_URL.rstrip("/") + (n.url or "/")}
    subject, text, html = _render_both_languages(email_template_for(n), context)

    def send(delivery_id: str) -> None:
        domain = DEFAULT_FROM_DOMAIN.search(settings.DEFAULT_FROM_EMAIL)
        headers = {"Message-ID": f"<{delivery_id}@{domain.group(1) if domain else 'carbon-mrv.local'}>"}
        message = EmailMultiAlternatives(subject, text, to=[n.recipient.email], headers=headers)
        message.attach_alternative(html, "text/html")
        message.send()

    def stamp() -> None:
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())

    return deliver_once(key=f"notification-email:{n.pk}", recipient=n.recipient.email, send=send, on_delivered=stamp)


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)


# --- Who must act ------------------------------------------------------------------------------


class Recipients:
    """The people to tell, loaded once per scan for a set of firms."""

    def __init__(self, firms: list[Firm], years: Iterable[int]):
        users = User.objects.filter(is_active=True)
        self.firm_users = defaultdict(list)
        for u in users.filter(firm__in=firms, role__in=User.FIRM_ROLES):
            self.firm_users[u.firm_id].append(u)
        self.regulators = defaultdict(list)
        markets = {f.market_id for f in firms}
        for u in users.filter(authority__market_id__in=markets, role__in=User.REGULATOR_ROLES).select_related(
            "authority"
        ):
            self.regulators[u.authority.market_id].append(u)
        engaged = VerificationEngagement.objects.filter(firm__in=firms, year__in=list(years), body__isnull=False)
        engaged = engaged.exclude(
            status__in=[VerificationEngagement.Status.AWAITING_ASSIGNMENT, VerificationEngagement.Status.DECLINED]
        )
        body_of = {(e.firm_id, e.year): e.body_id for e in engaged}
        verifiers = defaultdict(list)
        for u in users.filter(body_id__in=set(body_of.values()), role__in=User.VERIFIER_ROLES):
            verifiers[u.body_id].append(u)
        self.verifiers = {key: verifiers[body_id] for key, body_id in body_of.items()}

    def who_must_act(self, deadline: Deadline) -> list[User]:
        firm = deadline.firm
        if deadline.kind in FIRM_KINDS:
            return self.firm_users[firm.pk]
        if deadline.kind == DeadlineRule.Kind.VERIFICATION:
            return self.verifiers.get((firm.pk, deadline.year)) or self.regulators[firm.market_id]
        return self.regulators[firm.market_id]

    def regulators_of(self, firm: Firm) -> list[User]:
        return self.regulators[firm.market_id]


# --- Is a deadline met? ------------------------------------------------------------------------

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


# --- Reminders ---------------------------------------------------------------------------------


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


# --- Extensions --------------------------------------------------------------------------------


def deadline_extension_grant(
    *, firm: Firm, year: int, kind: str, extra_days: int, reason: str, acting_user: User
) -> DeadlineExtension:
    """The regulator gives one firm more days for one deadline; audited, and the firm is told."""
    if not (acting_user.is_regulator and acting_user.market_id == firm.market_id):
        raise PermissionDenied(EXTENSION_NOT_REGULATOR)
    if not 1 <= extra_days <= 365:
        raise ExtensionRefused(EXTENSION_DAYS_RANGE)
    if not (reason or "").strip():
        raise ExtensionRefused(EXTENSION_REASON_REQUIRED)
    if market_due_date(firm.market, year, kind) is None:
        raise ExtensionRefused(EXTENSION_UNKNOWN_DEADLINE % {"kind": kind, "year": year})
    with transaction.atomic():
        extension = DeadlineExtension.objects.select_for_update().filter(firm=firm, year=year, kind=kind).first()
        before = extension.extra_days if extension else 0
        if extension is None:
            extension = DeadlineExtension(firm=firm, year=year, kind=kind)
        extension.extra_days, extension.reason, extension.granted_by = extra_days, reason.strip(), acting_user
        extension.save()
        log_action(
            extension,
            "deadlines.extension.granted",
            actor=acting_user,
            changes={"extra_days": (before, extra_days)},
            reason=extension.reason,
        )
        deadline = next(d for d in firm_deadlines([firm], [year]) if d.kind == kind)
        params = {
            "firm": firm.name,
            "firm_id": firm.pk,
            "year": year,
            "deadline": kind,
            "due_date": deadline.due_date.isoformat(),
            "extra_days": extra_days,
        }
        people = Recipients([firm], [year])
        notify(
            people.who_must_act(deadline),
            Notification.Kind.EXTENSION_GRANTED,
            params,
            url=reverse("deadlines:calendar"),
        )
    return extension


# --- Annual roll-over and quarterly drafts -----------------------------------------------------


def _market_params(market: Market) -> dict:
    return {"market_zh": market.name_zh, "market_en": market.name_en, "market_id": market.pk}


def _markets(market_id: int | None):
    markets = Market.objects.all()
    return markets.filter(pk=market_id) if market_id else markets


def _open_report(firm: Firm, year: int, period: str) -> bool:
    """Create the firm's draft report for the period; False if it exists (another run made it)."""
    report, created = EmissionReport.objects.get_or_create(
        firm=firm, year=year, period=period, defaults={"market_id": firm.market_id}
    )
    if created:
        log_action(report, "deadlines.rollover.report_opened", reason="periodic work")
    return created


def rollover_open_year(*, year: int, market_id: int | None = None) -> int:
    """At the start of a compliance year, per covered firm (the approved list's, else the register's): the
    draft annual report and an engagement awaiting assignment (also for a report opened earlier)."""
    opened, packs = 0, RulePackCache()
    for market in _markets(market_id):
        if packs.get(market, year) is None:
            continue
        has_report = EmissionReport.objects.filter(market=market, year=year, period=Q.ANNUAL).values("firm_id")
        has_engagement = VerificationEngagement.objects.filter(market=market, year=year).values("firm_id")
        firms = covered_firms(market, year).exclude(pk__in=has_report, id__in=has_engagement).select_related("market")
        for firm in firms:
            with transaction.atomic():
                created = _open_report(firm, year, Q.ANNUAL)
                if not VerificationEngagement.objects.filter(firm=firm, year=year).exists():
                    engagement = VerificationEngagement.objects.create(firm=firm, market=market, year=year)
                    log_action(engagement, "deadlines.rollover.engagement_opened", reason="periodic work")
                opened += created
    return opened


def quarterly_open_reports(*, today: datetime.date, market_id: int | None = None) -> int:
    """After a quarter ends: the quarterly report drafts where the market requires them, and a reminder."""
    year, quarter = last_finished_quarter(today)
    kind, opened, packs = f"q{quarter}_report", 0, RulePackCache()
    for market in _markets(market_id):
        pack = packs.get(market, year)
        if pack is None or not pack.quarterly_reporting:
            continue
        has_report = EmissionReport.objects.filter(market=market, year=year, period=QUARTER_PERIODS[quarter])
        firms = list(covered_firms(market, year).exclude(pk__in=has_report.values("firm_id")).select_related("market"))
        if not firms:
            continue
        due = {d.firm.pk: d for d in firm_deadlines(firms, [year], packs=packs) if d.kind == kind}
        recipients = Recipients(firms, [year])
        for firm in firms:
            with transaction.atomic():
                if not _open_report(firm, year, QUARTER_PERIODS[quarter]):
                    continue
                params = {
                    "firm": firm.name,
                    "firm_id": firm.pk,
                    "year": year,
                    "quarter": quarter,
                    "due_date": due[firm.pk].due_date.isoformat() if firm.pk in due else "",
                }
                notify(
                    recipients.firm_users[firm.pk],
                    Notification.Kind.QUARTERLY_REPORT_OPENED,
                    params,
                    url=reverse("deadlines:calendar"),
                )
                opened += 1
    return opened


# --- Quarterly snapshot and early warning ------------------------------------------------------


def _quarterly_figures(market: Market, years: list[int]) -> dict[int, dict[int, dict[int, object]]]:
    """{firm id: {year: {quarter: tCO2e}}} of the counted quarterly reports."""
    figures = defaultdict(lambda: defaultdict(dict))
    reports = EmissionReport.objects.filter(market=market, year__in=years, status__in=hooks.COUNTED_QUARTERLY_STATUSES)
    for report in reports.exclude(period=Q.ANNUAL):
        value = hooks.report_emissions_tco2e(report)
        if value is not None:
            figures[report.firm_id][report.year][int(report.period[1])] = value
    return figures


def quarterly_snapshot_build(*, market: Market, year: int, quarter: int) -> QuarterlySnapshot | None:
    """Emissions by sector so far and each firm's projection against its allocation; None if built before."""
    figures = _quarterly_figures(market, [year - 3, year - 2, year - 1, year])
    firms = {f.pk: f for f in Firm.objects.filter(pk__in=list(figures)).select_related("sector")}
    with transaction.atomic():
        snapshot, created = QuarterlySnapshot.objects.get_or_create(market=market, year=year, quarter=quarter)
        if not created:
            return None
        by_sector, warnings = defaultdict(int), []
        for firm_id, years in sorted(figures.items()):
            this_year = years.get(year, {})
            if any(q not in this_year for q in range(1, quarter + 1)):
                continue  # incomplete: the overdue notices deal with it
            history = [years[y] for y in sorted(years) if y < year]
            projection = early_warning.project(this_year, quarter, history)
            by_sector[firms[firm_id].sector.code] += projection.so_far_tco2e
            allocation = hooks.allocation_for(firms[firm_id], year)
            warnings.append(
                EarlyWarning(
                    snapshot=snapshot,
                    firm=firms[firm_id],
                    emissions_so_far_tco2e=projection.so_far_tco2e,
                    share_so_far=projection.share,
                    seasonally_adjusted=projection.seasonally_adjusted,
                    projected_tco2e=projection.projected_tco2e,
                    allocation_tco2e=allocation,
                    shortfall_tco2e=early_warning.shortfall(projection.projected_tco2e, allocation),
                )
            )
        EarlyWarning.objects.bulk_create(warnings)
        snapshot.emissions_by_sector = {code: str(total) for code, total in sorted(by_sector.items())}
        snapshot.save(update_fields=["emissions_by_sector"])
        short = sum(1 for w in warnings if w.shortfall_tco2e > 0)
        regulators = User.objects.filter(is_active=True, role__in=User.REGULATOR_ROLES, authority__market=market)
        notify(
            regulators,
            Notification.Kind.QUARTERLY_SNAPSHOT,
            {
                **_market_params(market),
                "year": year,
                "quarter": quarter,
                "short_count": short,
                "snapshot_id": snapshot.pk,
            },
            url=reverse("deadlines:snapshot", args=[snapshot.pk]),
        )
    return snapshot


def quarterly_snapshots_build_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """The snapshot of each quarter whose report deadline has passed (in the last CATCH_UP_DAYS)."""
    built, packs = 0, RulePackCache()
    latest = last_finished_quarter(today)
    quarters = [latest, last_finished_quarter(datetime.date(latest[0], 3 * latest[1] - 2, 1))]
    for market in _markets(market_id):
        for year, quarter in quarters:
            pack = packs.get(market, year)
            if pack is None or not pack.quarterly_reporting:
                continue
            due = market_due_date(market, year, f"q{quarter}_report", packs)
            if due and 0 < (today - due).days <= CATCH_UP_DAYS:
                built += quarterly_snapshot_build(market=market, year=year, quarter=quarter) is not None
    return built


# --- After the verification and compliance deadlines -------------------------------------------


def _markets_past(kind: str, today: datetime.date, market_id: int | None, wanted=lambda pack: True):
    packs = RulePackCache()
    for market in _markets(market_id):
        for year in (today.year - 1, today.year):
            pack = packs.get(market, year)
            if pack is None or year < market.first_compliance_year or not wanted(pack):
                continue
            due = market_due_date(market, year, kind, packs)
            if due and 0 < (today - due).days <= CATCH_UP_DAYS:
                yield market, year


def _once(job: str, market: Market, year: int) -> bool:
    """Record the job as done inside the caller's transaction; False if it was done before."""
    try:
        with transaction.atomic():
            DueWorkDone.objects.create(job=job, market=market, year=year)
    except IntegrityError:
        return False
    return True


def spot_checks_draw_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """Once a spot-check market's verification deadline has passed: draw the sample and tell the spot-check bodies."""
    drawn = 0
    for market, year in _markets_past(DeadlineRule.Kind.VERIFICATION, today, market_id, lambda p: p.spot_check):
        with transaction.atomic():
            if not _once(DueWorkDone.Job.SPOT_CHECK_DRAW, market, year):
                continue
            sample = hooks.draw_spot_check_sample(market=market, year=year)
            if sample is None:
                continue  # drawn before by hand: recorded as done, the bodies were told then
            items = getattr(sample, "items", None)
            drawn_bodies = set(items.exclude(body=None).values_list("body_id", flat=True)) if items else set()
            registered = VerificationBody.objects.filter(
                kind=VerificationBody.Kind.SPOT_CHECK, registrations__market=market
            ).values("pk")
            bodies = drawn_bodies or registered
            checkers = User.objects.filter(is_active=True, role=User.Role.SPOT_CHECKER, body__in=bodies)
            notify(checkers, Notification.Kind.SPOT_CHECK_DRAWN, {**_market_params(market), "year": year})
            drawn += 1
    return drawn


def compliance_mark_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """Once a market's compliance deadline has passed: mark the non-compliant firm-years and tell the regulator."""
    marked = 0
    for market, year in _markets_past(DeadlineRule.Kind.COMPLIANCE, today, market_id):
        with transaction.atomic():
            if not _once(DueWorkDone.Job.COMPLIANCE_MARKING, market, year):
                continue
            records = hooks.mark_non_compliant(market=market, year=year, today=today)
            params = {**_market_params(market), "year": year, "count": len(records)}
            regulators = User.objects.filter(is_active=True, role__in=User.REGULATOR_ROLES, authority__market=market)
            notify(regulators, Notification.Kind.NON_COMPLIANCE_MARKED, params)
            short = User.objects.filter(is_active=True, firm__in={r.firm_id for r in records}, role__in=User.FIRM_ROLES)
            by_firm = defaultdict(list)
            for person in short.select_related("firm"):
                by_firm[person.firm].append(person)
            for firm, people in by_firm.items():
                notify(
                    people, Notification.Kind.FIRM_NON_COMPLIANT, {"firm": firm.name, "firm_id": firm.pk, "year": year}
                )
            marked += 1
    return marked


def due_work_run(*, today: datetime.date, market_id: int | None = None) -> dict[str, int]:
    """All the periodic work due on `today`, in order (used by `run_due_work` and the daily task)."""
    return {
        "reports_opened": rollover_open_year(year=today.year, market_id=market_id),
        "quarterly_reports_opened": quarterly_open_reports(today=today, market_id=market_id),
        "reminders_sent": reminders_send_due(today=today, market_id=market_id),
        "snapshots_built": quarterly_snapshots_build_due(today=today, market_id=market_id),
        "spot_check_draws": spot_checks_draw_due(today=today, market_id=market_id),
        "compliance_markings": compliance_mark_due(today=today, market_id=market_id),
    }
