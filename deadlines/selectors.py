"""Reads: the deadline calendar a user may see, and their notifications."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mrv import access
from mrv.models import Firm, User

from .calendar import FIRM_KINDS, VERIFIER_KINDS, Deadline, RulePackCache, firm_deadlines
from .models import EarlyWarning, Notification, QuarterlySnapshot
from .queues import QueueReads, deadline_queue
from .work_deadlines import work_deadlines

UPCOMING_DAYS = 60
RECENTLY_OVERDUE_DAYS = 30


def kinds_to_meet(user: User) -> frozenset[str] | None:
    """The deadline kinds `user` acts on, for "what needs my action" (None: every kind, the regulators')."""
    if user.is_firm_user:
        return FIRM_KINDS
    if user.is_verifier or user.is_spot_checker:
        return VERIFIER_KINDS
    return None


def deadline_calendar(user: User, today: datetime.date, *, years: list[int] | None = None) -> list[Deadline]:
    """Every deadline of the firms `user` may see, for the given compliance years (default: last, this, next),
    built one by one (the calendar page and the API page through it). The home page's queues do not build it:
    they count and page set-based (`overdue_queue`, `upcoming_queue`), and must give the same answers."""
    years = years or [today.year - 1, today.year, today.year + 1]
    memo = getattr(user, "_deadline_calendar", None)
    key = (today, tuple(years))
    if memo is not None and key in memo:
        return memo[key]
    firms = list(access.visible_to(user, Firm).filter(is_active=True).select_related("market", "sector"))
    packs = RulePackCache()
    # The work's own deadlines too (a report's response to findings, unmet monthly deposits).
    deadlines = firm_deadlines(firms, years, packs=packs) + work_deadlines(firms, years, packs)
    deadlines.sort(key=lambda d: (d.due_date, d.firm.name, d.kind))
    if memo is not None:
        memo[key] = deadlines
    return deadlines


@dataclass(frozen=True)
class UpcomingDeadline:
    """A deadline as the home page lists it: label, due date, days left (negative: overdue), link."""

    deadline: Deadline
    days_left: int
    url: str

    @property
    def label(self) -> str:
        d = self.deadline
        return _("%(firm)s: %(deadline)s %(year)s") % {"firm": d.firm.name, "deadline": d.label, "year": d.year}

    @property
    def due(self) -> datetime.date:
        return self.deadline.due_date

    @property
    def kind(self) -> str:
        return self.deadline.kind

    @property
    def year(self) -> int:
        return self.deadline.year


def upcoming_deadlines(
    user: User, today: datetime.date, *, within_days: int = UPCOMING_DAYS, overdue_days: int = RECENTLY_OVERDUE_DAYS
) -> list[UpcomingDeadline]:
    """Deadlines due in the next `within_days` days, and those recently passed, one by one from the calendar
    (the home page shows the first of them, set-based: `upcoming_queue`)."""
    url, kinds = reverse("deadlines:calendar"), kinds_to_meet(user)
    return [
        UpcomingDeadline(d, d.days_left(today), url)
        for d in deadline_calendar(user, today)
        if -overdue_days <= d.days_left(today) <= within_days and (kinds is None or d.kind in kinds)
    ]


def notifications_for(user: User):
    return access.visible_to(user, Notification)


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at=None).count()


def notification_visible(*, user: User, pk: int) -> Notification:
    """One of `user`'s notifications; else 404."""
    return get_object_or_404(notifications_for(user), pk=pk)


def snapshot_visible(*, user: User, pk: int) -> QuarterlySnapshot:
    """A quarterly snapshot `user` may see, with its market; else 404."""
    return get_object_or_404(access.visible_to(user, QuarterlySnapshot).select_related("market"), pk=pk)


def snapshot_warnings(*, snapshot: QuarterlySnapshot) -> QuerySet[EarlyWarning]:
    """The early warnings of a snapshot, with their firms and sectors."""
    return EarlyWarning.objects.filter(snapshot=snapshot).select_related("firm", "firm__sector")


def firm_visible(*, user: User, pk: int) -> Firm:
    """A firm `user` may see (`mrv.access.can_view`), with its market; else 404."""
    firm = get_object_or_404(Firm.objects.select_related("market"), pk=pk)
    if not access.can_view(user, firm):
        raise Http404
    return firm


@dataclass(frozen=True)
class DeadlineRow:
    """A deadline with its status today: met (on `met_on`, when recorded), open (`days_left`) or overdue."""

    deadline: Deadline
    status: str  # "met", "open" or "overdue"
    days_left: int
    met_on: datetime.date | None = None

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def deadline_rows(deadlines: list[Deadline], today: datetime.date) -> list[DeadlineRow]:
    """Each deadline's status, in a fixed number of queries."""
    from deadlines.services.reminders import met_on

    met = met_on(list({d.firm.pk: d.firm for d in deadlines}.values()), {d.year for d in deadlines})
    rows = []
    for d in deadlines:
        key, days_left = (d.firm.pk, d.year, d.kind), d.days_left(today)
        if key in met:
            rows.append(DeadlineRow(d, "met", days_left, met[key]))
        else:
            rows.append(DeadlineRow(d, "overdue" if days_left < 0 else "open", days_left))
    return rows


def overdue_deadlines(user: User, today: datetime.date) -> list[UpcomingDeadline]:
    """Deadlines `user` must meet (of the firms they may see) that passed unmet, longest overdue first, one by
    one from the calendar (the home page counts and pages them set-based: `overdue_queue`)."""
    kinds = kinds_to_meet(user)
    passed = [
        d for d in deadline_calendar(user, today) if d.days_left(today) < 0 and (kinds is None or d.kind in kinds)
    ]
    url = reverse("deadlines:calendar")
    return [
        UpcomingDeadline(r.deadline, r.days_left, url) for r in deadline_rows(passed, today) if r.status == "overdue"
    ]


def _home_firms(user: User):
    return access.visible_to(user, Firm).filter(is_active=True)


def _calendar_years(today: datetime.date) -> list[int]:
    return [today.year - 1, today.year, today.year + 1]


def _queue_reads(user: User, today: datetime.date) -> tuple[QuerySet, list[int], QueueReads]:
    """The firms, years and shared reads of the home page's deadline queues; within `sections_for` (which
    opens a memo on the user object) read once for both queues."""
    firms, years = _home_firms(user), _calendar_years(today)
    memo = getattr(user, "_deadline_calendar", None)
    key = ("queue", tuple(years))
    if memo is not None and key in memo:
        return firms, years, memo[key]
    reads = QueueReads(firms, years)
    if memo is not None:
        memo[key] = reads
    return firms, years, reads


def overdue_queue(user: User, today: datetime.date, limit: int) -> tuple[int, list[UpcomingDeadline]]:
    """`overdue_deadlines`' count and first `limit` items, set-based: the cost does not follow the firms.
    A firm's own users (one firm) read them from its calendar, cheaper for one firm than the set-based union."""
    if user.is_firm_user:
        overdue = overdue_deadlines(user, today)
        return len(overdue), overdue[:limit]
    firms, years, reads = _queue_reads(user, today)
    count, first = deadline_queue(
        firms,
        years,
        reads=reads,
        kinds=kinds_to_meet(user),
        due_to=today - datetime.timedelta(days=1),
        unmet_only=True,
        limit=limit,
    )
    url = reverse("deadlines:calendar")
    return count, [UpcomingDeadline(d, d.days_left(today), url) for d in first]


class DeadlineList(list):
    """The first deadlines of a longer list: `total` in all, the rest behind `more_url`."""

    def __init__(self, items, total: int, more_url: str = ""):
        super().__init__(items)
        self.total, self.more_url = total, more_url


def upcoming_queue(user: User, today: datetime.date) -> DeadlineList:
    """The home page's upcoming deadlines (`upcoming_deadlines`): the first SECTION_LIMIT and how many in all,
    set-based."""
    from mrv.ui.home import SECTION_LIMIT

    url = reverse("deadlines:calendar")
    if user.is_firm_user:  # one firm: its calendar, as `overdue_queue`
        upcoming = upcoming_deadlines(user, today)
        return DeadlineList(upcoming[:SECTION_LIMIT], len(upcoming), url)
    firms, years, reads = _queue_reads(user, today)
    count, first = deadline_queue(
        firms,
        years,
        reads=reads,
        kinds=kinds_to_meet(user),
        due_from=today - datetime.timedelta(days=RECENTLY_OVERDUE_DAYS),
        due_to=today + datetime.timedelta(days=UPCOMING_DAYS),
        limit=SECTION_LIMIT,
    )
    return DeadlineList([UpcomingDeadline(d, d.days_left(today), url) for d in first], count, url)


def overdue_section(user: User):
    """The home page's queue of overdue firms, for the regulators (and the firms themselves)."""
    from mrv.ui.home import SECTION_LIMIT, ActionItem, Section

    if not (user.is_regulator or user.is_national_admin or user.is_firm_user):
        return None
    from .clock import shanghai_today

    today = shanghai_today()
    count, overdue = overdue_queue(user, today, SECTION_LIMIT)
    items = [
        ActionItem(
            o.label,
            o.url,
            "overdue",
            ngettext("%(n)s day overdue", "%(n)s days overdue", -o.days_left) % {"n": -o.days_left},
        )
        for o in overdue
    ]
    return Section(gettext_lazy("Overdue deadlines"), items, reverse("deadlines:calendar"), count=count)
