"""A regulator extends a firm's deadline."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from deadlines.calendar import firm_deadlines, market_due_date
from deadlines.models import Notification
from deadlines.services.common import Recipients
from deadlines.services.notifications import notify
from mrv.audit import log_action
from mrv.models import (
    DeadlineExtension,
    Firm,
    User,
)
from mrv.refusals import Refused


class ExtensionRefused(Refused, ValueError):
    """A deadline extension refused for its input (days, reason, deadline)."""

    default_code = "extension"


EXTENSION_NOT_REGULATOR = _("Only the firm's regulator may extend its deadlines.")
EXTENSION_DAYS_RANGE = _("The extension must be between 1 and 365 days.")
EXTENSION_REASON_REQUIRED = _("Please give a reason for the extension.")
EXTENSION_UNKNOWN_DEADLINE = _("The market has no “%(kind)s” deadline for %(year)s.")


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
