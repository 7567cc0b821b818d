"""Reads: the deadline calendar a user may see, and their notifications."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from mrv import access
from mrv.models import Firm, User

from .calendar import Deadline, firm_deadlines
from .models import Notification

UPCOMING_DAYS = 60
RECENTLY_OVERDUE_DAYS = 30


def deadline_calendar(user: User, today: datetime.date, *, years: list[int] | None = None) -> list[Deadline]:
    """Every deadline of the firms `user` may see, for the given compliance years (default: last, this, next)."""
    firms = access.visible_to(user, Firm).filter(is_active=True).select_related("market")
    return firm_deadlines(firms, years or [today.year - 1, today.year, today.year + 1])


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
    """What the home page shows: deadlines due in the next `within_days` days, and those recently passed."""
    url = reverse("deadlines:calendar")
    return [
        UpcomingDeadline(d, d.days_left(today), url)
        for d in deadline_calendar(user, today)
        if -overdue_days <= d.days_left(today) <= within_days
    ]


def notifications_for(user: User):
    return access.visible_to(user, Notification)


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at=None).count()
