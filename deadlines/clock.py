"""Deadlines are dates in Asia/Shanghai: "today" is Shanghai's date, whatever the server's clock zone."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_today(now: datetime.datetime | None = None) -> datetime.date:
    """The date in Shanghai at `now` (default: this instant)."""
    return (now or timezone.now()).astimezone(SHANGHAI).date()


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def last_finished_quarter(today: datetime.date) -> tuple[int, int]:
    """(year, quarter) of the latest quarter that has ended before `today`."""
    quarter = quarter_of(today) - 1
    return (today.year, quarter) if quarter else (today.year - 1, 4)
