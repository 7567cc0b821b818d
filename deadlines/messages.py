"""What a notification says, rendered in the reader's language from its kind and details."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from mrv.models import DeadlineRule

from .models import Notification

K = Notification.Kind
MESSAGES = {
    K.DEADLINE_REMINDER: _("%(firm)s: the %(deadline)s for %(year)s is due on %(due_date)s (%(days_left)s days left)."),
    K.DEADLINE_OVERDUE: _("%(firm)s: the %(deadline)s for %(year)s was due on %(due_date)s and is overdue."),
    K.DEADLINE_ESCALATION: _("%(firm)s has missed the %(deadline)s deadline for %(year)s (due on %(due_date)s)."),
    K.EXTENSION_GRANTED: _(
        "%(firm)s: the %(deadline)s for %(year)s is now due on %(due_date)s (extended by %(extra_days)s days)."
    ),
    K.QUARTERLY_REPORT_OPENED: _(
        "%(firm)s: the Q%(quarter)s %(year)s report is open for you to fill in; it is due on %(due_date)s."
    ),
    K.QUARTERLY_SNAPSHOT: _(
        "%(market)s, Q%(quarter)s %(year)s: %(short_count)s firms are projected to exceed their allocation."
    ),
    K.SPOT_CHECK_DRAWN: _("%(market)s: the spot-check sample of the %(year)s verification reports has been drawn."),
    K.FIRM_NON_COMPLIANT: _(
        "%(firm)s has not surrendered enough allowances for %(year)s by the deadline and has been marked non-compliant."
    ),
    K.NON_COMPLIANCE_MARKED: _(
        "%(market)s: the compliance deadline for %(year)s has passed; %(count)s firms have been marked non-compliant."
    ),
}


def notification_text(notification: Notification) -> str:
    params = dict(notification.params)
    if "market_en" in params:
        params["market"] = params["market_zh"] if (get_language() or "").startswith("zh") else params["market_en"]
    if "deadline" in params:
        params["deadline"] = _g(DeadlineRule.Kind(params["deadline"]).label)
    try:
        return str(MESSAGES[notification.kind] % params)
    except (KeyError, ValueError, TypeError):
        return str(Notification.Kind(notification.kind).label)
