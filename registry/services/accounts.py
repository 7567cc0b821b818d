"""An account's representatives, trusted accounts and transfer caps."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.transitions import run_transition
from registry import workflow
from registry.ledger import (
    LedgerError,
    lock_accounts,
)
from registry.models import (
    Account,
    Representative,
    TrustedAccount,
)
from registry.services.common import NOT_A_HOLDING, NOT_REPRESENTATIVE, _require_regulator

ALREADY_TRUSTED = _("Account %(number)s is already on the trusted list or waiting for approval.")
NOT_FIRM_PERSON = _("%(user)s is not a person of the account's firm.")


def trusted_account_propose(*, account: Account, trusted: Account, acting_user) -> TrustedAccount:
    if not workflow.is_representative(account, acting_user):
        raise PermissionDenied(NOT_REPRESENTATIVE)
    if trusted.kind != Account.Kind.HOLDING or trusted.market_id != account.market_id or trusted.pk == account.pk:
        raise LedgerError(NOT_A_HOLDING % {"number": trusted.number})
    with transaction.atomic():
        lock_accounts([account])
        if TrustedAccount.objects.filter(account=account, trusted=trusted, status__in=TRUSTED_OPEN).exists():
            raise LedgerError(ALREADY_TRUSTED % {"number": trusted.number})
        entry = TrustedAccount.objects.create(account=account, trusted=trusted, proposed_by=acting_user)
        log_action(entry, "registry.trustedaccount.proposed", actor=acting_user, to_state=entry.status)
    return entry


def trusted_account_approve(*, entry: TrustedAccount, acting_user) -> TrustedAccount:
    """A second representative approves; the account is trusted from REGISTRY_TRUSTED_LIST_DELAY_HOURS later."""
    after = timezone.now() + datetime.timedelta(hours=settings.REGISTRY_TRUSTED_LIST_DELAY_HOURS)
    run_transition(entry, "approve", acting_user=acting_user, by=acting_user, active_from=after)
    return entry


def trusted_account_reject(*, entry: TrustedAccount, acting_user) -> TrustedAccount:
    run_transition(entry, "reject", acting_user=acting_user, by=acting_user)
    return entry


def trusted_account_remove(*, entry: TrustedAccount, acting_user) -> TrustedAccount:
    run_transition(entry, "remove", acting_user=acting_user, by=acting_user)
    return entry


def representative_add(*, account: Account, user, acting_user) -> Representative:
    """The market's regulator (the registry administrator) designates a person of the firm for its account."""
    _require_regulator(acting_user, account.market_id)
    if not (user.is_firm_user and user.firm_id == account.firm_id):
        raise LedgerError(NOT_FIRM_PERSON % {"user": user.username})
    with transaction.atomic():
        rep, created = Representative.objects.get_or_create(
            account=account, user=user, defaults={"added_by": acting_user}
        )
        if created:
            log_action(rep, "registry.representative.added", actor=acting_user, changes={"user": (None, user.username)})
    return rep


def account_caps_set(*, account: Account, max_transfer_t, max_daily_transfer_t, acting_user) -> Account:
    """The market's regulator sets an account's own caps (empty: the settings' defaults; 0: no cap)."""
    _require_regulator(acting_user, account.market_id)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        before = {"max_transfer_t": account.max_transfer_t, "max_daily_transfer_t": account.max_daily_transfer_t}
        account.max_transfer_t, account.max_daily_transfer_t = max_transfer_t, max_daily_transfer_t
        account.save(update_fields=["max_transfer_t", "max_daily_transfer_t"])
        changes = {k: (v, getattr(account, k)) for k, v in before.items() if v != getattr(account, k)}
        log_action(account, "registry.account.caps_set", actor=acting_user, changes=changes)
    return account


def representative_remove(*, representative: Representative, acting_user) -> None:
    _require_regulator(acting_user, representative.account.market_id)
    with transaction.atomic():
        log_action(
            representative.account,
            "registry.representative.removed",
            actor=acting_user,
            changes={"user": (representative.user.username, None)},
        )
        representative.delete()


TRUSTED_OPEN = (TrustedAccount.Status.PROPOSED, TrustedAccount.Status.APPROVED)
