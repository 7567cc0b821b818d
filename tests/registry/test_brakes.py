"""Registry brakes: representatives, trusted lists, delayed and cancellable transfers, caps, notices."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from deadlines.models import Notification
from mrv.models import AuditLog, User
from mrv.transitions import TransitionRefused
from registry import selectors, services, tasks
from registry.ledger import LedgerError, Unit
from registry.models import ALLOWANCE, Transaction, TransferProposal, TrustedAccount
from tests.factories import UserFactory

D = Decimal
A25 = Unit(ALLOWANCE, 2025)
S = TransferProposal.Status


def propose(funded, user, quantity=300):
    mine, theirs = funded
    return services.transfer_propose(
        from_account=mine, to_account=theirs, unit=A25, quantity=quantity, acting_user=user
    )


def test_a_firms_reporter_cannot_propose_or_approve_unless_designated(funded, firm_user, firm_approver):
    with pytest.raises(PermissionDenied):
        propose(funded, firm_user)
    proposal = propose(funded, firm_approver)
    with pytest.raises(PermissionDenied):
        services.transfer_approve(proposal=proposal, acting_user=firm_user)
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED


def test_a_designated_reporter_is_a_representative(funded, firm_representative, firm_approver):
    proposal = services.transfer_approve(proposal=propose(funded, firm_approver), acting_user=firm_representative)
    assert (proposal.status, proposal.decided_by) == (S.SCHEDULED, firm_representative)


def test_a_transfer_to_a_non_trusted_account_waits_its_delay_and_is_cancellable(
    funded, firm_representative, firm_approver, settings
):
    mine, theirs = funded
    settings.REGISTRY_TRANSFER_DELAY_HOURS = 26
    before = timezone.now()
    proposal = services.transfer_approve(proposal=propose(funded, firm_representative), acting_user=firm_approver)
    proposal.refresh_from_db()
    assert proposal.status == S.SCHEDULED
    assert proposal.execute_after - before >= datetime.timedelta(hours=26)
    assert services.transfers_execute_due() == 0  # not yet due: nothing moves
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(1000)}
    services.transfer_cancel(proposal=proposal, acting_user=firm_representative, reason="wrong buyer")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.cancelled_by) == (S.CANCELLED, firm_representative)
    assert services.transfers_execute_due(now=timezone.now() + datetime.timedelta(hours=27)) == 0
    assert not Transaction.objects.filter(kind="transfer").exists()
    log = AuditLog.objects.get(action="registry.transferproposal.cancel")
    assert (log.actor, log.from_state, log.to_state, log.reason) == (
        firm_representative,
        "scheduled",
        "cancelled",
        "wrong buyer",
    )


def test_the_scheduled_task_executes_a_transfer_once_its_delay_has_passed(funded, firm_representative, firm_approver):
    mine, theirs = funded
    proposal = services.transfer_approve(proposal=propose(funded, firm_representative), acting_user=firm_approver)
    later = timezone.now() + datetime.timedelta(hours=26, minutes=1)
    assert services.transfers_execute_due(now=later) == 1
    assert services.transfers_execute_due(now=later) == 0  # a second run finds nothing to do
    proposal.refresh_from_db()
    assert proposal.status == S.EXECUTED and proposal.ledger_transaction is not None
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(700), theirs.pk: D(300)}
    with pytest.raises(TransitionRefused):
        services.transfer_cancel(proposal=proposal, acting_user=firm_representative)


def test_the_beat_task_runs_the_due_transfers(funded, firm_representative, firm_approver, settings):
    settings.REGISTRY_TRANSFER_DELAY_HOURS = 0
    proposal = services.transfer_approve(proposal=propose(funded, firm_representative), acting_user=firm_approver)
    assert tasks.execute_due_transfers.apply().get() == 1
    proposal.refresh_from_db()
    assert proposal.status == S.EXECUTED


def test_a_due_transfer_the_balance_no_longer_covers_fails_and_moves_nothing(
    funded, firm_representative, firm_approver, settings
):
    mine, theirs = funded
    settings.REGISTRY_TRANSFER_DELAY_HOURS = 0
    first = services.transfer_approve(proposal=propose(funded, firm_approver, 700), acting_user=firm_representative)
    second = services.transfer_approve(proposal=propose(funded, firm_approver, 700), acting_user=firm_representative)
    assert services.transfers_execute_due() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.EXECUTED, S.FAILED)
    assert "holds 300 t" in second.failure
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(300), theirs.pk: D(700)}


def test_a_transfer_to_a_trusted_account_executes_on_approval(funded, trusted, firm_representative, firm_approver):
    mine, theirs = funded
    proposal = services.transfer_approve(proposal=propose(funded, firm_representative), acting_user=firm_approver)
    assert proposal.status == S.EXECUTED
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(700), theirs.pk: D(300)}


def test_a_trusted_list_addition_needs_a_second_representative_and_takes_effect_after_its_delay(
    funded, firm_representative, firm_approver, settings
):
    mine, theirs = funded
    settings.REGISTRY_TRUSTED_LIST_DELAY_HOURS = 168
    entry = services.trusted_account_propose(account=mine, trusted=theirs, acting_user=firm_representative)
    with pytest.raises(PermissionDenied):
        services.trusted_account_approve(entry=entry, acting_user=firm_representative)
    services.trusted_account_approve(entry=entry, acting_user=firm_approver)
    entry.refresh_from_db()
    assert entry.status == TrustedAccount.Status.APPROVED
    assert not selectors.is_trusted(mine, theirs)
    assert selectors.is_trusted(mine, theirs, now=timezone.now() + datetime.timedelta(hours=168, minutes=1))
    # Before the delay has passed, a transfer to it still waits.
    proposal = services.transfer_approve(proposal=propose(funded, firm_representative), acting_user=firm_approver)
    assert proposal.status == S.SCHEDULED


def test_a_reporter_cannot_change_the_trusted_list(funded, firm_user, firm_approver):
    mine, theirs = funded
    with pytest.raises(PermissionDenied):
        services.trusted_account_propose(account=mine, trusted=theirs, acting_user=firm_user)
    entry = services.trusted_account_propose(account=mine, trusted=theirs, acting_user=firm_approver)
    with pytest.raises(PermissionDenied):
        services.trusted_account_approve(entry=entry, acting_user=firm_user)


def test_removing_an_account_from_the_trusted_list_takes_effect_at_once(funded, trusted, firm_approver):
    mine, theirs = funded
    assert selectors.is_trusted(mine, theirs)
    services.trusted_account_remove(entry=trusted, acting_user=firm_approver)
    assert not selectors.is_trusted(mine, theirs)


def test_a_transfer_over_the_cap_per_transfer_is_refused(funded, firm_approver, settings):
    settings.REGISTRY_TRANSFER_MAX_T = 500
    with pytest.raises(LedgerError, match="exceeds this account's cap of 500 t per transfer"):
        propose(funded, firm_approver, 501)
    assert not TransferProposal.objects.exists()


def test_the_accounts_own_cap_overrides_the_setting(funded, firm_approver, settings):
    mine, _ = funded
    settings.REGISTRY_TRANSFER_MAX_T = 500
    mine.max_transfer_t = D(100)
    mine.save(update_fields=["max_transfer_t"])
    with pytest.raises(LedgerError, match="cap of 100 t per transfer"):
        propose(funded, firm_approver, 101)


def test_transfers_over_the_cap_per_day_are_refused(funded, firm_approver, firm_representative, settings):
    settings.REGISTRY_TRANSFER_MAX_PER_DAY_T = 500
    first = propose(funded, firm_approver, 300)
    with pytest.raises(LedgerError, match=r"cap of 500 t per day \(300 t already today\)"):
        propose(funded, firm_approver, 201)
    services.transfer_reject(proposal=first, acting_user=firm_representative)
    propose(funded, firm_approver, 500)  # a rejected proposal no longer counts


def test_every_representative_is_told_of_each_proposal_and_execution(
    funded, trusted, firm_representative, firm_approver, firm, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the outbox runs the notice task in-process after commit
    second_approver = UserFactory(username="approver2", role=User.Role.FIRM_APPROVER, firm=firm)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = propose(funded, firm_representative)
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_approve(proposal=proposal, acting_user=firm_approver)
    notices = Notification.objects.filter(kind=Notification.Kind.WORKFLOW_EVENT)
    for person in (firm_representative, firm_approver, second_approver):
        events = {n.params["event"] for n in notices.filter(recipient=person)}
        assert events == {"registry.transferproposal.proposed", "registry.transferproposal.approve"}
    text = str(notices.filter(recipient=second_approver, params__event="registry.transferproposal.proposed").get())
    assert text.startswith(f"A transfer of 300 t ALLOWANCE 2025 from {funded[0].number} to {funded[1].number}")


def test_a_redelivered_notice_tells_nobody_twice(funded, firm_approver, firm_representative):
    import uuid

    from deadlines.workflow_notices import registry_event_notify

    proposal = propose(funded, firm_approver)
    message_id = uuid.uuid4()
    kwargs = {"event": "registry.transferproposal.proposed", "message_id": message_id, "proposal_id": proposal.pk}
    assert registry_event_notify(**kwargs) == 2
    assert registry_event_notify(**kwargs) == 0
    assert Notification.objects.filter(kind=Notification.Kind.WORKFLOW_EVENT).count() == 2


def test_only_the_markets_regulator_designates_representatives(funded, firm_user, firm_approver, other_regulator):
    mine, _ = funded
    for user in (firm_approver, other_regulator):
        with pytest.raises(PermissionDenied):
            services.representative_add(account=mine, user=firm_user, acting_user=user)
