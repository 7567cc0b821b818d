"""Who sees the deadline app's objects, registered with `mrv.access`."""

from django.db.models import Q

from mrv.access import NOTHING, can_view, predicate, regulates, scope, visible_to
from mrv.models import DeadlineExtension, Firm, User

from .models import EarlyWarning, Notification, QuarterlySnapshot, Reminder


@scope(Notification)
def _notifications(user: User) -> Q:
    return Q(recipient_id=user.pk)


@predicate(Notification)
def _notification(user: User, notification: Notification) -> bool:
    return notification.recipient_id == user.pk


@scope(DeadlineExtension)
def _extensions(user: User) -> Q:
    return Q(firm__in=visible_to(user, Firm).values("pk"))


@predicate(DeadlineExtension)
def _extension(user: User, extension: DeadlineExtension) -> bool:
    return can_view(user, extension.firm)


@scope(Reminder)
def _reminders(user: User) -> Q:
    return Q(firm__market_id=user.market_id) if user.is_regulator else NOTHING


@predicate(Reminder)
def _reminder(user: User, reminder: Reminder) -> bool:
    return user.is_regulator and regulates(user, reminder.firm.market_id)


@scope(QuarterlySnapshot)
def _snapshots(user: User) -> Q:
    return Q(market_id=user.market_id) if user.is_regulator else NOTHING


@predicate(QuarterlySnapshot)
def _snapshot(user: User, snapshot: QuarterlySnapshot) -> bool:
    return user.is_regulator and regulates(user, snapshot.market_id)


@scope(EarlyWarning)
def _warnings(user: User) -> Q:
    return Q(snapshot__market_id=user.market_id) if user.is_regulator else NOTHING


@predicate(EarlyWarning)
def _warning(user: User, warning: EarlyWarning) -> bool:
    return user.is_regulator and regulates(user, warning.snapshot.market_id)
