"""Data-entry mandates: a firm's approver entrusts a person of another firm with entering the firm's data, and
ends the mandate; the entrusted person may give it back. Both audited, with who, when, from, to and why."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import DataEntryMandate, Firm, User
from mrv.refusals import Refused
from mrv.workflow import mandates as rules

NOT_GRANTER = _("Only an approver of the firm entrusts its data to someone or ends a mandate.")
NOT_ENDER = _("Only an approver of the firm or the entrusted person ends this mandate.")
NO_SUCH_PERSON = _("There is no active reporter or approver of a covered firm with the user name “%(username)s”.")
OWN_PERSON = _("%(person)s works for this firm already and needs no mandate.")
ALREADY_ENTRUSTED = _("%(person)s is entrusted with this firm's data already.")
ALREADY_ENDED = _("This mandate has ended already.")


def mandate_grant(*, firm: Firm, username: str, acting_user, reason: str = "") -> DataEntryMandate:
    """Entrust the active firm user `username` (of another firm) with entering `firm`'s activity and output data."""
    if not rules.is_mandate_granter(firm.pk, acting_user):
        raise PermissionDenied(NOT_GRANTER)
    username = (username or "").strip()
    grantee = (
        User.objects.filter(username=username, is_active=True, role__in=User.FIRM_ROLES).select_related("firm").first()
    )
    if grantee is None:
        raise Refused(NO_SUCH_PERSON % {"username": username[:150]}, code="no_such_person")
    person = grantee.get_full_name() or grantee.username
    if grantee.firm_id == firm.pk:
        raise Refused(OWN_PERSON % {"person": person}, code="own_person")
    try:
        with transaction.atomic():
            mandate = DataEntryMandate.objects.create(
                firm=firm, grantee=grantee, granted_by=acting_user, granted_at=timezone.now(), reason=reason.strip()
            )
            log_action(
                mandate,
                "mrv.mandate.mandate_granted",
                actor=acting_user,
                to_state=DataEntryMandate.IN_FORCE,
                reason=reason.strip(),
            )
    except IntegrityError:  # one open mandate a person (`one_open_mandate_a_person`), also between two requests
        raise Refused(ALREADY_ENTRUSTED % {"person": person}, code="already_entrusted") from None
    return mandate


def mandate_end(*, mandate: DataEntryMandate, acting_user, reason: str = "") -> DataEntryMandate:
    """End an open mandate: from the next request on, the person no longer sees or writes the firm's data."""
    if "end" not in rules.mandate_actions(mandate, acting_user):
        if mandate.ended_at is not None:
            raise Refused(ALREADY_ENDED, code="ended")
        raise PermissionDenied(NOT_ENDER)
    with transaction.atomic():
        ended = DataEntryMandate.objects.filter(pk=mandate.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=acting_user, end_reason=reason.strip()
        )
        if not ended:  # ended by someone else since it was read
            raise Refused(ALREADY_ENDED, code="ended")
        mandate.refresh_from_db()
        log_action(
            mandate,
            "mrv.mandate.mandate_ended",
            actor=acting_user,
            from_state=DataEntryMandate.IN_FORCE,
            to_state=DataEntryMandate.ENDED,
            reason=reason.strip(),
        )
    return mandate
